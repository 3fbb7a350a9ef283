import type { Knex } from 'knex';
import { foldText } from '../text/fold.js';
import * as tasksStore from './store.js';
import type { TaskDossierPatch } from './store.js';

/** What a task row shows of its dossier. The dossier capability records it at reception (`recordDossierFacts`). */
interface DossierFacts {
  instanceId: string;
  dossierId?: string | null;
  code?: string | null;
  procedureCode?: string | null;
  procedureName?: string | null;
  /** The applicant's full name: stored only masked and folded. */
  applicantName?: string | null;
  unitId?: string | null;
  receivedAt?: Date | null;
  dueAt?: Date | null;
  paused?: boolean;
  status?: string | null;
}

/** "Nguyễn Văn An" → "Nguyễn V. A.": a list shows who without spelling out the full name. */
function maskName(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length <= 1) return words[0] ? `${[...words[0]][0]}.` : '';
  return [words[0], ...words.slice(1).map((w) => `${[...w][0]!.toUpperCase()}.`)].join(' ');
}

function toRow(f: DossierFacts): TaskDossierPatch {
  const row: TaskDossierPatch = { instance_id: f.instanceId };
  if (f.dossierId !== undefined) row.dossier_id = f.dossierId;
  if (f.code !== undefined) row.code = f.code;
  if (f.procedureCode !== undefined) row.procedure_code = f.procedureCode;
  if (f.procedureName !== undefined) row.procedure_name = f.procedureName;
  if (f.applicantName !== undefined) {
    row.applicant_masked = f.applicantName ? maskName(f.applicantName) : null;
    row.applicant_folded = f.applicantName ? foldText(f.applicantName) : null;
  }
  if (f.unitId !== undefined) row.unit_id = f.unitId;
  if (f.receivedAt !== undefined) row.received_at = f.receivedAt;
  if (f.dueAt !== undefined) row.due_at = f.dueAt;
  if (f.paused !== undefined) row.paused = f.paused;
  if (f.status !== undefined) row.status = f.status;
  return row;
}

const VARS = ['applicantName', 'receivedAt', 'dueAt', 'procedureCode', 'procedureName', 'dossierId', 'paused'];

function plain(v: { value: unknown } | undefined): unknown {
  if (!v) return undefined;
  const x = v.value;
  return x && typeof x === 'object' && 'value' in x ? x.value : x;
}

function date(v: unknown): Date | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const d = new Date(typeof v === 'string' ? v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2') : v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Projected once per instance, the first time the tasklist shows it: from the dossier capability's
 * row when the instance belongs to a received dossier, else (a Camunda tool, a test) from the instance and variables (applicantName, receivedAt, dueAt,
 * procedureCode, procedureName, dossierId) the first time the tasklist shows it.
 */
export async function projectFromEngine(db: Knex, instanceIds: string[]): Promise<Map<string, TaskDossierPatch>> {
  const { instances, variables, dossiers } = await tasksStore.instanceFacts(db, instanceIds, VARS);
  const dossierOf = new Map(dossiers.map((d) => [d.instance_id, d]));
  const dossierByCode = new Map(dossiers.map((d) => [d.code, d]));
  const byInstance = new Map<string, Map<string, { value: unknown }>>();
  for (const v of variables) {
    const m = byInstance.get(v.instance_id) ?? new Map<string, { value: unknown }>();
    m.set(v.name, v);
    byInstance.set(v.instance_id, m);
  }
  const out = new Map<string, TaskDossierPatch>();
  for (const i of instances) {
    const vars = byInstance.get(i.id) ?? new Map<string, { value: unknown }>();
    const str = (n: string) => { const x = plain(vars.get(n)); return typeof x === 'string' && x ? x : null; };
    const dos = dossierOf.get(i.id) ?? (i.business_key ? dossierByCode.get(i.business_key) : undefined);
    const facts: DossierFacts = dos ? {
      instanceId: i.id, dossierId: dos.id, code: dos.code, procedureCode: dos.procedure_code, procedureName: dos.procedure_name,
      applicantName: dos.applicant?.fullName ?? null, unitId: dos.unit_id,
      receivedAt: dos.received_at ?? dos.filed_at, dueAt: dos.due_at, paused: !!dos.paused_at, status: String(dos.status),
    } : {
      instanceId: i.id,
      dossierId: str('dossierId'),
      code: i.business_key ?? null,
      procedureCode: str('procedureCode') ?? i.definition_key,
      procedureName: str('procedureName') ?? i.definition_name ?? i.definition_key,
      applicantName: str('applicantName'),
      unitId: i.unit_id,
      receivedAt: date(plain(vars.get('receivedAt'))) ?? i.start_time,
      dueAt: date(plain(vars.get('dueAt'))),
      paused: plain(vars.get('paused')) === true,
      status: i.state === 'ACTIVE' ? 'processing' : 'closed',
    };
    const row = toRow(facts);
    await tasksStore.upsertDossier(db, row);
    out.set(i.id, row);
  }
  return out;
}
