import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from '../log.js';
import type { CallDef, CallMapping } from './compile/graph.js';
import { isEngineError } from './errors.js';
import { evaluate } from './expression.js';
import type { ProcessModel } from './model.js';
import type { EngineCallRow as CallRow, InstanceHead } from './rows.js';
import { NativeRun } from './runtime/run.js';
import type { Run } from './runtime/types.js';
import type { EngineStore } from './store.js';
import { plainValue, typedFromPlain, type TypedValue } from './values.js';

/** The columns of `engine_instance`, `engine_incident` and `engine_definition` a call reads. */
type InstanceCols = { id: string; unit_id: string | null; state: string; delete_reason: string | null };
type IncidentCols = { id: string; configuration: string | null; resolved: Date | null };
type DefinitionCols = { id: string; key: string; deployment_id: string; version: number; version_tag: string | null };

/**
 * Call activities (BPMN 2.0 §10.2.5) between instances. The calling instance's command writes an
 * `engine_call` row for a call activity that starts waiting; after that commit the called process
 * is started (keyed by the row, so a retry answers the same instance) and linked; when the called
 * instance ends, the call activity completes with the camunda:out variables, or gets the BPMN error
 * the called process did not catch. A call activity cancelled in the caller deletes what it called.
 * `sweep` redoes whatever a node that died between two of these steps left undone.
 */
export interface CallDeps {
  knex: Knex;
  store: EngineStore;
  log: Logger;
  /** The deployment a definition came with (binding "deployment" resolves against the caller's). */
  deploymentOf(definitionId: string): Promise<string>;
  start(input: { id: string; definitionId: string; businessKey: string | null; variables: Record<string, TypedValue>; idempotencyKey: string; unitId: string | null }): Promise<{ id: string; ended: boolean }>;
  /** Runs one command on the calling instance: `fn` sets variables at the execution and acts on the run. */
  onCaller(instanceId: string, fn: (run: Run, setAt: (executionId: string, vars: Record<string, TypedValue>) => void, def: ProcessModel) => void): Promise<void>;
  deleteInstance(id: string, reason: string): Promise<void>;
}

/** The row a waiting call activity gets, with camunda:in evaluated where it waits; `base` is the calling instance's row. */
export function callRow(run: Run, item: { activityId: string; executionId: string }, model: ProcessModel, base: Pick<InstanceHead, 'id' | 'definition_id' | 'business_key'>, typed: Record<string, TypedValue>, now: Date): CallRow {
  const call = model.graph?.nodes[item.activityId]?.call as CallDef;
  const seen = run instanceof NativeRun ? run.visibleAt(item.executionId) : run.vars;
  const ev = (t: string) => run.evaluate(t, { id: item.activityId, executionId: item.executionId });
  const variables: Record<string, TypedValue> = {};
  let businessKey: string | null = null;
  for (const m of call.ins) {
    if (m.businessKey) {
      businessKey = /execution\.processBusinessKey/.test(m.businessKey) ? (typeof base.business_key === 'string' ? base.business_key : null) : String(ev(m.businessKey) ?? '') || null;
    } else if (m.all) {
      for (const [k, v] of Object.entries(seen)) variables[k] = typed[k] && run.vars[k] === v ? typed[k] : typedFromPlain(v);
    } else {
      const v = m.sourceExpression ? ev(m.sourceExpression) : seen[m.source!];
      variables[m.target!] = m.source && typed[m.source] && run.vars[m.source] === v ? typed[m.source]! : typedFromPlain(v ?? null);
    }
  }
  const version = call.version ?? call.versionTag;
  return {
    id: crypto.randomUUID(), instance_id: String(base.id), execution_id: item.executionId, activity_id: item.activityId, definition_id: String(base.definition_id),
    called_key: String(ev(call.element)), binding: call.binding, version: version === undefined ? null : String(ev(version)),
    variables: JSON.stringify(variables), business_key: businessKey, child_id: null, created: now,
  };
}

/** camunda:out: what the called instance hands back (typed), from its final variables. */
function outVariables(outs: CallMapping[], childVars: Record<string, TypedValue>): Record<string, TypedValue> {
  const plain: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(childVars)) plain[k] = plainValue(v);
  const out: Record<string, TypedValue> = {};
  for (const m of outs) {
    if (m.all) Object.assign(out, childVars);
    else if (m.sourceExpression) out[m.target!] = typedFromPlain(evaluate(m.sourceExpression, plain));
    else if (m.source) out[m.target!] = childVars[m.source] ?? typedFromPlain(null);
  }
  return out;
}

