import type { Knex } from 'knex';
import { localDate } from '../calendar/index.js';
import type { Principal } from '../http/policy.js';
import { permissionsOf } from '../identity/index.js';
import type { Logger } from '../log.js';
import type { DossierService } from './service.js';

/** Agency codes for the demo units (the first part of dossier codes). */
const AGENCY_CODES: Record<string, string> = {
  'xa-phu-long': 'XPL', 'xa-ham-tien': 'XHT', stp: 'STP', sxd: 'SXD', stnmt: 'SNNMT', tinh: 'UBT', ttpvhcc: 'TTPVHCC',
};

const NAMES = [
  'Nguyễn Văn An', 'Trần Thị Bích Ngọc', 'Lê Hoàng Phúc', 'Phạm Thị Thu Hà', 'Hoàng Đức Thắng', 'Võ Thị Mỹ Duyên', 'Đặng Quốc Bảo',
  'Bùi Thị Hồng Nhung', 'Đỗ Minh Khôi', 'Huỳnh Thị Lan Anh', 'Ngô Văn Lợi', 'Dương Thị Kim Oanh', 'Lý Gia Huy', 'Phan Thị Ánh Tuyết',
];

interface Plan { code: string; unitId: string; daysAgo: number; outcome: 'accept' | 'supplement' | 'refuse' | 'online' | 'resolved' | 'returned' | 'withdrawn' | 'stopped' | 'supplement-later' }

/**
 * Demo mode, first start: a few dozen dossiers in every status for the demo commune (Phú Long) and a
 * department (Sở Tư pháp), received over the last weeks, so a new user sees a real queue.
 */
/** A plausible moment at the counter `daysAgo` days back: a weekday, between 07:45 and 16:15 Vietnam time, never in the future. */
function officeHour(daysAgo: number, i: number): Date {
  let day = localDate(new Date(Date.now() - daysAgo * 86_400_000));
  for (let k = 0; k < 3; k++) {
    const dow = new Date(`${day}T12:00:00Z`).getUTCDay();
    if (dow !== 0 && dow !== 6) break;
    day = localDate(new Date(new Date(`${day}T12:00:00+07:00`).getTime() - 86_400_000));
  }
  const minutes = 7 * 60 + 45 + ((i * 97) % (8 * 60 + 30));
  const at = new Date(`${day}T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00+07:00`);
  return at.getTime() > Date.now() ? new Date(Date.now() - 5 * 60_000) : at;
}

type Role = Parameters<typeof permissionsOf>[0] extends Iterable<infer R> ? R : never;
/** Who does each step in the demo commune. */
const COMMUNE_STAFF: Partial<Record<Role, string>> = {
  'one-stop-officer': 'motcua.xa', specialist: 'chuyenvien.xa', 'division-head': 'truongphong.xa', leader: 'lanhdao.xa', clerical: 'vanthu.xa',
};

async function demoPrincipal(knex: Knex, username: string, role: Role, unitId: string): Promise<Principal | undefined> {
  const u = await knex('app_user').where({ username }).first<{ id: string; display_name: string } | undefined>('id', 'display_name');
  return u ? { kind: 'user', userId: u.id, username, displayName: u.display_name, roles: [{ role, unitId }], permissions: permissionsOf([role]) } : undefined;
}

/**
 * Demo mode, right after the dossiers were seeded: the one-stop office has handed on (completed the
 * reception step of) the dossiers it accepted more than `keepDays` days ago, so the division head finds
 * assignments waiting ("Phân công thụ lý") and the specialists appraisals, while the most recent ones
 * still wait at reception for the one-stop officer. The dossiers seeded as resolved or returned walk
 * their whole process, each step done by the commune's person for it (their history is complete and no
 * step of theirs is left in anyone's tasklist). Returns how many reception steps were handed on.
 */
