/** Users, units, roles, sessions and authentication: what other capabilities and the composition root may import. */
export { createIdentityService } from './service.js';
export { createAuthenticate, createCsrfCheck } from './authenticate.js';
export { createAuthRouter } from './auth-router.js';
export { createUnitsRouter, createUsersRouter } from './org-router.js';
export { DEMO_PASSWORD, seedDemo } from './demo.js';
export { permissionsOf, ROLE_PERMISSIONS } from './permissions.js';
