import { ApiFailure, get, post, put } from '../api.js';
import { clear, download, h } from '../dom.js';
import { getLang, onLangChange, pick, t } from '../i18n/index.js';
import { serverMessage } from '../i18n/server-message.js';
import { createModeler } from '../modeler/create.js';
import type { ValidationState } from '../modeler/live-validation/LiveValidation.js';
import { navigate, render } from '../router.js';
import { formatHours } from '../tthc/duration.js';
import { buildStepTable } from '../tthc/steps.js';
import type { ModdleElement } from '../tthc/model.js';
import { renameConflictingPrefixes } from '../tthc/xml-prefixes.js';
import { budgetStatus } from '../tthc/budget-bar.js';
import { limitHours, type Finding, type Procedure, type ValidationReport, type Version } from '../types.js';
import { badge, errorBox } from './layout.js';
import { limitText } from './names.js';
import { addStepMenu } from '../modeler/step-palette/AddStepMenu.js';
import { hasRole } from '../session.js';
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
  if (version.state !== 'draft' || version.may?.edit === false) {
    navigate(`/versions/${version.id}`); // only drafts are editable, by who may draft them
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
  const savedAt = h('span', { class: 'muted saved-at', 'data-testid': 'saved-at', 'aria-live': 'polite' });
  const noteInput = h('textarea', { name: 'changeNote', rows: 3, 'data-testid': 'change-note' });
  const submitDialog = h('dialog', { class: 'card', 'data-testid': 'submit-dialog', 'aria-labelledby': 'submit-dialog-title' },
    h('form', { method: 'dialog', onsubmit: (e: SubmitEvent) => { e.preventDefault(); submitDialog.close(); void submit(noteInput.value.trim()); } },
      h('h2', { id: 'submit-dialog-title' }, t('editor.submit')),
      h('label', null, t('version.submitNote'), noteInput),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'accent', 'data-testid': 'submit-confirm' }, t('editor.submit')),
        h('button', { type: 'button', onclick: () => submitDialog.close() }, t('editor.cancel')))));
  const fileInput = h('input', { type: 'file', accept: '.bpmn,.xml', hidden: true });
  // The side column: properties, findings and the list of steps as tabs, collapsible, so that
  // everything fits a 1366×768 laptop without scrolling below the canvas.
  const stepMenuHost = h('div', { class: 'add-step-host' });
  const tabs = ['properties', 'findings', 'steps'] as const;
  type Tab = (typeof tabs)[number];
  const panes: Record<Tab, HTMLElement> = {
    properties: h('div', { class: 'pane', role: 'tabpanel', id: 'pane-properties', 'aria-labelledby': 'tab-properties' }, propsEl),
    findings: h('div', { class: 'pane', role: 'tabpanel', id: 'pane-findings', 'aria-labelledby': 'tab-findings', hidden: true }, findingsEl),
    steps: h('div', { class: 'pane', role: 'tabpanel', id: 'pane-steps', 'aria-labelledby': 'tab-steps', hidden: true }, h('p', { class: 'muted small' }, t('editor.stepsHint')), stepsEl),
  };
  const tabButtons = Object.fromEntries(tabs.map((k) => [k, h('button', {
    role: 'tab', id: `tab-${k}`, 'aria-controls': `pane-${k}`, 'data-testid': `tab-${k}`, type: 'button',
    'aria-selected': k === 'properties' ? 'true' : 'false', tabindex: k === 'properties' ? '0' : '-1',
    onclick: () => showTab(k),
    onkeydown: (e: KeyboardEvent) => {
      const i = tabs.indexOf(k);
      const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i + tabs.length - 1) % tabs.length] : undefined;
      if (next) { showTab(next); tabButtons[next].focus(); e.preventDefault(); }
    },
  }, k === 'findings' ? t('editor.tab.findings', { n: 0 }) : t(`editor.tab.${k}` as never))])) as Record<Tab, HTMLButtonElement>;
  function showTab(k: Tab): void {
    side.classList.remove('collapsed');
    for (const x of tabs) {
      panes[x].hidden = x !== k;
      tabButtons[x].setAttribute('aria-selected', String(x === k));
      tabButtons[x].tabIndex = x === k ? 0 : -1;
    }
  }
  const collapse = h('button', {
    type: 'button', class: 'link collapse', 'data-testid': 'collapse-side', 'aria-expanded': 'true', title: t('editor.collapse'), 'aria-label': t('editor.collapse'),
    onclick: () => {
      const c = side.classList.toggle('collapsed');
      collapse.setAttribute('aria-expanded', String(!c));
      collapse.textContent = c ? '«' : '»';
      collapse.title = c ? t('editor.expand') : t('editor.collapse');
      collapse.setAttribute('aria-label', collapse.title);
    },
  }, '»');
  const advancedSwitch = hasRole('system-admin') ? h('label', { class: 'advanced small' },
    h('input', { type: 'checkbox', 'data-testid': 'advanced', onchange: (e: Event) => modeler.get<{ setAdvanced(on: boolean): void }>('tthcMode').setAdvanced((e.target as HTMLInputElement).checked) }),
    ' ', t('editor.advanced')) : null;
  const side = h('aside', { class: 'side', 'data-testid': 'side' },
    h('div', { class: 'side-head' }, h('div', { role: 'tablist', 'aria-label': t('editor.tab.properties') }, tabs.map((k) => tabButtons[k])), collapse),
    advancedSwitch, panes.properties, panes.findings, panes.steps);
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
        btn('editor.import', 'import', () => { if (confirm(t('editor.importConfirm'))) fileInput.click(); }),
        btn('editor.exportBpmn', 'export-bpmn', () => exportBpmn()),
        btn('editor.exportSvg', 'export-svg', () => exportImage('svg')),
        btn('editor.exportPng', 'export-png', () => exportImage('png')),
        btn('editor.exportDocx', 'export-docx', () => exportDoc('docx')),
        btn('editor.exportPdf', 'export-pdf', () => exportDoc('pdf')),
        btn('editor.submit', 'submit', () => submitDialog.showModal(), 'accent'),
        fileInput, savedAt)),
    status, budgetEl, submitDialog,
    h('div', { class: 'editor-body' }, h('div', { class: 'canvas-wrap' }, canvasEl, stepMenuHost), side));

  const modeler = createModeler({
    container: canvasEl, propertiesParent: propsEl, advanced: false,
    validation: { validate: (xml) => post<ValidationReport>('/api/process-versions/validate', { xml, procedureId: version.procedureId }) },
  });
  const commandStack = modeler.get<{ undo(): void; redo(): void; canUndo(): boolean }>('commandStack');
  const eventBus = modeler.get<{ on<E>(e: string, cb: (ev: E) => void): void }>('eventBus');
  const selection = modeler.get<{ select(el: unknown): void }>('selection');
  const registry = modeler.get<{ get(id: string): unknown }>('elementRegistry');
  const canvas = modeler.get<{ scrollToElement(el: unknown): void; zoom(z: string, center?: string): void }>('canvas');
  window.__tthc = { modeler };
  const menu = addStepMenu(modeler.get<Parameters<typeof addStepMenu>[0]>('tthcStepPalette'));
  stepMenuHost.append(menu.button, menu.panel);
  const directEditing = modeler.get<{ isActive(): boolean; cancel(): void }>('directEditing');

  // bpmn-js opens a label editor on every new step: drop it (uncommitted) before undoing, so the
  // undo takes back the step rather than a label commit.
  function undo(): void {
    if (directEditing.isActive()) directEditing.cancel();
    commandStack.undo();
  }
  // For the browser test (MIWG import through the same preparation as the Import button).
  (window as unknown as { __tthcTools: unknown }).__tthcTools = { renameConflictingPrefixes };

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

  /** A step by its name ("Thẩm định hồ sơ"), never its id. */
  function nameOf(id: string): string {
    const el = registry.get(id) as { businessObject?: { name?: string } } | undefined;
    return el?.businessObject?.name?.trim() || t('chg.unnamed');
  }
  function nameOfPathStep(id: string): string {
    const el = registry.get(id) as { type?: string; businessObject?: { name?: string } } | undefined;
    return el && /Task$|SubProcess|CallActivity/.test(el.type ?? '') ? el.businessObject?.name?.trim() ?? '' : '';
  }
  /** Server messages may list element ids: show the steps' names instead. */
  function namesForIds(text: string): string {
    return text.replace(/\b[A-Za-z_][\w.-]*\b/g, (word) => {
      const el = registry.get(word) as { businessObject?: { name?: string } } | undefined;
      return el?.businessObject?.name?.trim() ? `"${el.businessObject.name.trim()}"` : word;
    });
  }

  function renderValidation(state: ValidationState): void {
    latest = state;
    window.__tthc!.validation = state;
    const lim = state.longestPath.limitHours ?? limit;
    const b = budgetStatus(state.longestPath.totalHours, lim);
    clear(budgetEl,
      h('div', { class: `bar ${b.level}` }, h('div', { class: 'fill', style: `width:${b.percent}%` })),
      state.longestPath.elementIds?.length ? h('button', {
        type: 'button', class: 'link', 'data-testid': 'show-path',
        // The longest path by the steps' names; a click selects it on the diagram.
        title: state.longestPath.elementIds.map(nameOfPathStep).filter(Boolean).join(' → '),
        onclick: () => {
          const els = state.longestPath.elementIds.map((id) => registry.get(id)).filter(Boolean);
          selection.select(els);
        },
      }, t('budget.showPath')) : null,
      h('span', { 'data-testid': 'budget-text' },
        t('budget.text', { total: formatHours(state.longestPath.totalHours, getLang()) }),
        lim !== undefined ? ` / ${t('budget.limit', { limit: limitText(proc) || t('catalogue.hours', { n: lim }) })}` : ` (${t('budget.noLimit')})`,
        b.level === 'over' ? ` — ${t('budget.over')}` : ''),
      state.pending ? h('span', { class: 'muted' }, ` ${t('findings.checking')}`) : null,
      !state.serverOk ? h('span', { class: 'warning-inline' }, ` ${t('findings.serverUnavailable')}`) : null);
    tabButtons.findings.textContent = t('editor.tab.findings', { n: state.findings.length });
    const sorted = [...state.findings].sort((a, c) => (a.severity === c.severity ? 0 : a.severity === 'error' ? -1 : 1));
    clear(findingsEl, sorted.length
      ? h('ul', null, sorted.map((f) => h('li', {
        class: `finding ${f.severity} ${f.elementId ? 'clickable' : ''}`, 'data-rule': f.ruleId,
        onclick: f.elementId ? () => select(f.elementId!) : undefined,
      }, h('span', { class: 'sev' }, t(`findings.${f.severity}` as never)), ' ', namesForIds(pick(f.message)), f.elementId ? h('span', { class: 'muted' }, ` — ${nameOf(f.elementId)}`) : null)))
      : h('p', { class: 'ok' }, t('findings.none')));
    renderSteps();
  }

  function renderSteps(): void {
    const defs = modeler.getDefinitions() as ModdleElement | undefined;
    if (defs) clear(stepsEl, stepTableView(buildStepTable(defs, getLang()), (id) => { select(id); showTab('properties'); }, limitText(proc) || undefined));
  }

  eventBus.on('tthc.validation.changed', (e: { state: ValidationState }) => renderValidation(e.state));
  eventBus.on('commandStack.changed', (e: { trigger?: string }) => {
    if (e.trigger === 'clear') return; // a fresh import, not an edit
    dirty = true;
    setStatus(t('editor.unsaved'));
    void modeler.saveXML().then((r) => { if (r.xml !== undefined) localStorage.setItem(backupKey, r.xml); }).catch(() => {});
    scheduleAutosave();
  });

  // Autosave: a draft is saved a few seconds after the last change (not while a label is being typed).
  const AUTOSAVE_MS = Number(localStorage.getItem('tthc.autosaveMs') ?? 4000);
  let autosaveTimer: ReturnType<typeof setTimeout> | undefined;
  let conflicted = false;
  function scheduleAutosave(): void {
    if (autosaveTimer) clearTimeout(autosaveTimer);
    autosaveTimer = setTimeout(() => {
      if (!dirty || conflicted) return;
      if (directEditing.isActive()) { scheduleAutosave(); return; }
      void save();
    }, AUTOSAVE_MS);
  }
  // Ctrl+S (⌘S) saves the draft instead of the browser's "save page".
  const onKey = (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's') {
      e.preventDefault();
      if (directEditing.isActive()) modeler.get<{ complete(): void }>('directEditing').complete();
      void save();
    }
  };
  document.addEventListener('keydown', onKey);
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
      const r = await (modeler).importXML(renameConflictingPrefixes(xml).xml);
      window.__tthc!.openMs = performance.now() - t0;
      fitReadable();
      if (r.warnings?.length) setStatus(t('editor.importWarnings', { n: r.warnings.length }));
      return true;
    } catch (err) {
      setStatus(t('editor.importFailed', { message: (err as Error).message }), 'error');
      return false;
    }
  }

  /**
   * Fit the diagram into the part of the canvas right of the palette (which floats over its left
   * side), but never below a zoom where labels stay readable: then start at its left end.
   */
  function fitReadable(): void {
    const c = canvas as unknown as { zoom(z?: string | number, center?: unknown): number; viewbox(v?: unknown): { x: number; y: number; width: number; height: number; inner: { x: number; y: number; width: number; height: number } } };
    c.zoom('fit-viewport', 'auto');
    const MIN = 0.8;
    const palette = canvasEl.querySelector('.djs-palette')?.getBoundingClientRect();
    const box = canvasEl.getBoundingClientRect();
    const pad = palette && box.width ? Math.max(0, palette.right - box.left) + 16 : 20;
    const vb = c.viewbox();
    const screen = { width: vb.width * c.zoom(), height: vb.height * c.zoom() };
    const inner = vb.inner;
    if (!inner.width || !screen.width) return;
    const zoom = Math.max(MIN, Math.min(c.zoom(), (screen.width - pad - 20) / inner.width, 1));
    const [w, hgt] = [screen.width / zoom, screen.height / zoom];
    c.viewbox({ x: inner.x - pad / zoom, y: inner.y + inner.height / 2 - hgt / 2, width: w, height: hgt });
  }

  async function currentXml(): Promise<string> {
    return (await (modeler).saveXML({ format: true })).xml as string;
  }

  async function save(): Promise<boolean> {
    const xml = await currentXml();
    try {
      version = await put<Version>(`/api/process-versions/${version.id}`, { xml, revision: version.revision });
      dirty = false;
      conflicted = false;
      localStorage.removeItem(backupKey);
      setStatus(t('editor.saved'), 'ok');
      savedAt.textContent = t('editor.savedAt', { time: new Date().toLocaleTimeString('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', second: '2-digit' }) });
      return true;
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 409) {
        // Someone saved this draft elsewhere: keep the user's work and let them choose.
        conflicted = true;
        localStorage.setItem(backupKey, xml);
        setStatus(t('editor.conflict'), 'error', h('span', null,
          h('button', { 'data-testid': 'conflict-download', onclick: () => download(`${proc?.code ?? 'process'}-v${version.number}-mine.bpmn`, xml, 'application/xml') }, t('editor.downloadMine')),
          h('button', { 'data-testid': 'conflict-reload', onclick: () => void reloadLatest() }, t('editor.reloadLatest'))));
      } else {
        clear(status, errorBox(err));
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

  async function submit(note = ''): Promise<void> {
    const state = await modeler.get<{ run(): Promise<ValidationState> }>('tthcLiveValidation').run();
    const errors = state.findings.filter((f) => f.severity === 'error');
    if (errors.length) {
      setStatus(t('editor.submitBlocked', { n: errors.length }), 'error');
      findingsEl.scrollIntoView({ block: 'nearest' });
      return;
    }
    if (dirty && !(await save())) return;
    try {
      await post(`/api/process-versions/${version.id}/submit`, note ? { comment: note } : {});
      navigate(`/versions/${version.id}`);
    } catch (err) {
      const details = (err as ApiFailure).details as Finding[] | { findings?: Finding[] } | undefined;
      const list = Array.isArray(details) ? details : details?.findings;
      setStatus(serverMessage(err), 'error',
        // The server's full check (the engine's own included, which the as-you-type check skips) names each step as the findings tab does.
        list?.length ? h('ul', null, list.map((f) => h('li', { class: 'clickable', onclick: () => f.elementId && select(f.elementId) },
          namesForIds(pick(f.message)), f.elementId ? h('span', { class: 'muted' }, ` — ${nameOf(f.elementId)}`) : null))) : undefined);
    }
  }

  async function exportBpmn(): Promise<void> {
    download(`${proc?.code ?? 'process'}-v${version.number}.bpmn`, await currentXml(), 'application/xml');
  }

  async function exportImage(kind: 'svg' | 'png'): Promise<void> {
    const { svg } = await (modeler).saveSVG();
    const { svgToPng } = await import('../export/image.js');
    if (kind === 'svg') download(`${proc?.code ?? 'process'}-v${version.number}.svg`, svg, 'image/svg+xml');
    else download(`${proc?.code ?? 'process'}-v${version.number}.png`, await svgToPng(svg));
  }

  async function exportDoc(kind: 'docx' | 'pdf'): Promise<void> {
    setStatus(t('editor.exporting'));
    const { svg } = await (modeler).saveSVG();
    const mod = await import('../export/documents.js');
    const { annexInput } = await import('../export/annex-input.js');
    const input = await annexInput({ definitions: modeler.getDefinitions() as ModdleElement, svg, proc, version, lang: getLang(), limitText: limitText(proc) });
    const blob = kind === 'docx' ? await mod.stepTableDocx(input) : await mod.stepTablePdf(input);
    download(`${proc?.code ?? 'process'}-v${version.number}.${kind}`, blob);
    setStatus(t('editor.exported'), 'ok');
  }

  fileInput.addEventListener('change', async () => {
    const f = fileInput.files?.[0];
    fileInput.value = '';
    if (!f) return;
    const previous = await currentXml();
    if (await open(await f.text())) {
      dirty = true;
      scheduleAutosave();
      // Importing replaces the diagram (the modeler's own undo history restarts): one click brings the previous one back.
      setStatus(t('editor.imported'), 'info', h('button', {
        'data-testid': 'undo-import',
        onclick: async () => { if (await open(previous)) { dirty = true; scheduleAutosave(); setStatus(t('editor.importUndone')); } },
      }, t('editor.undoImport')));
    }
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
    document.removeEventListener('keydown', onKey);
    if (autosaveTimer) clearTimeout(autosaveTimer);
    offLang();
    root.classList.remove('editor-page');
    (modeler).destroy();
    window.__tthc = {};
  };
}
