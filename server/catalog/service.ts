import type { Knex } from 'knex';
import { z } from 'zod';
import { onField, type ApiError, type LocalizedText } from '../http/errors.js';
import { issueText } from '../http/zod-texts.js';
import type { Principal } from '../http/policy.js';
import { CsvSyntaxError, formatCsv, parseCsv } from '../text/csv.js';
import { catalogError, catalogText } from './messages.js';
import * as store from './store.js';
import { ProcedureInputSchema, type ImportRowResult, type Page, type Procedure, type ProcedureInput, type ProcedureQuery } from './types.js';

/** Who may write which procedure: the identity service answers (process owners: their units and sub-units). */
interface CatalogAccess {
  canDraftFor(principal: Pick<Principal, 'roles'>, unitId: string): Promise<boolean>;
}

export interface CatalogDeps {
  knex: Knex;
  access: CatalogAccess;
  /** Runs in the withdrawing transaction: the lifecycle retires the procedure's processes. */
  onWithdrawn?: (trx: Knex.Transaction, procedureId: string, actor: Principal) => Promise<void>;
}

const MAX_IMPORT_ROWS = 5000;
const CSV_COLUMNS = [
  'code', 'name', 'field', 'level', 'agencyId', 'legalBasis', 'limitValue', 'limitUnit', 'afterCutoffNextDay',
  'pauseOnSupplement', 'requiresSupplementPath', 'requiresRefusalPath', 'onlineLevel', 'status', 'components', 'fees', 'managingAgencyId',
] as const;
const REQUIRED_COLUMNS = ['code', 'name', 'field', 'level', 'agencyId', 'limitValue', 'limitUnit', 'onlineLevel'];

export type CatalogService = ReturnType<typeof createCatalogService>;

/**
 * For the seed loader (lifecycle/seed.ts), which fills an empty catalogue together with the procedures'
 * process versions in one transaction of its own: how many procedures exist, and insert one (inside that transaction).
 */
export const catalogSeeding = { count: store.count, insert: store.insert };