/** Nesting of call activities (caller of a caller …) beyond which a call raises an incident instead. */
const MAX_CALL_DEPTH = 20;

export function createCalls(deps: CallDeps) {
  const { knex, log } = deps;

  async function incident(row: CallRow, message: { vi: string; en: string }): Promise<void> {
    const open = await knex<IncidentCols>('engine_incident').where({ configuration: row.id }).whereNull('resolved').first('id');
    if (open) return;
    await deps.store.insertIncident(knex, {
      id: crypto.randomUUID(), instance_id: row.instance_id, definition_id: row.definition_id, activity_id: row.activity_id,
      incident_type: 'failedCallActivity', configuration: row.id, message: message.en.slice(0, 500), message_vi: message.vi.slice(0, 500), created: new Date(),
    });
  }

  async function resolveCalled(row: CallRow): Promise<Pick<DefinitionCols, 'id'> | undefined> {
    const q = knex<DefinitionCols>('engine_definition').where({ key: row.called_key });
    if (row.binding === 'deployment') q.where({ deployment_id: await deps.deploymentOf(row.definition_id) });
    if (row.binding === 'version') q.where({ version: Number(row.version) });
    if (row.binding === 'versionTag') q.where({ version_tag: row.version ?? '' });
    return q.orderBy('version', 'desc').first('id');
  }

  /** How many calling instances are above this one (a process that calls itself must stop somewhere). */
  async function callDepth(instanceId: string): Promise<number> {
    let depth = 0;
    for (let id: string | undefined = instanceId; id && depth <= MAX_CALL_DEPTH; depth++) {
      id = (await knex<CallRow>('engine_call').where({ child_id: id }).first('instance_id'))?.instance_id;
    }
    return depth;
  }

  /** Starts what one call row calls (idempotent: keyed by the row). */
  async function startChild(row: CallRow): Promise<void> {
    if (await callDepth(row.instance_id) > MAX_CALL_DEPTH) {
      await incident(row, {
        en: `Call activity '${row.activity_id}': more than ${MAX_CALL_DEPTH} calling instances above it (a process calling itself without end?)`,
        vi: `Bước gọi quy trình '${row.activity_id}': đã có hơn ${MAX_CALL_DEPTH} phiên gọi lồng nhau phía trên (một quy trình tự gọi chính nó không dừng?)`,
      });
      return;
    }
    const called = await resolveCalled(row);
    if (!called) {
      await incident(row, {
        en: `Call activity '${row.activity_id}': no process '${row.called_key}' (binding ${row.binding}${row.version ? ` ${row.version}` : ''}) is deployed`,
        vi: `Bước gọi quy trình '${row.activity_id}': chưa triển khai quy trình '${row.called_key}' (ràng buộc ${row.binding}${row.version ? ` ${row.version}` : ''})`,
      });
      return;
    }
    const parent = await knex<InstanceCols>('engine_instance').where({ id: row.instance_id }).first('unit_id', 'state');
    if (!parent || parent.state !== 'ACTIVE') return;
    // Linked before it starts, so what its first command does (end, escalate) already finds its caller.
    const childId = crypto.randomUUID();
    if (!(await knex<CallRow>('engine_call').where({ id: row.id }).whereNull('child_id').update({ child_id: childId }))) return;
    let child: { id: string; ended: boolean };
    try {
      const variables = typeof row.variables === 'string' ? JSON.parse(row.variables) as Record<string, TypedValue> : row.variables ?? {};
      child = await deps.start({ id: childId, definitionId: called.id, businessKey: row.business_key ?? null, variables, idempotencyKey: `call:${row.id}`, unitId: parent.unit_id ?? null });
    } catch (err) {
      await knex<CallRow>('engine_call').where({ id: row.id, child_id: childId }).update({ child_id: null });
      const why = isEngineError(err) ? err.text : { vi: (err as Error).message, en: (err as Error).message };
      await incident(row, {
        en: `Call activity '${row.activity_id}': the called process could not start: ${why.en}`,
        vi: `Bước gọi quy trình '${row.activity_id}': quy trình được gọi không khởi động được: ${why.vi}`,
      });
      return;
    }
    // A retried start answered an instance started before (a node died after starting it): link that one.
    if (child.id !== childId) await knex<CallRow>('engine_call').where({ id: row.id }).update({ child_id: child.id });
    if (child.ended) await finish(row.id);
  }

  /** The called instance has ended: its caller's call activity completes, or gets its error. */
  async function finish(callId: string): Promise<void> {
    const row = await knex<CallRow>('engine_call').where({ id: callId }).first();
    if (!row?.child_id) return;
    const childId = row.child_id;
    const child = await knex<InstanceCols>('engine_instance').where({ id: childId }).first('state', 'delete_reason');
    if (!child || child.state === 'ACTIVE') return;
    // Deleted by someone: the caller keeps waiting (an administrator decides: modification).
    if (child.state === 'EXTERNALLY_TERMINATED') return;
    const childVars = child.state === 'COMPLETED' ? await deps.store.variables(knex, childId) : {};
    await deps.onCaller(row.instance_id, (run, setAt, model) => {
      if (!(run instanceof NativeRun)) return;
      if (child.state === 'COMPLETED') {
        const call = model.graph?.nodes[row.activity_id]?.call;
        setAt(row.execution_id, outVariables(call?.outs ?? [], childVars));
        run.completeCall(row.execution_id);
      } else {
        const code = /Unhandled BPMN error '([^']*)'/.exec(String(child.delete_reason ?? ''))?.[1];
        run.failCall(row.execution_id, code ?? '', String(child.delete_reason ?? 'the called process failed'));
      }
    });
  }

  return {
    /** After a caller's command committed new call rows. */
    async startPending(instanceId: string): Promise<void> {
      for (const row of await knex<CallRow>('engine_call').where({ instance_id: instanceId }).whereNull('child_id')) await startChild(row);
    },
    /** After an instance ended: if something called it, that call activity goes on. */
    async ended(instanceId: string): Promise<void> {
      const row = await knex<CallRow>('engine_call').where({ child_id: instanceId }).first('id');
      if (row) await finish(row.id);
    },
    /** Escalations a called instance did not catch: its caller's call activity gets them (§10.5.7). */
    async escalated(instanceId: string, codes: string[]): Promise<void> {
      const row = await knex<CallRow>('engine_call').where({ child_id: instanceId }).first();
      if (!row) return;
      await deps.onCaller(row.instance_id, (run) => {
        if (run instanceof NativeRun) for (const c of codes) run.escalateCall(row.execution_id, c);
      });
    },
    /** After a caller's call activities were cancelled (or the caller deleted): what they called goes too. */
    async cancelChildren(childIds: string[]): Promise<void> {
      for (const id of childIds) {
        await deps.deleteInstance(id, 'the calling activity was cancelled').catch((err) => {
          if (!(err && typeof err === 'object' && 'status' in err && (err as { status: number }).status === 404)) log.warn({ err, instanceId: id }, 'could not delete a called instance');
        });
      }
    },
    /** Finishes what a node that died left undone: calls not started, called instances ended unnoticed. */
    async sweep(limit = 20): Promise<number> {
      let n = 0;
      const stale = new Date(Date.now() - 30_000);
      // Linked to an instance that never got written (the node died in between): start it again.
      await knex('engine_call as c').whereNotNull('c.child_id').where('c.created', '<', stale)
        .whereNotExists((q) => q.select(knex.raw('1')).from('engine_instance as i').whereRaw('i.id = c.child_id')).update({ child_id: null });
      for (const row of await knex<CallRow>('engine_call').whereNull('child_id').where('created', '<', stale).orderBy('created').limit(limit)) {
        const open = await knex<IncidentCols>('engine_incident').where({ configuration: row.id }).whereNull('resolved').first('id');
        if (!open) { await startChild(row); n++; }
      }
      const done = await knex('engine_call as c').join('engine_instance as i', 'i.id', 'c.child_id')
        .whereIn('i.state', ['COMPLETED', 'INTERNALLY_TERMINATED']).limit(limit).select<Array<{ id: string }>>('c.id');
      for (const r of done) { await finish(r.id); n++; }
      return n;
    },
  };
}
