import { api, get, post, qs } from '../../api.js';
import { add, clear, h } from '../../dom.js';
import { t } from '../../i18n/index.js';
import { hasRole } from '../../session.js';
import { errorBox } from '../layout.js';
import { dmyInput } from '../dmy-input.js';
import { dateTimeVi, dateVi } from '../names.js';

interface Unit { id: string; parentId: string | null; name: string; kind: string; level: number }
interface UserView { id: string; username: string; displayName: string; kind: string; disabled: boolean; roles: Array<{ role: string; unitId: string; unitName: string; title: string | null }> }
interface DayEntry { date: string; kind: 'off' | 'working'; name: string }
interface YearView { year: number; status: 'confirmed' | 'provisional'; source: string; days: DayEntry[] }
interface AuditRow { seq: number; at: string; username: string | null; unitId: string | null; role: string | null; action: string; targetType: string | null; targetId: string | null; outcome: string }

const ROLES = ['system-admin', 'process-owner', 'approver', 'one-stop-officer', 'specialist', 'division-head', 'leader', 'clerical', 'inspector', 'service'];

function tabs(active: string): HTMLElement {
  const items = [
    hasRole('system-admin') ? ['units', t('admin.units')] : null,
    hasRole('system-admin') ? ['users', t('admin.users')] : null,
    hasRole('system-admin') ? ['calendar', t('admin.calendar')] : null,
    hasRole('inspector') ? ['audit', t('admin.audit')] : null,
  ].filter((x): x is string[] => !!x);
  return h('nav', { class: 'subnav', 'aria-label': t('admin.title') }, items.map(([k, label]) =>
    h('a', { href: `#/admin/${k}`, 'aria-current': k === active ? 'page' : undefined, class: k === active ? 'active' : '' }, label)));
}

function roleName(role: string): string {
  const k = `role.${role}`;
  const v = t(k as never);
  return v === k ? t(`admin.role.${role}` as never) : v;
}

/** The units as a tree (each unit under its parent), with the form to add one. */
export async function unitsPage(root: HTMLElement): Promise<void> {
  add(root, h('h1', { tabindex: '-1' }, t('admin.units')), tabs('units'));
  const body = h('div');
  root.append(body);
  async function load(): Promise<void> {
    try {
      const units = (await get<{ items: Unit[] }>('/api/units')).items;
      const children = new Map<string | null, Unit[]>();
      for (const u of units) children.set(u.parentId, [...(children.get(u.parentId) ?? []), u]);
      const ids = new Set(units.map((u) => u.id));
      const roots = units.filter((u) => !u.parentId || !ids.has(u.parentId));
      const branch = (u: Unit): HTMLElement => h('li', { role: 'treeitem', 'aria-expanded': children.has(u.id) ? 'true' : undefined },
        h('span', { class: 'unit-name' }, u.name), h('span', { class: 'muted' }, ` (${u.id} · ${t(`admin.kind.${u.kind}` as never)})`),
        children.has(u.id) ? h('ul', { role: 'group' }, children.get(u.id)!.map(branch)) : null);
      const parent = h('select', { name: 'parentId', 'aria-label': t('admin.parent') }, units.map((u) => h('option', { value: u.id }, u.name)));
      const id = h('input', { name: 'id', required: true, pattern: '[a-z0-9][a-z0-9-]{0,62}', placeholder: 'xa-moi' });
      const name = h('input', { name: 'name', required: true });
      const kind = h('select', { name: 'kind' }, ['agency', 'division', 'commune', 'centre'].map((k) => h('option', { value: k }, t(`admin.kind.${k}` as never))));
      const msg = h('div', { role: 'status' });
      clear(body,
        h('ul', { role: 'tree', class: 'tree', 'data-testid': 'unit-tree', 'aria-label': t('admin.units') }, roots.map(branch)),
        h('form', {
          class: 'card inline-form', 'data-testid': 'unit-form',
          onsubmit: async (e: Event) => {
            e.preventDefault();
            try {
              await post('/api/units', { id: id.value.trim(), parentId: parent.value, name: name.value.trim(), kind: kind.value });
              await load();
            } catch (err) { clear(msg, errorBox(err)); }
          },
        }, h('h2', null, t('admin.addUnit')),
        h('label', null, t('admin.unitId'), id), h('label', null, t('admin.unitName'), name),
        h('label', null, t('admin.kind'), kind), h('label', null, t('admin.parent'), parent),
        h('button', { type: 'submit', class: 'primary' }, t('admin.add')), msg));
    } catch (err) {
      clear(body, errorBox(err));
    }
  }
  await load();
}

