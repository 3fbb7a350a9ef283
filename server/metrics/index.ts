/** Operations: Prometheus metrics, health probes (access logs: server/log.ts). */
export { createMetrics } from './metrics.js';
export { createHttpMetrics, markMount } from './http.js';
export { instrumentEngine } from './engine.js';
export { createHealthRouter } from './health.js';
export { createMetricsRouter } from './router.js';
