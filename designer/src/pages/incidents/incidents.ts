import { api } from '../../api.js';
import { formatDate, h } from '../../dom.js';
import { getLang, t, type MessageKey } from '../../i18n/index.js';
import { errorBox } from '../layout.js';

interface Incident { id: string; processInstanceId: string | null; activityId: string; configuration: string; incidentType: string; incidentMessage: string | null; incidentTimestamp: string }
interface ExternalTask { topicName: string; businessKey: string | null }
interface Instance { businessKey: string | null }
interface ActivityInstance { activityName: string | null }

/** What each incident is about and how it is retried: a worker's task, or a timer / background step the engine parked. */
interface Row { incident: Incident; dossier: string; step: string; what: string; whatTitle?: string; retry?: { method: 'PUT'; url: string } }

const TOPIC_PREFIX = 'topic.';

/** A worker topic in words (the technical name stays as the cell's tooltip). */
function topicWords(topic: string): string {
  const key = `${TOPIC_PREFIX}${topic}` as MessageKey;
  const words = t(key);
  return words === key ? topic : words;
}

/** The step's name as the process owner wrote it (its id when unnamed or unknown). */
async function stepName(i: Incident): Promise<string> {
  if (!i.processInstanceId) return i.activityId;
  try {
    const q = new URLSearchParams({ processInstanceId: i.processInstanceId, activityId: i.activityId });
    const [a] = await api<ActivityInstance[]>('GET', `/engine-rest/history/activity-instance?${q.toString()}`);
    return a?.activityName?.trim() || i.activityId;
  } catch {
    return i.activityId;
  }
}

async function describe(i: Incident): Promise<Row> {
  const step = await stepName(i);
  const id = encodeURIComponent(i.configuration);
  if (i.incidentType === 'failedExternalTask') {
    const task = await api<ExternalTask>('GET', `/engine-rest/external-task/${id}`).catch(() => undefined);
    return {
      incident: i, step, dossier: task?.businessKey ?? i.processInstanceId ?? '',
      what: task ? topicWords(task.topicName) : '', whatTitle: task?.topicName,
      retry: { method: 'PUT', url: `/engine-rest/external-task/${id}/retries` },
    };
  }
  const instance = i.processInstanceId ? await api<Instance>('GET', `/engine-rest/process-instance/${encodeURIComponent(i.processInstanceId)}`).catch(() => undefined) : undefined;
  const dossier = instance?.businessKey ?? i.processInstanceId ?? '';
  if (i.incidentType === 'failedJob' || i.incidentType === 'failedTimer') {
    return { incident: i, step, dossier, what: t(i.incidentType === 'failedJob' ? 'incidents.kind.job' : 'incidents.kind.timer'), retry: { method: 'PUT', url: `/engine-rest/job/${id}/retries` } };
  }
  // A called process that could not start: repaired by fixing the called process, then modifying the instance.
  return { incident: i, step, dossier, what: t('incidents.kind.call') };
}

/** `#/incidents` (administrators): what the workers and the engine could not finish, and a button to retry each. */
export async function incidentsPage(root: HTMLElement): Promise<void> {
  root.append(h('h1', null, t('incidents.title')));
  const status = h('p', { role: 'status', 'data-testid': 'incidents-status' });
  const body = h('div');
  root.append(status, body);

  async function load(): Promise<void> {
    try {
      const incidents = await api<Incident[]>('GET', '/engine-rest/incident');
      if (!incidents.length) { body.replaceChildren(h('p', null, t('incidents.empty'))); return; }
      const rows = await Promise.all(incidents.map(describe));
      body.replaceChildren(h('table', { class: 'grid', 'data-testid': 'incidents' },
        h('thead', null, h('tr', null, ...(['incidents.dossier', 'incidents.step', 'incidents.topic', 'incidents.error', 'incidents.since'] as const).map((k) => h('th', { scope: 'col' }, t(k))),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('incidents.retry'))))),
        h('tbody', null, ...rows.map((r) => h('tr', { 'data-incident-type': r.incident.incidentType },
          h('td', null, r.dossier),
          h('td', { 'data-testid': 'incident-step' }, r.step),
          h('td', { title: r.whatTitle }, r.what),
          h('td', null, r.incident.incidentMessage ?? ''),
          h('td', null, formatDate(r.incident.incidentTimestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'), getLang())),
          h('td', null, r.retry ? retryButton(r, r.retry) : t('incidents.noRetry')))))));
    } catch (err) {
      body.replaceChildren(errorBox(err));
    }
  }

  function retryButton(r: Row, retry: NonNullable<Row['retry']>): HTMLElement {
    return h('button', {
      'data-testid': 'incident-retry', 'aria-label': `${t('incidents.retry')}: ${r.dossier}, ${r.step}`,
      onclick: async () => {
        try {
          await api(retry.method, retry.url, { retries: 3 });
          status.textContent = t('incidents.retried');
          await load();
        } catch (err) {
          status.replaceChildren(errorBox(err));
        }
      },
    }, t('incidents.retry'));
  }
  await load();
}
