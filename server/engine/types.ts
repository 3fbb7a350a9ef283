import type { WorkingAmount } from '../calendar/index.js';
import type { TypedValue } from './values.js';

/** The calendar's working-time arithmetic (declared here structurally; wired in platform.ts). */
export interface WorkingTime {
  add(start: Date, amount: WorkingAmount, unitId?: string): Date;
  subtract(end: Date, amount: WorkingAmount, unitId?: string): Date;
}

/**
 * Whose tasks a caller may see. Candidate groups name roles, resolved within the task's unit.
 * Built from the principal by `taskScopeOf` in server/engine-rest/scope.ts.
 */
export type TaskScope =
  | { all: true }
  | {
    username: string;
    unitRoles: ReadonlyArray<{ unitId: string; role: string }>;
    /** Reads only: every task in these units (a leader's unit and its sub-units). */
    readUnitIds?: ReadonlyArray<string>;
  };

interface DeployResource { name: string; content: string }

export interface DeployInput {
  name?: string;
  source?: string;
  resources: DeployResource[];
  /** Skip resources identical to the latest version of their process (Camunda `enable-duplicate-filtering`). */
  duplicateFiltering?: boolean;
  /** Camunda `deploy-changed-only`: same as duplicateFiltering here, per resource. */
  deployChangedOnly?: boolean;
}

export interface DefinitionRow {
  id: string;
  key: string;
  version: number;
  versionTag: string | null;
  name: string | null;
  deploymentId: string;
  resourceName: string;
  suspended: boolean;
}

export interface Deployment {
  id: string;
  name: string | null;
  source: string | null;
  deploymentTime: Date;
  deployedProcessDefinitions: DefinitionRow[];
}

export interface InstanceRow {
  id: string;
  definitionId: string;
  definitionKey: string;
  businessKey: string | null;
  unitId: string | null;
  state: string;
  startTime: Date;
  endTime: Date | null;
  startUserId: string | null;
  deleteReason: string | null;
}

export interface TaskRow {
  id: string;
  name: string | null;
  assignee: string | null;
  created: Date;
  due: Date | null;
  followUp: Date | null;
  priority: number;
  processDefinitionId: string;
  processInstanceId: string;
  taskDefinitionKey: string;
  executionId: string;
  formKey: string | null;
  candidateUsers: string[];
  candidateGroups: string[];
  unitId: string | null;
  businessKey: string | null;
}

export interface ExternalTaskRow {
  id: string;
  activityId: string;
  topicName: string;
  workerId: string | null;
  lockExpirationTime: Date | null;
  retries: number | null;
  errorMessage: string | null;
  errorDetails: string | null;
  priority: number;
  businessKey: string | null;
  processInstanceId: string;
  processDefinitionId: string;
  processDefinitionKey: string;
  executionId: string;
  createTime: Date;
}

export interface LockedExternalTask extends ExternalTaskRow {
  variables: Record<string, TypedValue>;
}

export interface FetchTopic {
  topicName: string;
  lockDuration: number;
  variables?: string[] | null;
  businessKey?: string | null;
  processDefinitionKey?: string | null;
  processDefinitionKeyIn?: string[] | null;
}

export interface FetchAndLockInput {
  workerId: string;
  maxTasks: number;
  usePriority?: boolean;
  topics: FetchTopic[];
  asyncResponseTimeout?: number;
}

export interface TaskQuery {
  assignee?: string;
  candidateGroup?: string;
  candidateUser?: string;
  unassigned?: boolean;
  processInstanceId?: string;
  processInstanceBusinessKey?: string;
  processDefinitionKey?: string;
  taskDefinitionKey?: string;
  dueBefore?: Date;
  dueAfter?: Date;
  sortBy?: 'created' | 'dueDate' | 'priority' | 'name' | 'assignee' | 'id' | 'followUpDate';
  sortOrder?: 'asc' | 'desc';
  firstResult?: number;
  maxResults?: number;
}

export interface HistoryRow {
  kind: string;
  activityId: string | null;
  activityType: string | null;
  activityName: string | null;
  executionId: string | null;
  taskId: string | null;
  userId: string | null;
  data: Record<string, unknown> | null;
  at: Date;
  instanceId: string;
  definitionId: string;
}
