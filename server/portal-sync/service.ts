import type { Knex } from 'knex';
import type { WorkingTimeCalculator } from '../calendar/index.js';
import { formatLocal } from '../calendar/index.js';
import type { NotificationService } from '../notifications/index.js';
import { toPortalRecord, type PortalRecord, type Snapshot } from './contract.js';
import { portalSyncError } from './messages.js';

export interface PortalSyncDeps {
  knex: Knex;
  calendar: WorkingTimeCalculator;
  notifications: Pick<NotificationService, 'notifyStaff'>;
  /** Clock (tests move it): leases, backoff, the 2-working-hour warning and the on-time share read it. */
  now?: () => Date;
  /** Backoff after a failed delivery: base × 2^(attempts−1), at most max. */
  retry?: { baseMs: number; maxMs: number };
  /** The unit whose system administrators are warned (the province). */
  adminUnitId?: string;
  /** A record not acknowledged after this much working time warns the administrators (NĐ 63/2024: 2 working hours). */
  warnAfterWorkingHours?: number;
  /** A dossier is synced on time when each of its changes is acknowledged within this (NĐ 63/2024: 10 minutes). */
  onTimeMs?: number;
  /** Acknowledged records older than this many days are purged (`purgeAcknowledged`). */
  retentionDays?: number;
}

export interface ClaimedRecord { id: string; dossierId: string; attempt: number; record: PortalRecord }
type Outcome = 'acked' | 'rejected' | 'failed';
export interface Report { workerId: string; outcome: Outcome; httpStatus?: number; error?: string; receipt?: string; durationMs?: number }

export interface LogRow {
  id: string; seq: number; status: number; state: 'pending' | 'acked' | 'rejected'; changedAt: string; attempts: number;
  nextAttemptAt: string | null; firstSentAt: string | null; ackedAt: string | null; receipt: string | null; lastError: string | null; lastHttp: number | null;
  warnedAt: string | null; dossierCode: string; onTime: boolean | null;
  /** A pending record waiting behind an earlier rejected record of the same dossier (the earliest): resend that one first. */
  heldBehind: { id: string; seq: number; error: string | null; httpStatus: number | null } | null;
  /** A rejected record: how many later records of its dossier wait behind it. */
  holding: number;
  tries?: Array<{ at: string; outcome: Outcome; httpStatus: number | null; error: string | null; workerId: string | null; durationMs: number | null }>;
}

/** Rows as PostgreSQL returns them (migrations/0830_portal_sync.ts): bigint ids as text, jsonb parsed, timestamptz as Date. */
interface OutboxRow {
  id: string; dossier_id: string; dossier_code: string; unit_id: string; seq: number; event_id: string; status: number; snapshot: Snapshot | string;
  changed_at: Date; state: 'pending' | 'acked' | 'rejected'; attempts: number; next_attempt_at: Date; lease_owner: string | null; lease_until: Date | null;
  first_sent_at: Date | null; acked_at: Date | null; receipt: string | null; last_error: string | null; last_http: number | null; warned_at: Date | null;
}
interface AttemptRow {
  id: string; outbox_id: string; dossier_id: string; at: Date; outcome: Outcome; http_status: number | null; error: string | null;
  worker_id: string | null; duration_ms: number | null;
}

const iso = (v: Date | null | undefined) => (v ? formatLocal(new Date(v)) : null);
type Units = string[] | 'all';
const inUnits = (q: Knex.QueryBuilder, units: Units, col = 'unit_id') => (units === 'all' ? q : q.whereIn(col, units));

/**
 * National-portal sync (DVCQG): the outbox filled by the `dossier_event` trigger (migration 0830),
 * handed out to the workers over HTTP (`claim` → push → `report`), one dossier's records strictly in
 * order (only its oldest unacknowledged record is ever out; a rejected one holds the later ones back
 * until it is sent again), each record to one worker at a time (a lease),
 * failures retried with exponential backoff, malformed records set aside for a person, and the
 * administrators warned of anything unacknowledged after 2 working hours.
 */
