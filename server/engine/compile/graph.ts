/**
 * The executable graph of one process: what the interpreter walks. Built once at deployment from
 * the moddle tree (compile.ts), stored with the definition as plain JSON, never changed afterwards.
 */

type EventKind =
  | 'none' | 'message' | 'timer' | 'signal' | 'error' | 'escalation' | 'terminate' | 'link' | 'conditional' | 'multiple'
  | 'compensate' | 'cancel';

export interface TimerSpec { timeDate?: string; timeDuration?: string; timeCycle?: string }

export interface EventDef {
  kind: EventKind;
  /** Message / signal / link name. */
  name?: string;
  /** Message element id (what `message(ref)` names). */
  ref?: string;
  /** Error / escalation code; absent on a catch = catch all. */
  code?: string;
  timer?: TimerSpec;
  condition?: string;
  /** Multiple (§10.5.1): each of these definitions; `parallel`: a catch waits for all of them, else for the first. */
  all?: EventDef[];
  parallel?: boolean;
  /** Compensation throw (§10.5.5): the activity to compensate (absent = every completed one of the scope); whether the throw waits for it. */
  activityRef?: string;
  wait?: boolean;
}

export interface LoopDef {
  /** Multi-instance (true) or a standard loop (false). */
  mi: boolean;
  sequential?: boolean;
  cardinality?: string;
  collection?: string;
  elementVariable?: string;
  completion?: string;
  /**
   * §13.2.7 / §10.2.8 behavior: events the activity throws as its instances complete. None: `throws`
   * (the noneBehaviorEventRef definition) at every completion; One: `throws` (oneBehaviorEventRef) at the
   * first; Complex: each complexBehaviorDefinition whose condition holds. All (absent) throws none.
   */
  behavior?: 'None' | 'One' | 'Complex';
  throws?: Array<{ condition?: string; event: EventDef }>;
  /** Standard loop. */
  condition?: string;
  testBefore?: boolean;
  maximum?: number;
}

/**
 * A camunda:inputParameter / outputParameter value: text (a literal or an expression, evaluated
 * when mapped), a list or a map of such values; absent = null.
 */
export type ParamValue = { text: string } | { list: ParamValue[] } | { map: Record<string, ParamValue> } | null;
export interface Param { name: string; value: ParamValue }

/** camunda:in / camunda:out of a call activity. */
export interface CallMapping { source?: string; sourceExpression?: string; target?: string; all?: boolean; local?: boolean; businessKey?: string }

/** A call activity: which process it calls (an expression allowed), which version, what goes in and out. */
export interface CallDef {
  element: string;
  binding: 'latest' | 'deployment' | 'version' | 'versionTag';
  version?: string;
  versionTag?: string;
  ins: CallMapping[];
  outs: CallMapping[];
}

/** Short BPMN type names: 'userTask', 'parallelGateway', 'subProcess', … */
export interface GNode {
  id: string;
  type: string;
  name?: string;
  /** The enclosing scope: the process id or a subprocess id. */
  scope: string;
  in: string[];
  out: string[];
  default?: string;
  event?: EventDef;
  /** Boundary events: the activity they sit on, and whether they cancel it. */
  attachedTo?: string;
  interrupting?: boolean;
  boundary: string[];
  loop?: LoopDef;
  startQuantity: number;
  completionQuantity: number;
  /** Service-like tasks and message throws done by an external worker. */
  external?: boolean;
  /** Subprocesses: an event subprocess (started by its start event only). */
  triggeredByEvent?: boolean;
  /** Gateways: the declared gatewayDirection, when not Unspecified. */
  direction?: string;
  /** camunda:inputOutput: inputs become local variables of the activity (its scope), outputs are written to the enclosing scope. */
  inputs?: Param[];
  outputs?: Param[];
  call?: CallDef;
  /** camunda:asyncBefore / asyncAfter: a job (a due-now timer row) continues the token, in a command of its own. */
  asyncBefore?: boolean;
  asyncAfter?: boolean;
  /** §13.2.5 ad-hoc subprocess: its activities run without being started by flows, all at once or one after another. */
  adhoc?: { sequential: boolean; completion?: string; cancelRemaining: boolean; order: string[] };
  /** A message throw event or send task at the source of a message flow to a process of the same file: the engine delivers it. */
  sendTo?: { process: string; message: string };
  /** §10.5.5 compensation: the handler activity a compensation boundary event of this activity is associated with. */
  compHandler?: string;
  /** Boundary compensation events: the handler activity (association target). */
  handler?: string;
  /** §10.2.3 a receive task with instantiate="true" and no incoming flow: its message starts the process. */
  instantiate?: boolean;
  /** An activity with isForCompensation: started only by compensation, never by flows. */
  forCompensation?: boolean;
  /** Subprocesses: the start event of their compensation event subprocess, if any. */
  compStart?: string;
  /** §13.3.5 complex gateway: the activation condition of a converging one (activationCount, waitingForStart visible). */
  activation?: string;
  /** camunda:failedJobRetryTimeCycle on an async continuation: how often, and how far apart, its job is retried. */
  retry?: { times: number; intervalMs: number };
}

export interface GFlow { id: string; source: string; target: string; condition?: string }

interface GScope {
  /** None start events (a subprocess begins at all of them). */
  starts: string[];
  /** Start events of the event subprocesses directly in this scope. */
  eventStarts: string[];
}

export interface Graph {
  processId: string;
  nodes: Record<string, GNode>;
  flows: Record<string, GFlow>;
  scopes: Record<string, GScope>;
  /** For each node, every node it can reach in its scope (the inclusive join's upstream rule). */
  reach: Record<string, string[]>;
}
