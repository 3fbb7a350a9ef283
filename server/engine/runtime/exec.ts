/** The stored state of a native instance: its tree of executions (BPMN 2.0 chapter 13). */

export type Wait = 'user' | 'external' | 'message' | 'timer' | 'signal' | 'conditional' | 'join' | 'ebg' | 'call' | 'multi' | 'comp' | 'cgw';

export interface Exec {
  id: string;
  /** Parent execution (a scope), null for the root. */
  p: string | null;
  /** Node id (the process id for the root). */
  a: string;
  /** 'comp': a completed activity that can still be compensated (§10.5.5), under the scope it ran in. */
  k: 'root' | 'scope' | 'mi' | 'token' | 'sub' | 'comp';
  w?: Wait;
  /** The flow a token arrived by (joins). */
  f?: string;
  /** A subscription's owner: the activity (boundary), the gateway token (event-based) or the scope (event subprocess, start). */
  on?: string;
  due?: string;
  left?: number | null;
  cycle?: string;
  /** Conditional subscriptions: the condition's last value (they fire when it becomes true). */
  c?: boolean;
  i?: number;
  item?: unknown;
  mi?: { n: number; done: number; next: number; items?: unknown[] };
  lc?: number;
  /** Local variables of this scope or activity (camunda:inputOutput inputs). */
  v?: Record<string, unknown>;
  /** Ad-hoc subprocess: how many of its activities have been started; whether its completion condition held. */
  ah?: number;
  adDone?: boolean;
  /** An async continuation waiting as a job: before the activity ('b') or after it ('a'). */
  j?: 'b' | 'a';
  /** A subscription for one definition of a multiple event (its index); the definitions a parallel one has had. */
  d?: number;
  got?: number[];
  /** The asyncBefore / asyncAfter job of this execution has run. */
  jb?: boolean;
  ja?: boolean;
  /**
   * Compensation (§10.5.5): a driver's queue of records still to compensate (a throw event, a
   * re-opened subprocess, a cancelled transaction); the driver a handler or re-opened scope reports
   * to; a re-opened completed subprocess; a driver the throw did not wait for; a cancelled transaction.
   */
  q?: string[];
  cp?: string;
  cs?: boolean;
  nw?: boolean;
  tx?: boolean;
  /** §13.3.5 complex gateway: the incoming flows its start phase consumed (waiting for reset); a token of its reset phase. */
  cg?: string[];
  ph?: 'reset';
}

export interface NativeState { v: 1; p: string; n: number; x: Exec[] }

/** Steps (activities entered) one command may take: a model looping without a wait state stops here. */
export const MAX_STEPS = 5000;
