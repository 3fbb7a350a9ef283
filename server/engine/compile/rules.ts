import { addDuration, parseCycle } from '../runtime/timers.js';
import type { GNode, Graph } from './graph.js';
import { finding, type CompileKey, type Finding } from './messages.js';
import type { ModdleElement as El } from './moddle.js';

/**
 * Compilation rules for compensation, transactions' cancel events, complex gateways and job
 * retries (split from compile.ts, which walks the model).
 */

/** camunda:failedJobRetryTimeCycle (R<n>/<duration>): how an async continuation's failing job is retried. */
export function retryOf(el: El, node: GNode, findings: Finding[]): void {
  const x = (el.extensionElements?.values ?? []).find((v) => v.$type === 'camunda:FailedJobRetryTimeCycle');
  const text = x ? String(x.body ?? '').trim() : undefined;
  if (!text) return;
  const c = parseCycle(text);
  const step = c ? addDuration(new Date(0), c.duration) : null;
  if (!c || !step || c.start || c.repeat === null || c.repeat < 1 || c.repeat > 100) {
    findings.push(finding(el.id, 'engine.retry.format', { text }));
    return;
  }
  if (!node.asyncBefore && !node.asyncAfter && node.event?.kind !== 'timer') {
    findings.push(finding(el.id, node.external ? 'engine.retry.notJobExternal' : 'engine.retry.notJob'));
    return;
  }
  node.retry = { times: c.repeat, intervalMs: step.getTime() };
}

/**
 * §10.5.5 compensation: a compensation boundary event names its handler by an association (no
 * flows); the handler is marked isForCompensation and has no flows either; activityRef names an
 * activity of the throw's scope (or, inside a compensation event subprocess, of the subprocess).
 */
export function compensation(g: Graph, findings: Finding[]): void {
  for (const n of Object.values(g.nodes)) {
    const refuse = (key: CompileKey, params: Record<string, string> = {}) => findings.push(finding(n.id, key, params));
    if (n.type === 'boundaryEvent' && n.event?.kind === 'compensate') {
      const host = n.attachedTo ? g.nodes[n.attachedTo] : undefined;
      const h = n.handler ? g.nodes[n.handler] : undefined;
      if (n.out.length) refuse('engine.compensation.boundaryFlow');
      if (!h) refuse('engine.compensation.needsHandler');
      else if (!h.forCompensation) refuse('engine.compensation.handlerFlag', { handler: h.id });
      else if (host) host.compHandler = h.id;
    }
    if (n.type === 'boundaryEvent' && n.event?.kind === 'cancel') {
      const host = n.attachedTo ? g.nodes[n.attachedTo] : undefined;
      if (host && host.type !== 'transaction') refuse('engine.cancel.boundaryHost');
    }
    if (n.forCompensation && (n.in.length || n.out.length)) refuse('engine.compensation.handlerFlows');
    if (n.type === 'transaction') {
      const cancels = Object.values(g.nodes).some((x) => x.scope === n.id && x.type === 'endEvent' && x.event?.kind === 'cancel');
      const caught = n.boundary.some((b) => g.nodes[b]?.event?.kind === 'cancel');
      if (cancels && !caught) refuse('engine.transaction.cancelBoundary');
    }
    const ref = n.event?.kind === 'compensate' && (n.type === 'intermediateThrowEvent' || n.type === 'endEvent') ? n.event.activityRef : undefined;
    if (ref) {
      const scopeNode = g.nodes[n.scope];
      const inCompSub = scopeNode?.triggeredByEvent && g.nodes[g.nodes[scopeNode.scope]?.compStart ?? '']?.scope === scopeNode.id;
      const where = inCompSub ? scopeNode.scope : n.scope;
      if (g.nodes[ref]?.scope !== where) refuse('engine.compensation.activityRef', { ref });
    }
    if (n.instantiate && (n.in.length || n.scope !== g.processId)) refuse('engine.receiveTask.instantiate');
    if (n.type === 'complexGateway' && n.in.length > 1 && !n.activation) refuse('engine.gateway.complexActivation');
  }
}
