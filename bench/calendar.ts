import { dossierDeadline } from '../server/calendar/index.js';
import { seededCalendar } from '../server/calendar/seeded.js';
import type { BenchRow } from './table.js';

function randomInstants(n: number): Date[] {
  const from = Date.UTC(2025, 0, 1);
  const span = Date.UTC(2035, 0, 1) - from; // 10 years
  let seed = 42;
  const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, () => new Date(from + Math.floor(rnd() * span)));
}

/** Runs `fn` over the inputs for at least `ms` and returns operations per second. */
function rate(inputs: Date[], fn: (d: Date) => unknown, ms = 1_000): number {
  for (let i = 0; i < 20_000; i++) fn(inputs[i % inputs.length]!); // warm-up
  let ops = 0;
  const t0 = performance.now();
  let sink = 0;
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 10_000; i++) { const r = fn(inputs[(ops + i) % inputs.length]!); if (r) sink++; }
    ops += 10_000;
  }
  if (sink < 0) console.log(sink);
  return ops / ((performance.now() - t0) / 1000);
}

const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;

export default async function calendarBench(): Promise<BenchRow[]> {
  const t0 = performance.now();
  const cal = seededCalendar();
  cal.add(new Date(Date.UTC(2025, 0, 1)), { workingDays: 1 });
  cal.add(new Date(Date.UTC(2034, 11, 1)), { workingDays: 60 });
  const buildMs = performance.now() - t0;

  const inputs = randomInstants(100_000);
  const add30 = rate(inputs, (d) => cal.add(d, { workingDays: 30 }));
  const deadline = rate(inputs, (d) => dossierDeadline(cal, { receivedAt: d, limit: { workingDays: 30 }, afterCutoffNextDay: true }));
  const sub = rate(inputs, (d) => cal.subtract(d, { workingDays: 1 }));
  const later = inputs.map((d) => new Date(d.getTime() + 20 * 86_400_000));
  let j = 0;
  const between = rate(inputs, (d) => cal.workingTimeBetween(d, later[j++ % later.length]!));

  return [
    { area: 'calendar', metric: 'add 30 working days, random instants over 10 years', value: fmt(add30), target: '≥ 200,000/s', ok: add30 >= 200_000 },
    { area: 'calendar', metric: 'dossier deadline (15:00 rule + 30 days)', value: fmt(deadline) },
    { area: 'calendar', metric: 'subtract 1 working day', value: fmt(sub) },
    { area: 'calendar', metric: 'working time between two instants', value: fmt(between) },
    { area: 'calendar', metric: 'build tables (2025–2035, computed years included)', value: `${buildMs.toFixed(0)} ms` },
  ];
}
