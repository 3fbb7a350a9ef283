import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEADLINE_CASES } from './fixtures/cases.js';

const probe = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/tz-probe.ts');

function runUnder(tz: string) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', probe], {
    env: { ...process.env, TZ: tz }, encoding: 'utf8', timeout: 60_000,
  });
  return JSON.parse(out) as { tz: string; offsetMinutes: number; results: Array<{ name: string; startsAt: string; dueAt: string }>; extra: unknown };
}

/** The same deadlines computed by processes whose own zone is far from Vietnam's. */
describe.each([
  ['America/New_York', 300],
  ['Pacific/Kiritimati', -840],
])('independence from the process time zone (TZ=%s)', (tz, offset) => {
  it('gives every table case the same answer', () => {
    const child = runUnder(tz);
    expect(child.tz).toBe(tz);
    expect(child.offsetMinutes).toBe(offset); // proves the child really ran in that zone
    expect(child.results).toEqual(DEADLINE_CASES.map((c) => ({ name: c.name, startsAt: c.startsAt, dueAt: c.dueAt })));
    expect(child.extra).toEqual({ subtract: '2026-02-13T10:00:00+07:00', isWorking: true, workingDay: true });
  });
});