export async function advanceDemoWork(deps: {
  knex: Knex; log: Logger; keepDays?: number;
  tasks: {
    complete(p: Principal, id: string, input: { comment?: string; outcome?: string }): Promise<unknown>;
    get(p: Principal, id: string): Promise<{ outcomes: Array<{ key: string }> }>;
  };
}): Promise<number> {
  const { knex } = deps;
  const asOfficer = await demoPrincipal(knex, 'motcua.xa', 'one-stop-officer', 'xa-phu-long');
  const asAdmin = await demoPrincipal(knex, 'admin', 'system-admin', 'tinh');
  if (!asOfficer || !asAdmin) return 0;
  const cutoff = new Date(Date.now() - (deps.keepDays ?? 3.5) * 86_400_000);
  const rows = await knex('engine_task as t').join('dossier as d', 'd.instance_id', 't.instance_id')
    .where('t.task_definition_key', 'Step_B1').where('d.status', 4).where('d.received_at', '<', cutoff)
    .orderBy('d.received_at').select<Array<{ id: string; unit_id: string }>>('t.id', 'd.unit_id');
  let n = 0;
  for (const r of rows) {
    const who = r.unit_id === 'xa-phu-long' ? asOfficer : asAdmin;
    try {
      await deps.tasks.complete(who, r.id, { comment: 'Hồ sơ đủ thành phần, chuyển xử lý' });
      n++;
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, 'demo reception step not completed');
    }
  }
  const people = new Map<string, Principal>();
  const person = async (role: Role): Promise<Principal> => {
    const username = COMMUNE_STAFF[role];
    if (!username) return asAdmin;
    if (!people.has(username)) people.set(username, (await demoPrincipal(knex, username, role, 'xa-phu-long')) ?? asAdmin);
    return people.get(username)!;
  };
  const done = await knex('dossier').whereIn('status', [9, 10]).whereNotNull('instance_id').select<Array<{ instance_id: string; unit_id: string }>>('instance_id', 'unit_id');
  for (const d of done) {
    for (let step = 0; step < 20; step++) {
      const t = await knex('engine_task').where({ instance_id: d.instance_id }).orderBy('created').first<{ id: string; candidate_groups: string[] } | undefined>('id', 'candidate_groups');
      if (!t) break;
      const role = (t.candidate_groups[0] ?? 'one-stop-officer') as Role;
      const who = d.unit_id === 'xa-phu-long' ? await person(role) : asAdmin;
      try {
        const { outcomes } = await deps.tasks.get(asAdmin, t.id);
        await deps.tasks.complete(who, t.id, { comment: 'Đã xử lý', outcome: outcomes[0]?.key });
      } catch (err) {
        deps.log.warn({ err: (err as Error).message }, 'demo step not completed');
        break;
      }
    }
  }
  return n;
}

