import type { Finding } from '../model.js';
import { addDuration, parseCycle } from '../runtime/timers.js';
import type { GNode, Graph } from './graph.js';

type El = any;

/**
 * Compilation rules for compensation, transactions' cancel events, complex gateways and job
 * retries (split from compile.ts, which walks the model).
 */

/** camunda:failedJobRetryTimeCycle (R<n>/<duration>): how an async continuation's failing job is retried. */
export function retryOf(el: El, node: GNode, findings: Finding[]): void {
  const x = (el.extensionElements?.values ?? []).find((v: El) => v.$type === 'camunda:FailedJobRetryTimeCycle');
  const text = x ? String(x.body ?? '').trim() : undefined;
  if (!text) return;
  const c = parseCycle(text);
  const step = c ? addDuration(new Date(0), c.duration) : null;
  if (!c || !step || c.start || c.repeat === null || c.repeat < 1 || c.repeat > 100) {
    findings.push({ elementId: el.id, message: `failedJobRetryTimeCycle "${text}" must look like R5/PT5M (1 to 100 retries, a duration between them)` });
    return;
  }
  if (!node.asyncBefore && !node.asyncAfter && node.event?.kind !== 'timer') {
    findings.push({ elementId: el.id, message: `failedJobRetryTimeCycle applies to jobs: an async continuation (camunda:asyncBefore/asyncAfter) or a timer event${node.external ? "; an external task's retries are its worker's (it reports them with each failure)" : ''}` });
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
    const refuse = (message: string) => findings.push({ elementId: n.id, message });
    if (n.type === 'boundaryEvent' && n.event?.kind === 'compensate') {
      const host = n.attachedTo ? g.nodes[n.attachedTo] : undefined;
      const h = n.handler ? g.nodes[n.handler] : undefined;
      if (n.out.length) refuse('A compensation boundary event has no outgoing sequence flow: associate it with its handler activity');
      if (!h) refuse('A compensation boundary event needs an association to its compensation handler activity (isForCompensation="true")');
      else if (!h.forCompensation) refuse(`The compensation handler '${h.id}' must be marked isForCompensation="true"`);
      else if (host) host.compHandler = h.id;
    }
    if (n.type === 'boundaryEvent' && n.event?.kind === 'cancel') {
      const host = n.attachedTo ? g.nodes[n.attachedTo] : undefined;
      if (host && host.type !== 'transaction') refuse('A cancel boundary event sits on a transaction subprocess');
    }
    if (n.forCompensation && (n.in.length || n.out.length)) refuse('A compensation handler (isForCompensation) has no incoming or outgoing sequence flow');
    if (n.type === 'transaction') {
      const cancels = Object.values(g.nodes).some((x) => x.scope === n.id && x.type === 'endEvent' && x.event?.kind === 'cancel');
      const caught = n.boundary.some((b) => g.nodes[b]?.event?.kind === 'cancel');
      if (cancels && !caught) refuse('A transaction with a cancel end event needs a cancel boundary event (where the cancelled transaction continues)');
    }
    const ref = n.event?.kind === 'compensate' && (n.type === 'intermediateThrowEvent' || n.type === 'endEvent') ? n.event.activityRef : undefined;
    if (ref) {
      const scopeNode = g.nodes[n.scope];
      const inCompSub = scopeNode?.triggeredByEvent && g.nodes[g.nodes[scopeNode.scope]?.compStart ?? '']?.scope === scopeNode.id;
      const where = inCompSub ? scopeNode.scope : n.scope;
      if (g.nodes[ref]?.scope !== where) refuse(`activityRef '${ref}' names no activity of this event's scope`);
    }
    if (n.instantiate && (n.in.length || n.scope !== g.processId)) refuse('A receive task with instantiate="true" starts the process: it sits at process level without incoming sequence flows');
    if (n.type === 'complexGateway' && n.in.length > 1 && !n.activation) refuse('A converging complex gateway needs an activationCondition (e.g. ${activationCount >= 2})');
  }
}
