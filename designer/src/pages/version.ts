import { get, post, qs } from '../api.js';
import { add, clear, h } from '../dom.js';
import { getLang, pick, t } from '../i18n/index.js';
import { markDiff, markElement, openViewer, selectInViewer, showsWhole, syncViewboxes, type Viewer } from '../modeler/viewer.js';
import { navigate, render } from '../router.js';
import { describeChanges, indexElements } from '../tthc/describe-changes.js';
import { buildStepTable } from '../tthc/steps.js';
import type { Diff, ProcessInfo, Procedure, ValidationReport, Version } from '../types.js';
import { badge, errorBox } from './layout.js';
import { dateTimeVi, dateVi, levelName, limitText } from './names.js';
import { stepTableView } from './step-table-view.js';
import { decisionFilesSection } from './decision-files.js';
import { dmyInput } from './dmy-input.js';

interface HistoryEntry { action: string; actorName: string; at: string; comment?: string; details?: Record<string, unknown> }

const SYSTEM_NOTES = new Set(['supersede', 'schedule-activation', 'migration', 'migration-dry-run']);
const WITHDRAWN_NOTE = 'Thủ tục bị bãi bỏ / the procedure was withdrawn';

/** The note of a history row, dates dd/mm/yyyy: an approval reads its decision from the details. */
function noteOf(e: HistoryEntry): string {
  const d = e.details as { decisionNumber?: string; decisionDate?: string; signer?: string; effectiveDate?: string } | undefined;
  if (e.action === 'approve' && d?.decisionNumber) {
    return t('version.decision', { number: d.decisionNumber, date: dateVi(d.decisionDate), signer: d.signer ?? '', effective: dateVi(d.effectiveDate) });
  }
  let note = e.comment ?? '';
  // The platform's own notes keep their English beside them (details.noteEn); older rows were written
  // "tiếng Việt / English": the reader's half only (a person's note stays whole).
  const noteEn = (e.details as { noteEn?: unknown } | undefined)?.noteEn;
  if (getLang() === 'en' && typeof noteEn === 'string') note = noteEn;
  if ((SYSTEM_NOTES.has(e.action) || note === WITHDRAWN_NOTE) && note.includes(' / ')) {
    const [vi, ...en] = note.split(' / ');
    note = getLang() === 'en' && en.length ? en.join(' / ') : vi!;
  }
  return note.replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, '$3/$2/$1');
}

interface Running { activeVersion: { id: string; number: number } | null; running: number }

/**
 * Activation asks first, saying what changes: new dossiers start on this version (now, or from the
 * effective date), how many dossiers run on the version it replaces and that they stay on it (an
 * administrator may migrate them), and that the old version is superseded.
 */
function activation(v: Version, act: (path: string) => Promise<void>): HTMLElement[] {
  const future = v.decision!.effectiveDate > new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh' });
  const facts = h('ul', { 'data-testid': 'activate-facts' });
  const title = future ? t('version.activateTitleFuture', { n: v.number, date: dateVi(v.decision!.effectiveDate) }) : t('version.activateTitle', { n: v.number });
  const dialog = h('dialog', { class: 'card confirm', 'data-testid': 'activate-dialog', 'aria-labelledby': 'activate-title' },
    h('h2', { id: 'activate-title' }, title), facts,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', 'data-testid': 'activate-confirm', onclick: () => { dialog.close(); void act('activate'); } }, future ? t('version.activateScheduleYes') : t('version.activateYes')),
      h('button', { type: 'button', 'data-testid': 'activate-cancel', onclick: () => dialog.close() }, t('editor.cancel'))));
  async function open(): Promise<void> {
    let r: Running | undefined;
    try { r = await get<Running>(`/api/process-versions/${encodeURIComponent(v.id)}/running`); } catch (err) { clear(facts, h('li', null, errorBox(err))); }
    if (r) {
      const nv = { n: v.number, date: dateVi(v.decision!.effectiveDate) };
      clear(facts,
        h('li', { 'data-testid': 'activate-new' }, future ? t('version.activateNewFuture', nv) : t('version.activateNew', nv)),
        r.activeVersion
          ? h('li', { 'data-testid': 'activate-running' }, r.running
            ? t('version.activateRunning', { count: r.running, old: r.activeVersion.number })
            : t('version.activateRunningNone', { old: r.activeVersion.number }))
          : h('li', { 'data-testid': 'activate-running' }, t('version.activateFirst')),
        r.activeVersion ? h('li', null, t('version.activateSupersede', { old: r.activeVersion.number, ...nv })) : null);
    }
    dialog.showModal();
  }
  return [h('button', { class: 'primary', 'data-testid': 'activate', onclick: () => void open() }, t('version.activate')), dialog];
}

