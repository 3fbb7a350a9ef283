import { Engine, type BpmnEngineExecutionState, type Execution } from 'bpmn-engine';
import type { SerializableContext } from 'moddle-context-serializer';
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

/**
 * What bpmn-elements puts in an event's content, or in the owner of a timer, as far as this host reads it
 * (a multi-instance iteration also carries its element variable under its own name).
 */
interface Content {
  id?: string;
  executionId?: string;
  parent?: { executionId?: string; path?: Array<{ executionId?: string }> };
  index?: number | null;
  item?: unknown;
  expireAt?: string | Date;
  error?: { message?: string };
  [name: string]: unknown;
}

/** A captured timer, in the shape bpmn-elements' timers answer (it calls `callback` with `args` when due). */
interface TimerRef { owner: Content; callback: CallableFunction; delay: number; args: unknown[]; executionId: string; timerId: string; timerRef: null }

type Msg = { content?: unknown };

/** The state bpmn-engine saves and recovers: only each definition's `source` is read here. */
type EngineState = Omit<BpmnEngineExecutionState, 'definitions'> & { definitions?: Array<{ id?: string; source?: string }> };

function ancestorsOf(content: Content | undefined): string[] {
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
  private engine: Engine | undefined;
  private execution: Execution | undefined;
  private runError: Error | null = null;
  private failure: string | undefined;
  private ended = false;

  constructor(
    private readonly engineSource: string,
    private readonly model: ProcessModel,
    /** Plain variable values; commands mutate this before signalling so expressions see them. */
    readonly vars: Record<string, unknown>,
  ) {}

  private build(sourceContext: SerializableContext): Engine {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the listener object below has a `this` of its own
    const run = this;
    const executing: TimerRef[] = [];
    const timers = {
      get executing() { return [...executing]; },
      register(owner: Content) {
        return {
          owner,
          setTimeout(callback: CallableFunction, delay: number, ...args: unknown[]) {
            const executionId = String(owner.executionId);
            const ref: TimerRef = { owner, callback, delay, args, executionId, timerId: executionId, timerRef: null };
            executing.push(ref);
            run.timers.set(executionId, ref);
            run.live.set(executionId, {
              kind: 'timer', executionId, activityId: String(owner.id), ancestors: ancestorsOf(owner),
              dueAt: owner.expireAt ? new Date(owner.expireAt) : new Date(),
            });
            return ref;
          },
          clearTimeout(ref: TimerRef) { timers.clearTimeout(ref); },
        };
      },
      setTimeout(callback: CallableFunction, delay: number) {
        // Only bpmn-elements internals without an owner end up here; run them on the next tick.
        const ref: TimerRef = { owner: {}, callback, delay, args: [], executionId: '', timerId: '', timerRef: null };
        setImmediate(() => { Reflect.apply(callback, undefined, []); });
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
      resolveExpression(expr: unknown, ctx?: { content?: Content }) {
        if (typeof expr !== 'string' || !hasExpression(expr)) return expr;
        return run.evaluate(expr, ctx?.content);
      },
      isExpression: (s: unknown) => typeof s === 'string' && /^[$#]\{.+\}$/.test(s),
      hasExpression: (s: unknown) => typeof s === 'string' && hasExpression(s),
    };
    const extensions = {
      durable(activity: { id: string; behaviour: Record<string, unknown> }) {
        const info = run.model.activities[activity.id];
        if (info && (info.type === 'bpmn:ServiceTask' || info.type === 'bpmn:SendTask')) {
          activity.behaviour.Service = function ExternalService() {
            return {
              execute(message: Msg, callback: (err: unknown, out?: unknown) => void) {
                const c = (message.content ?? {}) as Content;
                const executionId = String(c.executionId);
                run.serviceCallbacks.set(executionId, callback);
                run.live.set(executionId, {
                  kind: 'external', executionId, activityId: activity.id, ancestors: ancestorsOf(c),
                  loop: run.loopOf(c),
                });
              },
              discard() { /* the ending events remove it */ },
              stop() { /* nothing runs in memory */ },
            };
          };
        }
        // Nothing to switch on or off as the activity runs.
        return { activate() { /* no-op */ }, deactivate() { /* no-op */ } };
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
    });
    engine.on('error', (err: Error) => { this.failure = err?.message ?? String(err); this.ended = true; });
    engine.broker.subscribeTmp('event', '#', (routingKey: string, msg: Msg) => this.onEvent(routingKey, msg), { noAck: true, priority: 10000 });
    this.engine = engine;
    return engine;
  }

  private onEvent(routingKey: string, msg: Msg): void {
    const c = (msg.content ?? {}) as Content;
    const id = String(c.id);
    const executionId = String(c.executionId);
    if (routingKey === 'activity.wait') {
      const info = this.model.activities[id];
      if (!info) return;
      if (info.type === 'bpmn:UserTask') {
        this.live.set(executionId, {
          kind: 'userTask', executionId, activityId: id, ancestors: ancestorsOf(c),
          loop: this.loopOf(c),
        });
      } else if (info.message && info.type !== 'bpmn:StartEvent') {
        this.live.set(executionId, { kind: 'message', executionId, activityId: id, ancestors: ancestorsOf(c) });
      }
      return;
    }
    if (routingKey === 'activity.start' || routingKey === 'activity.end') {
      const info = this.model.activities[id];
      if (info) {
        this.history.push({
          kind: routingKey === 'activity.start' ? 'activity-start' : 'activity-end',
          activityId: id, activityType: info.type.replace('bpmn:', ''), activityName: info.name, executionId, at: new Date(),
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

  loopOf(c: Content | undefined): LiveItem['loop'] {
    if (!c || c.index === undefined || c.index === null) return undefined;
    const ev = this.model.activities[String(c.id)]?.elementVariable ?? 'item';
    return { item: c.item !== undefined ? c.item : c[ev], index: c.index };
  }

  evaluate(expr: string, content?: Content): unknown {
    let vars = this.vars;
    const loop = this.loopOf(content);
    if (loop) {
      const info = this.model.activities[String(content?.id)];
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

  private async recoverFrom(state: EngineState | null): Promise<void> {
    // The deserialized model is shared by every run of the definition: recover() finds it by
    // definition id among the engine's sources when the state carries no `source` of its own.
    const context = await sourceContextOf(this.engineSource);
    const engine = this.build(context);
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
    await this.recoverFrom(structuredClone(state) as EngineState);
  }

  async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    if (this.runError) throw this.runError;
  }

  signalTask(activityId: string, executionId: string): void {
    this.live.delete(executionId);
    this.execution?.signal({ id: activityId, executionId });
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
    Reflect.apply(ref.callback, undefined, ref.args);
    return true;
  }

  message(messageRef: string): void {
    this.execution?.signal({ id: messageRef });
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
    const ended = this.ended || String(this.engine?.state) === 'idle';
    const state: EngineState | null = ended || !this.execution ? null : this.execution.getState();
    if (state) for (const d of state.definitions ?? []) delete d.source;
    return { state, live: ended ? new Map<string, LiveItem>() : this.live, history: this.history, ended, failure: this.failure };
  }
}

/**
 * Deserialized models by serialized source (the same string instance per loaded definition).
 * Read-only once built: bpmn-elements copies each element's behaviour into its activity.
 */
const contexts = new LRUCache<string, SerializableContext>({ max: 200 });
async function sourceContextOf(engineSource: string): Promise<SerializableContext> {
  const hit = contexts.get(engineSource);
  if (hit) return hit;
  const { deserialize, TypeResolver } = await loadSerializer();
  const ctx = deserialize(JSON.parse(engineSource) as object, TypeResolver(await loadElements()));
  contexts.set(engineSource, ctx);
  return ctx;
}

let serializerMod: typeof import('moddle-context-serializer') | undefined;
let elementsMod: typeof import('bpmn-elements') | undefined;
async function loadSerializer(): Promise<typeof import('moddle-context-serializer')> {
  serializerMod ??= await import('moddle-context-serializer');
  return serializerMod;
}
async function loadElements(): Promise<typeof import('bpmn-elements')> {
  elementsMod ??= await import('bpmn-elements');
  return elementsMod;
}

/** Serialises BPMN XML into the moddle context bpmn-engine recovers from (stored once per definition). */
export async function serializeSource(xml: string): Promise<string> {
  const engine = new Engine({ name: 'deploy', source: xml, moddleOptions, Logger: silentLogger });
  const state = await engine.getState();
  const src = state.definitions?.[0]?.source;
  if (typeof src !== 'string') throw new Error('bpmn-engine could not load the definition');
  return src;
}

function silentLogger(): { debug(): void; error(): void; warn(): void; info(): void } {
  const noop = () => undefined;
  return { debug: noop, error: noop, warn: noop, info: noop };
}

