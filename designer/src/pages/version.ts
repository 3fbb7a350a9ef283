import { get, post, qs } from '../api.js';
import { add, clear, formatDate, h } from '../dom.js';
import { getLang, pick, t } from '../i18n/index.js';
import { markDiff, openViewer } from '../modeler/viewer.js';
import { render } from '../router.js';
import { hasRole, isAuthor } from '../session.js';
import { buildStepTable } from '../tthc/steps.js';
import { limitHours, type Change, type Diff, type ProcessInfo, type Procedure, type ValidationReport, type Version } from '../types.js';
import { badge, errorBox } from './layout.js';
import { stepTableView } from './step-table-view.js';

/** The version we compare against: the active one, else the newest earlier version. */
function baseline(v: Version, info: ProcessInfo | undefined): Version | undefined {
  const others = (info?.versions ?? []).filter((o) => o.id !== v.id && o.number < v.number);
  const active = others.find((o) => o.id === info?.model?.activeVersionId || o.state === 'active');
  return active ?? others.sort((a, b) => b.number - a.number)[0];
}

function changeList(diff: Diff): HTMLElement {
  const item = (c: Change, kind: string) => h('li', { class: `change ${kind}` },
    h('span', { class: 'kind' }, t(`diff.${kind}` as never)), ' ', c.name || c.id, h('span', { class: 'muted' }, ` (${c.type.replace('bpmn:', '')})`),
    c.attrs ? h('ul', null, Object.entries(c.attrs).map(([k, v]) => h('li', null, h('code', null, k), `: ${String(v.old ?? '∅')} → ${String(v.new ?? '∅')}`))) : null);
  const all = [...diff.added.map((c) => item(c, 'added')), ...diff.removed.map((c) => item(c, 'removed')), ...diff.changed.map((c) => item(c, 'changed')), ...(diff.layoutChanged ?? []).map((c) => item(c, 'layout'))];
  return all.length ? h('ul', { class: 'changes', 'data-testid': 'changes' }, all) : h('p', { class: 'muted', 'data-testid': 'changes' }, t('diff.none'));
}

async function definitionsOf(xml: string) {
  const { BpmnModdle } = await import('bpmn-moddle');
  const { moddleExtensions } = await import('../modeler/extensions.js');
  return (await new BpmnModdle(moddleExtensions).fromXML(xml)).rootElement;
}