/** The version we compare against: the active one, else the newest earlier version. */
function baseline(v: Version, info: ProcessInfo | undefined): Version | undefined {
  const others = (info?.versions ?? []).filter((o) => o.id !== v.id && o.number < v.number && o.state !== 'discarded');
  const active = others.find((o) => o.id === info?.model?.activeVersionId || o.state === 'active');
  return active ?? others.sort((a, b) => b.number - a.number)[0];
}

async function definitionsOf(xml: string) {
  const { BpmnModdle } = await import('bpmn-moddle');
  const { moddleExtensions } = await import('../modeler/extensions.js');
  return (await new BpmnModdle(moddleExtensions).fromXML(xml)).rootElement;
}

function historyTable(items: HistoryEntry[]): HTMLElement {
  return h('table', { class: 'grid', 'data-testid': 'history' },
    h('thead', null, h('tr', null, ...['when', 'who', 'what', 'note'].map((c) => h('th', null, t(`history.col.${c}` as never))))),
    h('tbody', null, items.filter((e) => e.action !== 'save').map((e) => h('tr', null,
      h('td', null, dateTimeVi(e.at)), h('td', null, e.actorName), h('td', null, t(`history.${e.action}` as never)), h('td', null, noteOf(e))))));
}

/**
 * The review page: the diagrams first, large and side by side (zoom kept in step); the changes in
 * words, each selecting its element in both diagrams; the step tables with changed rows marked;
 * the findings and the version's history; the decision form last, after the evidence.
 */
