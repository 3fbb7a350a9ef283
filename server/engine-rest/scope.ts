import type { Principal } from '../http/policy.js';
import type { TaskScope } from '../engine/index.js';

/** Which units a caller oversees; the identity service implements it (leaders: their sub-units too). */
export interface UnitVisibility {
  visibleUnitIds(principal: Pick<Principal, 'roles'>): Promise<string[] | 'all'>;
}

export const actsOnAll = (p: Principal) => p.kind === 'service' || p.roles.some((r) => r.role === 'system-admin' || r.role === 'service');

/**
 * Whose tasks a caller may act on (claim, assign, complete). Administrators and service
 * accounts act on all; everyone else on tasks assigned or offered to them, and tasks whose
 * candidate group is a role they hold in the task's unit.
 */
export function taskScopeOf(principal: Principal): TaskScope {
  if (actsOnAll(principal)) return { all: true };
  return { username: principal.username, unitRoles: principal.roles.map((r) => ({ unitId: r.unitId, role: r.role })) };
}

/**
 * Whose tasks a caller may read: what they may act on, plus every task in the units they
 * oversee (a leader's unit and its sub-units). Inspectors read everything and act on nothing
 * (their role has no engine:task permission).
 */
export async function taskReadScopeOf(principal: Principal, units?: UnitVisibility): Promise<TaskScope> {
  const act = taskScopeOf(principal);
  if ('all' in act || !units) return act;
  const visible = await units.visibleUnitIds(principal);
  if (visible === 'all') return { all: true };
  return principal.roles.some((r) => r.role === 'leader') ? { ...act, readUnitIds: visible } : act;
}

/**
 * Units whose process instances (and so their variables, which hold citizens' personal data)
 * a caller may read: 'all', or a list; an instance with no unit is visible only to 'all'.
 */
export async function instanceUnitsOf(principal: Principal, units?: UnitVisibility): Promise<string[] | 'all'> {
  if (actsOnAll(principal)) return 'all';
  if (!units) return [...new Set(principal.roles.map((r) => r.unitId))];
  return units.visibleUnitIds(principal);
}

export function canReadUnit(visible: string[] | 'all', unitId: string | null): boolean {
  return visible === 'all' || (unitId !== null && visible.includes(unitId));
}