export function createCatalogService(deps: CatalogDeps) {
  const { knex, access } = deps;

  /** `known` memoises lookups within one import: levels and units do not change under it. */
  /** The first reference to a level or unit that does not exist: the field and a refusal naming it. */
  async function checkRefs(db: Knex | Knex.Transaction, p: ProcedureInput, known = new Map<string, boolean>()): Promise<{ field: string; error: ApiError } | undefined> {
    const has = async (key: string, look: () => Promise<boolean>) => {
      if (!known.has(key)) known.set(key, await look());
      return known.get(key)!;
    };
    const bad = (field: string, error: ApiError) => ({ field, error: onField(error, `body.${field}`) });
    if (!(await has(`level:${p.level}`, () => store.levelExists(db, p.level)))) return bad('level', catalogError(400, 'InvalidRequestException', 'catalog.unknownLevel', { level: p.level }));
    if (!(await has(`unit:${p.agencyId}`, () => store.unitExists(db, p.agencyId)))) return bad('agencyId', catalogError(400, 'InvalidRequestException', 'catalog.unknownUnit', { unit: p.agencyId }));
    const m = p.managingAgencyId;
    if (m && !(await has(`unit:${m}`, () => store.unitExists(db, m)))) return bad('managingAgencyId', catalogError(400, 'InvalidRequestException', 'catalog.unknownUnit', { unit: m }));
    return undefined;
  }

  /** A procedure is maintained by its managing agency (cơ quan quản lý lĩnh vực). */
  async function mayWrite(actor: Principal, managingAgencyId: string): Promise<void> {
    if (!(await access.canDraftFor(actor, managingAgencyId))) {
      const name = (await store.unitName(knex, managingAgencyId)) ?? managingAgencyId;
      throw catalogError(403, 'Forbidden', 'catalog.mayNotEdit', { agency: name });
    }
  }
  const managerOf = (p: { agencyId: string; managingAgencyId?: string }) => p.managingAgencyId ?? p.agencyId;

  async function requireProcedure(db: Knex | Knex.Transaction, id: string): Promise<Procedure> {
    const p = z.uuid().safeParse(id).success ? await store.get(db, id) : undefined;
    if (!p) throw catalogError(404, 'NotFound', 'catalog.noProcedure', { id });
    return p;
  }

  return {
    search: (q: ProcedureQuery): Promise<Page<Procedure>> => store.search(knex, q),
    /** `db` lets a caller inside a transaction read on that transaction's connection. */
    get: (id: string, db: Knex | Knex.Transaction = knex) => requireProcedure(db, id),
    getByCode: (code: string) => store.getByCode(knex, code),
    fields: () => store.fields(knex),
    levels: () => store.levels(knex),
    /** Levels are rows, not an enum: a province adds or retires one without a release. */
    async saveLevel(l: { id: string; nameVi: string; nameEn: string; active: boolean; sort: number }) {
      await store.upsertLevel(knex, l);
      return (await store.levels(knex)).find((x) => x.id === l.id)!;
    },
    count: () => store.count(knex),

    async create(input: ProcedureInput, actor: Principal): Promise<Procedure> {
      await mayWrite(actor, managerOf(input));
      const id = await knex.transaction(async (trx) => {
        const bad = await checkRefs(trx, input);
        if (bad) throw bad.error;
        if (await store.getByCode(trx, input.code)) throw catalogError(409, 'Conflict', 'catalog.codeExists', { code: input.code });
        return store.insert(trx, input);
      });
      return requireProcedure(knex, id);
    },

    /** `revision` (optional) makes the save conditional: a stale one is a 409. */
    async update(id: string, input: ProcedureInput, actor: Principal, revision?: number): Promise<Procedure> {
      // Scope is checked before the transaction: the access service reads on its own connection.
      const current = await requireProcedure(knex, id);
      await mayWrite(actor, current.managingAgencyId);
      const manager = input.managingAgencyId ?? current.managingAgencyId;
      if (manager !== current.managingAgencyId) await mayWrite(actor, manager);
      input = { ...input, managingAgencyId: manager };
      await knex.transaction(async (trx) => {
        const locked = await store.lockForUpdate(trx, id);
        if (!locked) throw catalogError(404, 'NotFound', 'catalog.noProcedure', { id });
        if (revision !== undefined && locked.revision !== revision) {
          throw catalogError(409, 'Conflict', 'catalog.staleRevision', { revision: locked.revision }, { currentRevision: locked.revision });
        }
        if (locked.managingAgencyId !== current.managingAgencyId) throw catalogError(409, 'Conflict', 'catalog.agencyChanged');
        const bad = await checkRefs(trx, input);
        if (bad) throw bad.error;
        const other = await store.getByCode(trx, input.code);
        if (other && other.id !== id) throw catalogError(409, 'Conflict', 'catalog.codeExists', { code: input.code });
        await store.update(trx, id, input);
        if (input.status === 'withdrawn' && locked.status !== 'withdrawn') await deps.onWithdrawn?.(trx, id, actor);
      });
      return requireProcedure(knex, id);
    },

    async withdraw(id: string, actor: Principal): Promise<Procedure> {
      const p = await requireProcedure(knex, id);
      await mayWrite(actor, p.managingAgencyId);
      await knex.transaction(async (trx) => {
        const locked = await store.lockForUpdate(trx, id);
        if (!locked || locked.status === 'withdrawn') return;
        await store.setStatus(trx, id, 'withdrawn');
        await deps.onWithdrawn?.(trx, id, actor);
      });
      return requireProcedure(knex, id);
    },

    async export(format: 'json' | 'csv'): Promise<string> {
      const items = await store.all(knex);
      if (format === 'json') return JSON.stringify(items.map(toPortable), null, 2);
      return formatCsv([[...CSV_COLUMNS], ...items.map(toCsvRow)]);
    },

    /**
     * Creates or updates by national code. A malformed file is refused whole (400); a bad row is
     * reported and skipped. Everything accepted is written in one transaction.
     */
    async import(format: 'json' | 'csv', content: string, actor: Principal, opts: { dryRun?: boolean } = {}): Promise<{ rows: ImportRowResult[]; created: number; updated: number; rejected: number; dryRun: boolean }> {
      const records = format === 'json' ? readJson(content) : readCsv(content);
      // Scope answers are gathered first: the access service reads on its own connection.
      const allowed = new Map<string, boolean>();
      const codes = records.map((r) => (r.value as { code?: unknown })?.code).filter((c): c is string => typeof c === 'string');
      const managerOfRecord = (v: unknown) => {
        const o = v as { agencyId?: unknown; managingAgencyId?: unknown } | undefined;
        return typeof o?.managingAgencyId === 'string' ? o.managingAgencyId : o?.agencyId;
      };
      const agencies = new Set<string>(records.map((r) => managerOfRecord(r.value)).filter((a): a is string => typeof a === 'string'));
      for (const e of (await store.byCodes(knex, codes.map((c) => c.trim()))).values()) agencies.add(e.managingAgencyId);
      for (const a of agencies) allowed.set(a, await access.canDraftFor(actor, a));
      const mayImport = (agencyId: string) => allowed.get(agencyId) === true;
      const rows: ImportRowResult[] = [];
      const rollback = new Error('dry run');
      try {
        await knex.transaction(async (trx) => {
          const seen = new Set<string>();
          const known = new Map<string, boolean>();
          const existingByCode = await store.byCodes(trx, codes.map((c) => c.trim()));
          for (const rec of records) {
            const result = await importOne(trx, rec, seen, known, existingByCode);
            rows.push(result);
          }
          if (opts.dryRun) throw rollback;
        });
      } catch (err) {
        if (err !== rollback) throw err;
      }
      const n = (o: ImportRowResult['outcome']) => rows.filter((r) => r.outcome === o).length;
      return { rows, created: n('created'), updated: n('updated'), rejected: n('rejected'), dryRun: !!opts.dryRun };

      async function importOne(trx: Knex.Transaction, rec: { row: number; value: unknown; error?: LocalizedText }, seen: Set<string>, known: Map<string, boolean>, existingByCode: Map<string, Procedure>): Promise<ImportRowResult> {
        const code = typeof (rec.value as { code?: unknown })?.code === 'string' ? (rec.value as { code: string }).code.trim() : undefined;
        // The reason in Vietnamese, its English and key beside it (the report is read in either language).
        const reject = (reason: LocalizedText): ImportRowResult => ({ row: rec.row, code, outcome: 'rejected', reason: reason.vi, reasonEn: reason.en, reasonKey: reason.key });
        if (rec.error) return reject(rec.error);
        const parsed = ProcedureInputSchema.safeParse(rec.value);
        if (!parsed.success) {
          return reject(issueText(parsed.error.issues[0]!, '', true));
        }
        const input = parsed.data;
        if (seen.has(input.code)) return reject(catalogText('catalog.import.twice', { code: input.code }));
        seen.add(input.code);
        const bad = await checkRefs(trx, input, known);
        if (bad) return reject({ key: bad.error.text!.key, vi: `${bad.field}: ${bad.error.text!.vi}`, en: `${bad.field}: ${bad.error.text!.en}` });
        if (!mayImport(managerOf(input))) return reject(catalogText('catalog.import.mayNotEdit', { agency: managerOf(input) }));
        const existing = existingByCode.get(input.code);
        if (existing) {
          if (!mayImport(existing.managingAgencyId)) return reject(catalogText('catalog.import.mayNotEdit', { agency: existing.managingAgencyId }));
          // Keep the step table when the file does not carry one (CSV never does).
          await store.update(trx, existing.id, { ...input, steps: input.steps.length ? input.steps : existing.steps });
          if (input.status === 'withdrawn' && existing.status !== 'withdrawn') await deps.onWithdrawn?.(trx, existing.id, actor);
          return { row: rec.row, code: input.code, outcome: 'updated', id: existing.id };
        }
        const id = await store.insert(trx, input);
        return { row: rec.row, code: input.code, outcome: 'created', id };
      }
    },
  };
}

