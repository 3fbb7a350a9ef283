import type BaseViewer from 'bpmn-js/lib/BaseViewer.js';
import Linter from 'bpmnlint/lib/linter.js';
import type Canvas from 'diagram-js/lib/core/Canvas.js';
import type ElementRegistry from 'diagram-js/lib/core/ElementRegistry.js';
import type EventBus from 'diagram-js/lib/core/EventBus.js';
import { longestPathOf, type LongestPath } from '../../tthc/graph.js';
import type { Finding, ValidationReport } from '../../types.js';
import { lintConfig, lintResolver } from './lint-config.js';

export interface LiveValidationConfig {
  /** The server's validate endpoint; omitted = browser lint only. */
  validate?: (xml: string) => Promise<ValidationReport>;
  delay?: number;
}

export interface ValidationState {
  findings: Finding[];
  /** Budget along the longest path: computed in the browser at once, replaced by the server's figure. */
  longestPath: LongestPath & { limitHours?: number };
  serverOk: boolean;
  /** ms from the edit to this result (the server's answer included when it arrived). */
  latencyMs: number;
  pending: boolean;
}

const MARKERS = ['tthc-finding-error', 'tthc-finding-warning'];

/**
 * Validates on every change (debounced): bpmnlint in the browser plus the server's rules.
 * Fires `tthc.validation.changed` with a ValidationState and marks elements on the canvas.
 */
export default class LiveValidation {
  static $inject = ['config.tthcValidation', 'eventBus', 'bpmnjs', 'canvas', 'elementRegistry', 'translate'];

  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private marked: Array<[string, string]> = [];
  state: ValidationState = { findings: [], longestPath: { totalHours: 0, elementIds: [] }, serverOk: true, latencyMs: 0, pending: false };

  constructor(
    private config: LiveValidationConfig | undefined,
    private eventBus: EventBus,
    private bpmnjs: BaseViewer,
    private canvas: Canvas,
    private elementRegistry: ElementRegistry,
    private translate: (s: string) => string,
  ) {
    eventBus.on('import.done', () => this.schedule(0));
    eventBus.on('commandStack.changed', () => this.schedule(this.config?.delay ?? 100));
  }

  private schedule(delay: number): void {
    const editedAt = performance.now();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(editedAt), delay);
  }

  /** Runs now (also used by submit to get a fresh report). */
  async run(editedAt = performance.now()): Promise<ValidationState> {
    const mine = ++this.seq;
    const definitions = this.bpmnjs.getDefinitions();
    if (!definitions) return this.state;
    const local = longestPathOf(definitions);
    const lint = await this.lint(definitions);
    if (mine !== this.seq) return this.state;
    // First publish what the browser knows, so the budget bar moves without waiting for the network.
    this.publish({ ...this.state, findings: [...lint, ...this.state.findings.filter((f) => f.source === 'server')], longestPath: { ...local, limitHours: this.state.longestPath.limitHours }, pending: !!this.config?.validate, latencyMs: performance.now() - editedAt });
    if (!this.config?.validate) return this.state;
    try {
      const { xml } = await this.bpmnjs.saveXML();
      if (xml === undefined) throw new Error('the modeler exported no XML');
      const report = await this.config.validate(xml);
      if (mine !== this.seq) return this.state;
      const server = (report.findings ?? []).map((f) => ({ ...f, source: 'server' as const }));
      const lp = report.longestPath ? { totalHours: report.longestPath.totalHours, elementIds: report.longestPath.elementIds ?? [], limitHours: report.longestPath.limitHours } : { ...local, limitHours: this.state.longestPath.limitHours };
      this.publish({ findings: [...server, ...lint], longestPath: lp, serverOk: true, pending: false, latencyMs: performance.now() - editedAt });
    } catch (err) {
      if (mine !== this.seq) return this.state;
      // The server checks one large model per user at a time (and rate-limits): still busy with an
      // earlier version, so ask again shortly instead of reporting the server as down.
      if ((err as { status?: number })?.status === 429) {
        this.schedule(1000);
        return this.state;
      }
      this.publish({ ...this.state, serverOk: false, pending: false, latencyMs: performance.now() - editedAt });
    }
    return this.state;
  }

  private async lint(definitions: unknown): Promise<Finding[]> {
    try {
      // A fresh linter per run: some rules keep state in their closure (no-duplicate-sequence-flows).
      const results = await new Linter({ config: lintConfig, resolver: lintResolver }).lint(definitions);
      const out: Finding[] = [];
      for (const [rule, reports] of Object.entries(results)) {
        for (const r of reports) {
          const text = r.message;
          out.push({ ruleId: `bpmnlint/${rule}`, severity: r.category === 'error' ? 'error' : 'warning', elementId: r.id, message: { vi: this.translate(text), en: text }, source: 'lint' });
        }
      }
      return out;
    } catch {
      return [];
    }
  }

  private publish(state: ValidationState): void {
    this.state = state;
    for (const [id, m] of this.marked) if (this.elementRegistry.get(id)) this.canvas.removeMarker(id, m);
    this.marked = [];
    for (const f of state.findings) {
      if (!f.elementId || !this.elementRegistry.get(f.elementId)) continue;
      const m = f.severity === 'error' ? MARKERS[0]! : MARKERS[1]!;
      this.canvas.addMarker(f.elementId, m);
      this.marked.push([f.elementId, m]);
    }
    this.eventBus.fire('tthc.validation.changed', { state });
  }
}
