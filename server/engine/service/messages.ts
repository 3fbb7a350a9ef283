import { EngineError, isEngineError } from '../errors.js';
import type { ProcessModel } from '../model.js';
import { NativeRun } from '../runtime/run.js';
import type { TypedValue } from '../values.js';
import type { EngineMessageSubRow, InstanceHead } from '../rows.js';
import { type Kernel, type SentMessages, type SignalInput } from './kernel.js';

/** Messages (correlation by name, business key, instance, correlation keys), message flows between processes, signals (broadcast). */
export function createMessaging(k: Kernel) {
  const { knex, store, log, setVariables } = k;

  /**
   * `unitIds`: a scoped caller reaches only instances of these units (others answer like no match);
   * `allowStart: false`: the message may not start a process (the caller could not start one).
   */
  async function correlateMessage(input: { messageName: string; businessKey?: string | null; processInstanceId?: string | null; processVariables?: Record<string, TypedValue>; correlationKeys?: Record<string, TypedValue>; all?: boolean; userId?: string | null; unitIds?: readonly string[]; allowStart?: boolean }): Promise<Array<{ resultType: 'Execution' | 'ProcessDefinition'; processInstanceId: string }>> {
    const keys = Object.entries(input.correlationKeys ?? {});
    const correlationKeys = keys.length ? Object.fromEntries(keys.map(([k, v]) => [k, v.value])) : undefined;
    const subs = await store.messageSubscriptions(knex, { messageName: input.messageName, businessKey: input.businessKey ?? undefined, processInstanceId: input.processInstanceId ?? undefined, correlationKeys, unitIds: input.unitIds });
    const byInstance = new Map<string, EngineMessageSubRow>();
    for (const s of subs) if (!byInstance.has(s.instance_id)) byInstance.set(s.instance_id, s);
    const targets = [...byInstance.values()];
    if (targets.length > 1 && !input.all) {
      throw new EngineError('engine.messageAmbiguous', { name: input.messageName, count: targets.length });
    }
    const results: Array<{ resultType: 'Execution' | 'ProcessDefinition'; processInstanceId: string }> = [];
    for (const s of targets) {
      await k.command(s.instance_id, input.userId ?? null, async (ctx) => {
        const live = [...ctx.run.live.values()].find((i) => i.kind === 'message' && ctx.def.model.activities[i.activityId]?.message?.name === input.messageName);
        if (!live) throw new EngineError('engine.messageNotWaited', { id: s.instance_id, name: input.messageName });
        setVariables(ctx, input.processVariables);
        ctx.run.message(ctx.def.model.activities[live.activityId]!.message!.id);
      });
      results.push({ resultType: 'Execution', processInstanceId: s.instance_id });
    }
    if (results.length) return results;
    // Correlation keys name variables of a running instance: a message carrying them starts nothing.
    if (!input.processInstanceId && !correlationKeys && input.allowStart !== false) {
      const defs = await store.latestWithMessageStart(knex, input.messageName);
      if (defs.length > 1 && !input.all) throw new EngineError('engine.messageStartsMany', { name: input.messageName, count: defs.length });
      for (const d of defs) {
        const model = (typeof d.model === 'string' ? JSON.parse(d.model) as unknown : d.model) as ProcessModel;
        const startId = model.messageStarts[input.messageName]!;
        const inst = await k.startProcess({ definitionId: d.id, businessKey: input.businessKey ?? null, variables: input.processVariables, startUser: input.userId ?? null, trigger: { messageRef: model.activities[startId]!.message!.id } });
        results.push({ resultType: 'ProcessDefinition', processInstanceId: inst.id });
      }
    }
    if (!results.length) throw new EngineError('engine.messageNoMatch', { name: input.messageName });
    return results;
  }

  // ------------------------------------------------------------------ message flows

  let sendDepth = 0;
  /**
   * A message sent along a message flow to a process of the same file (§13.4.1): it reaches the
   * instances of that process with the sender's business key waiting for it, or, if none waits,
   * starts that process when it has a start event for the message. Chains stop after 10 hops.
   */
  async function deliverSent(sent: SentMessages, from: InstanceHead): Promise<void> {
    if (sendDepth >= 10) { log.warn({ instanceId: from.id }, 'message chain too deep; not delivered further'); return; }
    sendDepth++;
    try {
      for (const m of sent) {
        const q = knex('engine_message_sub as s').join('engine_instance as i', 'i.id', 's.instance_id')
          .where({ 's.message_name': m.message, 'i.definition_key': m.process, 'i.state': 'ACTIVE' }).whereNot('i.id', from.id).distinct<Array<{ id: string }>>('i.id');
        if (from.business_key) q.where('i.business_key', from.business_key); else q.whereNull('i.business_key');
        let delivered = 0;
        for (const { id } of await q) {
          await k.command(id, null, async (ctx) => {
            const live = [...ctx.run.live.values()].find((i) => i.kind === 'message' && ctx.def.model.activities[i.activityId]?.message?.name === m.message);
            if (!live) return;
            ctx.run.message(ctx.def.model.activities[live.activityId]!.message!.id);
            delivered++;
          }).catch((err) => { if (!isEngineError(err)) throw err; });
        }
        if (delivered) continue;
        const latest = await store.latestDefinition(knex, m.process);
        const model = latest ? ((typeof latest.model === 'string' ? JSON.parse(latest.model) as unknown : latest.model) as ProcessModel) : undefined;
        const startId = model?.messageStarts[m.message];
        if (!latest || !startId) { log.warn({ message: m.message, process: m.process }, 'message flow: nobody waits for the message and it starts nothing'); continue; }
        await k.startProcess({ definitionId: latest.id, businessKey: from.business_key ?? null, unitId: from.unit_id ?? null, trigger: { messageRef: model.activities[startId]!.message!.id } });
      }
    } finally {
      sendDepth--;
    }
  }

  // ------------------------------------------------------------------ signals

  let signalDepth = 0;
  /**
   * A signal is broadcast (BPMN 2.0 §10.5.4): every instance waiting for it is triggered, each in its
   * own command, and the latest version of every process with that signal start starts once.
   * `origin` already delivered it to itself. Chains of signals stop after 10 hops.
   */
  async function throwSignal(input: SignalInput, origin?: string): Promise<void> {
    if (!input.name || input.name.length > 255) throw new EngineError('engine.signalName');
    if (signalDepth >= 10) { log.warn({ signal: input.name }, 'signal chain too deep; not broadcast further'); return; }
    signalDepth++;
    try {
      const subs = await store.messageSubscriptions(knex, { messageName: `signal:${input.name}` });
      for (const instanceId of new Set(subs.map((x) => x.instance_id))) {
        if (instanceId === origin) continue;
        try {
          await k.command(instanceId, input.userId ?? null, async (ctx) => {
            setVariables(ctx, input.variables);
            if (ctx.run instanceof NativeRun) ctx.run.signal(input.name);
          });
        } catch (err) {
          if (!isEngineError(err)) throw err;
        }
      }
      for (const d of await store.latestWithSignalStart(knex, input.name)) {
        await k.startProcess({ definitionId: d.id, variables: input.variables, startUser: input.userId ?? null, trigger: { signal: input.name } });
      }
    } finally {
      signalDepth--;
    }
  }

  return { correlateMessage, deliverSent, throwSignal };
}