export async function seedDemoDossiers(deps: { knex: Knex; dossiers: DossierService; log: Logger }): Promise<number> {
  const { knex, dossiers } = deps;
  for (const [unit, code] of Object.entries(AGENCY_CODES)) {
    await knex('org_unit').where({ id: unit }).whereNull('agency_code').update({ agency_code: code }).catch(() => undefined);
  }
  if (Number((await knex('dossier').count<Array<{ n: string | number }>>({ n: '*' }))[0]!.n) > 0) return 0;
  const asOfficer = await demoPrincipal(knex, 'motcua.xa', 'one-stop-officer', 'xa-phu-long');
  const asAdmin = await demoPrincipal(knex, 'admin', 'system-admin', 'tinh');
  if (!asOfficer || !asAdmin) return 0;
  const procs = new Map<string, { id: string; components: Array<{ name: string; required: boolean }> }>(
    (await knex('procedure').select<Array<{ id: string; code: string; components: Array<{ name: string; required: boolean }> }>>('id', 'code', 'components'))
      .map((p) => [p.code, { id: p.id, components: p.components }]),
  );
  const plans: Plan[] = [];
  const commune = ['1.001193', '1.000894', '2.000815', '1.001612', '1.009994'];
  const outcomes: Plan['outcome'][] = ['accept', 'accept', 'accept', 'online', 'supplement', 'accept', 'refuse', 'resolved', 'returned', 'accept', 'supplement-later', 'withdrawn', 'stopped', 'online', 'accept'];
  for (let i = 0; i < 30; i++) plans.push({ code: commune[i % commune.length]!, unitId: 'xa-phu-long', daysAgo: (i * 7) % 25, outcome: outcomes[i % outcomes.length]! });
  for (let i = 0; i < 8; i++) plans.push({ code: '2.000488', unitId: 'stp', daysAgo: (i * 5) % 20, outcome: (['accept', 'online', 'accept', 'resolved', 'supplement', 'accept', 'refuse', 'returned'] as const)[i]! });

  let n = 0;
  for (const [i, plan] of plans.entries()) {
    const proc = procs.get(plan.code);
    if (!proc) continue;
    const who = plan.unitId === 'xa-phu-long' ? asOfficer : asAdmin;
    const name = NAMES[i % NAMES.length]!;
    const applicant = {
      kind: 'person' as const, fullName: name, idNumber: `0791${String(90000000 + i * 7919).slice(-8)}`, address: `Thôn ${1 + (i % 6)}, xã Phú Long, tỉnh Bình Thuận`,
      phone: `09${String(12345600 + i * 137).slice(-8)}`, email: undefined,
    };
    const required = proc.components.filter((c) => c.required).map((c) => ({ name: c.name, quantity: 1 }));
    const receivedAt = officeHour(plan.daysAgo, i).toISOString();
    try {
      if (plan.outcome === 'online') {
        await dossiers.fileOnline({ procedureId: proc.id, unitId: plan.unitId, applicant, components: required, content: 'Nộp trực tuyến qua Cổng dịch vụ công' });
      } else if (plan.outcome === 'supplement' || plan.outcome === 'refuse') {
        await dossiers.receive({
          procedureId: proc.id, unitId: plan.unitId, channel: 'in-person', applicant, components: required.slice(0, 1), content: '', notes: '', receivedAt, decision: plan.outcome,
          supplement: plan.outcome === 'supplement' ? { items: required.slice(1).map((c) => c.name).concat(required.length > 1 ? [] : [required[0]!.name]), reason: 'Hồ sơ chưa đầy đủ thành phần' } : undefined,
          refusal: plan.outcome === 'refuse' ? { reasons: ['Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan'] } : undefined,
        }, who);
      } else {
        const d = await dossiers.receive({ procedureId: proc.id, unitId: plan.unitId, channel: i % 4 === 0 ? 'post' : 'in-person', applicant, components: required, content: '', notes: '', receivedAt, decision: 'accept' }, who);
        if (plan.outcome === 'resolved' || plan.outcome === 'returned') await dossiers.markResolved(d.id, { id: who.userId, name: who.displayName });
        if (plan.outcome === 'returned') await dossiers.returnResult(d.id, { collectionMethod: 'in-person' }, who);
        if (plan.outcome === 'withdrawn') await dossiers.withdraw(d.id, { reason: 'Công dân có đơn xin rút hồ sơ' }, who);
        if (plan.outcome === 'stopped') await dossiers.stop(d.id, { reason: 'Có văn bản của cơ quan có thẩm quyền yêu cầu tạm dừng' }, who);
        if (plan.outcome === 'supplement-later') await dossiers.requestSupplement(d.id, { items: [required[0]!.name], reason: 'Cần bản rõ nét hơn' }, who);
      }
      n++;
    } catch (err) {
      deps.log.warn({ err: (err as Error).message, procedure: plan.code }, 'demo dossier skipped');
    }
  }
  // Demo history: what changed days ago had reached the national portal back then (acknowledged a minute
  // after the change), so the sync page shows today's records, not weeks of "late" ones and warnings.
  await knex('portal_outbox').where('state', 'pending').andWhere('changed_at', '<', new Date(Date.now() - 10 * 60_000))
    .update({ state: 'acked', attempts: 1, first_sent_at: knex.raw('changed_at'), acked_at: knex.raw(`changed_at + interval '1 minute'`), receipt: knex.raw(`'DVCQG-DEMO-' || id`) })
    .catch((err: Error) => deps.log.warn({ err: err.message }, 'demo portal history not marked'));
  return n;
}
