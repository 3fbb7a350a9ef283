import { Router, type Request, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { onField } from '../http/errors.js';
import { inputKey } from '../http/messages.js';
import { calendarError, calendarKey } from './messages.js';
import { sendJson } from '../http/json.js';
import { doc } from '../http/openapi.js';
import { guard } from '../http/policy.js';
import { parseBody, parseParams, parseQuery } from '../http/validate.js';
import { NoticeYearSchema } from './notice.js';
import { dossierDeadline } from './deadline.js';
import { CalendarRangeError, type WorkingHours } from './schedule.js';
import { DEFAULT_UNIT, type CalendarService } from './service.js';
import { formatClock, formatLocal, ordinalOfDate, parseClock, parseInstant } from './time.js';
import type { EffectiveHours } from './calendar.js';

export interface CalendarRouterDeps {
  service: CalendarService;
  /** Public endpoints' limit per client address (default 300 requests a minute). */
  publicRateLimit?: { windowMs: number; limit: number };
}

/** The first day past a 3-year range starting on `date` (29/2 rolls to 1/3). */
const threeYearsAfter = (date: string) =>
  Date.UTC(Number(date.slice(0, 4)) + 3, Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;

const LimitSchema = z.object({
  workingDays: z.number().min(0).max(2000).optional(),
  workingHours: z.number().min(0).max(16000).optional(),
}).strict().refine((l) => (l.workingDays === undefined) !== (l.workingHours === undefined), {
  message: calendarKey('calendar.oneLimit'),
});

const Instant = z.string().refine((s) => parseInstant(s) !== undefined, { message: inputKey('input.datetime') });
const DateText = z.string().refine((s) => ordinalOfDate(s) !== undefined, { message: inputKey('input.date') });
const UnitId = z.string().trim().min(1).max(100);

const DeadlineBody = z.object({
  receivedAt: Instant,
  limit: LimitSchema,
  afterCutoffNextDay: z.boolean().default(false),
  unitId: UnitId.optional(),
}).strict();

const DaysQuery = z.object({ from: DateText, to: DateText, unitId: UnitId.optional() }).strict();
const YearParams = z.object({ year: z.coerce.number().int().min(1976).max(2100) });
const DayParams = YearParams.extend({ date: DateText });
const UnitParams = z.object({ unitId: UnitId });
const ComputedQuery = z.object({ tetDaysBefore: z.coerce.number().int().min(0).max(5).optional() }).strict();

const DayBody = z.object({
  kind: z.enum(['off', 'working']),
  name: z.string().trim().min(1).max(200),
  confidence: z.string().max(40).nullable().optional(),
}).strict();

const SwapBody = z.object({ workingDate: DateText, dayOff: DateText, name: z.string().trim().min(1).max(200).optional() }).strict();

const PlacementBody = z.object({
  tetDaysBefore: z.number().int().min(0).max(5).optional(),
  nationalDayAdjacent: z.enum(['auto', 'before', 'after']).optional(),
}).strict();

const HoursBody = z.object({
  intervals: z.array(z.tuple([z.string(), z.string()])).min(1).max(6),
  weekdays: z.array(z.number().int().min(0).max(6)).min(1).max(7),
}).strict();

const ChangesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  beforeId: z.coerce.number().int().positive().optional(),
  year: z.coerce.number().int().min(1976).max(2100).optional(),
}).strict();

/** "08:00"–"12:00" pairs → sorted, disjoint minute intervals, or a 400 saying which is wrong. */
function toHours(body: z.infer<typeof HoursBody>): WorkingHours {
  const intervals = body.intervals.map(([a, b], i) => {
    const s = parseClock(a);
    const e = parseClock(b);
    if (s === undefined || e === undefined) throw onField(calendarError(400, 'InvalidRequestException', 'calendar.badClock', { n: i + 1 }), `body.intervals.${i}`);
    if (e <= s) throw onField(calendarError(400, 'InvalidRequestException', 'calendar.endNotAfterStart', { n: i + 1, start: a, end: b }), `body.intervals.${i}`);
    return [s, e] as [number, number];
  }).sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < intervals.length; i++) {
    if (intervals[i]![0] < intervals[i - 1]![1]) throw onField(calendarError(400, 'InvalidRequestException', 'calendar.intervalsOverlap'), 'body.intervals');
  }
  const weekdays = [...new Set(body.weekdays)].sort();
  return { intervals, weekdays };
}

function showHours(h: EffectiveHours) {
  return {
    source: h.source,
    from: h.from ?? null,
    intervals: h.hours.intervals.map(([s, e]) => [formatClock(s), formatClock(e)]),
    weekdays: h.hours.weekdays,
  };
}

const actorOf = (req: Request) => req.principal?.username ?? 'unknown';

/** Calendar errors that come from input (dates out of the supported range) are the client's, not ours. */
function rangeTo400(e: unknown): never {
  if (e instanceof CalendarRangeError) throw calendarError(400, 'InvalidRequestException', e.key, e.params);
  throw e;
}

