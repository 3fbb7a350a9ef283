import { api } from '../../api.js';
import { formatDate, h } from '../../dom.js';
import { getLang, t } from '../../i18n/index.js';
import { errorBox } from '../layout.js';

interface Incident { id: string; processInstanceId: string; activityId: string; configuration: string; incidentMessage: string; incidentTimestamp: string }
interface ExternalTask { id: string; topicName: string; businessKey: string | null; activityId: string }

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
      if (!incidents.length) { body.replaceChildren(h('p', null, t('incidents.empty'))); return; }
      body.replaceChildren(h('table', { class: 'table', 'data-testid': 'incidents' },
        h('thead', null, h('tr', null, ...(['incidents.dossier', 'incidents.step', 'incidents.topic', 'incidents.error', 'incidents.since'] as const).map((k) => h('th', { scope: 'col' }, t(k))), h('th', null, ''))),
        h('tbody', null, ...incidents.map((i, n) => h('tr', null,
          h('td', null, tasks[n]?.businessKey ?? i.processInstanceId),
          h('td', null, i.activityId),
          h('td', null, tasks[n]?.topicName ?? ''),
          h('td', null, i.incidentMessage ?? ''),
          h('td', null, formatDate(i.incidentTimestamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'), getLang())),
          h('td', null, h('button', { 'data-testid': 'incident-retry', onclick: async () => {
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
