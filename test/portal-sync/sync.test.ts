import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { startMockPortal } from '../../server/mock-portal/index.js';
import { PortalRecordSchema } from '../../server/portal-sync/index.js';
import type { Workers } from '../../workers/runner.js';
import { loginAs } from '../helpers/auth.js';
import { APPLICANT, BIRTH_COMPONENTS, procedureId } from '../dossiers/setup.js';
import { runWorkers, until, WORKER } from '../workers/helpers.js';
import { listen, testClock } from './helpers.js';
import { expectKeyedRefusal } from '../helpers/refusals.js';

const clock = testClock();
let env: Awaited<ReturnType<typeof listen>>;
let mock: Awaited<ReturnType<typeof startMockPortal>>;
let officer: Awaited<ReturnType<typeof loginAs>>;
let admin: Awaited<ReturnType<typeof loginAs>>;
let birth: string;
const running: Workers[] = [];
const HOUR = 3_600_000;

const sync = (id: string) => ({ NATIONAL_PORTAL_URL: mock.url, WORKER_TOPICS: 'tthc.sync-national-portal', WORKER_ID: id, PORTAL_POLL_MS: '100' });

beforeAll(async () => {
  mock = await startMockPortal({ delayMs: 30 });
  // Backoff 1 minute doubling to 30 minutes, on the test's clock; the 2-working-hour check and the retention purge (30 days) every 200 ms.
  env = await listen({ PORTAL_RETRY_BASE_MS: '60000', PORTAL_RETRY_MAX_MS: '1800000', PORTAL_CHECK_MS: '200', PORTAL_RETENTION_DAYS: '30', PORTAL_PURGE_MS: '200' }, clock.now);
  officer = await loginAs(env.platform.app, 'motcua.xa');
  admin = await loginAs(env.platform.app, 'admin');
  birth = await procedureId(env.platform, '1.001193');
  running.push(runWorkers(env.baseUrl, sync('pump-1')));
});
afterAll(async () => {
  for (const w of running) await w.stop();
  await env.close();
  await mock.close();
});

async function receive(): Promise<{ id: string; code: string }> {
  const res = await officer.post('/api/dossiers').send({ procedureId: birth, applicant: APPLICANT, components: BIRTH_COMPONENTS });
  expect(res.status).toBe(201);
  return res.body;
}
const arrived = (code: string) => mock.state.received.filter((r) => r.dossierCode === code);
const logOf = async (id: string) => (await officer.get(`/api/dossiers/${id}/portal-sync`).expect(200)).body as Array<{ seq: number; changedAt: string; warnedAt: string | null; status: number; state: string; attempts: number; lastHttp: number | null; lastError: string | null; receipt: string | null; heldBehind: { seq: number } | null; tries: Array<{ outcome: string; httpStatus: number | null }> }>;