export function createPortalSyncService(deps: PortalSyncDeps) {
  const { knex } = deps;
  const now = deps.now ?? (() => new Date());
  const retry = deps.retry ?? { baseMs: 30_000, maxMs: 30 * 60_000 };
  const adminUnit = deps.adminUnitId ?? 'tinh';
  const warnAfter = deps.warnAfterWorkingHours ?? 2;
  const onTimeMs = deps.onTimeMs ?? 10 * 60_000;
  const retentionDays = deps.retentionDays ?? 90;

  function toLog(r: OutboxRow): LogRow {
    const acked = r.acked_at ? new Date(r.acked_at).getTime() : null;
    const changed = new Date(r.changed_at).getTime();
    return {
      id: String(r.id), seq: Number(r.seq), status: Number(r.status), state: r.state, changedAt: iso(r.changed_at)!,
      attempts: Number(r.attempts), nextAttemptAt: r.state === 'pending' ? iso(r.next_attempt_at) : null, firstSentAt: iso(r.first_sent_at),
      ackedAt: iso(r.acked_at), receipt: r.receipt ?? null, lastError: r.last_error ?? null,
      lastHttp: r.last_http == null ? null : Number(r.last_http), warnedAt: iso(r.warned_at), dossierCode: r.dossier_code,
      onTime: acked !== null ? acked - changed <= onTimeMs : now().getTime() - changed > onTimeMs ? false : null,
      heldBehind: null, holding: 0,
    };
  }

  /**
   * Which pending records wait behind a rejected one (the dossier's earliest rejected record before
   * them) and how many wait behind each rejected record: one query for the dossiers on the page.
   */
  async function withHolds<T extends LogRow & { dossierId: string }>(rows: T[]): Promise<T[]> {
    const dossiers = [...new Set(rows.filter((r) => r.state !== 'acked').map((r) => r.dossierId))];
    if (!dossiers.length) return rows;
    const open = await knex<OutboxRow>('portal_outbox').whereIn('dossier_id', dossiers).whereIn('state', ['pending', 'rejected'])
      .orderBy('seq').select('id', 'dossier_id', 'seq', 'state', 'last_error', 'last_http');
    const byDossier = new Map<string, typeof open>();
    for (const o of open) byDossier.set(o.dossier_id, [...(byDossier.get(o.dossier_id) ?? []), o]);
    return rows.map((r) => {
      const mine = byDossier.get(r.dossierId) ?? [];
      if (r.state === 'rejected') return { ...r, holding: mine.filter((o) => o.state === 'pending' && Number(o.seq) > r.seq).length };
      const first = r.state === 'pending' ? mine.find((o) => o.state === 'rejected' && Number(o.seq) < r.seq) : undefined;
      return first ? { ...r, heldBehind: { id: String(first.id), seq: Number(first.seq), error: first.last_error ?? null, httpStatus: first.last_http == null ? null : Number(first.last_http) } } : r;
    });
  }
  const strip = <T extends { dossierId: string }>({ dossierId: _, ...r }: T) => r;

  const service = {
    /**
     * Leases up to `limit` records to a worker: for each dossier only its oldest unacknowledged record
     * (a rejected record holds the dossier's later ones back: the portal must get them in order, so
     * they wait until an administrator sends it again), and only when it is due (not backing off) and
     * not leased to someone else. Concurrent workers skip
     * each other's rows (`for update skip locked`, and the lease is re-checked on update).
     */
    async claim(input: { workerId: string; limit: number; leaseMs: number; dossierCode?: string }): Promise<ClaimedRecord[]> {
      const t = now();
      const until = new Date(t.getTime() + input.leaseMs);
      const rows = await knex.transaction(async (trx) => {
        const free = (q: Knex.QueryBuilder, alias: string) => q.where(function () { void this.whereNull(`${alias}.lease_until`).orWhere(`${alias}.lease_until`, '<', t); });
        const heads = trx('portal_outbox as p').select('p.id')
          .where('p.state', 'pending').andWhere('p.next_attempt_at', '<=', t)
          .whereNotExists(trx('portal_outbox as q').select(trx.raw('1')).whereRaw('q.dossier_id = p.dossier_id').whereIn('q.state', ['pending', 'rejected']).andWhereRaw('q.seq < p.seq'))
          .orderBy('p.id').limit(input.limit).forUpdate().skipLocked();
        free(heads, 'p');
        if (input.dossierCode) void heads.andWhere('p.dossier_code', input.dossierCode);
        const q = trx('portal_outbox as o').whereIn('o.id', heads);
        free(q, 'o');
        return q.update({ lease_owner: input.workerId, lease_until: until, attempts: trx.raw('attempts + 1'), first_sent_at: trx.raw('coalesce(first_sent_at, ?)', [t]) })
          .returning<Array<Pick<OutboxRow, 'id' | 'dossier_id' | 'seq' | 'attempts'> & { snapshot: Snapshot }>>(['id', 'dossier_id', 'seq', 'snapshot', 'attempts']);
      });
      return rows
        .sort((a, b) => Number(a.id) - Number(b.id))
        .map((r) => ({ id: String(r.id), dossierId: r.dossier_id, attempt: Number(r.attempts), record: toPortalRecord(r.snapshot, Number(r.seq)) }));
    },

    /**
     * What the portal answered. `acked` settles the record (even from a worker whose lease ran out: the
     * portal has it); `rejected` sets it aside and warns the administrators; `failed` backs off, unless
     * another worker holds the record by now. Every report is one row of the dossier's sync log.
     */
    async report(id: string, r: Report): Promise<{ state: string; nextAttemptAt: string | null }> {
      const t = now();
      const out = await knex.transaction(async (trx) => {
        const row = await trx<OutboxRow>('portal_outbox').where({ id }).forUpdate().first();
        if (!row) throw portalSyncError(404, 'NotFound', 'portalSync.noRecord', { id });
        await trx<AttemptRow>('portal_sync_attempt').insert({
          outbox_id: id, dossier_id: row.dossier_id, at: t, outcome: r.outcome, http_status: r.httpStatus ?? null,
          error: r.error?.slice(0, 1000) ?? null, worker_id: r.workerId, duration_ms: r.durationMs ?? null,
        });
        if (row.state !== 'pending') return { row, state: row.state, next: null };
        const mine = row.lease_owner === r.workerId;
        if (r.outcome === 'acked') {
          await trx('portal_outbox').where({ id }).update({ state: 'acked', acked_at: t, receipt: r.receipt ?? null, last_http: r.httpStatus ?? null, lease_owner: null, lease_until: null, last_error: null });
          return { row, state: 'acked', next: null };
        }
        if (!mine) return { row, state: 'pending', next: row.next_attempt_at };
        if (r.outcome === 'rejected') {
          await trx('portal_outbox').where({ id }).update({ state: 'rejected', last_error: r.error?.slice(0, 1000) ?? null, last_http: r.httpStatus ?? null, lease_owner: null, lease_until: null });
          return { row, state: 'rejected', next: null };
        }
        const wait = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.max(0, Number(row.attempts) - 1));
        const next = new Date(t.getTime() + wait);
        await trx('portal_outbox').where({ id }).update({ next_attempt_at: next, last_error: r.error?.slice(0, 1000) ?? null, last_http: r.httpStatus ?? null, lease_owner: null, lease_until: null });
        return { row, state: 'pending', next };
      });
      if (out.state === 'rejected' && r.outcome === 'rejected') {
        await deps.notifications.notifyStaff({
          key: `portal:${id}:rejected`, template: 'portal-rejected', dossierCode: out.row.dossier_code, link: `#/portal-sync`,
          params: { dossierCode: out.row.dossier_code, error: (r.error ?? 'malformed').slice(0, 500) }, roles: [{ role: 'system-admin', unitId: adminUnit }],
        });
      }
      return { state: out.state, nextAttemptAt: out.next ? formatLocal(out.next) : null };
    },

    /** Pending records older than 2 working hours and not yet warned about: one in-platform warning per dossier, to the administrators. */
    async warnUnacknowledged(batch = 200): Promise<number> {
      const t = now();
      const rows = await knex<OutboxRow>('portal_outbox').where({ state: 'pending' }).whereNull('warned_at')
        .andWhere('changed_at', '<=', new Date(t.getTime() - warnAfter * 3_600_000)).orderBy('id').limit(batch)
        .select('id', 'dossier_code', 'unit_id', 'changed_at');
      // One warning per dossier (its oldest late record names it); every late record of it is marked warned.
      const late = new Map<string, Array<{ id: string; changed_at: Date }>>();
      for (const r of rows) {
        if (deps.calendar.add(new Date(r.changed_at), { workingHours: warnAfter }, r.unit_id) > t) continue;
        late.set(r.dossier_code, [...(late.get(r.dossier_code) ?? []), r]);
      }
      for (const [code, recs] of late) {
        await deps.notifications.notifyStaff({
          key: `portal:${recs[0]!.id}:unacknowledged`, template: 'portal-unacknowledged', dossierCode: code, link: '#/portal-sync',
          params: { dossierCode: code, since: formatLocal(new Date(recs[0]!.changed_at)) }, roles: [{ role: 'system-admin', unitId: adminUnit }],
        });
        await knex('portal_outbox').whereIn('id', recs.map((r) => r.id)).update({ warned_at: t });
      }
      return late.size;
    },

    /** One dossier's sync log: every record and every delivery attempt, oldest first. */
    async logOf(dossierId: string): Promise<LogRow[]> {
      const rows = await knex<OutboxRow>('portal_outbox').where({ dossier_id: dossierId }).orderBy('seq');
      const tries = await knex<AttemptRow>('portal_sync_attempt').where({ dossier_id: dossierId }).orderBy('id');
      const held = await withHolds(rows.map((r) => ({ ...toLog(r), dossierId })));
      return rows.map((r, i) => ({
        ...strip(held[i]!),
        tries: tries.filter((a) => String(a.outbox_id) === String(r.id)).map((a) => ({
          at: iso(a.at)!, outcome: a.outcome, httpStatus: a.http_status ?? null, error: a.error ?? null, workerId: a.worker_id ?? null, durationMs: a.duration_ms ?? null,
        })),
      }));
    },

    /** Records for the administration page, newest first: all, or only those still pending / rejected. */
    async list(units: Units, q: { state?: 'pending' | 'acked' | 'rejected' | 'attention'; dossierCode?: string; page: number; pageSize: number }): Promise<{ items: LogRow[]; total: number }> {
      const base = () => {
        const b = inUnits(knex<OutboxRow>('portal_outbox'), units) as Knex.QueryBuilder<OutboxRow, OutboxRow[]>;
        if (q.state === 'attention') void b.whereIn('state', ['pending', 'rejected']);
        else if (q.state) void b.where('state', q.state);
        if (q.dossierCode) void b.where('dossier_code', q.dossierCode);
        return b;
      };
      const counted = await base().count<Array<{ n: string | number }>>({ n: '*' });
      const rows = await base().orderBy('id', 'desc').limit(q.pageSize).offset((q.page - 1) * q.pageSize);
      return { items: (await withHolds(rows.map((r) => ({ ...toLog(r), dossierId: r.dossier_id })))).map(strip), total: Number(counted[0]?.n ?? 0) };
    },

    /**
     * The scorecard's input: of the dossiers with a status change in [from, to) (changes younger than
     * the 10 minutes allowed are not judged yet), the share whose every change was acknowledged within
     * 10 minutes.
     */
    async stats(units: Units, from: Date, to: Date): Promise<{ from: string; to: string; dossiers: number; syncedOnTime: number; share: number | null; records: number; acked: number; pending: number; rejected: number; warned: number }> {
      const judged = new Date(Math.min(to.getTime(), now().getTime() - onTimeMs));
      const rows = await inUnits(knex('portal_outbox'), units).where('changed_at', '>=', from).andWhere('changed_at', '<', judged)
        .select<Array<Pick<OutboxRow, 'dossier_id' | 'state' | 'changed_at' | 'acked_at' | 'warned_at'>>>('dossier_id', 'state', 'changed_at', 'acked_at', 'warned_at');
      const late = new Set<string>();
      const all = new Set<string>();
      const c = { acked: 0, pending: 0, rejected: 0, warned: 0 };
      for (const r of rows) {
        all.add(r.dossier_id);
        c[r.state]++;
        if (r.warned_at) c.warned++;
        const ok = r.state === 'acked' && !!r.acked_at && new Date(r.acked_at).getTime() - new Date(r.changed_at).getTime() <= onTimeMs;
        if (!ok) late.add(r.dossier_id);
      }
      const onTime = all.size - late.size;
      return {
        from: formatLocal(from), to: formatLocal(to), dossiers: all.size, syncedOnTime: onTime,
        share: all.size ? Math.round((onTime / all.size) * 10_000) / 10_000 : null, records: rows.length, ...c,
      };
    },

    /**
     * An administrator sends a rejected record again (after the data was corrected): the record takes
     * the procedure's and the agency's codes and names as they are now, and goes before the dossier's
     * later records, which waited behind it; its backoff starts afresh (the attempts so far stay in the log).
     */
    async requeue(units: Units, id: string): Promise<LogRow> {
      const row = await inUnits(knex('portal_outbox'), units).where({ id }).first<OutboxRow | undefined>();
      if (!row) throw portalSyncError(404, 'NotFound', 'portalSync.noRecord', { id });
      const r = await knex.transaction(async (trx) => {
        const cur = await trx<OutboxRow>('portal_outbox').where({ id, state: 'rejected' }).forUpdate().first('snapshot');
        if (!cur) return undefined;
        const fresh = await trx('dossier as d').leftJoin('procedure as p', 'p.id', 'd.procedure_id').leftJoin('org_unit as u', 'u.id', 'd.unit_id')
          .where('d.id', row.dossier_id)
          .first<Partial<Snapshot> | undefined>('p.code as procedureCode', 'p.name as procedureName', 'u.agency_code as agencyCode', 'u.name as unitName');
        const snapshot = { ...(typeof cur.snapshot === 'string' ? JSON.parse(cur.snapshot) as Snapshot : cur.snapshot), ...(fresh ?? {}) };
        const [u] = await trx('portal_outbox').where({ id }).update({ state: 'pending', attempts: 0, next_attempt_at: now(), warned_at: null, snapshot: JSON.stringify(snapshot) }).returning<OutboxRow[]>('*');
        return u;
      });
      return toLog(r ?? row);
    },

    /**
     * Retention: acknowledged records acknowledged more than `retentionDays` ago, and their delivery
     * attempts, are deleted, `batch` at a time until none is left. Pending and rejected records stay
     * whatever their age; record numbers are never reused (the counter lives on the dossier).
     */
    async purgeAcknowledged(batch = 1000): Promise<number> {
      const before = new Date(now().getTime() - retentionDays * 86_400_000);
      let total = 0;
      for (;;) {
        const ids = knex('portal_outbox').select('id').where('state', 'acked').andWhere('acked_at', '<', before).orderBy('acked_at').limit(batch);
        const n = (await knex('portal_outbox').whereIn('id', ids).del().returning('id')).length;
        total += n;
        if (n < batch) return total;
      }
    },
  };
  return service;
}

export type PortalSyncService = ReturnType<typeof createPortalSyncService>;
