import type { Principal } from '../http/policy.js';
import type { TaskScope } from '../engine/types.js';

/**
 * The one place that decides whose tasks a caller sees on /engine-rest.
 * Administrators and service accounts see all; everyone else sees tasks assigned or offered
 * to them, and tasks whose candidate group is a role they hold in the task's unit.
 */
export function taskScopeOf(principal: Principal): TaskScope {
  if (principal.kind === 'service' || principal.roles.some((r) => r.role === 'system-admin' || r.role === 'service')) return { all: true };
  return { username: principal.username, unitRoles: principal.roles.map((r) => ({ unitId: r.unitId, role: r.role })) };
}
