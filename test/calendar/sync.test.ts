import type { Database } from '../../server/db/connect.js';
import { createLogger } from '../../server/log.js';
import { createCalendarService, type CalendarService } from '../../server/calendar/index.js';
import { createTestDatabase } from '../helpers/db.js';

/** Two nodes on one database: a change made through one is seen by the other through NOTIFY. */
describe('calendar on several nodes', () => {
  let db: Database;
  let a: CalendarService;
  let b: CalendarService;
  beforeAll(async () => {
    db = await createTestDatabase();
    a = createCalendarService({ db, log: createLogger('silent') });
    b = createCalendarService({ db, log: createLogger('silent') });
    await Promise.all([a.reload(), b.reload()]);
    await b.start();
  });
  afterAll(async () => { await b.stop(); await db.close(); });

  async function until(check: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  }

  it('reloads the other node after an administrator change', async () => {
    expect(b.calendar.isWorkingDay('2026-03-10')).toBe(true);
    await a.putDay('tester', '2026-03-10', { kind: 'off', name: 'Nghỉ đột xuất' });
    expect(a.calendar.isWorkingDay('2026-03-10')).toBe(false);
    await until(() => !b.calendar.isWorkingDay('2026-03-10'));
    expect(b.calendar.isWorkingDay('2026-03-10')).toBe(false);
  });

  it('learns of new units through the org_unit trigger', async () => {
    await db.knex('org_unit_kind').insert({ id: 'test-kind', name: 'x', rank: 9 }).onConflict('id').ignore();
    await db.knex('org_unit').insert({ id: 'root-x', parent_id: null, name: 'Root', name_folded: 'root', kind: 'test-kind', level: 0 });
    await until(() => b.calendar.hasUnit('root-x'));
    expect(b.calendar.hasUnit('root-x')).toBe(true);
  });
});
