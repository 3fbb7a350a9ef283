import type { StateRows } from './exec.js';

/** What one command of one instance reports back to the service, whichever interpreter ran it. */

export type LiveKind = 'userTask' | 'external' | 'timer' | 'message' | 'call';

export interface LiveItem {
  kind: LiveKind;
  executionId: string;
  activityId: string;
  /** Execution ids of enclosing scopes: when one of them ends, this ends too. */
  ancestors: string[];
  dueAt?: Date;
  /** Multi-instance iteration data the item was created with. */
  loop?: { item?: unknown; index?: number };
  /** A message/signal subscription's own name when the activity has several (a multiple event). */
  messageName?: string;
  /** Local variables visible at the item (input mappings); handed to external workers with the instance's. */
  locals?: Record<string, unknown>;
}

export interface HistoryFact {
  kind: 'activity-start' | 'activity-end';
  activityId: string;
  activityType: string;
  activityName?: string;
  executionId: string;
  at: Date;
}

export interface RunResult {
  state: unknown;
  /** The native interpreter's state as row changes since it was last stored (engine_execution); bpmn-engine's is the `state` blob. */
  rows?: StateRows;
  live: Map<string, LiveItem>;
  history: HistoryFact[];
  ended: boolean;
  /** Set when the process ended by an unhandled error. */
  failure?: string;
  /** The BPMN error code when the process ended by an unhandled error (a calling process gets it). */
  errorCode?: string;
  /** Instance variables the process wrote itself (output mappings), to be stored with the command. */
  writes?: Record<string, unknown>;
}

/**
 * A command that cannot be carried out as asked (bad expression, no applicable flow): nothing is written.
 * `message` is English (/engine-rest, logs, incidents); `reason` carries the Vietnamese text too, because a
 * staff member completing a step reads it at /api.
 */
export class CommandError extends Error {
  readonly reason: { vi: string; en: string };
  constructor(en: string, vi?: string) {
    super(en);
    this.reason = { vi: vi ?? en, en };
  }
}

/** How a run-time refusal names an element: by its name when it has one, else by its id. */
export const named = (n: { id: string; name?: string }): { vi: string; en: string } =>
  n.name ? { vi: `“${n.name}”`, en: `'${n.name}' (${n.id})` } : { vi: `“${n.id}”`, en: `'${n.id}'` };

/** One instance's interpreter for the length of a command (or several, while hot). */
export interface Run {
  readonly vars: Record<string, unknown>;
  readonly live: Map<string, LiveItem>;
  readonly reusable: boolean;
  create(): Promise<void>;
  resume(state: unknown): Promise<void>;
  beginCommand(): void;
  signalTask(activityId: string, executionId: string): void;
  completeExternal(executionId: string): boolean;
  bpmnErrorExternal(executionId: string, errorCode: string, errorMessage?: string): boolean;
  fireTimer(executionId: string): boolean;
  message(messageRef: string): void;
  liveOf(kind: LiveKind): LiveItem[];
  evaluate(expr: string, content?: unknown): unknown;
  finish(): Promise<RunResult>;
}
