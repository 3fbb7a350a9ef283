import { formatDate, type DefinitionRow, type ExternalTaskRow, type HistoryRow, type InstanceRow, type LockedExternalTask, type TaskRow } from '../engine/index.js';

/** Camunda 7 REST shapes (engine-rest-openapi). Fields we do not model are present and null. */

export const definitionDto = (d: DefinitionRow) => ({
  id: d.id, key: d.key, category: 'http://bpmn.io/schema/bpmn', description: null, name: d.name, version: d.version,
  resource: d.resourceName, deploymentId: d.deploymentId, diagram: null, suspended: d.suspended, tenantId: null,
  versionTag: d.versionTag, historyTimeToLive: null, startableInTasklist: true,
});

export const instanceDto = (i: InstanceRow & { ended?: boolean }) => ({
  links: [], id: i.id, definitionId: i.definitionId, definitionKey: i.definitionKey, businessKey: i.businessKey, caseInstanceId: null,
  ended: i.ended ?? i.state !== 'ACTIVE', suspended: false, tenantId: null,
});

export const taskDto = (t: TaskRow) => ({
  id: t.id, name: t.name, assignee: t.assignee, owner: null, created: formatDate(t.created), lastUpdated: null, due: formatDate(t.due),
  followUp: formatDate(t.followUp), delegationState: null, description: null, executionId: t.executionId, parentTaskId: null,
  priority: t.priority, processDefinitionId: t.processDefinitionId, processInstanceId: t.processInstanceId,
  taskDefinitionKey: t.taskDefinitionKey, caseExecutionId: null, caseInstanceId: null, caseDefinitionId: null, suspended: false,
  formKey: t.formKey, camundaFormRef: null, tenantId: null,
  // Not in Camunda: the unit the task belongs to and its candidate groups (roles), for our task lists.
  unitId: t.unitId, candidateGroups: t.candidateGroups, businessKey: t.businessKey,
});

export const externalTaskDto = (t: ExternalTaskRow) => ({
  activityId: t.activityId, activityInstanceId: t.executionId, errorMessage: t.errorMessage, executionId: t.executionId, id: t.id,
  lockExpirationTime: formatDate(t.lockExpirationTime), processDefinitionId: t.processDefinitionId, processDefinitionKey: t.processDefinitionKey,
  processDefinitionVersionTag: null, processInstanceId: t.processInstanceId, retries: t.retries, suspended: false, workerId: t.workerId,
  topicName: t.topicName, tenantId: null, priority: t.priority, businessKey: t.businessKey, createTime: formatDate(t.createTime),
});

export const lockedTaskDto = (t: LockedExternalTask) => ({ ...externalTaskDto(t), errorDetails: t.errorDetails, variables: t.variables, extensionProperties: {} });

/**
 * Camunda's incident. The message is the English Camunda's tools read, unless the reader asked for
 * Vietnamese (Accept-Language) and the engine raised the incident itself with a Vietnamese text.
 */
export function incidentDto(r: Record<string, unknown>, lang: 'vi' | 'en' = 'en') {
  return {
    id: r.id, processDefinitionId: r.definition_id, processInstanceId: r.instance_id, executionId: null,
    incidentTimestamp: formatDate(r.created as Date), incidentType: r.incident_type, activityId: r.activity_id, failedActivityId: r.activity_id,
    causeIncidentId: r.id, rootCauseIncidentId: r.id, configuration: r.configuration, tenantId: null, incidentMessage: lang === 'vi' && r.message_vi ? r.message_vi : r.message,
    jobDefinitionId: null, annotation: null,
  };
}

export function historicInstanceDto(i: InstanceRow, names: Map<string, { name: string | null; version: number }>) {
  const d = names.get(i.definitionId);
  return {
    id: i.id, rootProcessInstanceId: i.id, superProcessInstanceId: null, businessKey: i.businessKey, processDefinitionId: i.definitionId,
    processDefinitionKey: i.definitionKey, processDefinitionName: d?.name ?? null, processDefinitionVersion: d?.version ?? null,
    startTime: formatDate(i.startTime), endTime: formatDate(i.endTime),
    durationInMillis: i.endTime ? i.endTime.getTime() - i.startTime.getTime() : null, startUserId: i.startUserId, startActivityId: null,
    deleteReason: i.deleteReason, tenantId: null, state: i.state,
  };
}

