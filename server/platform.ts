import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestHandler } from 'express';
import type { Config } from './config.js';
import type { Database } from './db/connect.js';
import { createApp, type Mount } from './http/app.js';
import { createAccessLog, type Logger } from './log.js';
import { createHealthRouter, createHttpMetrics, createMetrics, createMetricsRouter, instrumentEngine, markMount } from './metrics/index.js';
import { actorOf, createAuditMiddleware, createAuditRouter, createAuditService } from './audit/index.js';
import { createCalendarRouter, createCalendarService } from './calendar/index.js';
import { createAuthenticate, createAuthRouter, createCsrfCheck, createIdentityService, createUnitsRouter, createUsersRouter, seedDemo } from './identity/index.js';
import { createEngine, createInstanceMigrator, createTimerScheduler } from './engine/index.js';
import { createEngineRestRouter, engineErrorToHttp } from './engine-rest/index.js';
import { createCatalogMetaRouter, createCatalogRouter, createCatalogService } from './catalog/index.js';
import {
  createActivationScheduler, createDecisionFiles, createLifecycleService, createProcedureProcessRouter, createProcessesRouter, createProcessVersionRouter,
  createReviewInboxRouter, deployerFromEngine, loadSeedCatalogue, type LifecycleService,
} from './lifecycle/index.js';
import { createApologyFormRouter, createApologySignRouter, createDeadlinesRouter, createDeadlinesService, watchProcessXml, withWatch } from './deadlines/index.js';
import { advanceDemoWork, createAgencyCodeRouter, createDossierFilesRouter, createDossierRouter, createDossierService, createResolutionPoller, seedDemoDossiers } from './dossiers/index.js';
import { createFileStore } from './files/index.js';
import { createPublicRouter } from './public/index.js';
import { createEmailAdapter, createNotificationService, createNotificationsRouter, createSmsAdapter, type NotificationAdapter } from './notifications/index.js';
import { createDossierSyncLogRouter, createPortalSyncRouter, createPortalSyncService } from './portal-sync/index.js';
import { createMockPortal } from './mock-portal/index.js';
import { createRegistersRouter } from './registers/index.js';
import { createSosRouter, createSosService } from './sos/index.js';
import { consultationWatchXml, createConsultationService, seedDemoConsultations, createConsultationsRouter, resolveConsultationTarget, withConsultationRules, type ConsultationService } from './consultations/index.js';
import { createValidationPool, createValidator, worthOffloading } from './validation/index.js';
import { parseDefinitions } from './engine/index.js';
import { createStepCatalog, createTaskEvents, createTasksRouter, createTasksService, createTimeline, createTimelineRouter } from './tasks/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface PlatformDeps {
  config: Config;
  db: Database;
  log: Logger;
  /** Clock for dossier reception and clocks (tests move it); defaults to the system clock. */
  now?: () => Date;
}

/** Something that runs in the background (schedulers, workers) and must stop cleanly. */
export interface BackgroundService {
  name: string;
  start(baseUrl: string): Promise<void>;
  stop(): Promise<void>;
}

export interface Platform {
  app: ReturnType<typeof createApp>;
  background: BackgroundService[];
  /** Demo logins to print at start-up (demo mode only). */
  demoLogins: Array<{ username: string; password: string; role: string }>;
}

/**
 * The composition root: each capability is built here from its dependencies and mounted.
 * Nothing below this file imports another capability's singleton.
 */
