import { Engine } from 'bpmn-engine';
import { LRUCache } from 'lru-cache';
import type { ProcessModel } from './model.js';
import { moddleOptions } from './model.js';
import { evaluate, hasExpression, ExpressionError } from './expression.js';

/**
 * Runs one command of one instance inside a fresh bpmn-engine: recover → resume → act → settle.
 * bpmn-engine never sleeps here: timers are captured (we store them), external service tasks are
 * captured (workers complete them), user tasks and message catches wait. What is waiting at the
 * end of the run is reported as `live` so the service can reconcile its tables with it.
 */

import { CommandError, type HistoryFact, type LiveItem, type LiveKind, type Run, type RunResult } from './runtime/types.js';

export { CommandError, type HistoryFact, type LiveItem, type LiveKind, type RunResult };

interface TimerRef { owner: Record<string, unknown>; cb: (...a: unknown[]) => void; args: unknown[]; executionId: string }

type Msg = { content: any };

function ancestorsOf(content: any): string[] {
  const out: string[] = [];
  const p = content?.parent;
  if (p?.executionId) out.push(p.executionId);
  for (const a of p?.path ?? []) if (a?.executionId) out.push(a.executionId);
  return out;
}

const ENDING = new Set(['activity.end', 'activity.leave', 'activity.discard', 'activity.consumed', 'activity.error']);

export class EngineRun implements Run {
  readonly live = new Map<string, LiveItem>();
  history: HistoryFact[] = [];
  private readonly timers = new Map<string, TimerRef>();
  private readonly serviceCallbacks = new Map<string, (err: unknown, out?: unknown) => void>();
  private engine: any;
  private execution: any;
  private runError: Error | null = null;
  private failure: string | undefined;
  private ended = false;

  constructor(
    private readonly engineSource: string,
    private readonly model: ProcessModel,
    /** Plain variable values; commands mutate this before signalling so expressions see them. */
    readonly vars: Record<string, unknown>,
  ) {}