export function createCalendarRouter(deps: CalendarRouterDeps): Router {
  const { service } = deps;
  const cal = service.calendar;
  const r = Router();
  const limiter: RequestHandler = rateLimit({
    windowMs: deps.publicRateLimit?.windowMs ?? 60_000,
    limit: deps.publicRateLimit?.limit ?? 300,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(calendarError(429, 'TooManyRequests', 'calendar.tooManyRequests')),
  });

  r.post('/deadline', guard('public'), doc({ summary: 'Compute a dossier deadline in working time', body: DeadlineBody }), limiter, async (req, res) => {
    const body = parseBody(DeadlineBody, req);
    if (body.unitId) await service.checkUnit(body.unitId);
    try {
      const out = dossierDeadline(cal, {
        receivedAt: parseInstant(body.receivedAt)!,
        limit: body.limit as { workingDays: number } | { workingHours: number },
        afterCutoffNextDay: body.afterCutoffNextDay,
        unitId: body.unitId,
      });
      sendJson(res, 200, { startsAt: formatLocal(out.startsAt), dueAt: formatLocal(out.dueAt), provisional: out.provisional });
    } catch (e) { rangeTo400(e); }
  });

  r.get('/days', guard('public'), doc({ summary: 'Working days in a range (≤ 3 years)', query: DaysQuery }), limiter, async (req, res) => {
    const q = parseQuery(DaysQuery, req);
    const from = ordinalOfDate(q.from)!;
    const to = ordinalOfDate(q.to)!;
    if (to < from) throw onField(calendarError(400, 'InvalidRequestException', 'calendar.toBeforeFrom'), 'query.to');
    if (to >= threeYearsAfter(q.from)) throw onField(calendarError(400, 'InvalidRequestException', 'calendar.rangeTooLong'), 'query.to');
    if (q.unitId) await service.checkUnit(q.unitId);
    try {
      const days = [];
      for (let d = from; d <= to; d++) days.push(cal.day(d, q.unitId));
      sendJson(res, 200, { from: q.from, to: q.to, unitId: q.unitId ?? null, days });
    } catch (e) { rangeTo400(e); }
  });

  r.get('/years/:year', guard('public'), doc({ summary: 'Days off and swaps of a year', params: YearParams }), limiter, (req, res) => {
    const { year } = parseParams(YearParams, req);
    sendJson(res, 200, service.getYear(year));
  });

  r.get('/years/:year/computed', guard('calendar:admin'), doc({ summary: 'Preview the computed days off of a year', params: YearParams, query: ComputedQuery }), (req, res) => {
    const { year } = parseParams(YearParams, req);
    const q = parseQuery(ComputedQuery, req);
    sendJson(res, 200, service.computeYear(year, q.tetDaysBefore === undefined ? {} : { tetDaysBefore: q.tetDaysBefore }));
  });

  r.put('/years/:year', guard('calendar:admin'), doc({ summary: 'Import a year notice', params: YearParams, body: NoticeYearSchema }), async (req, res) => {
    const { year } = parseParams(YearParams, req);
    sendJson(res, 200, await service.importYear(actorOf(req), year, parseBody(NoticeYearSchema, req)));
  });

  r.post('/years/:year/confirm', guard('calendar:admin'), doc({ summary: 'Confirm (store) a computed year', params: YearParams, body: PlacementBody }), async (req, res) => {
    const { year } = parseParams(YearParams, req);
    const body = parseBody(PlacementBody, req);
    sendJson(res, 200, await service.confirmYear(actorOf(req), year, Object.keys(body).length ? body : undefined));
  });

  r.put('/years/:year/days/:date', guard('calendar:admin'), doc({ summary: 'Set a day off or a working day', params: DayParams, body: DayBody }), async (req, res) => {
    const { year, date } = parseParams(DayParams, req);
    if (!date.startsWith(`${year}-`)) throw calendarError(400, 'InvalidRequestException', 'calendar.dateNotInYear', { date, year });
    sendJson(res, 200, await service.putDay(actorOf(req), date, parseBody(DayBody, req)));
  });

  r.delete('/years/:year/days/:date', guard('calendar:admin'), doc({ summary: 'Remove a day override', params: DayParams }), async (req, res) => {
    const { year, date } = parseParams(DayParams, req);
    if (!date.startsWith(`${year}-`)) throw calendarError(400, 'InvalidRequestException', 'calendar.dateNotInYear', { date, year });
    sendJson(res, 200, await service.removeDay(actorOf(req), date));
  });

  r.post('/years/:year/swaps', guard('calendar:admin'), doc({ summary: 'Swap a working day and a day off', params: YearParams, body: SwapBody }), async (req, res) => {
    const { year } = parseParams(YearParams, req);
    sendJson(res, 201, await service.addSwap(actorOf(req), year, parseBody(SwapBody, req)));
  });

  r.get('/hours', guard('authenticated'), doc({ summary: 'Default working hours' }), async (_req, res) => {
    sendJson(res, 200, showHours(await service.getHours()));
  });

  r.put('/hours', guard('calendar:admin'), doc({ summary: 'Set default working hours', body: HoursBody }), async (req, res) => {
    sendJson(res, 200, showHours(await service.putHours(actorOf(req), DEFAULT_UNIT, toHours(parseBody(HoursBody, req)))));
  });

  r.get('/units/:unitId/hours', guard('authenticated'), doc({ summary: "A unit's effective working hours", params: UnitParams }), async (req, res) => {
    const { unitId } = parseParams(UnitParams, req);
    sendJson(res, 200, showHours(await service.getHours(unitId)));
  });

  r.put('/units/:unitId/hours', guard('calendar:admin'), doc({ summary: "Set a unit's working hours", params: UnitParams, body: HoursBody }), async (req, res) => {
    const { unitId } = parseParams(UnitParams, req);
    sendJson(res, 200, showHours(await service.putHours(actorOf(req), unitId, toHours(parseBody(HoursBody, req)))));
  });

  r.delete('/units/:unitId/hours', guard('calendar:admin'), doc({ summary: "Remove a unit's own hours (inherit)", params: UnitParams }), async (req, res) => {
    const { unitId } = parseParams(UnitParams, req);
    sendJson(res, 200, showHours(await service.removeHours(actorOf(req), unitId)));
  });

  r.get('/changes', guard('calendar:admin'), doc({ summary: 'Calendar change log of a year', query: ChangesQuery }), async (req, res) => {
    sendJson(res, 200, await service.listChanges(parseQuery(ChangesQuery, req)));
  });

  return r;
}