export async function versionPage(root: HTMLElement, params: Record<string, string>): Promise<() => void> {
  const viewers: Array<{ destroy(): void }> = [];
  let v: Version;
  try {
    v = await get<Version>(`/api/process-versions/${encodeURIComponent(params.id!)}`);
  } catch (err) {
    root.append(errorBox(err));
    return () => {};
  }
  const [proc, info] = await Promise.all([
    get<Procedure>(`/api/procedures/${encodeURIComponent(v.procedureId)}`).catch(() => undefined),
    get<ProcessInfo>(`/api/procedures/${encodeURIComponent(v.procedureId)}/process${qs({ level: v.level })}`).catch(() => undefined),
  ]);
  const base = baseline(v, info);
  const limit = limitHours(proc);
  const actionsEl = h('div', { class: 'actions', 'data-testid': 'actions' });
  const msg = h('div', { class: 'status', role: 'status' });

  add(root,
    h('p', null, h('a', { href: `#/procedures/${encodeURIComponent(v.procedureId)}` }, '← ', proc?.name ?? t('nav.catalogue'))),
    h('h1', null, `${proc?.code ?? ''} v${v.number} (${v.level}) `, badge(v.state)),
    h('p', { class: 'muted' }, t('version.meta', { author: v.authorName ?? '', date: formatDate(v.updatedAt, getLang()) })),
    v.decision ? h('p', { class: 'decision', 'data-testid': 'decision' }, t('version.decision', {
      number: v.decision.number, date: v.decision.date, signer: v.decision.signer, effective: v.decision.effectiveDate,
    })) : null,
    v.rejectionComment ? h('p', { class: 'error' }, t('version.rejected', { comment: v.rejectionComment })) : null,
    actionsEl, msg);

  async function act(path: string, body: unknown = {}): Promise<void> {
    try {
      await post(`/api/process-versions/${v.id}/${path}`, body);
      await render();
    } catch (err) {
      clear(msg, errorBox(err));
    }
  }

  // Actions follow the state; Approve is absent for the version's author (four-eyes rule).
  if (v.state === 'draft' && hasRole('process-owner')) actionsEl.append(h('a', { class: 'button primary', href: `#/versions/${v.id}/edit`, 'data-testid': 'edit' }, t('process.edit')));
  if (v.state === 'in_review' && hasRole('approver')) {
    if (!isAuthor(v)) {
      const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh' });
      const num = h('input', { name: 'decisionNumber', required: true, placeholder: '123/QĐ-UBND' });
      const date = h('input', { name: 'decisionDate', type: 'date', required: true, value: today });
      const signer = h('input', { name: 'signer', required: true });
      const eff = h('input', { name: 'effectiveDate', type: 'date', required: true, value: today });
      actionsEl.append(h('form', {
        class: 'approve card', 'data-testid': 'approve-form',
        onsubmit: (e: Event) => { e.preventDefault(); void act('approve', { decisionNumber: num.value.trim(), decisionDate: date.value, signer: signer.value.trim(), effectiveDate: eff.value }); },
      }, h('h3', null, t('version.approveTitle')),
      h('label', null, t('version.decisionNumber'), num), h('label', null, t('version.decisionDate'), date),
      h('label', null, t('version.signer'), signer), h('label', null, t('version.effectiveDate'), eff),
      h('button', { class: 'primary', type: 'submit', 'data-testid': 'approve' }, t('version.approve'))));
    } else {
      actionsEl.append(h('p', { class: 'muted', 'data-testid': 'own-version' }, t('version.ownVersion')));
    }
    const comment = h('textarea', { name: 'comment', required: true, rows: 2 });
    actionsEl.append(h('form', {
      class: 'reject card',
      onsubmit: (e: Event) => { e.preventDefault(); if (comment.value.trim()) void act('reject', { comment: comment.value.trim() }); },
    }, h('h3', null, t('version.rejectTitle')), h('label', null, t('version.comment'), comment), h('button', { type: 'submit', 'data-testid': 'reject' }, t('version.reject'))));
  }
  if (v.state === 'approved' && hasRole('approver')) actionsEl.append(h('button', { class: 'primary', 'data-testid': 'activate', onclick: () => void act('activate') }, t('version.activate')));

  // Diagrams side by side (old | new) with the diff coloured, then the change list, report and step tables.
  const oldEl = h('div', { class: 'canvas small', 'data-testid': 'old-diagram' });
  const newEl = h('div', { class: 'canvas small', 'data-testid': 'new-diagram' });
  const changesEl = h('div');
  const reportEl = h('div', { 'data-testid': 'report' });
  const stepsOld = h('div');
  const stepsNew = h('div');
  root.append(
    h('div', { class: base ? 'compare' : 'single' },
      base ? h('section', null, h('h2', null, t('version.before', { n: base.number })), oldEl) : null,
      h('section', null, h('h2', null, base ? t('version.after', { n: v.number }) : t('version.diagram')), newEl)),
    h('div', { class: 'legend' }, ['added', 'removed', 'changed'].map((k) => h('span', { class: `swatch diff-${k}` }, t(`diff.${k}` as never)))),
    h('div', { class: 'compare' },
      h('section', null, h('h2', null, t('diff.title')), changesEl),
      h('section', null, h('h2', null, t('findings.title')), reportEl)),
    h('div', { class: 'compare' },
      base ? h('section', null, h('h2', null, t('steps.before')), stepsOld) : null,
      h('section', null, h('h2', null, base ? t('steps.after') : t('steps.title')), stepsNew)));

  try {
    const newViewer = await openViewer(newEl, v.xml);
    viewers.push(newViewer);
    stepsNew.append(stepTableView(buildStepTable(await definitionsOf(v.xml), getLang()), undefined, limit));
    if (base) {
      const baseFull = await get<Version>(`/api/process-versions/${base.id}`);
      const oldViewer = await openViewer(oldEl, baseFull.xml);
      viewers.push(oldViewer);
      stepsOld.append(stepTableView(buildStepTable(await definitionsOf(baseFull.xml), getLang()), undefined, limit));
      try {
        const diff = await get<Diff>(`/api/process-versions/${v.id}/diff${qs({ against: base.id })}`);
        markDiff(newViewer, diff, 'new');
        markDiff(oldViewer, diff, 'old');
        changesEl.append(changeList(diff));
      } catch (err) {
        changesEl.append(errorBox(err));
      }
    } else {
      changesEl.append(h('p', { class: 'muted' }, t('diff.first')));
    }
  } catch (err) {
    newEl.append(errorBox(err));
  }
  try {
    const report = await post<ValidationReport>('/api/process-versions/validate', { xml: v.xml, procedureId: v.procedureId });
    reportEl.append(report.findings.length
      ? h('ul', null, report.findings.map((f) => h('li', { class: `finding ${f.severity}` }, h('span', { class: 'sev' }, t(`findings.${f.severity}` as never)), ' ', pick(f.message))))
      : h('p', { class: 'ok' }, t('findings.none')));
  } catch (err) {
    reportEl.append(errorBox(err));
  }
  return () => viewers.forEach((x) => x.destroy());
}
