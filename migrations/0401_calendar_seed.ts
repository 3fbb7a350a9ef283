import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { NoticeYearSchema, noticeToYear } from '../server/calendar/notice.js';

const FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../server/calendar/holidays-vn.json');

/** Seeds the announced years from the data file; years without a notice stay computed (provisional). */
export async function up(knex: Knex): Promise<void> {
  const data = JSON.parse(fs.readFileSync(FILE, 'utf8')) as { years: Record<string, unknown> };
  for (const [key, raw] of Object.entries(data.years)) {
    const notice = NoticeYearSchema.parse(raw);
    if (!notice.notice) continue;
    const { record, problems } = noticeToYear(Number(key), notice, 'confirmed');
    if (!record) throw new Error(`holidays-vn.json ${key}: ${problems.map((p) => p.en).join('; ')}`);
    await knex('calendar_year').insert({ year: record.year, status: record.status, notice: record.notice, updated_by: 'seed' });
    if (record.days.length) {
      await knex('calendar_day').insert(record.days.map((d) => ({
        day: d.date, year: record.year, kind: d.kind, name: d.name, confidence: d.confidence ?? null,
      })));
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex('calendar_year').where({ updated_by: 'seed' }).delete();
}