/** Users and the roles they hold in each unit; roles granted and revoked here. */
export async function usersPage(root: HTMLElement): Promise<void> {
  add(root, h('h1', { tabindex: '-1' }, t('admin.users')), tabs('users'));
  const q = h('input', { type: 'search', 'aria-label': t('admin.searchUsers'), placeholder: t('admin.searchUsers'), 'data-testid': 'user-search' });
  const body = h('div');
  const msg = h('div', { role: 'status' });
  root.append(h('div', { class: 'filters' }, q), msg, body);
  let units: Unit[] = [];
  try { units = (await get<{ items: Unit[] }>('/api/units')).items; } catch { /* the unit lists stay empty */ }
  async function load(): Promise<void> {
    try {
      const r = await get<{ total: number; items: UserView[] }>(`/api/users${qs({ q: q.value.trim(), limit: 200 })}`);
      clear(body, h('p', { class: 'muted' }, t('admin.userCount', { n: r.total })),
        h('table', { class: 'grid', 'data-testid': 'users' },
          h('thead', null, h('tr', null, h('th', null, t('admin.user')), h('th', null, t('admin.rolesPerUnit')), h('th', null, t('admin.grant')))),
          h('tbody', null, r.items.map((u) => {
            // No role chosen in advance (not even the first of the list, the administrator's).
            const role = h('select', { 'aria-label': t('admin.role'), required: true }, h('option', { value: '' }, t('admin.chooseRole')), ROLES.map((x) => h('option', { value: x }, roleName(x))));
            const unit = h('select', { 'aria-label': t('admin.unit') }, units.map((x) => h('option', { value: x.id }, x.name)));
            return h('tr', null,
              h('td', null, h('strong', null, u.displayName), h('br'), h('span', { class: 'muted' }, u.username), u.disabled ? h('span', { class: 'badge' }, t('admin.disabled')) : null),
              h('td', null, h('ul', { class: 'plain' }, u.roles.map((g) => h('li', null, `${roleName(g.role)} — ${g.unitName}`, ' ',
                h('button', {
                  class: 'link', type: 'button', 'aria-label': t('admin.revokeLabel', { role: roleName(g.role), unit: g.unitName, user: u.displayName }),
                  onclick: async () => {
                    if (!confirm(t('admin.revokeConfirm', { role: roleName(g.role), unit: g.unitName, user: u.displayName }))) return;
                    try { await api('DELETE', `/api/users/${encodeURIComponent(u.username)}/roles/${g.role}/${encodeURIComponent(g.unitId)}`); await load(); } catch (err) { clear(msg, errorBox(err)); }
                  },
                }, t('admin.revoke')))))),
              h('td', null, h('form', {
                class: 'inline',
                onsubmit: async (e: Event) => {
                  e.preventDefault();
                  try { await post(`/api/users/${encodeURIComponent(u.username)}/roles`, { role: role.value, unitId: unit.value }); await load(); } catch (err) { clear(msg, errorBox(err)); }
                },
              }, role, unit, h('button', { type: 'submit' }, t('admin.add')))));
          }))));
    } catch (err) {
      clear(body, errorBox(err));
    }
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  q.addEventListener('input', () => { if (timer) clearTimeout(timer); timer = setTimeout(() => void load(), 300); });
  await load();
}

/** Weekday of a YYYY-MM-DD date (0 = Sunday), read as a calendar date (no time zone involved). */
const weekday = (iso: string) => new Date(`${iso}T00:00:00Z`).getUTCDay();

let shownYear: number | undefined;

/**
 * The calendar of a year: days off and swaps (làm bù: a Saturday worked for a weekday off), each
 * removable; a year not yet confirmed by the government's notice is marked provisional, in the
 * year list too.
 */
export async function calendarPage(root: HTMLElement): Promise<void> {
  add(root, h('h1', { tabindex: '-1' }, t('admin.calendar')), tabs('calendar'));
  const now = Number(new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).slice(0, 4));
  const years = [now - 1, now, now + 1, now + 2];
  // The year chosen stays chosen when the page is drawn again (a language switch).
  const shown = shownYear !== undefined && years.includes(shownYear) ? shownYear : now;
  const year = h('select', { 'aria-label': t('admin.year'), 'data-testid': 'year' }, years.map((y) => h('option', { value: String(y), selected: y === shown }, String(y))));
  const body = h('div');
  const msg = h('div', { role: 'status' });
  root.append(h('div', { class: 'filters' }, h('label', null, t('admin.year'), ' ', year)), msg, body);
  const admin = hasRole('system-admin');
  // Provisional years are named so in the list itself.
  void Promise.all(years.map(async (y) => {
    const v = await get<YearView>(`/api/calendar/years/${y}`).catch(() => undefined);
    const opt = [...year.options].find((o) => o.value === String(y));
    if (opt && v?.status === 'provisional') { opt.textContent = t('admin.yearProvisional', { year: y }); opt.dataset.provisional = 'true'; }
  }));
  async function load(): Promise<void> {
    clear(msg);
    try {
      const y = await get<YearView>(`/api/calendar/years/${year.value}`);
      const range = { min: `${y.year}-01-01`, max: `${y.year}-12-31` };
      // Dates typed dd/mm/yyyy, like everywhere else in the platform.
      const dateIn = dmyInput('date');
      const date = dateIn.input;
      const kind = h('select', { name: 'kind' }, h('option', { value: 'off' }, t('admin.dayOff')), h('option', { value: 'working' }, t('admin.workingDay')));
      const name = h('input', { name: 'name', required: true });
      const workingIn = dmyInput('workingDate');
      const dayOffIn = dmyInput('dayOff');
      const [working, dayOff] = [workingIn.input, dayOffIn.input];
      working.dataset.testid = 'swap-working';
      dayOff.dataset.testid = 'swap-off';
      const inYear = (iso: string | undefined) => (iso && iso >= range.min && iso <= range.max ? iso : undefined);
      const swapName = h('input', { name: 'swapName', 'data-testid': 'swap-name' });
      const remove = (d: DayEntry) => h('button', {
        class: 'link', type: 'button', 'data-testid': `remove-${d.date}`, 'aria-label': t('admin.removeLabel', { date: dateVi(d.date), name: d.name }),
        onclick: async () => {
          if (!confirm(t('admin.removeConfirm', { date: dateVi(d.date), name: d.name, year: y.year }))) return;
          try { await api('DELETE', `/api/calendar/years/${y.year}/days/${d.date}`); await load(); } catch (err) { clear(msg, errorBox(err)); }
        },
      }, t('admin.remove'));
      clear(body,
        h('p', { class: y.status === 'provisional' ? 'warning' : 'ok', 'data-testid': 'year-status' },
          y.status === 'provisional' ? t('admin.provisional', { year: y.year }) : t('admin.confirmed', { year: y.year })),
        h('table', { class: 'grid', 'data-testid': 'days' },
          h('thead', null, h('tr', null, h('th', null, t('admin.date')), h('th', null, t('admin.dayKind')), h('th', null, t('admin.dayName')), admin ? h('th', null, h('span', { class: 'sr-only' }, t('admin.remove'))) : null)),
          h('tbody', null, [...y.days].sort((a, b) => a.date.localeCompare(b.date)).map((d) => h('tr', { class: d.kind === 'working' ? 'swap' : '', 'data-date': d.date },
            h('td', null, dateVi(d.date)), h('td', null, d.kind === 'off' ? t('admin.dayOff') : t('admin.workingDay')), h('td', null, d.name),
            admin ? h('td', null, remove(d)) : null)))),
        admin ? h('div', { class: 'compare' },
          h('form', {
            class: 'card inline-form', 'data-testid': 'swap-form',
            onsubmit: async (e: Event) => {
              e.preventDefault();
              // Checked here first so the refusal is said in the reader's language.
              const say = (text: string) => clear(msg, h('div', { class: 'error', role: 'alert' }, text));
              const [w, o] = [workingIn.iso(), dayOffIn.iso()];
              if (!w || !o) { say(t('version.dateInvalid')); return; }
              if (!inYear(w) || !inYear(o)) { say(t('admin.swapSameYear', { year: y.year })); return; }
              if (![0, 6].includes(weekday(w))) { say(t('admin.swapSaturdayOnly')); return; }
              if ([0, 6].includes(weekday(o))) { say(t('admin.swapWeekdayOnly')); return; }
              try {
                await post(`/api/calendar/years/${y.year}/swaps`, { workingDate: w, dayOff: o, ...(swapName.value.trim() ? { name: swapName.value.trim() } : {}) });
                await load();
              } catch (err) { clear(msg, errorBox(err)); }
            },
          }, h('h2', null, t('admin.swaps')), h('p', { class: 'muted' }, t('admin.swapHint')),
          h('label', null, t('admin.swapWorking'), working), h('label', null, t('admin.swapOff'), dayOff), h('label', null, t('admin.dayName'), swapName),
          h('button', { type: 'submit', class: 'primary', 'data-testid': 'swap-add' }, t('admin.swapAdd'))),
          h('form', {
            class: 'card inline-form',
            onsubmit: async (e: Event) => {
              e.preventDefault();
              const d = inYear(dateIn.iso());
              if (!d) { clear(msg, h('div', { class: 'error', role: 'alert' }, t('version.dateInvalid'))); return; }
              try { await api('PUT', `/api/calendar/years/${y.year}/days/${d}`, { kind: kind.value, name: name.value.trim() }); await load(); } catch (err) { clear(msg, errorBox(err)); }
            },
          }, h('h2', null, t('admin.addDay')), h('label', null, t('admin.date'), date), h('label', null, t('admin.dayKind'), kind), h('label', null, t('admin.dayName'), name),
          h('button', { type: 'submit', class: 'primary' }, t('admin.add')))) : null);
    } catch (err) {
      clear(body, errorBox(err));
    }
  }
  year.addEventListener('change', () => { shownYear = Number(year.value); void load(); });
  await load();
}

