import { Router, type Request } from 'express';
import { z } from 'zod';
import { inputKey } from '../http/messages.js';
import { localDate, localDayStart } from '../calendar/index.js';
import { sendDocument } from '../documents/index.js';
import { doc } from '../http/openapi.js';
import { guard, type Principal } from '../http/policy.js';
import { parseQuery } from '../http/validate.js';
import type { Knex } from 'knex';
import { registerDocument, registerRows, registerXlsx } from './register07.js';
import { registerError } from './messages.js';

interface OrgUnitHead { id: string; name: string; parent_id: string | null }

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, inputKey('input.date')).transform((s, ctx) => {
  const d = localDayStart(s);
  if (!d) ctx.addIssue({ code: 'custom', message: inputKey('input.date') });
  return d ?? new Date(0);
});
const RegisterQuery = z.object({
  unit: z.string().min(1).max(100),
  from: day,
  /** Inclusive. */
  to: day,
  format: z.enum(['pdf', 'docx', 'xlsx']).default('pdf'),
}).strict();

export interface RegistersRouterDeps {
  knex: Knex;
  units: { visibleUnitIds(p: Pick<Principal, 'roles'>): Promise<string[] | 'all'> };
  /** The register names applicants: its reading is audited. */
  onRead: (req: Request, unitId: string) => void;
}

/** `/api/registers/07`: the tracking register (form 07) of a unit for a period, as PDF, DOCX or XLSX. */
export function createRegistersRouter(deps: RegistersRouterDeps): Router {
  const r = Router();
  r.get('/07', guard('dossier:read'), doc({ summary: 'Sổ theo dõi hồ sơ (mẫu 07) của một đơn vị trong một khoảng thời gian / tracking register', query: RegisterQuery, responseType: 'application/pdf' }), async (req, res) => {
    const q = parseQuery(RegisterQuery, req);
    const to = new Date(q.to.getTime() + 86_400_000);
    if (to <= q.from) throw registerError(400, 'ValidationError', 'registers.toBeforeFrom');
    if (to.getTime() - q.from.getTime() > 366 * 86_400_000 * 2) throw registerError(400, 'ValidationError', 'registers.tooLong');
    const visible = await deps.units.visibleUnitIds(req.principal!);
    const unit = await deps.knex<OrgUnitHead>('org_unit').where('id', q.unit).first('id', 'name', 'parent_id');
    if (!unit || (visible !== 'all' && !visible.includes(q.unit))) throw registerError(404, 'NotFound', 'registers.noUnit', { unit: q.unit });
    const parent = unit.parent_id ? await deps.knex<OrgUnitHead>('org_unit').where('id', unit.parent_id).first('name') : null;
    const period = { unitId: q.unit, from: q.from, to };
    const rows = await registerRows(deps.knex, period);
    deps.onRead(req, q.unit);
    const base = `so-theo-doi-${q.unit}-${localDate(q.from)}-${localDate(q.to)}`;
    if (q.format === 'xlsx') {
      res.status(200).setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.setHeader('Content-Disposition', `attachment; filename="${base}.xlsx"`);
      res.send(await registerXlsx(unit.name, period, rows));
      return;
    }
    await sendDocument(res, registerDocument(unit.name, parent?.name ?? null, period, rows), q.format, base);
  });
  return r;
}