function toPortable(p: Procedure): ProcedureInput {
  const { id: _id, revision: _r, createdAt: _c, updatedAt: _u, agencyName: _a, managingAgencyName: _m, ...rest } = p;
  return { ...rest, limit: { value: p.limit.value, unit: p.limit.unit } };
}

const COPY_VI: Record<string, string> = { original: 'original', copy: 'copy', either: 'either' };

function toCsvRow(p: Procedure): Array<string | number | boolean> {
  return [
    p.code, p.name, p.field, p.level, p.agencyId, p.legalBasis, p.limit.value, p.limit.unit, p.afterCutoffNextDay,
    p.pauseOnSupplement, p.requiresSupplementPath, p.requiresRefusalPath, p.onlineLevel, p.status,
    p.components.map((c) => [c.name.replace(/[|;]/g, ' '), COPY_VI[c.copyType], c.quantity, c.required ? 'required' : 'optional'].join('|')).join('; '),
    p.fees.map((f) => `${f.description.replace(/[|;]/g, ' ')}|${f.amount}`).join('; '),
    p.managingAgencyId,
  ];
}

function readJson(content: string): Array<{ row: number; value: unknown }> {
  let data: unknown;
  try {
    data = JSON.parse(content.charCodeAt(0) === 0xfeff ? content.slice(1) : content);
  } catch {
    throw catalogError(400, 'InvalidRequestException', 'catalog.badJson');
  }
  const list: unknown = Array.isArray(data) ? (data as unknown[]) : (data as { items?: unknown } | null)?.items;
  if (!Array.isArray(list)) throw catalogError(400, 'InvalidRequestException', 'catalog.jsonNotArray');
  if (list.length > MAX_IMPORT_ROWS) throw catalogError(400, 'InvalidRequestException', 'catalog.tooManyRows', { max: MAX_IMPORT_ROWS });
  return (list as unknown[]).map((value, i) => ({ row: i + 1, value }));
}

