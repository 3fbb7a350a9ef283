import type { EngineService } from '../engine/index.js';
import type { Logger } from '../log.js';
import { WATCH_PROCESS_KEY } from './watch.js';

type StartInput = Parameters<EngineService['startProcess']>[0];
const WATCHED_VARIABLES = ['dossierId', 'dossierCode', 'unitId', 'dueAt'];

/**
 * The engine as the dossier service sees it, with the watch process started next to every dossier's
 * own process: whatever a procedure's drawing contains, its dossier is watched against the stored
 * due date. A watch that fails to start is logged and does not undo the dossier's start.
 */
export function withWatch<E extends Pick<EngineService, 'startProcess' | 'getDefinitionByKey'>>(engine: E, log: Logger): E {
  // The watch's latest definition, looked up once a minute rather than with every dossier (a
  // redeployed watch, e.g. a new REMIND_BEFORE_DUE on another node, is picked up within that minute).
  let latest: { id: Promise<string>; at: number } | undefined;
  const watchDefinition = (): Promise<string> => {
    if (!latest || Date.now() - latest.at > 60_000) {
      const id = engine.getDefinitionByKey(WATCH_PROCESS_KEY).then((d) => d.id);
      id.catch(() => { latest = undefined; });
      latest = { id, at: Date.now() };
    }
    return latest.id;
  };
  return {
    ...engine,
    async startProcess(input: StartInput) {
      const started = await engine.startProcess(input);
      const vars = Object.fromEntries(Object.entries(input.variables ?? {}).filter(([k]) => WATCHED_VARIABLES.includes(k)));
      if (input.businessKey && vars.dueAt && !started.ended) {
        // A repeated (idempotent) start repeats its watch too: keyed alike, it answers the first watch.
        const idempotencyKey = input.idempotencyKey ? `${input.idempotencyKey}:watch` : null;
        await watchDefinition().then((definitionId) => engine.startProcess({ definitionId, businessKey: input.businessKey, variables: vars, idempotencyKey }))
          .catch((err: Error) => log.error({ err: err.message, dossierCode: input.businessKey }, 'watch process did not start'));
      }
      return started;
    },
  };
}
