/** Citizen-facing API without login: online filing, lookup, rating (`/api/public`). */
export { createPublicRouter } from './router.js';