function readCsv(content: string): Array<{ row: number; value: unknown; error?: LocalizedText }> {
  let table: string[][];
  try {
    table = parseCsv(content);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw catalogError(400, 'InvalidRequestException', `catalog.csv.${err.kind}`, { line: err.line });
    throw err;
  }
  const header = table[0]?.map((h) => h.trim());
  if (!header) throw catalogError(400, 'InvalidRequestException', 'catalog.emptyCsv');
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) throw catalogError(400, 'InvalidRequestException', 'catalog.missingColumns', { columns: missing.join(', ') });
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) throw catalogError(400, 'InvalidRequestException', 'catalog.unknownColumns', { columns: unknown.join(', ') });
  if (table.length - 1 > MAX_IMPORT_ROWS) throw catalogError(400, 'InvalidRequestException', 'catalog.tooManyRows', { max: MAX_IMPORT_ROWS });
  return table.slice(1).map((cells, i) => {
    const row = i + 1;
    if (cells.length !== header.length) return { row, value: {}, error: catalogText('catalog.import.cellCount', { expected: header.length, found: cells.length }) };
    const c = Object.fromEntries(header.map((h, j) => [h, cells[j]!.trim()]));
    try {
      return { row, value: fromCsvCells(c) };
    } catch (err) {
      if (!(err instanceof CellError)) throw err;
      return { row, value: { code: c.code }, error: err.text };
    }
  });
}

/** A CSV cell that is no value of its column, with the reason in both languages. */
class CellError extends Error {
  constructor(readonly text: LocalizedText) { super(text.en); }
}

function bool(v: string | undefined, name: string, dflt: boolean): boolean {
  if (v === undefined || v === '') return dflt;
  if (/^(true|1|yes|có|co)$/i.test(v)) return true;
  if (/^(false|0|no|không|khong)$/i.test(v)) return false;
  throw new CellError(catalogText('catalog.import.notBool', { name, value: v }));
}

function fromCsvCells(c: Record<string, string>): unknown {
  const limitValue = Number(c.limitValue);
  if (!c.limitValue || !Number.isFinite(limitValue)) throw new CellError(catalogText('catalog.import.notNumber', { name: 'limitValue', value: c.limitValue ?? '' }));
  const components = (c.components ?? '').split(';').map((s) => s.trim()).filter(Boolean).map((s) => {
    const [name, copyType, quantity, required] = s.split('|').map((x) => x.trim());
    const q = Number(quantity ?? '1');
    if (!Number.isInteger(q)) throw new CellError(catalogText('catalog.import.notWhole', { name: 'components', value: quantity ?? '' }));
    return { name, copyType: copyType || 'either', quantity: q, required: (required ?? 'required') !== 'optional' };
  });
  const fees = (c.fees ?? '').split(';').map((s) => s.trim()).filter(Boolean).map((s) => {
    const [description, amount] = s.split('|').map((x) => x.trim());
    const a = Number(amount);
    if (!Number.isFinite(a)) throw new CellError(catalogText('catalog.import.notNumber', { name: 'fees', value: amount ?? '' }));
    return { description, amount: a };
  });
  return {
    code: c.code, name: c.name, field: c.field, level: c.level, agencyId: c.agencyId, legalBasis: c.legalBasis ?? '',
    limit: { value: limitValue, unit: c.limitUnit },
    afterCutoffNextDay: bool(c.afterCutoffNextDay, 'afterCutoffNextDay', true),
    pauseOnSupplement: bool(c.pauseOnSupplement, 'pauseOnSupplement', true),
    requiresSupplementPath: bool(c.requiresSupplementPath, 'requiresSupplementPath', true),
    requiresRefusalPath: bool(c.requiresRefusalPath, 'requiresRefusalPath', true),
    onlineLevel: c.onlineLevel, status: c.status || 'active', components, fees,
    ...(c.managingAgencyId ? { managingAgencyId: c.managingAgencyId } : {}),
  };
}
