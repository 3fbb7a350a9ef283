import { get, post } from '../../api.js';
import { clear, h } from '../../dom.js';
import { getLang, t } from '../../i18n/index.js';
import { formatWorkingTime } from '../../tthc/duration.js';
import { processView } from '../../viewer/process-view.js';
import { filePicker, filesCard } from '../dossiers/files.js';
import { errorBox } from '../layout.js';
import { apologyCard, APOLOGY_STEP } from './apology.js';
import { dueBadge, when, type DueColour } from './format.js';
import './tasks.css';

interface HandOver {
  taskId: string; stepKey: string; stepName: string | null; receivedAt: string; handedOverAt: string | null; by: string | null; byName: string | null;
  unitId: string | null; unitName?: string | null; assignee?: string | null; budget: string | null; spent: { workingHours: number } | null; punctuality: 'early' | 'on-time' | 'late' | null;
  outcome: string | null; comment: string | null; documents?: Array<{ id: string; name: string }>;
}
interface Timeline {
  instanceId: string; code: string | null; unitId: string | null; state: string; definitionId: string; handOvers: HandOver[]; dossierId?: string | null;
  path: { finished: string[]; current: string[]; overdue: string[]; taken: string[] };
  entries?: Array<{ at: string; kind: string; by: string | null; byName?: string | null; unitId: string | null; unitName?: string | null; stepName?: string | null; comment?: string | null }>;
}
interface TaskDetail {
  task: { id: string; dossierId?: string | null; step: { name: string | null; key: string }; procedure: { name: string | null }; receivedAt: string | null; dossierDueAt: string | null; dossierState: DueColour; state: DueColour; paused: boolean; assignee: string | null };
  outcomes: Array<{ key: string; label: string; reasonRequired: boolean }>;
  actions: string[];
  candidates: string[];
  people?: Array<{ username: string; displayName: string }>;
}

/** A document a step cited, as a download link when the dossier is known. */
function dossierLink(tl: Timeline, f: { id: string; name: string }): HTMLElement {
  return tl.dossierId ? h('a', { href: `/api/dossiers/${encodeURIComponent(tl.dossierId)}/files/${f.id}`, download: f.name }, f.name) : h('span', null, f.name);
}

const PUNCT: Record<string, string> = { early: 'work.early', 'on-time': 'work.onTime', late: 'work.late' };

/** The timeline table: every hand-over with who, when, time spent against the budget, and early / on time / late. */
export function timelineTable(tl: Timeline): HTMLElement {
  return h('table', { class: 'grid', 'data-testid': 'timeline' },
    h('caption', { class: 'sr-only' }, t('work.timeline')),
    h('thead', null, h('tr', null, ...(['step', 'received', 'handed', 'by', 'spent', 'result', 'comment'] as const).map((k) => h('th', { scope: 'col' }, t(`work.col.${k}`))))),
    h('tbody', null, tl.handOvers.map((x) => h('tr', { 'data-testid': 'handover' },
      h('td', null, x.stepName ?? x.stepKey),
      h('td', null, when(x.receivedAt)),
      h('td', null, x.handedOverAt ? when(x.handedOverAt) : h('em', null, t('work.pending'))),
      h('td', null, x.byName ?? x.by ?? (x.assignee ? `${x.assignee} (${t('work.holding')})` : ''), x.unitId ? h('div', { class: 'muted' }, x.unitName ?? x.unitId) : null),
      h('td', null, x.spent ? `${formatWorkingTime(`${x.spent.workingHours}h`, getLang())}${x.budget ? ` / ${formatWorkingTime(x.budget, getLang())}` : ''}` : ''),
      h('td', null, x.punctuality ? h('span', { class: `punct-${x.punctuality}` }, t(PUNCT[x.punctuality] as never)) : '', x.outcome ? h('div', null, x.outcome) : null),
      h('td', null, x.comment ?? '', ...(x.documents ?? []).map((f) => h('div', null, dossierLink(tl, f))))))));
}