  private build(sourceContext: unknown): any {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the listener object below has a `this` of its own
    const run = this;
    const executing: TimerRef[] = [];
    const timers = {
      get executing() { return [...executing]; },
      register(owner: Record<string, unknown>) {
        return {
          setTimeout(cb: (...a: unknown[]) => void, _delay: number, ...args: unknown[]) {
            const executionId = String(owner.executionId);
            const ref: TimerRef = { owner, cb, args, executionId };
            executing.push(ref);
            run.timers.set(executionId, ref);
            run.live.set(executionId, {
              kind: 'timer', executionId, activityId: String(owner.id), ancestors: ancestorsOf(owner),
              dueAt: owner.expireAt ? new Date(owner.expireAt as string) : new Date(),
            });
            return ref;
          },
          clearTimeout(ref: TimerRef) { timers.clearTimeout(ref); },
        };
      },
      setTimeout(cb: (...a: unknown[]) => void) {
        // Only bpmn-elements internals without an owner end up here; run them on the next tick.
        const ref = { owner: {}, cb, args: [], executionId: '' };
        setImmediate(cb);
        return ref;
      },
      clearTimeout(ref: TimerRef | undefined) {
        if (!ref || typeof ref !== 'object') return;
        const i = executing.indexOf(ref);
        if (i >= 0) executing.splice(i, 1);
        if (ref.executionId && run.timers.get(ref.executionId) === ref) {
          run.timers.delete(ref.executionId);
          run.live.delete(ref.executionId);
        }
      },
    };
    const expressions = {
      resolveExpression(expr: unknown, ctx: any) {
        if (typeof expr !== 'string' || !hasExpression(expr)) return expr;
        return run.evaluate(expr, ctx?.content);
      },
      isExpression: (s: unknown) => typeof s === 'string' && /^[$#]\{.+\}$/.test(s),
      hasExpression: (s: unknown) => typeof s === 'string' && hasExpression(s),
    };
    const extensions = {
      durable(activity: any) {
        const info = run.model.activities[activity.id];
        if (info && (info.type === 'bpmn:ServiceTask' || info.type === 'bpmn:SendTask')) {
          activity.behaviour.Service = function ExternalService() {
            return {
              execute(message: Msg, callback: (err: unknown, out?: unknown) => void) {
                const c = message.content;
                run.serviceCallbacks.set(c.executionId, callback);
                run.live.set(c.executionId, {
                  kind: 'external', executionId: c.executionId, activityId: activity.id, ancestors: ancestorsOf(c),
                  loop: run.loopOf(c),
                });
              },
              discard() { /* the ending events remove it */ },
              stop() { /* nothing runs in memory */ },
            };
          };
        }
      },
    };
    const engine = new Engine({
      name: this.model.processId,
      sourceContext,
      moddleOptions,
      timers,
      expressions,
      extensions,
      settings: { enableDummyService: false },
      Logger: silentLogger,
    } as any);
    engine.on('error', (err: Error) => { this.failure = err?.message ?? String(err); this.ended = true; });
    engine.broker.subscribeTmp('event', '#', ((routingKey: string, msg: Msg) => this.onEvent(routingKey, msg)) as any, { noAck: true, priority: 10000 });
    this.engine = engine;
    return engine;
  }

  private onEvent(routingKey: string, msg: Msg): void {
    const c = msg.content ?? {};
    if (routingKey === 'activity.wait') {
      const info = this.model.activities[c.id];
      if (!info) return;
      if (info.type === 'bpmn:UserTask') {
        this.live.set(c.executionId, {
          kind: 'userTask', executionId: c.executionId, activityId: c.id, ancestors: ancestorsOf(c),
          loop: this.loopOf(c),
        });
      } else if (info.message && info.type !== 'bpmn:StartEvent') {
        this.live.set(c.executionId, { kind: 'message', executionId: c.executionId, activityId: c.id, ancestors: ancestorsOf(c) });
      }
      return;
    }
    if (routingKey === 'activity.start' || routingKey === 'activity.end') {
      const info = this.model.activities[c.id];
      if (info) {
        this.history.push({
          kind: routingKey === 'activity.start' ? 'activity-start' : 'activity-end',
          activityId: c.id, activityType: info.type.replace('bpmn:', ''), activityName: info.name, executionId: c.executionId, at: new Date(),
        });
      }
    }
    if (routingKey === 'process.end' || routingKey === 'process.leave' || routingKey === 'definition.end') this.ended = true;
    if (routingKey === 'process.error' || routingKey === 'definition.error') {
      this.ended = true;
      this.failure = c.error?.message ?? 'process failed';
    }
    if (ENDING.has(routingKey) && c.executionId) this.endExecution(c.executionId);
  }

  private endExecution(executionId: string): void {
    this.live.delete(executionId);
    this.serviceCallbacks.delete(executionId);
    for (const [id, item] of this.live) {
      if (item.ancestors.includes(executionId)) {
        this.live.delete(id);
        this.serviceCallbacks.delete(id);
        this.timers.delete(id);
      }
    }
  }

  loopOf(c: any): LiveItem['loop'] {
    if (!c || c.index === undefined || c.index === null) return undefined;
    const ev = this.model.activities[c.id]?.elementVariable ?? 'item';
    return { item: c.item !== undefined ? c.item : c[ev], index: c.index };
  }

  evaluate(expr: string, content?: any): unknown {
    let vars = this.vars;
    const loop = this.loopOf(content);
    if (loop) {
      const info = this.model.activities[content.id];
      vars = { ...vars, loopCounter: loop.index, item: loop.item };
      if (info?.elementVariable) vars = { ...vars, [info.elementVariable]: loop.item };
    }
    try {
      return evaluate(expr, vars);
    } catch (err) {
      const message = err instanceof ExpressionError ? err.message : String(err);
      this.runError ??= new CommandError(`Cannot evaluate expression '${expr}'${content?.id ? ` on '${content.id}'` : ''}: ${message}`);
      throw this.runError;
    }
  }

  private async recoverFrom(state: any): Promise<void> {
    // The deserialized model is shared by every run of the definition: recover() finds it by
    // definition id among the engine's sources when the state carries no `source` of its own.
    const context = await sourceContextOf(this.engineSource);
    this.build(context);
    const engine = this.engine;
    if (state) {
      // A state saved under another definitions id (an instance moved to a new version) brings its source.
      for (const d of state.definitions ?? []) {
        if (d.id === (context as { id?: string }).id) delete d.source;
        else d.source = this.engineSource;
      }
      engine.recover(state);
      this.execution = await engine.resume();
    } else {
      this.execution = await engine.execute();
    }
    await this.settle();
  }

  async create(): Promise<void> {
    await this.recoverFrom(null);
  }

  async resume(state: unknown): Promise<void> {
    await this.recoverFrom(structuredClone(state));
  }

  async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    if (this.runError) throw this.runError;
  }