/** Pairs the append-only start/end facts into Camunda's historic activity instances. */
export function activityInstances(rows: HistoryRow[], definitionKeyOf: (id: string) => string) {
  const byExec = new Map<string, ReturnType<typeof mk>>();
  function mk(r: HistoryRow) {
    return {
      id: `${r.activityId}:${r.executionId}`, parentActivityInstanceId: r.instanceId, activityId: r.activityId, activityName: r.activityName,
      activityType: r.activityType ? r.activityType[0]!.toLowerCase() + r.activityType.slice(1) : null,
      processDefinitionKey: definitionKeyOf(r.definitionId), processDefinitionId: r.definitionId, processInstanceId: r.instanceId,
      executionId: r.executionId, taskId: null as string | null, assignee: null as string | null, calledProcessInstanceId: null,
      startTime: formatDate(r.at), endTime: null as string | null, durationInMillis: null as number | null, canceled: false, completeScope: false, tenantId: null,
      _start: r.at,
    };
  }
  const out: Array<ReturnType<typeof mk>> = [];
  for (const r of rows) {
    if (r.kind === 'activity-start') {
      const a = mk(r);
      byExec.set(r.executionId ?? '', a);
      out.push(a);
    } else if (r.kind === 'activity-end') {
      let a = byExec.get(r.executionId ?? '');
      if (!a) { a = mk(r); out.push(a); }
      a.endTime = formatDate(r.at);
      a.durationInMillis = r.at.getTime() - a._start.getTime();
      a.completeScope = r.activityType === 'EndEvent';
    } else if (r.kind === 'task-created' || r.kind === 'task-completed') {
      const a = byExec.get(r.executionId ?? '');
      if (a) { a.taskId = r.taskId; if (r.userId) a.assignee = r.userId; }
    }
  }
  return out.map(({ _start, ...rest }) => { void _start; return rest; });
}

/** Historic tasks: one per task id, from created / claimed / completed / deleted facts. */
export function historicTasks(rows: HistoryRow[], definitionKeyOf: (id: string) => string) {
  const byId = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    if (!r.taskId) continue;
    let t = byId.get(r.taskId);
    if (!t) {
      t = {
        id: r.taskId, processDefinitionKey: definitionKeyOf(r.definitionId), processDefinitionId: r.definitionId, processInstanceId: r.instanceId,
        executionId: r.executionId, activityInstanceId: r.executionId, name: r.activityName, description: null, deleteReason: null, owner: null,
        assignee: null, startTime: formatDate(r.at), endTime: null, duration: null, taskDefinitionKey: r.activityId, priority: 50,
        due: null, parentTaskId: null, followUp: null, tenantId: null, removalTime: null, rootProcessInstanceId: r.instanceId, _start: r.at,
      };
      byId.set(r.taskId, t);
    }
    if (r.kind === 'task-created') {
      t.assignee = (r.data?.assignee) ?? null;
      t.due = r.data?.due ? formatDate(new Date(r.data.due as string)) : null;
    }
    if (r.kind === 'task-claimed' || r.kind === 'task-assigned') t.assignee = r.userId ?? (r.data?.assignee) ?? null;
    if (r.kind === 'task-unclaimed') t.assignee = null;
    if (r.kind === 'task-completed' || r.kind === 'task-deleted') {
      if (t.endTime) continue;
      t.endTime = formatDate(r.at);
      t.duration = r.at.getTime() - (t._start as Date).getTime();
      t.deleteReason = r.kind === 'task-completed' ? 'completed' : 'deleted';
      if (r.kind === 'task-completed' && r.userId) t.assignee = r.userId;
    }
  }
  return [...byId.values()].map(({ _start, ...rest }) => { void _start; return rest; });
}
