import { api } from '../../api.js';
import { formatDate, h } from '../../dom.js';
import { getLang, t, type MessageKey } from '../../i18n/index.js';
import { errorBox } from '../layout.js';

interface Incident { id: string; processInstanceId: string; activityId: string; configuration: string; incidentMessage: string; incidentTimestamp: string }
interface ExternalTask { id: string; topicName: string; businessKey: string | null; activityId: string }
interface ActivityInstance { activityName: string | null }

/** A worker topic in words (the technical name stays as the cell's tooltip). */
function topicCell(topic: string | undefined): HTMLElement {
  if (!topic) return h('td', null, '');
  const key = `topic.${topic}` as MessageKey;
  const words = t(key);
  return h('td', { title: topic }, words === key ? topic : words);
}

/** The step's name as the process owner wrote it (its id when unnamed or unknown). */
async function stepName(i: Incident): Promise<string> {
  try {
    const q = new URLSearchParams({ processInstanceId: i.processInstanceId, activityId: i.activityId });
    const [a] = await api<ActivityInstance[]>('GET', `/engine-rest/history/activity-instance?${q.toString()}`);
    return a?.activityName?.trim() || i.activityId;
  } catch {
    return i.activityId;
  }
}

/** `#/incidents` (administrators): external tasks whose retries ran out, and a button to retry each. */
export async function incidentsPage(root: HTMLElement): Promise<void> {
  root.append(h('h1', null, t('incidents.title')));
  const status = h('p', { role: 'status', 'data-testid': 'incidents-status' });
  const body = h('div');
  root.append(status, body);

  async function load(): Promise<void> {
    try {
      const incidents = await api<Incident[]>('GET', '/engine-rest/incident?incidentType=failedExternalTask');
      const tasks = await Promise.all(incidents.map((i) => api<ExternalTask>('GET', `/engine-rest/external-task/${encodeURIComponent(i.configuration)}`).catch(() => undefined)));
      const steps = await Promise.all(incidents.map(stepName));
      if (!incidents.length) { body.replaceChildren(h('p', null, t('incidents.empty'))); return; }
      body.replaceChildren(h('table', { class: 'grid', 'data-testid': 'incidents' },
        h('thead', null, h('tr', null, ...(['incidents.dossier', 'incidents.step', 'incidents.topic', 'incidents.error', 'incidents.since'] as const).map((k) => h('th', { scope: 'col' }, t(k))), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('incidents.retry'))))),
        h('tbody', null, ...incidents.map((i, n) => h('tr', null,
          h('td', null, tasks[n]?.businessKey ?? i.processInstanceId),
          h('td', { 'data-testid': 'incident-step' }, steps[n]),
          topicCell(tasks[n]?.topicName),
          h('td', null, i.incidentMessage ?? ''),
          h('td', null, formatDate(i.incidentTimestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'), getLang())),
          h('td', null, h('button', { 'data-testid': 'incident-retry', 'aria-label': `${t('incidents.retry')}: ${tasks[n]?.businessKey ?? i.processInstanceId}, ${steps[n] ?? i.activityId}`, onclick: async () => {
            await api('PUT', `/engine-rest/external-task/${encodeURIComponent(i.configuration)}/retries`, { retries: 3 });
            status.textContent = t('incidents.retried');
            await load();
          } }, t('incidents.retry'))))))));
    } catch (err) {
      body.replaceChildren(errorBox(err));
    }
  }
  await load();
}