  signalTask(activityId: string, executionId: string): void {
    this.live.delete(executionId);
    this.execution.signal({ id: activityId, executionId });
  }

  completeExternal(executionId: string): boolean {
    const cb = this.serviceCallbacks.get(executionId);
    if (!cb) return false;
    this.serviceCallbacks.delete(executionId);
    this.live.delete(executionId);
    cb(null, undefined);
    return true;
  }

  bpmnErrorExternal(executionId: string, errorCode: string, errorMessage?: string): boolean {
    const cb = this.serviceCallbacks.get(executionId);
    if (!cb) return false;
    this.serviceCallbacks.delete(executionId);
    this.live.delete(executionId);
    const err = Object.assign(new Error(errorMessage ?? errorCode), { code: errorCode, name: 'BpmnError' });
    cb(err);
    return true;
  }

  fireTimer(executionId: string): boolean {
    const ref = this.timers.get(executionId);
    if (!ref) return false;
    this.timers.delete(executionId);
    this.live.delete(executionId);
    ref.cb(...ref.args);
    return true;
  }

  message(messageRef: string): void {
    this.execution.signal({ id: messageRef });
  }

  liveOf(kind: LiveKind): LiveItem[] {
    return [...this.live.values()].filter((i) => i.kind === kind);
  }

  /** A cached run is reused for the next command on the same revision: start its bookkeeping afresh. */
  beginCommand(): void {
    this.history = [];
    this.runError = null;
  }

  /** Whether this run can serve another command (it is still waiting somewhere). */
  get reusable(): boolean {
    return !this.ended && !this.runError && Boolean(this.execution);
  }

  async finish(): Promise<RunResult> {
    await this.settle();
    const ended = this.ended || this.engine.state === 'idle';
    const state = ended ? null : this.execution.getState();
    if (state) for (const d of state.definitions ?? []) delete d.source;
    return { state, live: ended ? new Map() : this.live, history: this.history, ended, failure: this.failure };
  }
}

/**
 * Deserialized models by serialized source (the same string instance per loaded definition).
 * Read-only once built: bpmn-elements copies each element's behaviour into its activity.
 */
const contexts = new LRUCache<string, object>({ max: 200 });
async function sourceContextOf(engineSource: string): Promise<object> {
  const hit = contexts.get(engineSource);
  if (hit) return hit;
  const { deserialize, TypeResolver } = await loadSerializer();
  const ctx = deserialize(JSON.parse(engineSource), TypeResolver(await loadElements()));
  contexts.set(engineSource, ctx);
  return ctx;
}

let serializerMod: any;
let elementsMod: any;
async function loadSerializer(): Promise<any> {
  serializerMod ??= await import('moddle-context-serializer');
  return serializerMod;
}
async function loadElements(): Promise<any> {
  elementsMod ??= await import('bpmn-elements');
  return elementsMod;
}

/** Serialises BPMN XML into the moddle context bpmn-engine recovers from (stored once per definition). */
export async function serializeSource(xml: string): Promise<string> {
  const engine: any = new Engine({ name: 'deploy', source: xml, moddleOptions, Logger: silentLogger } as any);
  const state = await engine.getState();
  const src = state.definitions?.[0]?.source;
  if (typeof src !== 'string') throw new Error('bpmn-engine could not load the definition');
  return src;
}

function silentLogger(): Record<string, () => void> {
  const noop = () => undefined;
  return { debug: noop, error: noop, warn: noop, info: noop };
}

