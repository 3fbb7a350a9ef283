/** Operations: Prometheus metrics, health probes (access logs: server/log.ts). */
export { createMetrics, type Metrics, type MetricsSources } from './metrics.js';
export { createHttpMetrics, markMount, routeTemplate } from './http.js';
export { instrumentEngine } from './engine.js';
export { createHealthRouter, type HealthDeps } from './health.js';
export { createMetricsRouter, metricsGuard, type MetricsAccess } from './router.js';