/** The inspector's audit search, with the CSV export of exactly what is filtered. */
export async function auditPage(root: HTMLElement): Promise<void> {
  add(root, h('h1', { tabindex: '-1' }, t('admin.audit')), tabs('audit'));
  const username = h('input', { name: 'username', 'data-testid': 'audit-user' });
  const action = h('input', { name: 'action', placeholder: 'login, process.approve…' });
  const from = h('input', { name: 'from', type: 'date' });
  const to = h('input', { name: 'to', type: 'date' });
  const csv = h('a', { class: 'button', 'data-testid': 'audit-csv', download: 'nhat-ky-kiem-toan.csv', href: '/api/audit/export.csv' }, t('admin.exportCsv'));
  const body = h('div');
  const filter = () => ({ username: username.value.trim() || undefined, action: action.value.trim() || undefined, from: from.value || undefined, to: to.value || undefined });
  async function load(): Promise<void> {
    const f = filter();
    csv.setAttribute('href', `/api/audit/export.csv${qs(f)}`);
    try {
      const r = await get<{ items: AuditRow[] }>(`/api/audit${qs({ ...f, limit: 100 })}`);
      clear(body, r.items.length
        ? h('table', { class: 'grid', 'data-testid': 'audit' },
          h('thead', null, h('tr', null, ...['at', 'user', 'action', 'target', 'outcome'].map((c) => h('th', null, t(`admin.audit.${c}` as never))))),
          h('tbody', null, r.items.map((a) => h('tr', null, h('td', null, dateTimeVi(a.at)), h('td', null, a.username ?? ''),
            h('td', null, a.action), h('td', null, [a.targetType, a.targetId].filter(Boolean).join(' ')), h('td', null, a.outcome)))))
        : h('p', { class: 'muted' }, t('admin.audit.none')));
    } catch (err) {
      clear(body, errorBox(err));
    }
  }
  root.append(h('form', {
    class: 'filters', 'data-testid': 'audit-filter',
    onsubmit: (e: Event) => { e.preventDefault(); void load(); },
  }, h('label', null, t('admin.audit.user'), ' ', username), h('label', null, t('admin.audit.action'), ' ', action),
  h('label', null, t('admin.audit.from'), ' ', from), h('label', null, t('admin.audit.to'), ' ', to),
  h('button', { type: 'submit', class: 'primary' }, t('admin.audit.search')), csv), body);
  await load();
}
