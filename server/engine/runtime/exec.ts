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

/** `o`: the stored rows' order keys, parallel to `x` (absent: the array's order is all there is). */
export interface NativeState { v: 1; p: string; n: number; x: Exec[]; o?: number[] }

/**
 * One execution as a row of engine_execution: the tree's columns, and the rest of the compact record
 * as `data`. `ord` keeps the tree's order (the interpreter walks executions in creation order, and
 * that order decides which of two equal candidates a command takes), so it survives a reload.
 */
export interface ExecRow { id: string; parent_id: string | null; activity_id: string; kind: Exec['k']; wait: Wait | null; ord: number; data: Record<string, unknown> | null }

/**
 * What a command changed in the tree, by id: rows to insert or update, ids to delete (`'all'`: the
 * instance ended), and the id prefix and counter (`p`, `n`: columns of engine_instance, null once ended).
 */
export interface StateRows { p: string | null; n: number | null; put: ExecRow[]; del: string[] | 'all' }

/** An execution's row without its order key, as text: equal text, unchanged row. */
export function execRow(e: Exec): { row: Omit<ExecRow, 'ord'>; text: string } {
  const { id, p, a, k, w, ...rest } = e;
  const data = Object.keys(rest).length ? rest : null;
  const row = { id, parent_id: p, activity_id: a, kind: k, wait: w ?? null, data };
  return { row, text: JSON.stringify([p, a, k, w ?? null, data]) };
}

/** The stored rows of an instance (in `ord` order, as `[id, parent_id, activity_id, kind, wait, ord, data]`) as its state. */
export function stateFromRows(p: string, n: number, rows: ReadonlyArray<readonly [string, string | null, string, Exec['k'], Wait | null, number, Record<string, unknown> | null]>): NativeState {
  const x: Exec[] = [];
  const o: number[] = [];
  for (const [id, parent, a, k, w, ord, data] of rows) {
    const e: Exec = { id, p: parent, a, k };
    if (w) e.w = w;
    if (data) Object.assign(e, data);
    x.push(e);
    o.push(ord);
  }
  return { v: 1, p, n, x, o };
}

/** Steps (activities entered) one command may take: a model looping without a wait state stops here. */
export const MAX_STEPS = 5000;
