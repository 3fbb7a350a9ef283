import { z } from 'zod';
import { bool, page, vars } from './common.js';

/** The /engine-rest request schemas, built once (a zod schema costs more to build than to run). */
export const StartBody = z.object({
  businessKey: z.string().max(255).optional().nullable(),
  variables: vars,
  withVariablesInReturn: z.boolean().optional(),
  caseInstanceId: z.string().optional().nullable(),
  skipCustomListeners: z.boolean().optional(),
  skipIoMappings: z.boolean().optional(),
}).strict();

export const FetchBody = z.object({
  workerId: z.string().min(1).max(255),
  maxTasks: z.number().int().min(0).max(1000),
  usePriority: z.boolean().optional().nullable(),
  asyncResponseTimeout: z.number().int().min(0).max(1_800_000).optional().nullable(),
  sorting: z.array(z.unknown()).optional().nullable(),
  topics: z.array(z.object({
  topicName: z.string().min(1),
  lockDuration: z.number().int().min(1),
  variables: z.array(z.string()).optional().nullable(),
  localVariables: z.boolean().optional().nullable(),
  businessKey: z.string().optional().nullable(),
  processDefinitionKey: z.string().optional().nullable(),
  processDefinitionKeyIn: z.array(z.string()).optional().nullable(),
  processDefinitionId: z.string().optional().nullable(),
  deserializeValues: z.boolean().optional().nullable(),
  includeExtensionProperties: z.boolean().optional().nullable(),
  withoutTenantId: z.boolean().optional().nullable(),
  tenantIdIn: z.array(z.string()).optional().nullable(),
  }).passthrough()).default([]),
}).strict();

export const ModificationBody = z.object({
  skipCustomListeners: z.boolean().optional(), skipIoMappings: z.boolean().optional(), annotation: z.string().max(4000).optional().nullable(),
  instructions: z.array(z.object({
  type: z.enum(['startBeforeActivity', 'startAfterActivity', 'cancel']),
  activityId: z.string().min(1).max(255).optional().nullable(), activityInstanceId: z.string().min(1).max(255).optional().nullable(),
  variables: vars, cancelCurrentActiveActivityInstances: z.boolean().optional(),
  }).strict().refine((i) => Boolean(i.activityId || (i.type === 'cancel' && i.activityInstanceId)), { message: 'each instruction names an activityId (or, to cancel, an activityInstanceId)' })).min(1).max(100),
}).strict();
export const SignalBody = z.object({ name: z.string().min(1).max(255), variables: vars, executionId: z.string().optional().nullable(), tenantId: z.string().optional().nullable(), withoutTenantId: z.boolean().optional() }).strict();
const WorkerBody = z.object({ workerId: z.string().min(1) });
export const DeploymentQuery = z.object({ id: z.string().optional(), name: z.string().optional(), sortBy: z.string().optional(), sortOrder: z.string().optional(), ...page }).strict();
export const DeleteQuery = z.object({ skipCustomListeners: z.string().optional(), skipIoMappings: z.string().optional(), skipSubprocesses: z.string().optional(), failIfNotExists: z.string().optional(), deleteReason: z.string().max(1000).optional() }).strict();
export const ExternalTaskQuery = z.object({
  topicName: z.string().optional(), workerId: z.string().optional(), locked: bool.optional(), notLocked: bool.optional(),
  processInstanceId: z.string().optional(), activityId: z.string().optional(), withRetriesLeft: bool.optional(), noRetriesLeft: bool.optional(),
  sortBy: z.string().optional(), sortOrder: z.string().optional(), ...page,
}).strict();
export const CompleteExternalBody = WorkerBody.extend({ variables: vars, localVariables: vars }).strict();
export const FailureBody = WorkerBody.extend({
  errorMessage: z.string().max(100000).optional().nullable(), errorDetails: z.string().max(1_000_000).optional().nullable(),
  retries: z.number().int().min(0).optional().nullable(), retryTimeout: z.number().int().min(0).optional().nullable(),
  variables: vars, localVariables: vars,
}).strict();
export const BpmnErrorBody = WorkerBody.extend({ errorCode: z.string().min(1), errorMessage: z.string().optional().nullable(), variables: vars }).strict();
export const ExtendLockBody = WorkerBody.extend({ newDuration: z.number().int().min(1) }).strict();
export const RetriesBody = z.object({ retries: z.number().int().min(0) }).strict();
export const MessageBody = z.object({
  messageName: z.string().min(1), businessKey: z.string().optional().nullable(), processInstanceId: z.string().optional().nullable(),
  processVariables: vars, processVariablesLocal: vars, correlationKeys: vars, all: z.boolean().optional(), resultEnabled: z.boolean().optional(),
  variablesInResultEnabled: z.boolean().optional(), tenantId: z.string().optional().nullable(), withoutTenantId: z.boolean().optional(),
}).strict();
export const IncidentQuery = z.object({ processInstanceId: z.string().optional(), incidentType: z.string().optional(), sortBy: z.string().optional(), sortOrder: z.string().optional(), ...page }).strict();
export const HistoricInstanceQuery = z.object({
  processInstanceId: z.string().optional(), processInstanceBusinessKey: z.string().optional(), processDefinitionKey: z.string().optional(),
  processDefinitionId: z.string().optional(), finished: bool.optional(), unfinished: bool.optional(), sortBy: z.string().optional(), sortOrder: z.string().optional(), ...page,
}).strict();
export const HistoricActivityQuery = z.object({ processInstanceId: z.string().min(1), activityId: z.string().optional(), activityType: z.string().optional(), sortBy: z.string().optional(), sortOrder: z.string().optional(), ...page }).strict();
export const HistoricTaskQuery = z.object({ processInstanceId: z.string().optional(), taskId: z.string().optional(), taskAssignee: z.string().optional(), finished: bool.optional(), unfinished: bool.optional(), sortBy: z.string().optional(), sortOrder: z.string().optional(), ...page }).strict();
