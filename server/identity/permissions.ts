/**
 * Roles are what an organisation assigns; permissions are what a route asks for.
 * A BPMN candidate group names a role (see README, "Candidate groups").
 */
export const ROLES = [
  'system-admin',
  'process-owner',
  'approver',
  'one-stop-officer',
  'specialist',
  'division-head',
  'leader',
  'clerical',
  'inspector',
  'service',
] as const;
export type Role = (typeof ROLES)[number];

const PERMISSIONS = [
  // engine (/engine-rest)
  'engine:read', // definitions, instances, variables, history, incidents
  'engine:deploy', // raw deployments bypass approval: administrators only
  'engine:start',
  'engine:task', // claim / complete user tasks
  'engine:external-task', // workers: fetchAndLock, complete, fail
  'engine:message',
  'engine:admin', // delete instances, retries
  // calendar
  'calendar:admin',
  // catalogue and process lifecycle
  'catalog:read',
  'catalog:write',
  'catalog:admin', // the configurable lists (levels)
  'process:read',
  'process:draft',
  'process:approve',
  'process:activate',
  'process:migrate',
  // dossiers (one-stop office)
  'dossier:read', // read dossiers of one's units (personal data: audited)
  'dossier:receive', // receive, accept, supplement, refuse, withdraw, stop, return
  'dossier:process', // extension, resolution (staff flows, workers)
  // identity and audit
  'identity:admin',
  'audit:read',
  // tasklist: the SOS board (see and resolve escalations)
  'sos:board',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const STAFF: Permission[] = ['engine:read', 'engine:task', 'catalog:read', 'process:read', 'dossier:read'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  'system-admin': PERMISSIONS.filter((p) => p !== 'engine:external-task'),
  'process-owner': ['catalog:read', 'catalog:write', 'process:read', 'process:draft', 'engine:read'],
  approver: ['catalog:read', 'process:read', 'process:approve', 'process:activate', 'engine:read'],
  'one-stop-officer': [...STAFF, 'engine:start', 'engine:message', 'dossier:receive'],
  specialist: STAFF,
  'division-head': STAFF,
  leader: [...STAFF, 'sos:board'],
  clerical: STAFF,
  inspector: ['engine:read', 'catalog:read', 'process:read', 'audit:read', 'dossier:read', 'sos:board'],
  service: ['engine:read', 'engine:start', 'engine:external-task', 'engine:message', 'catalog:read', 'dossier:read', 'dossier:process'],
};

export function permissionsOf(roles: Iterable<Role>): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of ROLE_PERMISSIONS[r] ?? []) out.add(p);
  return out;
}
