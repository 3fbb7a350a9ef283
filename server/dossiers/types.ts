import { z } from 'zod';
import type { DueState } from '../calendar/index.js';
import type { Status } from './states.js';
import { dossierKey } from './messages.js';

/** Số định danh cá nhân: 12 digits. Tax code (mã số thuế): 10 digits, or 10-3 for a branch. */
const PERSONAL_ID_RE = /^\d{12}$/;
const TAX_CODE_RE = /^\d{10}(-\d{3})?$/;
/** Vietnamese phone numbers: 0 + 9 digits, or +84 + 9 digits (spaces and dots allowed when typed). */
const PHONE_RE = /^(0|\+84)\d{9}$/;

const normPhone = (s: string) => s.replace(/[\s.-]/g, '');

export const PartySchema = z.object({
  kind: z.enum(['person', 'organisation']).default('person'),
  fullName: z.string().trim().min(2, dossierKey('dossiers.fullNameShort')).max(200),
  /** Số định danh cá nhân (person) or mã số thuế (organisation). */
  idNumber: z.string().trim().max(20).optional(),
  address: z.string().trim().max(500).default(''),
  phone: z.string().trim().max(20).transform(normPhone).optional(),
  email: z.string().trim().email(dossierKey('dossiers.badEmail')).max(200).optional().or(z.literal('').transform(() => undefined)),
}).strict().superRefine((p, ctx) => {
  if (p.idNumber !== undefined && p.idNumber !== '') {
    const ok = p.kind === 'person' ? PERSONAL_ID_RE.test(p.idNumber) : TAX_CODE_RE.test(p.idNumber);
    if (!ok) {
      ctx.addIssue({
        code: 'custom', path: ['idNumber'],
        message: p.kind === 'person'
          ? dossierKey('dossiers.badPersonalId')
          : dossierKey('dossiers.badTaxCode'),
      });
    }
  }
  if (p.phone !== undefined && p.phone !== '' && !PHONE_RE.test(p.phone)) {
    ctx.addIssue({ code: 'custom', path: ['phone'], message: dossierKey('dossiers.badPhone') });
  }
});
export type Party = z.infer<typeof PartySchema>;

/** A component the citizen handed in, named exactly as in the procedure's published list. */
export const ReceivedComponentSchema = z.object({
  name: z.string().trim().min(1).max(500),
  copyType: z.enum(['original', 'copy', 'either']).optional(),
  quantity: z.number().int().min(1).max(100).default(1),
}).strict();
export type ReceivedComponent = z.infer<typeof ReceivedComponentSchema> & { fileIds?: string[] };

type Channel = 'in-person' | 'online' | 'post';
type CollectionMethod = 'in-person' | 'post' | 'online';

interface SupplementRequest {
  items: string[];
  reason: string;
  requestedAt: string;
  requestedBy: string;
  /** The status the dossier was in when it was requested (1, 4 or reception = 0). */
  fromStatus: number;
  receivedAt?: string;
}

/** The dossier as the service returns it to staff of its units. */
export interface Dossier {
  id: string;
  code: string;
  seq: number;
  unitId: string;
  unitName?: string;
  competentUnitId: string;
  procedureId: string;
  procedureCode?: string;
  procedureName?: string;
  level: string;
  processVersionId: string | null;
  definitionId: string | null;
  instanceId: string | null;
  status: Status;
  channel: Channel;
  applicant: Party;
  proxy: Party | null;
  components: ReceivedComponent[];
  fees: Array<{ description: string; amount: number }>;
  content: string;
  notes: string;
  filedAt: string;
  receivedAt: string | null;
  limit: { value: number; unit: 'days' | 'hours' };
  startsAt: string | null;
  dueAt: string | null;
  pausedAt: string | null;
  remainingMs: number | null;
  pausedTotalMs: number;
  originalDueAt: string | null;
  extendedAt: string | null;
  extensionReason: string | null;
  supplement: SupplementRequest | null;
  refusal: { reasons: string[]; at: string; by: string } | null;
  stop: { reason: string; at: string; by: string } | null;
  resolvedAt: string | null;
  returnedAt: string | null;
  collectionMethod: CollectionMethod | null;
  rating: number | null;
  ratedAt: string | null;
  createdBy: string | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** A list row: personal values masked. */
export interface DossierSummary {
  id: string;
  code: string;
  unitId: string;
  procedureId: string;
  procedureName?: string;
  status: Status;
  channel: Channel;
  applicantName: string;
  applicantIdMasked: string | null;
  applicantPhoneMasked: string | null;
  filedAt: string;
  receivedAt: string | null;
  dueAt: string | null;
  dueState: DueState | null;
}

export interface DossierEvent {
  id: number;
  kind: string;
  fromStatus: number | null;
  toStatus: number | null;
  actorId: string | null;
  actorName: string | null;
  reason: string | null;
  data: unknown;
  at: string;
}

export interface DossierQuery {
  status?: Status[];
  procedureId?: string;
  unitId?: string;
  dueState?: DueState;
  receivedFrom?: Date;
  receivedTo?: Date;
  code?: string;
  applicant?: string;
  channel?: Channel;
  page: number;
  pageSize: number;
}

export interface Page<T> { items: T[]; total: number; page: number; pageSize: number }

/** Who acts on a dossier (a principal, or the system for engine-driven changes). */
export interface Actor { id: string | null; name: string }

/** What the citizen lookup shows: no personal data, no staff names. */
export interface PublicDossierView {
  code: string;
  status: Status;
  statusName: { vi: string; en: string };
  procedure: string;
  unit: string;
  filedAt: string;
  receivedAt: string | null;
  dueAt: string | null;
  currentStep: string | null;
  supplement: { items: string[]; reason: string } | null;
  refusalReasons: string[] | null;
  returnedAt: string | null;
  canRate: boolean;
  rated: boolean;
}
