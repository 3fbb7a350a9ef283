import { expect } from '@jest/globals';
import { parseDefinitions } from '../../../server/engine/model.js';
import { NativeRun } from '../../../server/engine/runtime/run.js';
import type { Graph } from '../../../server/engine/compile/graph.js';
import { bpmn } from '../fixtures.js';

/** Compiles a process body for the native interpreter; fails the test on any finding. */
export async function compile(body: string, extra = ''): Promise<Graph> {
  const { processes, findings } = await parseDefinitions(bpmn('p', body, extra), 'native');
  expect(findings).toEqual([]);
  return processes[0]!.graph!;
}

/** The findings a process body gets at deployment. */
export async function refusals(body: string, extra = ''): Promise<Array<{ elementId?: string; message: string }>> {
  return (await parseDefinitions(bpmn('p', body, extra), 'native')).findings;
}

/**
 * One instance in memory: drives the interpreter like the service does (each call = one command,
 * the state stored and resumed between commands) and records the path of completed elements.
 */
export class Instance {
  path: string[] = [];
  state: unknown = null;
  ended = false;
  failure: string | undefined;
  thrown: string[] = [];
  constructor(private readonly g: Graph, readonly vars: Record<string, unknown> = {}) {}

  static async start(g: Graph, vars: Record<string, unknown> = {}, trigger?: (r: NativeRun) => void): Promise<Instance> {
    const i = new Instance(g, vars);
    await i.command(async (r) => { await r.create(); trigger?.(r); }, true);
    return i;
  }

  async command(fn: (r: NativeRun) => void | Promise<void>, fresh = false): Promise<void> {
    const r = new NativeRun(this.g, this.vars);
    if (!fresh) await r.resume(structuredClone(this.state));
    await fn(r);
    const res = await r.finish();
    this.path.push(...res.history.filter((h) => h.kind === 'activity-end').map((h) => h.activityId));
    this.state = res.state;
    this.ended = res.ended;
    this.failure = res.failure;
    this.thrown.push(...r.thrown);
  }

  /** What it waits for: `kind:activityId`, sorted. */
  waiting(): string[] {
    if (!this.state) return [];
    const r = new NativeRun(this.g, this.vars);
    void r.resume(structuredClone(this.state));
    return [...r.live.values()].map((i) => `${i.kind}:${i.activityId}`).sort();
  }

  /** Tokens parked at joins (a deadlock shows here). */
  parked(): string[] {
    const s = this.state as { x: Array<{ a: string; w?: string }> } | null;
    return (s?.x ?? []).filter((e) => e.w === 'join').map((e) => e.a).sort();
  }

  private find(activityId: string, kind?: string) {
    const r = new NativeRun(this.g, this.vars);
    void r.resume(structuredClone(this.state));
    const it = [...r.live.values()].find((i) => i.activityId === activityId && (!kind || i.kind === kind));
    if (!it) throw new Error(`nothing waits at ${activityId}${kind ? ` as ${kind}` : ''}; waiting: ${this.waiting().join(', ')}`);
    return it;
  }

  async complete(activityId: string, vars: Record<string, unknown> = {}): Promise<void> {
    const it = this.find(activityId);
    await this.command((r) => {
      // Like the service: a name local to the task or an enclosing scope is set there, the rest on the instance.
      for (const [k, v] of Object.entries(vars)) if (!r.assignLocal(it.executionId, k, v)) this.vars[k] = v;
      if (it.kind === 'external') r.completeExternal(it.executionId);
      else r.signalTask(activityId, it.executionId);
    });
  }

  async bpmnError(activityId: string, code: string): Promise<void> {
    const it = this.find(activityId, 'external');
    await this.command((r) => { r.bpmnErrorExternal(it.executionId, code); });
  }

  async fire(activityId: string): Promise<void> {
    const it = this.find(activityId, 'timer');
    await this.command((r) => { r.fireTimer(it.executionId); });
  }

  /** Local variables seen by what waits at an activity. */
  locals(activityId: string): Record<string, unknown> {
    const it = this.find(activityId);
    const r = new NativeRun(this.g, this.vars);
    void r.resume(structuredClone(this.state));
    return r.localsAt(it.executionId);
  }

  /** Evaluates an expression where an activity waits (what its attribute expressions see). */
  evalAt(activityId: string, expr: string): unknown {
    const it = this.find(activityId);
    const r = new NativeRun(this.g, this.vars);
    void r.resume(structuredClone(this.state));
    return r.evaluate(expr, { id: activityId, executionId: it.executionId });
  }

  dueOf(activityId: string): Date {
    return this.find(activityId, 'timer').dueAt!;
  }

  async message(ref: string): Promise<void> { await this.command((r) => r.message(ref)); }
  async signal(name: string): Promise<void> { await this.command((r) => { r.signal(name); }); }
  async setVars(vars: Record<string, unknown>): Promise<void> { Object.assign(this.vars, vars); await this.command(() => undefined); }
}

export const seq = (id: string, from: string, to: string, cond?: string) =>
  cond
    ? `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${cond.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</bpmn:conditionExpression></bpmn:sequenceFlow>`
    : `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"/>`;

/** A chain of flows a → b → c … with generated flow ids. */
export function chainFlows(...ids: string[]): string {
  let out = '';
  for (let i = 0; i + 1 < ids.length; i++) out += seq(`c_${ids[i]}_${ids[i + 1]}`, ids[i]!, ids[i + 1]!);
  return out;
}