export async function versionPage(root: HTMLElement, params: Record<string, string>): Promise<() => void> {
  const viewers: Array<{ destroy(): void }> = [];
  let v: Version;
  try {
    v = await get<Version>(`/api/process-versions/${encodeURIComponent(params.id!)}`);
  } catch (err) {
    root.append(errorBox(err));
    return () => {};
  }
  const may = v.may;
  const [proc, info, history] = await Promise.all([
    get<Procedure>(`/api/procedures/${encodeURIComponent(v.procedureId)}`).catch(() => undefined),
    get<ProcessInfo>(`/api/procedures/${encodeURIComponent(v.procedureId)}/process${qs({ level: v.level })}`).catch(() => undefined),
    get<HistoryEntry[]>(`/api/process-versions/${encodeURIComponent(v.id)}/history`).catch(() => [] as HistoryEntry[]),
  ]);
  const base = baseline(v, info);
  const msg = h('div', { class: 'status', role: 'status', 'data-testid': 'status' });
  const rejection = [...history].reverse().find((e) => e.action === 'reject');

  async function act(path: string, body: unknown = {}): Promise<void> {
    try {
      await post(`/api/process-versions/${v.id}/${path}`, body);
      await render();
    } catch (err) {
      clear(msg, errorBox(err));
    }
  }

  const ownerActions = h('div', { class: 'actions', 'data-testid': 'actions' },
    may?.edit ? h('a', { class: 'button primary', href: `#/versions/${v.id}/edit`, 'data-testid': 'edit' }, t('process.edit')) : null,
    may?.discard ? h('button', { 'data-testid': 'discard', onclick: () => { if (confirm(t('version.discardConfirm', { n: v.number }))) void act('discard'); } }, t('version.discard')) : null,
    may?.withdraw ? h('button', { 'data-testid': 'withdraw', onclick: () => { if (confirm(t('version.withdrawConfirm', { n: v.number }))) void act('withdraw'); } }, t('version.withdraw')) : null,
    may?.rework ? h('button', {
      class: 'primary', 'data-testid': 'rework',
      onclick: async () => {
        try {
          const d = await post<Version>(`/api/procedures/${encodeURIComponent(v.procedureId)}/versions`, { level: v.level, fromVersionId: v.id });
          navigate(`/versions/${d.id}/edit`);
        } catch (err) { clear(msg, errorBox(err)); }
      },
    }, t('version.rework')) : null);

  const scheduled = v.state === 'approved' && v.activationRequestedAt && v.decision;
  add(root,
    h('p', null, h('a', { href: `#/procedures/${encodeURIComponent(v.procedureId)}` }, '← ', proc?.name ?? t('nav.catalogue'))),
    h('h1', { tabindex: '-1' }, `${proc?.name ?? proc?.code ?? ''} — v${v.number} `, badge(v.state)),
    h('p', { class: 'muted', 'data-testid': 'meta' }, [
      proc?.code, t('version.levelName', { level: await levelName(v.level) }), proc ? t('proc.limit', { limit: limitText(proc) }) : '',
      t('version.meta', { author: v.authorName ?? '', date: dateTimeVi(v.updatedAt) }),
    ].filter(Boolean).join(' · ')),
    v.decision ? h('p', { class: 'decision', 'data-testid': 'decision' }, t('version.decision', {
      number: v.decision.number, date: dateVi(v.decision.date), signer: v.decision.signer, effective: dateVi(v.decision.effectiveDate),
    }), v.decision.approverName ? [' · ', t('version.approver', { name: v.decision.approverName })] : null) : null,
    scheduled ? h('p', { class: 'warning', 'data-testid': 'scheduled' }, t('version.scheduled', { date: dateVi(v.decision!.effectiveDate) })) : null,
    v.state === 'active' && v.activatedAt ? h('p', { class: 'ok', 'data-testid': 'active-since' }, t('version.activeSince', { date: dateVi(v.activatedAt) })) : null,
    v.decision ? decisionFilesSection(v.id, !!may?.attachDecision) : null,
    v.rejectionComment ? h('div', { class: 'error', 'data-testid': 'rejection' },
      t('version.reviewerComment', { name: rejection?.actorName ?? '', date: dateTimeVi(rejection?.at), comment: v.rejectionComment }),
      may?.rework ? h('p', null, t('version.reworkHint')) : null) : null,
    ownerActions, msg);

  // Diagrams side by side (old | new) with the diff coloured and zoom kept in step.
  const oldEl = h('div', { class: 'canvas review', 'data-testid': 'old-diagram' });
  const newEl = h('div', { class: 'canvas review', 'data-testid': 'new-diagram' });
  const changesEl = h('div');
  const reportEl = h('div', { 'data-testid': 'report' });
  const stepsOld = h('div');
  const stepsNew = h('div');
  const decisionEl = h('div', { 'data-testid': 'decision-area' });
  // The step-table annex: with "Kèm theo Quyết định số … ngày …" once approved, marked DRAFT before.
  let annexSource: { viewer: Viewer; xml: string } | undefined;
  async function exportAnnex(kind: 'pdf' | 'docx'): Promise<void> {
    if (!annexSource) return;
    const { svg } = await annexSource.viewer.saveSVG();
    const [{ annexInput }, mod, { download }] = await Promise.all([import('../export/annex-input.js'), import('../export/documents.js'), import('../dom.js')]);
    const input = await annexInput({ definitions: await definitionsOf(annexSource.xml), svg, proc, version: v, lang: getLang(), limitText: limitText(proc) });
    const blob = kind === 'docx' ? await mod.stepTableDocx(input) : await mod.stepTablePdf(input);
    download(`${proc?.code ?? 'process'}-v${v.number}-phu-luc.${kind}`, blob);
  }
  ownerActions.append(
    h('button', { type: 'button', 'data-testid': 'annex-pdf', onclick: () => void exportAnnex('pdf') }, t('version.annexPdf')),
    h('button', { type: 'button', 'data-testid': 'annex-docx', onclick: () => void exportAnnex('docx') }, t('version.annexDocx')));
  const diagramsEl = h('div', { class: base ? 'compare' : 'single' },
    base ? h('section', null, h('h2', null, t('version.before', { n: base.number })), oldEl) : null,
    h('section', null, h('h2', null, base ? t('version.after', { n: v.number }) : t('version.diagram')), newEl));
  root.append(
    diagramsEl,
    h('div', { class: 'legend' }, ['added', 'removed', 'changed'].map((k) => h('span', { class: `swatch diff-${k}` }, t(`diff.${k}` as never)))),
    h('section', null, h('h2', null, t('diff.title')), changesEl),
    h('div', { class: 'compare' },
      base ? h('section', null, h('h2', null, t('steps.before')), stepsOld) : null,
      h('section', null, h('h2', null, base ? t('steps.after') : t('steps.title')), stepsNew)),
    h('div', { class: 'compare' },
      h('section', null, h('h2', null, t('findings.title')), reportEl),
      h('section', null, h('h2', null, t('version.history')), historyTable(history))),
    decisionEl);

  // A diagram too large for its pane at a legible zoom opens at its start: the reader is told there is more.
  const partialHint = (viewer: Viewer, pane: HTMLElement) => {
    if (!showsWhole(viewer)) pane.after(h('p', { class: 'muted hint', 'data-testid': 'partial-hint' }, t('version.partialDiagram')));
  };
  try {
    const newViewer = await openViewer(newEl, v.xml);
    partialHint(newViewer, newEl);
    viewers.push(newViewer);
    annexSource = { viewer: newViewer, xml: v.xml };
    const newDefs = await definitionsOf(v.xml);
    if (base) {
      const baseFull = await get<Version>(`/api/process-versions/${base.id}`);
      const oldViewer = await openViewer(oldEl, baseFull.xml);
      viewers.push(oldViewer);
      partialHint(oldViewer, oldEl);
      const sync = syncViewboxes(oldViewer, newViewer);
      const oldDefs = await definitionsOf(baseFull.xml);
      try {
        const diff = await get<Diff>(`/api/process-versions/${v.id}/diff${qs({ against: base.id })}`);
        markDiff(newViewer, diff, 'new');
        markDiff(oldViewer, diff, 'old');
        const { lines, layoutOnly } = describeChanges(diff, indexElements(oldDefs), indexElements(newDefs), getLang());
        // Rows and shapes marked from the changes in words too: a replaced process is compared step by step.
        const touched = new Set([...diff.added, ...diff.changed, ...diff.removed].map((c) => c.id));
        for (const l of lines) {
          touched.add(l.id);
          if (l.oldId) touched.add(l.oldId);
          const [viewer, id] = l.kind === 'removed' ? [oldViewer, l.id] : [newViewer, l.id];
          markElement(viewer, id, `diff-${l.kind}`);
          if (l.kind === 'changed') markElement(oldViewer, l.oldId ?? l.id, 'diff-changed');
        }
        stepsOld.append(stepTableView(buildStepTable(oldDefs, getLang()), undefined, limitText(proc) || undefined, touched));
        stepsNew.append(stepTableView(buildStepTable(newDefs, getLang()), undefined, limitText(proc) || undefined, touched));
        // Each diagram scrolls to its own element (an added step is only in the new one): not one after the other.
        const select = (id: string, oldId = id) => {
          sync.apart(() => { selectInViewer(oldViewer, oldId); selectInViewer(newViewer, id); });
          // A change clicked far down the list: the diagrams come back into view, the list (its own scroll box) under them.
          const r = diagramsEl.getBoundingClientRect();
          if (r.top < 0 || r.bottom > innerHeight) diagramsEl.scrollIntoView({ block: 'start' });
        };
        changesEl.append(lines.length || layoutOnly
          ? h('ul', { class: 'changes', 'data-testid': 'changes' },
            lines.map((l) => h('li', { class: `change ${l.kind}` },
              h('button', { class: 'link', type: 'button', title: t('chg.select'), 'data-element-id': l.id, onclick: () => select(l.id, l.oldId) },
                // The sentence says what happened ("Thêm bước …"): the kind is only its colour mark, like the diagrams'.
                h('span', { class: 'kind', 'aria-hidden': 'true' }), l.text))),
            layoutOnly ? h('li', { class: 'change layout muted', 'data-testid': 'layout-only' }, t('chg.layoutOnly', { n: layoutOnly })) : null)
          : h('p', { class: 'muted', 'data-testid': 'changes' }, t('diff.none')));
      } catch (err) {
        changesEl.append(errorBox(err));
      }
    } else {
      stepsNew.append(stepTableView(buildStepTable(newDefs, getLang()), undefined, limitText(proc) || undefined));
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

  // The decision comes after the evidence, and only for who may take it (never the author).
  if (may?.approve) {
    const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh' });
    const num = h('input', { name: 'decisionNumber', required: true, placeholder: '123/QĐ-UBND' });
    // Dates typed and shown dd/mm/yyyy whatever the browser's own date format is.
    const date = dmyInput('decisionDate', today);
    const signer = h('input', { name: 'signer', required: true });
    const eff = dmyInput('effectiveDate', today);
    const formMsg = h('div', { role: 'status' });
    decisionEl.append(h('form', {
      class: 'approve card', 'data-testid': 'approve-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const [d1, d2] = [date.iso(), eff.iso()];
        if (!d1 || !d2) { clear(formMsg, h('div', { class: 'error', role: 'alert' }, t('version.dateInvalid'))); return; }
        void act('approve', { decisionNumber: num.value.trim(), decisionDate: d1, signer: signer.value.trim(), effectiveDate: d2 });
      },
    }, h('h2', null, t('version.approveTitle')),
    h('label', null, t('version.decisionNumber'), num), h('label', null, t('version.decisionDate'), date.input, h('small', { class: 'muted' }, t('version.dateHint'))),
    h('label', null, t('version.signer'), signer), h('label', null, t('version.effectiveDate'), eff.input, h('small', { class: 'muted' }, t('version.dateHint'))), formMsg,
    h('button', { class: 'primary', type: 'submit', 'data-testid': 'approve' }, t('version.approve'))));
  } else if (v.state === 'in_review' && may?.isAuthor) {
    decisionEl.append(h('p', { class: 'muted', 'data-testid': 'own-version' }, t('version.ownVersion')));
  }
  if (may?.reject) {
    const comment = h('textarea', { name: 'comment', required: true, rows: 2 });
    decisionEl.append(h('form', {
      class: 'reject card', 'data-testid': 'reject-form',
      onsubmit: (e: Event) => { e.preventDefault(); if (comment.value.trim()) void act('reject', { comment: comment.value.trim() }); },
    }, h('h2', null, t('version.rejectTitle')), h('label', null, t('version.comment'), comment), h('button', { type: 'submit', 'data-testid': 'reject' }, t('version.reject'))));
  }
  if (may?.activate && v.decision) decisionEl.append(...activation(v, act));
  return () => viewers.forEach((x) => x.destroy());
}
