import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/log.js';
import { createPlatform } from '../../server/platform.js';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestDatabase } from '../helpers/db.js';
import type { TestPlatform } from '../helpers/platform.js';
import { APPLICANT, procedureId } from './setup.js';

/** The platform with a clock the test moves (dossier reception and clocks read it). */
async function platformAt(clock: { now: Date }): Promise<TestPlatform> {
  const db = await createTestDatabase();
  const platform = await createPlatform({ config: loadConfig({ DEMO_MODE: 'true', DEMO_DOSSIERS: 'false' }), db, log: createLogger('silent'), now: () => clock.now });
  return { ...platform, db, async close() { for (const b of [...platform.background].reverse()) await b.stop(); await db.close(); } };
}

const MARRIAGE_COMPONENTS = [{ name: 'Tờ khai đăng ký kết hôn' }];

describe('the dossier clock', () => {
  const clock = { now: new Date('2026-02-11T09:00:00+07:00') };
  let platform: TestPlatform;
  let officer: AuthedClient;
  let admin: AuthedClient;
  let marriage: string;
  beforeAll(async () => {
    platform = await platformAt(clock);
    officer = await loginAs(platform.app, 'motcua.xa');
    admin = await loginAs(platform.app, 'admin');
    marriage = await procedureId(platform, '1.000894'); // 5 working days, pauses on supplement
  }, 120_000);
  afterAll(async () => { await platform.close(); });

  it('pauses across a weekend and Tết while a supplement is awaited and resumes with the time that was left', async () => {
    // Wednesday 11 Feb 2026, 09:00: 5 working days = 40 h → Wed 7 h, Thu 8, Fri 8, (Tết 16–20 Feb), Mon 23 8, Tue 24 8, Wed 25 1 → 09:00 Wed 25 Feb.
    clock.now = new Date('2026-02-11T09:00:00+07:00');
    const d = (await officer.post('/api/dossiers').send({ procedureId: marriage, applicant: APPLICANT, components: MARRIAGE_COMPONENTS }).expect(201)).body;
    expect(d.status).toBe(4);
    expect(new Date(d.dueAt).toISOString()).toBe(new Date('2026-02-25T09:00:00+07:00').toISOString());

    // Friday 13 Feb, 10:00: supplement requested; 23 working hours are left (Fri 6, Mon 8, Tue 8, Wed 1).
    clock.now = new Date('2026-02-13T10:00:00+07:00');
    const paused = (await officer.post(`/api/dossiers/${d.id}/supplement-request`).send({ items: ['Tờ khai đăng ký kết hôn'], reason: 'Tờ khai thiếu chữ ký' }).expect(200)).body;
    expect(paused.status).toBe(5);
    expect(paused.pausedAt).toBe(new Date('2026-02-13T10:00:00+07:00').toISOString());
    expect(paused.remainingMs).toBe(23 * 3_600_000);
    expect((await officer.get(`/api/dossiers/${d.id}`).expect(200)).body.dueState).toBe('paused');

    // Monday 23 Feb, 14:00 (after a weekend, Tết and another weekend): 23 h from 14:00 → Mon 3, Tue 8, Wed 8, Thu 4 → Thu 26 Feb 12:00.
    clock.now = new Date('2026-02-23T14:00:00+07:00');
    const resumed = (await officer.post(`/api/dossiers/${d.id}/supplement-received`).send({ components: MARRIAGE_COMPONENTS }).expect(200)).body;
    expect(resumed.status).toBe(4);
    expect(resumed.pausedAt).toBeNull();
    expect(new Date(resumed.dueAt).toISOString()).toBe(new Date('2026-02-26T12:00:00+07:00').toISOString());
    expect(resumed.pausedTotalMs).toBe(new Date('2026-02-23T14:00:00+07:00').getTime() - new Date('2026-02-13T10:00:00+07:00').getTime());
  });

  it('keeps the stored due date when the calendar is edited afterwards', async () => {
    clock.now = new Date('2026-03-02T09:00:00+07:00');
    const d = (await officer.post('/api/dossiers').send({ procedureId: marriage, applicant: APPLICANT, components: MARRIAGE_COMPONENTS }).expect(201)).body;
    await admin.put('/api/calendar/years/2026/days/2026-03-04').send({ kind: 'off', name: 'Nghỉ đột xuất' }).expect(200);
    const after = (await officer.get(`/api/dossiers/${d.id}`).expect(200)).body;
    expect(after.dueAt).toBe(d.dueAt);
    // A dossier received after the edit does count the new day off.
    const later = (await officer.post('/api/dossiers').send({ procedureId: marriage, applicant: APPLICANT, components: MARRIAGE_COMPONENTS }).expect(201)).body;
    expect(new Date(later.dueAt).getTime()).toBeGreaterThan(new Date(d.dueAt).getTime());
  });

  it('refuses a received time in the future, and a procedure with no active process at its level, writing nothing', async () => {
    clock.now = new Date('2026-03-02T09:00:00+07:00');
    const before = Number((await platform.db.knex('dossier').count({ n: '*' }))[0]!.n);
    const future = await officer.post('/api/dossiers').send({ procedureId: marriage, applicant: APPLICANT, components: MARRIAGE_COMPONENTS, receivedAt: '2026-03-03T09:00:00+07:00' }).expect(400);
    expect(future.body.message).toContain('receivedAt');
    await platform.db.knex('process_model').where({ procedure_id: marriage }).update({ active_version_id: null });
    const none = await officer.post('/api/dossiers').send({ procedureId: marriage, applicant: APPLICANT, components: MARRIAGE_COMPONENTS }).expect(409);
    expect(none.body.message).toMatch(/quy trình|process/);
    expect(Number((await platform.db.knex('dossier').count({ n: '*' }))[0]!.n)).toBe(before);
  });
});
