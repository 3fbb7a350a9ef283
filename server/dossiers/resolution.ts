import { SaxesParser } from 'saxes';
import { TTHC_NS } from '../engine/index.js';
import type { Logger } from '../log.js';
import type { DossierService } from './service.js';

/**
 * A dossier becomes resolved (9) when its process instance completes at an end event meaning
 * "result ready": an end event with `tthc:result="ready"`. Models that mark no end event at all
 * (the seed processes and the designer's template) count their normal end `EndEvent_Done` as ready;
 * the refusal end (`EndEvent_Refused`) never is.
 */

export function resultReadyEndEvents(xml: string): Set<string> {
  const ready = new Set<string>();
  const ends: string[] = [];
  let marked = false;
  const p = new SaxesParser({ xmlns: true });
  p.on('opentag', (t) => {
    if (t.local !== 'endEvent') return;
    const id = t.attributes.id && typeof t.attributes.id === 'object' ? t.attributes.id.value : '';
    ends.push(id);
    for (const a of Object.values(t.attributes)) {
      if (typeof a === 'object' && a.uri === TTHC_NS && a.local === 'result') {
        marked = true;
        if (a.value === 'ready') ready.add(id);
      }
    }
  });
  p.write(xml).close();
  if (!marked && ends.includes('EndEvent_Done')) ready.add('EndEvent_Done');
  return ready;
}

export interface ResolutionDeps {
  dossiers: DossierService;
  engine: {
    getDefinitionXml(id: string): Promise<{ bpmn20Xml: string }>;
    history(q: { instanceId?: string; kinds?: string[] }): Promise<Array<{ kind: string; activityId?: string | null }>>;
  };
  log: Logger;
  intervalMs?: number;
}

/** Background poller (a `BackgroundService`): completed instances → resolved dossiers. */
export function createResolutionPoller(deps: ResolutionDeps) {
  const byDefinition = new Map<string, Set<string>>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  async function isResultReady(definitionId: string, instanceId: string): Promise<boolean> {
    let ready = byDefinition.get(definitionId);
    if (!ready) {
      ready = resultReadyEndEvents((await deps.engine.getDefinitionXml(definitionId)).bpmn20Xml);
      byDefinition.set(definitionId, ready);
    }
    const hist = await deps.engine.history({ instanceId, kinds: ['activity-end'] });
    const ended = hist.map((h) => h.activityId ?? '');
    return ended.some((a) => ready!.has(a));
  }

  const tick = async () => {
    try {
      await deps.dossiers.resolveCompleted(isResultReady);
    } catch (err) {
      deps.log.warn({ err }, 'dossier resolution poll failed');
    }
  };

  return {
    name: 'dossier-resolution',
    isResultReady,
    /** One pass (tests call it directly). */
    runOnce: () => deps.dossiers.resolveCompleted(isResultReady),
    async start(): Promise<void> {
      const loop = () => {
        running = tick().finally(() => { timer = setTimeout(loop, deps.intervalMs ?? 2000); timer.unref?.(); });
      };
      loop();
    },
    async stop(): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
