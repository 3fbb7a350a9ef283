import type { Knex } from 'knex';
import { formatLocal, parseInstant } from '../calendar/index.js';
import type { NotificationService, StaffNotice } from '../notifications/index.js';
import { WATCH_PROCESS_KEY } from './watch.js';
import { reminderError } from './messages.js';

/** A return step ("trả kết quả") needs no reminder: the result is ready. */
const RETURN_STEP = /(^|[^a-z])return|tra[ _-]?ket[ _-]?qua|trả kết quả/i;
/** Closed or resolved dossiers are not reminded about. */
const CLOSED = new Set([3, 7, 8, 9, 10]);

export interface ReminderItem { dossierCode: string; dueAt: string; unitId: string }
export type ReminderResult = { dossierCode: string; reminderSkipped: boolean; error?: undefined } | { dossierCode: string; error: string; reminderSkipped?: undefined };

/**
 * The `tthc.remind-before-due` effect for many dossiers at once (a worker's fetch of reminders is one
 * call, so a storm of 10,000 reminders is a few hundred requests, not 30,000): for each dossier not
 * closed and not at its return step, the assignees of its open tasks, the unit's division head and
 * leader are told (`remind-before-due`), and the leader is asked for the apology (`write-apology`).
 * Keyed on dossier + due date, so a redelivered task tells nobody twice. A malformed item gets its own
 * error; the others go on.
 */
export async function sendReminders(deps: { knex: Knex; notifications: Pick<NotificationService, 'notifyStaffMany'> }, items: ReminderItem[]): Promise<ReminderResult[]> {
  const { knex } = deps;
  const checked = items.map((it) => {
    const due = parseInstant(it.dueAt);
    if (!it.dossierCode.trim()) return { it, error: reminderError('deadlines.reminder.noCode').en };
    if (!due) return { it, error: reminderError('deadlines.reminder.badDue').en };
    if (!it.unitId.trim()) return { it, error: reminderError('deadlines.reminder.noUnit').en };
    return { it, due };
  });
  const codes = [...new Set(checked.filter((c) => c.due).map((c) => c.it.dossierCode))];
  type TaskRow = { code: string; name: string | null; key: string; assignee: string | null };
  const [dossiers, tasks]: [Array<{ code: string; status: number }>, TaskRow[]] = codes.length ? await Promise.all([
    knex('dossier').whereIn('code', codes).select<Array<{ code: string; status: number }>>('code', 'status'),
    knex('engine_instance as i').join('engine_task as t', 't.instance_id', 'i.id')
      .whereIn('i.business_key', codes).andWhere('i.state', 'ACTIVE').andWhereNot('i.definition_key', WATCH_PROCESS_KEY)
      .orderBy('t.created').select<TaskRow[]>('i.business_key as code', 't.name', 't.task_definition_key as key', 't.assignee'),
  ]) : [[], []];
  const status = new Map(dossiers.map((d) => [d.code, Number(d.status)]));
  const open = new Map<string, TaskRow[]>();
  for (const t of tasks) open.set(t.code, [...(open.get(t.code) ?? []), t]);

  const notices: StaffNotice[] = [];
  const results = checked.map((c): ReminderResult => {
    if (!c.due) return { dossierCode: c.it.dossierCode, error: c.error };
    const code = c.it.dossierCode;
    const ts = open.get(code) ?? [];
    if (CLOSED.has(status.get(code) ?? 0) || (ts.length && ts.every((t) => RETURN_STEP.test(`${t.key} ${t.name ?? ''}`)))) return { dossierCode: code, reminderSkipped: true };
    const dueAt = formatLocal(c.due);
    const step = ts[0]?.name ?? undefined;
    const assignees = [...new Set(ts.map((t) => t.assignee).filter((a): a is string => Boolean(a)))];
    const unitId = c.it.unitId;
    notices.push({
      key: `${code}:remind:${c.it.dueAt}`, template: 'remind-before-due', dossierCode: code,
      params: { dossierCode: code, dueAt, ...(step ? { step } : {}) },
      usernames: assignees, roles: [{ role: 'division-head', unitId }, { role: 'leader', unitId }],
    }, {
      key: `${code}:write-apology:${c.it.dueAt}`, template: 'write-apology', dossierCode: code, link: '#/tasks',
      params: { dossierCode: code, dueAt }, roles: [{ role: 'leader', unitId }],
    });
    return { dossierCode: code, reminderSkipped: false };
  });
  const unique = [...new Map(notices.map((n) => [n.key, n])).values()];
  await deps.notifications.notifyStaffMany(unique);
  return results;
}
