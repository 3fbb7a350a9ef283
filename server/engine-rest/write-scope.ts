import type { TaskRow, TypedValue } from '../engine/index.js';
import { ApiError, badRequest } from '../http/errors.js';
import type { Principal } from '../http/policy.js';
import { ROLE_PERMISSIONS } from '../identity/index.js';
import { actsOnAll } from './scope.js';

/**
 * What engine writes check against the organisation; the identity service implements it
 * (`getUnit` / `getUser` answer a 404 ApiError for an unknown unit or user).
 */
export interface Directory {
  getUnit(id: string): Promise<unknown>;
  getUser(username: string): Promise<{ disabled: boolean; roles: ReadonlyArray<{ role: string; unitId: string }> }>;
}

const missing = (err: unknown) => err instanceof ApiError && err.status === 404;

async function unitExists(dir: Directory, id: string): Promise<boolean> {
  return dir.getUnit(id).then(() => true, (err) => { if (missing(err)) return false; throw err; });
}

/** The roles of an enabled user, or null for an unknown or disabled one. */
async function rolesOf(dir: Directory, username: string): Promise<ReadonlyArray<{ role: string; unitId: string }> | null> {
  return dir.getUser(username).then((u) => (u.disabled ? null : u.roles), (err) => { if (missing(err)) return null; throw err; });
}

/** Units a caller may start processes in: those where they hold a role that may start (the one-stop office). */
function startableUnits(p: Principal): string[] {
  return [...new Set(p.roles.filter((r) => ROLE_PERMISSIONS[r.role]?.includes('engine:start')).map((r) => r.unitId))];
}

/**
 * The unit a new instance belongs to is its `unitId` variable: required, a unit that exists, and one
 * the caller may start in. Administrators and service accounts start in any unit, and may start a
 * unit-less (technical) instance, which only they and inspectors then see.
 * Returns the unit, or null for a unit-less start.
 */
export async function checkStartUnit(p: Principal, variables: Record<string, TypedValue>, dir: Directory, field = 'variables'): Promise<string | null> {
  const v = variables.unitId;
  const all = actsOnAll(p);
  if (v === undefined || v.value === null || v.value === undefined) {
    if (all) return null;
    throw new ApiError(400, 'InvalidRequestException', `${field}.unitId: cần đơn vị tiếp nhận / the unit (a String variable unitId) is required`,
      [{ field: `body.${field}.unitId`, message: 'required' }]);
  }
  if (typeof v.value !== 'string' || !v.value || v.value.length > 64) {
    throw new ApiError(400, 'InvalidRequestException', `${field}.unitId: phải là mã đơn vị / must be a unit id (String)`, [{ field: `body.${field}.unitId`, message: 'a unit id' }]);
  }
  const unitId = v.value;
  if (!(await unitExists(dir, unitId))) {
    throw new ApiError(400, 'InvalidRequestException', `${field}.unitId: không có đơn vị ${unitId} / unknown unit ${unitId}`, [{ field: `body.${field}.unitId`, message: 'unknown unit' }]);
  }
  if (!all && !startableUnits(p).includes(unitId)) {
    throw new ApiError(403, 'AuthorizationException', `Bạn không được khởi tạo hồ sơ cho đơn vị ${unitId} / you may not start processes in unit ${unitId}`);
  }
  return unitId;
}

/**
 * Who may hold a task: an enabled user named as a candidate user, or holding one of its candidate
 * roles in the task's unit (`role@unit` names the unit outright). A task offering no candidates goes
 * to a member of its unit (any user, for a unit-less technical task).
 */
export async function checkAssignee(dir: Directory, task: Pick<TaskRow, 'id' | 'unitId' | 'candidateGroups' | 'candidateUsers'>, username: string): Promise<void> {
  const roles = await rolesOf(dir, username);
  if (!roles) throw badRequest(`userId: không có người dùng ${username} / no such user`, [{ field: 'body.userId', message: 'unknown user' }]);
  if (task.candidateUsers.includes(username)) return;
  for (const g of task.candidateGroups) {
    const [role, fixed] = g.split('@') as [string, string | undefined];
    const unit = fixed ?? task.unitId;
    if (unit && roles.some((r) => r.role === role && r.unitId === unit)) return;
  }
  if (!task.candidateGroups.length && !task.candidateUsers.length && (task.unitId === null || roles.some((r) => r.unitId === task.unitId))) return;
  throw new ApiError(400, 'NotACandidate',
    `${username} không giữ vai trò ${task.candidateGroups.join(', ') || '(không)'} tại đơn vị ${task.unitId ?? '(không)'} / does not hold the task's candidate role in the task's unit`,
    [{ field: 'body.userId', message: 'not a candidate' }]);
}

/**
 * A scoped caller changes who holds a task only while nobody else holds it; taking a task from a
 * colleague is the division head's (`/api/tasks/{id}/assign`) or an administrator's.
 */
export function checkHolder(p: Principal, task: Pick<TaskRow, 'id' | 'assignee'>): void {
  if (actsOnAll(p) || !task.assignee || task.assignee === p.username) return;
  throw new ApiError(403, 'AuthorizationException', `Công việc đang do người khác giữ / task ${task.id} is held by someone else`);
}
