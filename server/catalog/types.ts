import { z } from 'zod';
import { catalogKey } from './messages.js';

const CODE_RE = /^[0-9]\.[0-9]{6}(\.[0-9A-Za-z.-]+)?$/;

const ComponentSchema = z.object({
  name: z.string().trim().min(1).max(500),
  /** bản chính / bản sao / either */
  copyType: z.enum(['original', 'copy', 'either']),
  quantity: z.number().int().min(1).max(100),
  required: z.boolean(),
}).strict();

const FeeSchema = z.object({
  description: z.string().trim().min(1).max(300),
  amount: z.number().int().min(0).max(1_000_000_000), // VND
}).strict();

const StepSchema = z.object({
  name: z.string().trim().min(1).max(200),
  role: z.string().trim().min(1).max(64),
  budget: z.string().regex(/^\d+(\.\d+)?[dh]$/, 'a working time like "4h" or "0.5d"'),
  form: z.string().max(40).optional(),
  countsTowardLimit: z.boolean().optional(),
  consultAgency: z.string().max(64).optional(),
  replyDeadline: z.string().regex(/^\d+(\.\d+)?[dh]$/).optional(),
}).strict();

/** `{value, unit}`, or the designer's `{workingDays}` / `{workingHours}`; stored as `{value, unit}`. */
const LimitSchema = z.object({
  value: z.number().positive().max(3650).optional(),
  unit: z.enum(['days', 'hours']).optional(),
  workingDays: z.number().positive().max(3650).optional(),
  workingHours: z.number().positive().max(29200).optional(),
}).strict().transform((l, ctx): { value: number; unit: 'days' | 'hours' } => {
  if (l.value !== undefined && l.unit) return { value: l.value, unit: l.unit };
  if (l.workingDays !== undefined) return { value: l.workingDays, unit: 'days' };
  if (l.workingHours !== undefined) return { value: l.workingHours, unit: 'hours' };
  ctx.addIssue({ code: 'custom', message: catalogKey('catalog.giveDuration') });
  return z.NEVER;
});

export const ProcedureInputSchema = z.object({
  code: z.string().trim().regex(CODE_RE, catalogKey('catalog.codeFormat')),
  name: z.string().trim().min(3).max(500),
  field: z.string().trim().min(2).max(200),
  level: z.string().trim().min(1).max(40),
  /** The agency that executes the procedure (receives and decides dossiers). */
  agencyId: z.string().trim().min(1).max(64),
  /** The agency that manages the field (cơ quan quản lý lĩnh vực) and drafts the process; defaults to agencyId. */
  managingAgencyId: z.string().trim().min(1).max(64).optional(),
  legalBasis: z.string().max(5000).default(''),
  limit: LimitSchema,
  afterCutoffNextDay: z.boolean().default(true),
  pauseOnSupplement: z.boolean().default(true),
  requiresSupplementPath: z.boolean().default(true),
  requiresRefusalPath: z.boolean().default(true),
  components: z.array(ComponentSchema).max(100).default([]),
  fees: z.array(FeeSchema).max(50).default([]),
  steps: z.array(StepSchema).max(50).default([]),
  onlineLevel: z.enum(['partial', 'full']),
  status: z.enum(['active', 'withdrawn']).default('active'),
}).strict();
export type ProcedureInput = z.infer<typeof ProcedureInputSchema>;

export interface Procedure extends ProcedureInput {
  /** Both spellings: `{value, unit}` and the designer's `workingDays` / `workingHours`. */
  limit: { value: number; unit: 'days' | 'hours'; workingDays?: number; workingHours?: number };
  id: string;
  managingAgencyId: string;
  agencyName?: string;
  managingAgencyName?: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export interface ProcedureQuery {
  q?: string;
  field?: string;
  level?: string;
  agencyId?: string;
  managingAgencyId?: string;
  status?: 'active' | 'withdrawn';
  page: number;
  pageSize: number;
}

export interface Page<T> { items: T[]; total: number; page: number; pageSize: number }

/** One row of an import report: a rejected row's `reason` is Vietnamese, `reasonEn` its English, `reasonKey` the key of both. */
export interface ImportRowResult { row: number; code?: string; outcome: 'created' | 'updated' | 'rejected'; reason?: string; reasonEn?: string; reasonKey?: string; id?: string }