/** The dossier work page: header, diagram with the path taken, timeline, and the actions the user may take. */
export async function workPage(root: HTMLElement, params: { id: string }): Promise<void> {
  const id = params.id;
  const msg = h('p', { role: 'status', 'aria-live': 'polite', 'data-testid': 'work-status' });
  try {
    const tl = await get<Timeline>(`/api/dossiers/${encodeURIComponent(id)}/handovers`);
    const openTasks = tl.handOvers.filter((x) => !x.handedOverAt);
    const details = (await Promise.all(openTasks.map((x) => get<TaskDetail>(`/api/tasks/${x.taskId}`).catch(() => null)))).filter((d): d is TaskDetail => !!d);
    const head = details[0]?.task;
    // The dossier's own status (national codes 1–10) and unit name, rather than the engine instance's state.
    const dossierId = head?.dossierId ?? null;
    const dossier = dossierId ? await get<{ status: number; unitName?: string }>(`/api/dossiers/${encodeURIComponent(dossierId)}`).catch(() => null) : null;
    root.append(
      h('p', null, h('a', { href: '#/tasks' }, t('work.back'))),
      h('div', { class: 'work-head' },
        h('h1', null, t('work.title', { code: tl.code ?? id })),
        h('dl', null,
          h('dt', null, t('tasks.col.procedure')), h('dd', null, head?.procedure.name ?? ''),
          h('dt', null, t('work.status')), h('dd', { 'data-testid': 'dossier-state' }, dossier ? t(`status.${dossier.status}` as never) : tl.state),
          h('dt', null, t('tasks.col.received')), h('dd', null, when(head?.receivedAt)),
          h('dt', null, t('tasks.col.dossierDue')), h('dd', null, when(head?.dossierDueAt), ' ', head ? dueBadge(head.paused ? 'paused' : head.dossierState) : null),
          h('dt', null, t('work.unit')), h('dd', null, dossier?.unitName ?? tl.unitId ?? ''))),
      h('p', null, h('a', { class: 'button', href: `/api/dossiers/${encodeURIComponent(tl.instanceId)}/forms/06.pdf`, target: '_blank', 'data-testid': 'form06' }, t('work.forms'))),
      msg,
    );
    for (const d of details) {
      root.append(actionsCard(d, msg));
      // The leader's apology step completes through its own form (reason, new date → form 04).
      if (d.task.step.key === APOLOGY_STEP && d.actions.includes('complete')) root.append(apologyCard(d.task.id, d.task.dossierId, d.task.dossierDueAt, msg));
    }
    root.append(sosCard(tl.instanceId, msg));
    if (dossierId) root.append(await filesCard(dossierId, false));
    const canvas = h('div', { class: 'canvas dossier', 'aria-label': t('work.diagram') });
    root.append(h('h2', null, t('work.diagram')),
      h('div', { class: 'legend' }, h('span', { class: 'done' }, t('work.legend.done')), h('span', { class: 'current' }, t('work.legend.current')), h('span', { class: 'overdue' }, t('work.legend.overdue'))),
      canvas, h('h2', null, t('work.timeline')), timelineTable(tl));
    // Consultations of other agencies (sent, reminded, answered, late, explanation), from the same timeline.
    const consults = (tl.entries ?? []).filter((e) => e.kind.startsWith('consultation-'));
    if (consults.length) {
      root.append(h('h2', null, t('work.consultations')), h('table', { class: 'grid', 'data-testid': 'consult-timeline' }, h('tbody', null, consults.map((e) => h('tr', null,
        h('td', null, when(e.at)), h('td', null, t(`event.${e.kind}` as never)),
        h('td', { 'data-testid': 'consult-by' }, e.by === 'workers' ? t('consult.actor.system') : e.byName ?? e.by ?? '', e.unitId || e.unitName ? h('div', { class: 'muted' }, e.unitName ?? e.unitId) : null),
        h('td', null, e.stepName ?? ''), h('td', null, e.comment ?? ''))))));
    }
    try {
      const xml = await get<{ bpmn20Xml: string }>(`/engine-rest/process-definition/${encodeURIComponent(tl.definitionId)}/xml`);
      await processView(canvas, xml.bpmn20Xml, tl.path);
    } catch (err) {
      canvas.append(errorBox(err));
    }
  } catch (err) {
    root.append(errorBox(err));
  }
}

