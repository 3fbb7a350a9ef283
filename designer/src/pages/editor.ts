import { ApiFailure, get, post, put } from '../api.js';
import { clear, download, h } from '../dom.js';
import { getLang, onLangChange, pick, t } from '../i18n/index.js';
import { createModeler } from '../modeler/create.js';
import type { ValidationState } from '../modeler/live-validation/LiveValidation.js';
import { navigate, render } from '../router.js';
import { formatHours } from '../tthc/duration.js';
import { buildStepTable } from '../tthc/steps.js';
import { renameConflictingPrefixes } from '../tthc/xml-prefixes.js';
import { budgetStatus } from '../tthc/budget-bar.js';
import { limitHours, type Finding, type Procedure, type ValidationReport, type Version } from '../types.js';
import { badge, errorBox } from './layout.js';
import { stepTableView } from './step-table-view.js';

declare global {
  interface Window { __tthc?: { modeler?: unknown; validation?: ValidationState; openMs?: number } }
}

export async function editorPage(root: HTMLElement, params: Record<string, string>): Promise<() => void> {
  let version: Version;
  let proc: Procedure | undefined;
  try {
    version = await get<Version>(`/api/process-versions/${encodeURIComponent(params.id!)}`);
    proc = await get<Procedure>(`/api/procedures/${encodeURIComponent(version.procedureId)}`).catch(() => undefined);
  } catch (err) {
    root.append(errorBox(err));
    return () => {};
  }
  if (version.state !== 'draft') {
    navigate(`/versions/${version.id}`); // only drafts are editable
    return () => {};
  }
  const limit = limitHours(proc);
  const backupKey = `tthc.draft.${version.id}`;

  const canvasEl = h('div', { class: 'canvas', 'data-testid': 'canvas' });
  const propsEl = h('div', { class: 'properties', 'data-testid': 'properties' });
  const status = h('div', { class: 'status', role: 'status', 'data-testid': 'status' });
  const budgetEl = h('div', { class: 'budget', 'data-testid': 'budget' });
  const findingsEl = h('div', { class: 'findings', 'data-testid': 'findings' });
  const stepsEl = h('div', { class: 'steps-wrap' });
  const fileInput = h('input', { type: 'file', accept: '.bpmn,.xml', hidden: true });
  const btn = (key: Parameters<typeof t>[0], testid: string, onclick: () => unknown, cls = '') =>
    // mousedown does not take the focus: a label being typed on the canvas is not committed by it.
    h('button', { class: cls, 'data-testid': testid, onmousedown: (e: Event) => e.preventDefault(), onclick: () => void onclick() }, t(key));

  root.classList.add('editor-page');
  root.append(
    h('div', { class: 'editor-head' },
      h('div', null,
        h('a', { href: `#/procedures/${encodeURIComponent(version.procedureId)}` }, '← ', proc?.name ?? t('nav.catalogue')),
        h('h1', null, `${proc?.code ?? ''} v${version.number} `, badge(version.state))),
      h('div', { class: 'toolbar' },
        btn('editor.save', 'save', () => save(), 'primary'),
        btn('editor.undo', 'undo', () => undo()),
        btn('editor.redo', 'redo', () => commandStack.redo()),
        btn('editor.import', 'import', () => fileInput.click()),
        btn('editor.exportBpmn', 'export-bpmn', () => exportBpmn()),
        btn('editor.exportSvg', 'export-svg', () => exportImage('svg')),
        btn('editor.exportPng', 'export-png', () => exportImage('png')),
        btn('editor.exportDocx', 'export-docx', () => exportDoc('docx')),
        btn('editor.exportPdf', 'export-pdf', () => exportDoc('pdf')),
        btn('editor.submit', 'submit', () => submit(), 'accent'),
        fileInput)),
    status, budgetEl,
    h('div', { class: 'editor-body' }, canvasEl, propsEl),
    h('div', { class: 'editor-bottom' },
      h('section', null, h('h2', null, t('findings.title')), findingsEl),
      h('section', null, h('h2', null, t('steps.title')), stepsEl)));

  const modeler = createModeler({
    container: canvasEl, propertiesParent: propsEl,
    validation: { validate: (xml) => post<ValidationReport>('/api/process-versions/validate', { xml, procedureId: version.procedureId }) },
  });
  const commandStack = modeler.get('commandStack') as { undo(): void; redo(): void; canUndo(): boolean };
  const eventBus = modeler.get('eventBus') as { on(e: string, cb: (ev: any) => void): void };
  const selection = modeler.get('selection') as { select(el: unknown): void };
  const registry = modeler.get('elementRegistry') as { get(id: string): unknown };
  const canvas = modeler.get('canvas') as { scrollToElement(el: unknown): void; zoom(z: string, center?: string): void };
  window.__tthc = { modeler };
  const directEditing = modeler.get('directEditing') as { isActive(): boolean; cancel(): void };

  // bpmn-js opens a label editor on every new step: drop it (uncommitted) before undoing, so the
  // undo takes back the step rather than a label commit.
  function undo(): void {
    if (directEditing.isActive()) directEditing.cancel();
    commandStack.undo();
  }
  // For the browser test (MIWG import through the same preparation as the Import button).
  (window as any).__tthcTools = { renameConflictingPrefixes };

  let dirty = false;
  let latest: ValidationState | undefined;

  function setStatus(text: string, kind: 'info' | 'error' | 'ok' = 'info', extra?: HTMLElement): void {
    clear(status, h('span', { class: kind }, text), extra ?? null);
  }

  function select(id: string): void {
    const el = registry.get(id);
    if (!el) return;
    selection.select(el);
    try { canvas.scrollToElement(el); } catch { /* element not in the visible plane */ }
  }

  function renderValidation(state: ValidationState): void {
    latest = state;
    window.__tthc!.validation = state;
    const lim = state.longestPath.limitHours ?? limit;
    const b = budgetStatus(state.longestPath.totalHours, lim);
    clear(budgetEl,
      h('div', { class: `bar ${b.level}` }, h('div', { class: 'fill', style: `width:${b.percent}%` })),
      h('span', { 'data-testid': 'budget-text' },
        t('budget.text', { total: formatHours(state.longestPath.totalHours, getLang()) }),
        lim !== undefined ? ` / ${t('budget.limit', { hours: lim })}` : ` (${t('budget.noLimit')})`,
        b.level === 'over' ? ` — ${t('budget.over')}` : ''),
      state.pending ? h('span', { class: 'muted' }, ` ${t('findings.checking')}`) : null,
      !state.serverOk ? h('span', { class: 'warning-inline' }, ` ${t('findings.serverUnavailable')}`) : null);
    const sorted = [...state.findings].sort((a, c) => (a.severity === c.severity ? 0 : a.severity === 'error' ? -1 : 1));
    clear(findingsEl, sorted.length
      ? h('ul', null, sorted.map((f) => h('li', {
        class: `finding ${f.severity} ${f.elementId ? 'clickable' : ''}`, 'data-rule': f.ruleId,
        onclick: f.elementId ? () => select(f.elementId!) : undefined,
      }, h('span', { class: 'sev' }, t(`findings.${f.severity}` as never)), ' ', pick(f.message), f.elementId ? h('code', null, ` ${f.elementId}`) : null)))
      : h('p', { class: 'ok' }, t('findings.none')));
    renderSteps();
  }

  function renderSteps(): void {
    const defs = (modeler as any).getDefinitions();
    if (defs) clear(stepsEl, stepTableView(buildStepTable(defs, getLang()), select, limit));
  }

  eventBus.on('tthc.validation.changed', (e) => renderValidation(e.state));
  eventBus.on('commandStack.changed', (e) => {
    if (e.trigger === 'clear') return; // a fresh import, not an edit
    dirty = true;
    setStatus(t('editor.unsaved'));
    void (modeler as any).saveXML().then((r: { xml: string }) => localStorage.setItem(backupKey, r.xml)).catch(() => {});
  });
  // bpmn-js renders its palette and panel once: switch by reopening the page, unless that would
  // lose unsaved work (then only our own panels follow until the next visit).
  const offLang = onLangChange(() => {
    if (!dirty) { void render(); return; }
    renderSteps();
    if (latest) renderValidation(latest);
  });

  async function open(xml: string): Promise<boolean> {
    const t0 = performance.now();
    try {
      const r = await (modeler as any).importXML(renameConflictingPrefixes(xml).xml);
      window.__tthc!.openMs = performance.now() - t0;
      canvas.zoom('fit-viewport', 'auto');
      if (r.warnings?.length) setStatus(t('editor.importWarnings', { n: r.warnings.length }));
      return true;
    } catch (err) {
      setStatus(t('editor.importFailed', { message: (err as Error).message }), 'error');
      return false;
    }
  }

  async function currentXml(): Promise<string> {
    return (await (modeler as any).saveXML({ format: true })).xml as string;
  }

  async function save(): Promise<boolean> {
    const xml = await currentXml();
    try {
      version = await put<Version>(`/api/process-versions/${version.id}`, { xml, revision: version.revision });
      dirty = false;
      localStorage.removeItem(backupKey);
      setStatus(t('editor.saved'), 'ok');
      return true;
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 409) {
        // Someone saved this draft elsewhere: keep the user's work and let them choose.
        localStorage.setItem(backupKey, xml);
        setStatus(t('editor.conflict'), 'error', h('span', null,
          h('button', { 'data-testid': 'conflict-download', onclick: () => download(`${proc?.code ?? 'process'}-v${version.number}-mine.bpmn`, xml, 'application/xml') }, t('editor.downloadMine')),
          h('button', { 'data-testid': 'conflict-reload', onclick: () => void reloadLatest() }, t('editor.reloadLatest'))));
      } else {
        setStatus(t('editor.saveFailed', { message: (err as Error).message }), 'error');
      }
      return false;
    }
  }

  async function reloadLatest(): Promise<void> {
    version = await get<Version>(`/api/process-versions/${version.id}`);
    if (version.state !== 'draft') { navigate(`/versions/${version.id}`); return; }
    await open(version.xml);
    dirty = false;
    setStatus(t('editor.reloaded'));
  }

  async function submit(): Promise<void> {
    const state = await (modeler.get('tthcLiveValidation') as { run(): Promise<ValidationState> }).run();
    const errors = state.findings.filter((f) => f.severity === 'error');
    if (errors.length) {
      setStatus(t('editor.submitBlocked', { n: errors.length }), 'error');
      findingsEl.scrollIntoView({ block: 'nearest' });
      return;
    }
    if (dirty && !(await save())) return;
    try {
      await post(`/api/process-versions/${version.id}/submit`);
      navigate(`/versions/${version.id}`);
    } catch (err) {
      const details = (err as ApiFailure).details as Finding[] | { findings?: Finding[] } | undefined;
      const list = Array.isArray(details) ? details : details?.findings;
      setStatus(t('editor.submitFailed', { message: (err as Error).message }), 'error',
        list?.length ? h('ul', null, list.map((f) => h('li', { class: 'clickable', onclick: () => f.elementId && select(f.elementId) }, pick(f.message)))) : undefined);
    }
  }

  async function exportBpmn(): Promise<void> {
    download(`${proc?.code ?? 'process'}-v${version.number}.bpmn`, await currentXml(), 'application/xml');
  }

  async function exportImage(kind: 'svg' | 'png'): Promise<void> {
    const { svg } = await (modeler as any).saveSVG();
    const { svgToPng } = await import('../export/image.js');
    if (kind === 'svg') download(`${proc?.code ?? 'process'}-v${version.number}.svg`, svg, 'image/svg+xml');
    else download(`${proc?.code ?? 'process'}-v${version.number}.png`, await svgToPng(svg));
  }

  async function exportDoc(kind: 'docx' | 'pdf'): Promise<void> {
    setStatus(t('editor.exporting'));
    const { svg } = await (modeler as any).saveSVG();
    const table = buildStepTable((modeler as any).getDefinitions(), getLang());
    const mod = await import('../export/documents.js');
    const input = { title: proc?.name ?? '', code: proc?.code ?? '', version: version.number, table, svg, limitHours: limit, lang: getLang() };
    const blob = kind === 'docx' ? await mod.stepTableDocx(input) : await mod.stepTablePdf(input);
    download(`${proc?.code ?? 'process'}-v${version.number}.${kind}`, blob);
    setStatus(t('editor.exported'), 'ok');
  }

  fileInput.addEventListener('change', async () => {
    const f = fileInput.files?.[0];
    fileInput.value = '';
    if (f && (await open(await f.text()))) { dirty = true; setStatus(t('editor.imported')); }
  });

  const backup = localStorage.getItem(backupKey);
  await open(version.xml);
  if (backup && backup !== version.xml) {
    setStatus(t('editor.backupFound'), 'info', h('button', {
      'data-testid': 'restore-backup',
      onclick: async () => { if (await open(backup)) { dirty = true; setStatus(t('editor.unsaved')); } },
    }, t('editor.restoreBackup')));
  }

  const beforeUnload = (e: BeforeUnloadEvent) => { if (dirty) e.preventDefault(); };
  window.addEventListener('beforeunload', beforeUnload);
  return () => {
    window.removeEventListener('beforeunload', beforeUnload);
    offLang();
    root.classList.remove('editor-page');
    (modeler as any).destroy();
    window.__tthc = {};
  };
}
