import type { CallDef } from './compile/graph.js';
import type { ExecRow } from './runtime/exec.js';
import type { TypedValue } from './values.js';

/**
 * The engine's tables as PostgreSQL returns them (migrations 0300, 0800, 0810, 0870, 0871, 1000):
 * snake_case, `timestamptz` → Date, `bigint` → string, `jsonb` → its parsed value. Named after the
 * table (`EngineTaskRow` is engine_task), apart from the camelCase answers in types.ts. Only the
 * engine's own modules see them; a column whose JSON the engine did not write itself is `unknown`.
 */

export interface EngineDeploymentRow { id: string; name: string | null; source: string | null; deployment_time: Date }

export interface EngineResourceRow { id: string; deployment_id: string; name: string; content: string; hash: string }

export interface EngineDefinitionRow {
  id: string; key: string; version: number; version_tag: string | null; name: string | null;
  deployment_id: string; resource_id: string; resource_name: string; hash: string;
  /** bpmn-engine's serialised moddle context ('' for definitions the native interpreter runs). */
  engine_source: string;
  /** The compiled ProcessModel (model.ts); JSON text when written. */
  model: unknown;
  suspended: boolean;
}

export interface EngineInstanceRow {
  id: string; definition_id: string; definition_key: string; business_key: string | null; unit_id: string | null;
  /** ACTIVE, COMPLETED, EXTERNALLY_TERMINATED, INTERNALLY_TERMINATED */
  state: string;
  /** bpmn-engine's state (null for native instances: their executions are engine_execution rows). */
  engine_state: unknown;
  revision: number; start_user: string | null; start_activity_id: string | null; delete_reason: string | null;
  start_time: Date; end_time: Date | null; idempotency_key: string | null;
  exec_prefix: string | null; exec_seq: number | null;
}

/** engine_instance without its stored state (`INSTANCE_COLUMNS`, sql.ts): what a command holds of its instance. */
export type InstanceHead = Pick<EngineInstanceRow, 'id' | 'definition_id' | 'definition_key' | 'business_key' | 'unit_id' | 'state' | 'revision'
  | 'start_user' | 'start_time' | 'end_time' | 'delete_reason'>;

/** The columns a new instance is inserted with (its state columns come with the command's patch). */
export type NewInstance = Omit<InstanceHead, 'end_time' | 'delete_reason'> & { idempotency_key?: string };

export interface EngineVariableRow { instance_id: string; name: string; type: string; value: unknown; value_info: Record<string, unknown> | null }

export interface EngineTaskRow {
  id: string; instance_id: string; execution_id: string; definition_id: string; task_definition_key: string;
  name: string | null; assignee: string | null; candidate_users: string[]; candidate_groups: string[];
  due: Date | null; follow_up: Date | null; priority: number; form_key: string | null; unit_id: string | null;
  business_key: string | null; created: Date;
}

export interface EngineExternalTaskRow {
  id: string; instance_id: string; execution_id: string; activity_id: string; topic: string; priority: number;
  worker_id: string | null; lock_expiration: Date | null; retries: number | null; error_message: string | null; error_details: string | null;
  business_key: string | null; definition_id: string; definition_key: string; created: Date;
  /** Input mappings of the task, typed values by name (JSON text when written). */
  local_variables: string | Record<string, TypedValue> | null;
}

export interface EngineTimerRow {
  id: string;
  /** Null for a timer start event (definition_id says which process to start). */
  instance_id: string | null;
  definition_id: string; execution_id: string; activity_id: string; due_at: Date;
  locked_until: Date | null; locked_by: string | null; attempts: number; repeat: string | null; fired: number;
}

export interface EngineMessageSubRow {
  id: string; instance_id: string; execution_id: string; activity_id: string; message_name: string; message_ref: string;
  business_key: string | null; created: Date;
}

/** An `engine_call` row (migrations/0871_engine_call.ts): one waiting call activity and what it called. */
export interface EngineCallRow {
  id: string; instance_id: string; execution_id: string; activity_id: string; definition_id: string; called_key: string;
  binding: CallDef['binding']; version: string | null;
  /** Typed values mapped in by camunda:in: JSON text as written, parsed jsonb as PostgreSQL reads it back. */
  variables: string | Record<string, TypedValue> | null;
  business_key: string | null; child_id: string | null; created: Date;
}

/** A type, not an interface: /engine-rest maps these rows as records (an interface has no index signature). */
export type EngineIncidentRow = {
  id: string; instance_id: string | null; definition_id: string; activity_id: string | null; incident_type: string;
  configuration: string | null; message: string | null; created: Date; resolved: Date | null;
  /** The Vietnamese text of an incident the engine raised itself (migrations/1010); null for a worker's message. */
  message_vi?: string | null;
};

export interface EngineHistoryRow {
  id: string; instance_id: string; definition_id: string; kind: string; activity_id: string | null; activity_type: string | null;
  activity_name: string | null; execution_id: string | null; task_id: string | null; user_id: string | null;
  data: Record<string, unknown> | null; at: Date;
}

/** A history row to append: `data` as JSON text (store-write.ts parses it into the insert), unnamed columns null. */
export type NewHistory = Pick<EngineHistoryRow, 'instance_id' | 'definition_id' | 'kind' | 'at'>
  & Partial<Pick<EngineHistoryRow, 'activity_id' | 'activity_type' | 'activity_name' | 'execution_id' | 'task_id' | 'user_id'>>
  & { data?: string | null };

export type EngineExecutionRow = ExecRow & { instance_id: string };

/** A row as `to_jsonb` hands it over: timestamps become ISO text. */
export type AsJson<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

/** What an instance waits for, per table: the rows persist reconciles with the run. */
interface ProjectionRows {
  engine_task: EngineTaskRow;
  engine_external_task: EngineExternalTaskRow;
  engine_timer: EngineTimerRow;
  engine_message_sub: EngineMessageSubRow;
  engine_call: EngineCallRow;
}
export type ProjectionTable = keyof ProjectionRows;

/**
 * A projection row as persist knows it: read whole from the database (as JSON), or only its key columns
 * when a hot instance remembers it (`projectionKey`, persist.ts). Columns other than these are read
 * from `readRows` / the locked item, never from here.
 */
export interface ProjectionKey {
  id: string; execution_id: string; task_definition_key?: string; due_at?: Date | string; locked_by?: string | null;
  /** Present on a full external task row: an open incident means 0. */
  retries?: number | null;
}

export type Projections = Partial<Record<ProjectionTable, ProjectionKey[]>>;
