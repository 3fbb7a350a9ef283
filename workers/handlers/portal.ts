import type { WorkerConfig } from '../config.js';
import type { Http } from '../http.js';
import type { Logger, TopicHandler } from '../runner.js';

/**
 * National-portal sync (DVCQG), the workers' side. The platform keeps the outbox (one record per
 * dossier status change) and hands out, per dossier, only its oldest unacknowledged record; a worker
 * pushes it to `NATIONAL_PORTAL_URL/records` and reports what the portal said. Retries, backoff and
 * order live in the platform, so any number of worker processes can run this.
 */
interface Claimed { id: string; dossierId: string; attempt: number; record: { recordId: string; dossierCode: string } & Record<string, unknown> }
interface Outcome { outcome: 'acked' | 'rejected' | 'failed'; httpStatus?: number; error?: string; receipt?: string; durationMs: number }

/** One record to the portal: 2xx acknowledged, 400/422 rejected (malformed: not retried), anything else failed (retried). */
async function pushRecord(portalUrl: string, record: unknown, timeoutMs: number): Promise<Outcome> {
  const started = Date.now();
  try {
    const res = await fetch(`${portalUrl}/records`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(record), signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    type Answer = { receiptId?: string; error?: string; issues?: Array<{ path: string; message: string }> };
    let body: Answer = {};
    try { body = text ? JSON.parse(text) as Answer : {}; } catch { /* not JSON: keep the status */ }
    const durationMs = Date.now() - started;
    if (res.ok && body.receiptId) return { outcome: 'acked', httpStatus: res.status, receipt: String(body.receiptId).slice(0, 200), durationMs };
    const why = [body.error, ...(body.issues ?? []).map((i) => `${i.path}: ${i.message}`)].filter(Boolean).join('; ') || `HTTP ${res.status}`;
    if (res.status === 400 || res.status === 422) return { outcome: 'rejected', httpStatus: res.status, error: why, durationMs };
    return { outcome: 'failed', httpStatus: res.status, error: why, durationMs };
  } catch (err) {
    return { outcome: 'failed', error: (err as Error).message.slice(0, 500), durationMs: Date.now() - started };
  }
}

async function pushAll(records: Claimed[], config: WorkerConfig, api: Http, log: Logger): Promise<Outcome[]> {
  const out = new Array<Outcome>(records.length);
  let next = 0;
  const lane = async () => {
    while (next < records.length) {
      const i = next++;
      const c = records[i]!;
      const r = await pushRecord(config.portal.url!, c.record, config.portal.timeoutMs);
      out[i] = r;
      await api.post(`/portal-sync/records/${c.id}/result`, { workerId: config.workerId, ...r })
        .catch((err: Error) => log.warn({ err: err.message, record: c.record.recordId }, 'could not report the portal\'s answer; the lease will expire and the record go again'));
      if (r.outcome !== 'acked') log.warn({ record: c.record.recordId, outcome: r.outcome, httpStatus: r.httpStatus, attempt: c.attempt }, 'portal did not acknowledge');
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.portal.concurrency, records.length) }, lane));
  return out;
}

/**
 * The sync pump: claim a batch, push it, report, claim again at once while there is work; when
 * nothing is due, wait `PORTAL_POLL_MS` (far inside the 10 minutes NĐ 63/2024 allows).
 */
export function startPortalPump(config: WorkerConfig, api: Http, log: Logger): { stop(): Promise<void> } {
  let stopped = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) => new Promise<void>((ok) => { const t = setTimeout(ok, ms); wake = () => { clearTimeout(t); ok(); }; });
  const loop = (async () => {
    log.info({ portal: config.portal.url }, 'national-portal sync pump running');
    while (!stopped) {
      try {
        const { body } = await api.post<Claimed[]>('/portal-sync/claim', { workerId: config.workerId, limit: config.portal.batch, leaseMs: config.portal.leaseMs });
        if (!body.length) { await sleep(config.portal.pollMs); continue; }
        const results = await pushAll(body, config, api, log);
        // The portal is down for everything: do not hammer it; the platform's backoff decides when each record goes again.
        if (results.every((r) => r.outcome === 'failed')) await sleep(config.portal.pollMs);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'portal sync claim failed; trying again');
        await sleep(config.portal.pollMs);
      }
    }
  })();
  return {
    async stop() { stopped = true; wake?.(); await loop; },
  };
}

/**
 * `tthc.sync-national-portal`: a drawing's explicit "sync now" step. Pushes the dossier's pending
 * records in order before the process moves on; a portal that does not acknowledge fails the task,
 * which the engine retries with the growing retryTimeout (records the pump sent meanwhile are not
 * sent twice: the platform hands each out once and the portal deduplicates on `recordId`).
 */
export const syncNationalPortal: TopicHandler = async (ctx) => {
  if (!ctx.config.portal.url) throw new Error('NATIONAL_PORTAL_URL is not set: cannot sync with the national portal');
  let pushed = 0;
  for (let round = 0; round < 20; round++) {
    const { body } = await ctx.api.post<Claimed[]>('/portal-sync/claim', { workerId: ctx.config.workerId, limit: 1, leaseMs: ctx.config.portal.leaseMs, dossierCode: ctx.dossier });
    if (!body.length) break;
    const [r] = await pushAll(body, ctx.config, ctx.api, ctx.log);
    if (r!.outcome === 'failed') throw new Error(`national portal did not acknowledge ${body[0]!.record.recordId}: ${r!.error ?? r!.httpStatus}`);
    pushed++;
  }
  return { portalSynced: pushed };
};