function actionsCard(d: TaskDetail, msg: HTMLElement): HTMLElement {
  const stepName = d.task.step.name ?? d.task.step.key;
  const card = h('section', { class: 'card actions-card', 'aria-label': t('work.actions', { step: stepName }), 'data-testid': 'actions' }, h('h2', null, t('work.actions', { step: stepName })));
  const act = async (fn: () => Promise<unknown>, done?: string) => {
    try { await fn(); msg.textContent = done ?? ''; location.reload(); } catch (err) { clear(msg, errorBox(err)); }
  };
  const base = `/api/tasks/${d.task.id}`;
  if (!d.actions.length) card.append(h('p', { class: 'muted' }, t('work.noActions')));
  const buttons = h('div', { class: 'row' });
  if (d.actions.includes('claim')) buttons.append(h('button', { class: 'primary', 'data-testid': 'claim', onclick: () => act(() => post(`${base}/claim`)) }, t('work.claim')));
  if (d.actions.includes('unclaim')) buttons.append(h('button', { 'data-testid': 'unclaim', onclick: () => act(() => post(`${base}/unclaim`)) }, t('work.unclaim')));
  card.append(buttons);
  if (d.actions.includes('assign') && d.candidates.length) {
    const who = h('select', { id: `assign-${d.task.id}`, 'data-testid': 'assign-to' }, (d.people ?? d.candidates.map((u) => ({ username: u, displayName: u }))).map((u) => h('option', { value: u.username, selected: u.username === d.task.assignee }, u.displayName === u.username ? u.username : `${u.displayName} (${u.username})`)));
    const reason = h('input', { id: `assign-reason-${d.task.id}`, 'data-testid': 'assign-reason' });
    card.append(h('form', { class: 'row', onsubmit: (e: Event) => { e.preventDefault(); void act(() => post(`${base}/assign`, { username: who.value, reason: reason.value || undefined, expectedAssignee: d.task.assignee })); } },
      h('label', { for: who.id }, t('work.assignTo')), who, h('label', { for: reason.id }, t('work.reason')), reason,
      h('button', { type: 'submit', 'data-testid': 'assign' }, t('work.assign'))));
  }
  if (d.actions.includes('complete') && d.task.step.key !== APOLOGY_STEP) {
    const comment = h('textarea', { id: `comment-${d.task.id}`, 'data-testid': 'comment' });
    const outcomes = d.outcomes.length ? h('fieldset', null, h('legend', null, t('work.outcome')),
      d.outcomes.map((o, i) => h('label', { class: 'row' }, h('input', { type: 'radio', name: `outcome-${d.task.id}`, value: o.key, checked: i === 0, 'data-testid': `outcome-${o.key}` }),
        o.label, o.reasonRequired ? h('span', { class: 'muted' }, t('work.reasonRequired')) : null))) : null;
    // Documents the step produced are attached to the dossier first, then cited by the completion.
    const picker = d.task.dossierId ? filePicker(d.task.dossierId, d.task.id) : null;
    const form = h('form', { onsubmit: (e: Event) => {
      e.preventDefault();
      const chosen = form.querySelector<HTMLInputElement>(`input[name="outcome-${d.task.id}"]:checked`)?.value;
      void act(async () => {
        const files = picker ? await picker.send(stepName) : [];
        return post(`${base}/complete`, { outcome: chosen, comment: comment.value || undefined, documents: files.length ? files.map((f) => ({ id: f.id, name: f.fileName })) : undefined });
      }, t('work.done'));
    } }, outcomes, h('label', { for: comment.id }, t('work.comment')), comment, picker?.field ?? null,
    h('div', null, h('button', { type: 'submit', class: 'accent', 'data-testid': 'complete' }, t('work.complete'))));
    card.append(form);
  }
  return card;
}

function sosCard(instanceId: string, msg: HTMLElement): HTMLElement {
  const reason = h('textarea', { id: 'sos-reason', 'data-testid': 'sos-reason' });
  const cause = h('select', { id: 'sos-cause' }, (['other-agency', 'missing-document', 'system-fault', 'other'] as const).map((c) => h('option', { value: c }, t(`sos.cause.${c}`))));
  return h('details', { class: 'card' }, h('summary', { 'data-testid': 'sos-open' }, t('work.sos')),
    h('form', { onsubmit: async (e: Event) => {
      e.preventDefault();
      try { await post('/api/sos', { instanceId, reason: reason.value, cause: cause.value }); msg.textContent = t('work.sosSent'); } catch (err) { clear(msg, errorBox(err)); }
    } }, h('label', { for: 'sos-cause' }, t('work.sosCause')), cause, h('label', { for: 'sos-reason' }, t('work.sosReason')), reason,
    h('button', { type: 'submit', 'data-testid': 'sos-send' }, t('work.sosSend'))));
}
