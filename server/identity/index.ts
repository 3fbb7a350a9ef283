/** Users, units, roles, sessions and authentication: what other capabilities and the composition root may import. */
export { createIdentityService, holdsRoleInUnit, isRole, type IdentityService, type IdentityOptions, type RoleHoldersChanged, type UserView } from './service.js';
export { createAuthenticate, createCsrfCheck } from './authenticate.js';
export { createAuthRouter, type AuthRouterDeps } from './auth-router.js';
export { createUnitsRouter, createUsersRouter } from './org-router.js';
export { DEMO_PASSWORD, seedDemo } from './demo.js';
export { PERMISSIONS, ROLE_PERMISSIONS, ROLES, type Permission, type Role } from './permissions.js';