export async function createPlatform(deps: PlatformDeps): Promise<Platform> {
  const { db, log } = deps;
  const mounts: Mount[] = [];
  const background: BackgroundService[] = [];
  const middleware: RequestHandler[] = [];

  // Identity: who is calling (authenticate), CSRF for cookie writes, login endpoints.
  // Principals are cached a few seconds; logout, password, role and disable changes reach every node through NOTIFY.
  const identity = createIdentityService({ knex: db.knex, listen: db.listen });
  background.push({ name: 'identity-sync', start: async () => undefined, stop: () => identity.close() });
  // Expired sessions and stale login_throttle rows are purged every 10 minutes (and at start-up).
  let housekeeping: NodeJS.Timeout | undefined;
  const purge = () => identity.purgeExpired().catch((err) => log.error({ err }, 'identity housekeeping failed'));
  background.push({
    name: 'identity-housekeeping',
    start: async () => { void purge(); housekeeping = setInterval(purge, 10 * 60_000); housekeeping.unref(); },
    stop: async () => { if (housekeeping) clearInterval(housekeeping); },
  });
  const authenticate = createAuthenticate(identity);
  // Audit first, so writes refused by the CSRF check or a guard are recorded too.
  const audit = createAuditService({
    knex: db.knex, onWriteError: (err, queued) => log.error({ err, queued }, 'audit group commit failed; rows kept, retrying'),
  });
  // Large BPMN models are validated and compiled on worker threads, not on this event loop.
  const validationPool = createValidationPool({
    size: deps.config.validation.threads,
    // The consultation rules read the steps from the pool thread's parse of a large model.
    facts: { consultation: { module: new URL('./consultations/rules.ts', import.meta.url).href, name: 'consultationSteps' } },
  });
  background.push({ name: 'validation-pool', start: async () => undefined, stop: () => validationPool.stop() });
  // Operations: Prometheus series at /metrics (METRICS_TOKEN), liveness and readiness under /api/health.
  const metrics = createMetrics({ knex: db.knex, audit: () => audit.health() });
  mounts.push({ path: '/api/health', router: createHealthRouter({ knex: db.knex, kind: db.kind, audit: () => audit.health(), validation: () => validationPool.stats() }) });
  mounts.push({ path: '/metrics', router: createMetricsRouter({ metrics, access: { token: deps.config.metricsToken, demoMode: deps.config.demoMode } }) });
  const auditTrail = createAuditMiddleware(audit, db.knex, log);
  middleware.push(auditTrail, createCsrfCheck());
  // Shutdown flushes for at most 5 s: a database that refuses writes must not keep the process alive.
  background.push({ name: 'audit-trail', start: async () => undefined, stop: async () => {
    const left = await audit.stop(5_000);
    if (left) log.error({ left }, 'audit rows not written at shutdown');
  } });
  mounts.push({ path: '/api/audit', router: createAuditRouter({ audit, knex: db.knex }) });
  mounts.push({ path: '/api/auth', router: createAuthRouter({ identity }) });
  mounts.push({ path: '/api/units', router: createUnitsRouter({ identity }) });
  mounts.push({ path: '/api/users', router: createUsersRouter({ identity }) });
  const demoLogins: Platform['demoLogins'] = [];
  if (deps.config.demoMode) demoLogins.push(...(await seedDemo(db.knex)));
  else if (deps.config.adminUsername && deps.config.adminPassword) {
    await identity.ensureAdmin(deps.config.adminUsername, deps.config.adminPassword);
  }

  // Calendar: loaded once here, then kept in step with every node through NOTIFY.
  const calendarService = createCalendarService({ db, log });
  await calendarService.reload();
  background.push({ name: 'calendar-sync', start: () => calendarService.start(), stop: () => calendarService.stop() });
  mounts.push({ path: '/api/calendar', router: createCalendarRouter({ service: calendarService }) });

  // Engine: durable bpmn-engine host; its timer scheduler also listens for external-task NOTIFY.
  // Step budgets (tthc:budget) and "before due" timers (tthc:beforeDue) count in the calendar's working time.
  const interpreter = deps.config.engineInterpreter;
  // Every command timed into tthc_engine_command_duration_seconds.
  const engine = instrumentEngine(createEngine({
    db, log, nodeId: deps.config.nodeId, workingTime: calendarService.calendar, interpreter,
    compile: (xml) => (worthOffloading(xml) ? validationPool.compile(xml, interpreter) : parseDefinitions(xml, interpreter)),
  }), metrics);
  background.push(createTimerScheduler(engine, log));
  // lean: machines call it at a high rate; its routes skip the walk of the whole app (server/http/lean.ts).
  mounts.push({ path: '/engine-rest', lean: true, router: createEngineRestRouter({
    engine,
    units: identity,
    onPersonalDataRead: (req, target) => audit.enqueue({
      ...actorOf(req.principal), action: 'access:read-variables', target, outcome: 'ok', requestId: req.requestId, ip: req.ip ?? null,
    }),
  }) });

  // Notifications: the bell for staff; email (SMTP_URL) and SMS (SMS_GATEWAY_URL) for citizens. Sent by the workers.
  const n = deps.config.notifications;
  const adapters: NotificationAdapter[] = [];
  if (n.smtpUrl) adapters.push(createEmailAdapter({ smtpUrl: n.smtpUrl, from: n.smtpFrom }));
  if (n.smsUrl) adapters.push(createSmsAdapter({ url: n.smsUrl, key: n.smsKey ?? '' }));
  const notifications = createNotificationService({ knex: db.knex, staff: identity, adapters, log });
  background.push({ name: 'notifications', start: async () => undefined, stop: () => notifications.close() });
  mounts.push({ path: '/api/notifications', router: createNotificationsRouter({ notifications }) });

  // Uploaded files live under DATA_DIR/files, outside the web root.
  const files = createFileStore({ knex: db.knex, dir: path.join(deps.config.dataDir, 'files') });

  // Catalogue and governed process lifecycle: only approved versions are deployed; the seed
  // catalogue (processes/) loads on the first start of an empty database, in every mode.
  let lifecycle!: LifecycleService;
  const catalog = createCatalogService({
    knex: db.knex, access: identity, onWithdrawn: (trx, id, actor) => lifecycle.retireAllForProcedure(trx, id, actor),
  });
  const deployer = deployerFromEngine(engine, createInstanceMigrator({ db, log }));
  // The consultation rules (server/consultations/rules.ts) need the organisation: added around the base validator.
  const validator = withConsultationRules(createValidator({ checkDeployable: deployer.checkDeployable?.bind(deployer), offload: { pool: validationPool, interpreter } }), (text) => resolveConsultationTarget(db.knex, text));
  lifecycle = createLifecycleService({
    knex: db.knex, catalog, access: identity, deployer, validator,
    // The author hears of approval, rejection and activation in the bell.
    notifyAuthor: (notice) => notifications.notifyStaff(notice).catch((err: Error) => log.warn({ err: err.message, key: notice.key }, 'author notification failed')),
  });
  identity.setRoleHoldersChanged(async (trx, change) => { await lifecycle.markNeedsReviewForRoles(trx, change); });
  await loadSeedCatalogue({ knex: db.knex, activate: lifecycle.activateVersion });
  background.push(createActivationScheduler({ lifecycle, log }));
  mounts.push(
    { path: '/api/procedures', router: createCatalogRouter({ catalog }) },
    { path: '/api/procedures', router: createProcedureProcessRouter({ lifecycle }) },
    { path: '/api/catalog', router: createCatalogMetaRouter({ catalog }) },
    { path: '/api/process-versions', router: createProcessVersionRouter({
      lifecycle, decisions: createDecisionFiles({ knex: db.knex, files, lifecycle }), validateRate: { limit: deps.config.validation.perMinute, windowMs: 60_000 },
    }) },
    { path: '/api/review-inbox', router: createReviewInboxRouter({ lifecycle }) },
    { path: '/api/processes', router: createProcessesRouter({ lifecycle }) },
  );


  // Deadlines: the watch process every accepted dossier runs (reminder, apology, overdue escalation).
  await engine.deploy({ name: 'tthc-watch', source: 'platform', resources: [{ name: 'tthc-watch.bpmn', content: watchProcessXml({ remindBefore: deps.config.remindBeforeDue }) }], duplicateFiltering: true });

  // Hand-overs and form 06 first: `/api/dossiers/:id/forms/06.*` is answered here, other forms fall through.
  let consultations: ConsultationService | undefined;
  const timeline = createTimeline({ knex: db.knex, calendar: calendarService.calendar, units: identity,
    extra: [async (instanceId) => (consultations ? consultations.timelineEntries(instanceId) : [])] });
  mounts.push({ path: '/api/dossiers', router: createTimelineRouter({
    timeline, knex: db.knex,
    onRead: (req, instanceId) => audit.enqueue({
      ...actorOf(req.principal), action: 'access:read-timeline', target: { type: 'process-instance', id: instanceId }, outcome: 'ok', requestId: req.requestId, ip: req.ip ?? null,
    }),
  }) });
  // Dossiers at the one-stop office: reception, statuses, the stored clock, forms; resolved when the process ends "result ready".
  const dossiers = createDossierService({
    // withWatch: every dossier's process start also starts its watch process (server/deadlines/).
    knex: db.knex, calendar: () => calendarService.calendar, catalog, lifecycle, engine: withWatch(engine, log), access: identity, now: deps.now,
  });
  background.push(createResolutionPoller({ dossiers, engine, log }));
  const seededDossiers = deps.config.demoDossiers ? await seedDemoDossiers({ knex: db.knex, dossiers, log }) : 0;
  // SOS: raise, board, resolve; `sos.raiseAutomatic` is what the overdue worker calls.
  const sos = createSosService({
    knex: db.knex, calendar: calendarService.calendar, units: identity,
    audit: (p, action, target) => audit.enqueue({ ...actorOf(p ?? undefined), action, target, outcome: 'ok' }),
  });
  const deadlines = createDeadlinesService({ knex: db.knex, calendar: calendarService.calendar, notifications, dossiers, sos });
  const recordAccess = (k: typeof db.knex, req: Parameters<typeof audit.recordAccess>[1], target: { type: string; id: string }) => audit.recordAccess(k, req, target);
  const formContext = (unitId: string, createdBy: string | null) => dossiers.formContext(unitId, createdBy);
  // Form 04 from the recorded apology first; other form numbers fall through to the dossier router.
  mounts.push({ path: '/api/dossiers', router: createApologyFormRouter({ deadlines, dossiers, knex: db.knex, recordAccess, formContext }) });
  mounts.push(
    { path: '/api/dossiers', router: createDossierRouter({
      dossiers, knex: db.knex, recordAccess, formContext,
    }) },
    { path: '/api/dossiers', router: createDossierFilesRouter({ dossiers, files, knex: db.knex, recordAccess }) },
    { path: '/api/units', router: createAgencyCodeRouter({ dossiers }) },
    // Citizens, without login: online filing with component files, lookup, rating.
    { path: '/api/public', router: createPublicRouter({ dossiers, catalog, files }) },
  );

  // Consultations (lấy ý kiến): opened by the worker, answered by the consulted unit (or recorded by hand for an
  // outside agency, emailed the request); reminders each working day run in the consultation watch process.
  await engine.deploy({ name: 'tthc-consultation-watch', source: 'platform', resources: [{ name: 'tthc-consultation-watch.bpmn', content: consultationWatchXml() }], duplicateFiltering: true });
  consultations = createConsultationService({ knex: db.knex, calendar: calendarService.calendar, notifications, engine, units: identity, dossiers, files, log, now: deps.now });
  const consult = consultations;
  if (deps.config.demoDossiers) await seedDemoConsultations({ knex: db.knex, consultations: consult, calendar: calendarService.calendar, log });
  let relay: NodeJS.Timeout | undefined;
  background.push({
    name: 'consultation-relay',
    start: async () => {
      relay = setInterval(() => void consult.relay().catch((err: Error) => log.warn({ err: err.message }, 'consultation relay failed')), 3_000);
      relay.unref();
    },
    stop: async () => { if (relay) clearInterval(relay); },
  });
  mounts.push({ path: '/api/consultations', router: createConsultationsRouter({
    consultations: consult,
    onRead: (req, id) => audit.enqueue({
      ...actorOf(req.principal), action: 'access:read-consultation', target: { type: 'consultation', id }, outcome: 'ok', requestId: req.requestId, ip: req.ip ?? null,
    }),
  }) });
  // Staff tasklist over the engine's tasks; live updates through NOTIFY task_changed on every node.
  const taskEvents = createTaskEvents({ db });
  background.push({ name: 'task-events', start: () => taskEvents.start(), stop: () => taskEvents.stop() });
  const steps = createStepCatalog(async (definitionId) => (await engine.getDefinitionXml(definitionId)).bpmn20Xml);
  const tasks = createTasksService({ knex: db.knex, engine, calendar: calendarService.calendar, steps, units: identity, nearDue: deps.config.nearDue });
  mounts.push({ path: '/api/tasks', router: createTasksRouter({ tasks, events: taskEvents, units: identity }) });
  // Demo: older dossiers past reception (the division head and specialists have work), the newest waiting at it.
  if (seededDossiers > 0) await advanceDemoWork({ knex: db.knex, tasks, log });
  mounts.push({ path: '/api/sos', router: createSosRouter({ sos }) });
  mounts.push({ path: '/api/apologies', router: createDeadlinesRouter({ deadlines }) });
  mounts.push({ path: '/api/apologies', router: createApologySignRouter({ deadlines, dossiers, tasks }) });
  // National-portal sync: the outbox (filled by a trigger on every status change), pushed by the workers; in demo mode
  // without NATIONAL_PORTAL_URL the local mock portal answers under /mock-portal (npm start points the workers at it).
  const portal = deps.config.portal;
  const sync = createPortalSyncService({
    knex: db.knex, calendar: calendarService.calendar, notifications, now: deps.now, retry: { baseMs: portal.retryBaseMs, maxMs: portal.retryMaxMs },
    retentionDays: portal.retentionDays,
  });
  mounts.push({ path: '/api/portal-sync', router: createPortalSyncRouter({ sync, units: identity }) });
  mounts.push({ path: '/api/dossiers', router: createDossierSyncLogRouter({ sync, dossiers }) });
  if (portal.mock) mounts.push({ path: '/mock-portal', router: createMockPortal().router });
  let portalCheck: NodeJS.Timeout | undefined;
  const warn = () => void sync.warnUnacknowledged().catch((err: Error) => log.warn({ err: err.message }, 'portal sync warning check failed'));
  background.push({
    name: 'portal-sync-warnings',
    start: async () => { portalCheck = setInterval(warn, portal.checkMs); portalCheck.unref(); },
    stop: async () => { if (portalCheck) clearInterval(portalCheck); },
  });
  // Retention: acknowledged records older than PORTAL_RETENTION_DAYS go, one purge at a time.
  let portalPurge: NodeJS.Timeout | undefined;
  let purging: Promise<unknown> | undefined;
  const purgePortal = () => {
    purging ??= sync.purgeAcknowledged().then((n) => { if (n) log.info({ purged: n }, 'portal sync: acknowledged records past retention purged'); })
      .catch((err: Error) => log.warn({ err: err.message }, 'portal sync purge failed')).finally(() => { purging = undefined; });
  };
  background.push({
    name: 'portal-sync-retention',
    start: async () => { portalPurge = setInterval(purgePortal, portal.purgeMs); portalPurge.unref(); },
    stop: async () => { if (portalPurge) clearInterval(portalPurge); await purging; },
  });
  mounts.push({ path: '/api/registers', router: createRegistersRouter({
    knex: db.knex, units: identity,
    onRead: (req, unitId) => audit.enqueue({
      ...actorOf(req.principal), action: 'access:read-register', target: { type: 'unit', id: unitId }, outcome: 'ok', requestId: req.requestId, ip: req.ip ?? null,
    }),
  }) });

  const app = createApp({
    log,
    // One access-log line per request (request id, personal data redacted) and its duration by route template.
    early: [createAccessLog(log), createHttpMetrics(metrics)],
    authenticate,
    middleware,
    mounts: mounts.map((m) => ({ ...m, router: markMount(m.router) })),
    staticDir: path.join(ROOT, 'designer', 'dist'),
    version: (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    // The engine's refusals: Camunda's {type, message} at /engine-rest, keyed {type, message, key} at /api.
    mapError: (err, req) => engineErrorToHttp(err, req.originalUrl.startsWith('/engine-rest') ? 'camunda' : 'api'),
  });
  return { app, background, demoLogins };
}