describe('national-portal sync (real workers, the mock portal)', () => {
  test('every status change reaches the portal, in order, as the documented contract; the dossier shows its sync log', async () => {
    const d = await receive();
    await officer.post(`/api/dossiers/${d.id}/supplement-request`).send({ items: ['Giấy chứng sinh'], reason: 'Bản chụp mờ' }).expect(200);
    await officer.post(`/api/dossiers/${d.id}/supplement-received`).send({ components: [] }).expect(200);
    await officer.post(`/api/dossiers/${d.id}/stop`).send({ reason: 'Công dân đề nghị dừng' }).expect(200);
    await until(async () => arrived(d.code).length === 5, 'five records at the portal');
    const got = arrived(d.code);
    expect(got.map((r) => [r.sequence, r.statusCode])).toEqual([[1, 2], [2, 4], [3, 5], [4, 4], [5, 8]]);
    for (const { receiptId: _r, at: _a, ...record } of got) expect(PortalRecordSchema.safeParse(record).error).toBeUndefined();
    expect(got[0]).toMatchObject({ recordId: `${d.code}:1`, procedureCode: '1.001193', channel: 'in-person', agencyName: 'UBND xã Phú Long', result: null });
    expect(got[4]!.result).toMatchObject({ outcome: 'stopped', collectionMethod: null });
    expect(got[4]!.endOfProcessingAt).toMatch(/\+07:00$/);
    // No personal data in what leaves for the portal.
    expect(JSON.stringify(got)).not.toContain(APPLICANT.idNumber);
    expect(JSON.stringify(got)).not.toContain(APPLICANT.fullName);

    // The worker reports the portal's answer just after the portal has the record.
    const log = await until(async () => { const l = await logOf(d.id); return l.every((r) => r.state === 'acked') && l; }, 'every record acknowledged in the log');
    expect(log.map((r) => [r.seq, r.status, r.state])).toEqual([[1, 2, 'acked'], [2, 4, 'acked'], [3, 5, 'acked'], [4, 4, 'acked'], [5, 8, 'acked']]);
    expect(log.every((r) => r.receipt?.startsWith('DVCQG-') && r.tries.length === 1)).toBe(true);
    // Another unit's staff do not see it.
    await (await loginAs(env.platform.app, 'chuyenvien.xa2')).get(`/api/dossiers/${d.id}/portal-sync`).expect(404);

    // Resolved (9) and returned (10): end of processing and the result, on time.
    const r = await receive();
    await request(env.platform.app).post(`/api/dossiers/${r.id}/resolve`).set('Authorization', WORKER).expect(200);
    await officer.post(`/api/dossiers/${r.id}/return`).send({ collectionMethod: 'in-person' }).expect(200);
    await until(async () => arrived(r.code).length === 4, 'four records');
    const [, , resolved, returned] = arrived(r.code);
    expect(resolved).toMatchObject({ statusCode: 9, result: { outcome: 'resolved', onTime: true, collectionMethod: null } });
    expect(resolved!.endOfProcessingAt).toBe(resolved!.result!.at);
    expect(returned).toMatchObject({ statusCode: 10, endOfProcessingAt: resolved!.endOfProcessingAt, result: { outcome: 'returned', onTime: true, collectionMethod: 'in-person' } });
  });

  test('the portal down for an hour: records wait with backoff (no hammering) and arrive in order once it is back', async () => {
    await request(mock.url).put('/control').send({ mode: 'down' }).expect(200);
    const d = await receive();
    await officer.post(`/api/dossiers/${d.id}/supplement-request`).send({ items: ['Giấy chứng sinh'] }).expect(200);
    await until(async () => (await logOf(d.id))[0]?.lastHttp === 503, 'a first failed attempt');
    const tried = mock.state.requests.filter((r) => r.recordId?.startsWith(`${d.code}:`)).length;
    // Within the backoff (1 minute on the test clock) the worker does not call the portal again.
    await new Promise((r) => setTimeout(r, 700));
    expect(mock.state.requests.filter((r) => r.recordId?.startsWith(`${d.code}:`)).length).toBe(tried);
    const log = await logOf(d.id);
    expect(log.map((r) => r.state)).toEqual(['pending', 'pending', 'pending']);
    expect(log[1]!.attempts).toBe(0); // the later records wait behind the first: order is kept

    // Still down through the hour: each due attempt fails and backs off further.
    for (let m = 0; m < 60; m += 15) {
      const before = (await logOf(d.id))[0]!.tries.length;
      clock.advance(15 * 60_000);
      await until(async () => (await logOf(d.id))[0]!.tries.length > before, 'another attempt once the backoff is over');
    }
    expect((await logOf(d.id))[0]!.tries.map((t) => t.outcome)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed']);
    expect(arrived(d.code)).toEqual([]);
    await request(mock.url).put('/control').send({ mode: 'up' }).expect(200);
    clock.advance(HOUR);
    await until(async () => arrived(d.code).length === 3, 'the three records after the portal is back');
    expect(arrived(d.code).map((r) => [r.sequence, r.statusCode])).toEqual([[1, 2], [2, 4], [3, 5]]);
    const after = await logOf(d.id);
    expect(after[0]!.tries.map((t) => t.outcome).slice(-1)).toEqual(['acked']);
    expect(after[0]!.tries.filter((t) => t.outcome === 'failed').length).toBeGreaterThanOrEqual(2);
  });

  test('unacknowledged after 2 working hours: the administrators are warned once, in the platform', async () => {
    // Status changes are stamped with the real time: start from it (the tests before moved the clock
    // hours ahead, which in working hours is already past "2 working hours after now").
    clock.set(new Date());
    await request(mock.url).put('/control').send({ mode: 'down' }).expect(200);
    const d = await receive();
    await until(async () => (await logOf(d.id))[0]?.lastHttp === 503, 'a failed attempt');
    const notices = () => env.platform.db.knex('notification').where({ recipient: 'admin', dossier_code: d.code, template: 'portal-unacknowledged' });
    expect(await notices()).toEqual([]);
    const changedAt = new Date((await logOf(d.id))[0]!.changedAt);
    const due = new Date((await request(env.platform.app).post('/api/calendar/deadline').send({ receivedAt: changedAt.toISOString(), limit: { workingHours: 2 }, unitId: 'xa-phu-long' })).body.dueAt);
    clock.set(new Date(due.getTime() - 5 * 60_000));
    await new Promise((r) => setTimeout(r, 600));
    expect(await notices()).toEqual([]);
    clock.set(new Date(due.getTime() + 60_000));
    const n = await until(async () => { const x = await notices(); return x.length ? x : undefined; }, 'the warning');
    expect(n).toHaveLength(1); // one warning for the dossier, though both its records (2 and 4) are unacknowledged
    expect(n[0].body).toContain('2 giờ làm việc');
    await new Promise((r) => setTimeout(r, 500));
    expect(await notices()).toHaveLength(1);
    expect((await logOf(d.id)).map((r) => Boolean(r.warnedAt))).toEqual([true, true]);
    await request(mock.url).put('/control').send({ mode: 'up' }).expect(200);
    clock.advance(HOUR);
    await until(async () => arrived(d.code).length === 2, 'delivered once back');
  });

  test('a malformed record is rejected, logged, the administrators told; the dossier\'s later records wait behind it; sent again while the portal is down for an hour, everything arrives after it returns, in order', async () => {
    const d = await receive();
    await until(async () => arrived(d.code).length === 2, 'the first two records');
    // A procedure code the national database does not know (e.g. typed by hand): the portal refuses the record.
    await env.platform.db.knex('procedure').where({ id: birth }).update({ code: '1001193-TAM' });
    try {
      await officer.post(`/api/dossiers/${d.id}/supplement-request`).send({ items: ['Giấy chứng sinh'] }).expect(200);
      await until(async () => (await logOf(d.id))[2]?.state === 'rejected', 'the portal to refuse record 3');
    } finally {
      await env.platform.db.knex('procedure').where({ id: birth }).update({ code: '1.001193' });
    }
    await officer.post(`/api/dossiers/${d.id}/supplement-received`).send({ components: [] }).expect(200);
    const log = await logOf(d.id);
    expect(log[2]).toMatchObject({ seq: 3, status: 5, state: 'rejected', lastHttp: 400 });
    expect(log[2]!.lastError).toMatch(/procedureCode/);
    expect(log[2]!.tries).toEqual([expect.objectContaining({ outcome: 'rejected', httpStatus: 400 })]);
    expect(mock.state.requests.filter((r) => r.recordId === `${d.code}:3`).map((r) => r.status)).toEqual([400]);
    const told = await env.platform.db.knex('notification').where({ recipient: 'admin', dossier_code: d.code, template: 'portal-rejected' });
    expect(told).toHaveLength(1);
    const attention = await admin.get('/api/portal-sync/records').query({ state: 'rejected', dossierCode: d.code }).expect(200);
    expect(attention.body.items.map((r: { seq: number }) => r.seq)).toEqual([3]);
    // Record 4 must not overtake record 3: it waits, never offered to a worker.
    await new Promise((r) => setTimeout(r, 600));
    expect(arrived(d.code).map((r) => r.sequence)).toEqual([1, 2]);
    expect((await logOf(d.id))[3]).toMatchObject({ seq: 4, state: 'pending', attempts: 0 });
    // The administrators' page says why record 4 waits, and the rejected record how many wait behind it.
    const waiting = await admin.get('/api/portal-sync/records').query({ state: 'attention', dossierCode: d.code }).expect(200);
    const [four, three] = waiting.body.items as Array<{ seq: number; heldBehind: { seq: number; error: string; httpStatus: number } | null; holding: number }>;
    expect(four).toMatchObject({ seq: 4, heldBehind: { seq: 3, httpStatus: 400, error: expect.stringMatching(/procedureCode/) } });
    expect(three).toMatchObject({ seq: 3, heldBehind: null, holding: 1 });

    // The code corrected, the administrator sends record 3 again — while the portal is down for an hour.
    await request(mock.url).put('/control').send({ mode: 'down' }).expect(200);
    await officer.post(`/api/portal-sync/records/${attention.body.items[0].id}/retry`).expect(403);
    await expectKeyedRefusal(() => admin.post('/api/portal-sync/records/999999999/retry'), 404, 'portalSync.noRecord', 'Không có bản ghi đồng bộ 999999999', 'No sync record 999999999');
    await expectKeyedRefusal(() => admin.post('/api/portal-sync/records/abc/retry'), 400, 'portalSync.recordId', 'Tham số đường dẫn “id”: mã bản ghi là số', 'Path parameter “id”: a numeric record id');
    const again = await admin.post(`/api/portal-sync/records/${attention.body.items[0].id}/retry`).expect(200);
    expect(again.body).toMatchObject({ seq: 3, state: 'pending' });
    expect((await logOf(d.id))[3]!.heldBehind).toBeNull(); // record 3 is on its way again
    await until(async () => (await logOf(d.id))[2]!.tries.length === 2, 'a first attempt at the portal that is down');
    expect((await logOf(d.id))[2]!.tries.map((t) => t.httpStatus)).toEqual([400, 503]);
    for (let m = 0; m < 60; m += 15) {
      const before = (await logOf(d.id))[2]!.tries.length;
      clock.advance(15 * 60_000);
      await until(async () => (await logOf(d.id))[2]!.tries.length > before, 'another attempt once the backoff is over');
    }
    expect((await logOf(d.id))[3]!.attempts).toBe(0); // still behind record 3
    expect(arrived(d.code).map((r) => r.sequence)).toEqual([1, 2]);
    await request(mock.url).put('/control').send({ mode: 'up' }).expect(200);
    clock.advance(HOUR);
    await until(async () => arrived(d.code).length === 4, 'records 3 and 4 after the portal is back');
    expect(arrived(d.code).map((r) => [r.sequence, r.statusCode])).toEqual([[1, 2], [2, 4], [3, 5], [4, 4]]);
    expect(arrived(d.code)[2]!.procedureCode).toBe('1.001193'); // the corrected code went out
    const accepted = mock.state.requests.filter((r) => r.recordId?.startsWith(`${d.code}:`) && r.status === 200).map((r) => r.recordId);
    expect(accepted).toEqual([1, 2, 3, 4].map((n) => `${d.code}:${n}`));
    await until(async () => (await logOf(d.id)).every((r) => r.state === 'acked'), 'every record acknowledged');
  });

  test('two worker processes on the same outbox: each record pushed once, each dossier in order; the on-time share for the scorecard', async () => {
    await request(mock.url).put('/control').send({ mode: 'slow', delayMs: 40 }).expect(200);
    running.push(runWorkers(env.baseUrl, { ...sync('pump-2'), PORTAL_BATCH: '3' }));
    const ds = await Promise.all(Array.from({ length: 10 }, () => receive()));
    await Promise.all(ds.slice(0, 5).map((d) => officer.post(`/api/dossiers/${d.id}/stop`).send({ reason: 'Dừng theo đề nghị' }).expect(200)));
    await until(async () => ds.every((d, i) => arrived(d.code).length === (i < 5 ? 3 : 2)), 'every record at the portal', 60_000);
    for (const [i, d] of ds.entries()) {
      expect(arrived(d.code).map((r) => r.sequence)).toEqual(i < 5 ? [1, 2, 3] : [1, 2]);
      const sent = mock.state.requests.filter((r) => r.recordId?.startsWith(`${d.code}:`));
      expect(sent.map((r) => r.recordId)).toEqual([...new Set(sent.map((r) => r.recordId))]);
    }
    const workers = await env.platform.db.knex('portal_sync_attempt').whereIn('dossier_id', ds.map((d) => d.id)).distinct('worker_id');
    expect(workers.map((w: { worker_id: string }) => w.worker_id).sort()).toEqual(['pump-1', 'pump-2']);

    // The scorecard's input: inspectors and administrators read the share of dossiers synced within 10 minutes.
    clock.advance(11 * 60_000);
    const stats = await (await loginAs(env.platform.app, 'thanhtra')).get('/api/portal-sync/stats').expect(200);
    expect(stats.body.dossiers).toBeGreaterThanOrEqual(14);
    expect(stats.body.share).toBeGreaterThan(0);
    expect(stats.body.share).toBeLessThan(1); // the malformed, the hour down and the 2-hour ones were not on time
    expect(stats.body.rejected).toBe(0); // the malformed record was sent again and acknowledged
    await officer.get('/api/portal-sync/stats').expect(403);
    await request(env.platform.app).post('/api/portal-sync/claim').set('Authorization', WORKER).send({ workerId: 'x', limit: 0 }).expect(400);
    await officer.post('/api/portal-sync/claim').send({ workerId: 'x' }).expect(403);
  });

  test('a worker that dies after pushing and before reporting: its lease runs out, the record goes again, the portal keeps it once', async () => {
    await request(mock.url).put('/control').send({ mode: 'up' }).expect(200);
    for (const w of running.splice(0)) await w.stop();
    const d = await receive();
    // The doomed worker leases the dossier's first record and pushes it, then dies without a word.
    const claimed = await request(env.platform.app).post('/api/portal-sync/claim').set('Authorization', WORKER).send({ workerId: 'doomed', limit: 10, leaseMs: 60_000, dossierCode: d.code }).expect(200);
    expect(claimed.body.map((c: { record: { sequence: number } }) => c.record.sequence)).toEqual([1]);
    const first = await request(mock.url).post('/records').send(claimed.body[0].record).expect(200);
    running.push(runWorkers(env.baseUrl, sync('pump-3')));
    await new Promise((r) => setTimeout(r, 500));
    expect(arrived(d.code)).toHaveLength(1); // leased: nobody else sends it, and record 2 waits behind it
    clock.advance(2 * 60_000);
    await until(async () => arrived(d.code).length === 2, 'both records once the lease ran out');
    const log = await until(async () => { const l = await logOf(d.id); return l.every((r) => r.state === 'acked') && l; }, 'both acknowledged in the log');
    expect(log.map((r) => [r.seq, r.state])).toEqual([[1, 'acked'], [2, 'acked']]);
    expect(log[0]!.receipt).toBe(first.body.receiptId); // the portal answered the repeat with its first receipt
    expect(mock.state.requests.filter((r) => r.recordId === `${d.code}:1`)).toHaveLength(2);
    expect(arrived(d.code).map((r) => r.sequence)).toEqual([1, 2]);
  });

  test('retention: acknowledged records older than PORTAL_RETENTION_DAYS are purged in the background, pending ones stay, record numbers are never reused', async () => {
    const d = await receive();
    await until(async () => (await logOf(d.id)).filter((r) => r.state === 'acked').length === 2, 'both records acknowledged');
    await request(mock.url).put('/control').send({ mode: 'down' }).expect(200);
    const e = await receive();
    await until(async () => (await logOf(e.id))[0]?.lastHttp === 503, 'a failed attempt for the second dossier');
    const attempts = () => env.platform.db.knex('portal_sync_attempt').where({ dossier_id: d.id }).count({ n: '*' }).first();
    expect(Number((await attempts())!.n)).toBe(2);
    // 29 days on: nothing is old enough yet.
    clock.advance(29 * 24 * HOUR);
    await new Promise((r) => setTimeout(r, 600));
    expect(await logOf(d.id)).toHaveLength(2);
    clock.advance(2 * 24 * HOUR);
    await until(async () => (await logOf(d.id)).length === 0, 'the acknowledged records purged');
    expect(Number((await attempts())!.n)).toBe(0);
    expect((await logOf(e.id)).map((r) => r.state)).toEqual(['pending', 'pending']); // unacknowledged: kept whatever their age
    // The dossier's next change is record 3, not 1 again (the portal would take a reused id for a duplicate).
    await request(mock.url).put('/control').send({ mode: 'up' }).expect(200);
    await officer.post(`/api/dossiers/${d.id}/stop`).send({ reason: 'Dừng theo đề nghị' }).expect(200);
    clock.advance(HOUR);
    await until(async () => arrived(d.code).length === 3 && arrived(e.code).length === 2, 'the new record and the waiting ones');
    expect(arrived(d.code).map((r) => r.recordId)).toEqual([1, 2, 3].map((n) => `${d.code}:${n}`));
  });
});
