import { normaliseBudget } from '../../../server/calendar/budget.js';
import { TTHC_NS } from '../../../server/engine/tthc-ns.js';
import { formatOutcomes, parseOutcomes } from '../../../server/tasks/outcome-format.js';

/** The slice of a moddle element (bpmn-moddle business object) that our helpers use. */
export interface ModdleElement {
  $type: string;
  id?: string;
  name?: string;
  $parent?: ModdleElement;
  get(name: string): any;
  set(name: string, value: unknown): void;
  $instanceOf?(type: string): boolean;
  [key: string]: any;
}

/** The tthc: namespace (one definition for the server and the designer). */
export const TTHC_URI = TTHC_NS;
/** Roles a step can be assigned to; resolved to people within the dossier's unit at run time. */
export const ROLES = ['one-stop-officer', 'specialist', 'division-head', 'leader', 'clerical'] as const;
export const FORMS = ['01', '02', '03', '04', '05', '06', '07'] as const;

export interface StepProps {
  role?: string;
  budget?: string;
  countsTowardLimit: boolean;
  form?: string;
  consultAgency?: string;
  replyDeadline?: string;
  beforeDue?: string;
  /** `approve:Đồng ý, trình ký; return!:Trả lại chuyên viên` (server/tasks/outcome-format.ts). */
  outcomes?: string;
}

export type StepField = keyof StepProps;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

export function readStep(bo: ModdleElement): StepProps {
  return {
    role: str(bo.get('tthc:role')),
    budget: str(bo.get('tthc:budget')),
    countsTowardLimit: bo.get('tthc:countsTowardLimit') !== 'false',
    form: str(bo.get('tthc:form')),
    consultAgency: str(bo.get('tthc:consultAgency')),
    replyDeadline: str(bo.get('tthc:replyDeadline')),
    beforeDue: str(bo.get('tthc:beforeDue')),
    outcomes: str(bo.get('tthc:outcomes')),
  };
}

export class StepValueError extends Error {
  constructor(readonly field: StepField, readonly value: unknown) {
    super(`Invalid ${field}: ${String(value)}`);
  }
}

/**
 * The attribute changes that set one field of a step, for `modeling.updateProperties` (so undo works).
 * The role also drives `camunda:candidateGroups`, which is what a Camunda-compatible engine reads.
 */
export function stepUpdates(field: StepField, value: string | boolean | undefined): Record<string, unknown> {
  const text = typeof value === 'string' ? value.trim() : undefined;
  switch (field) {
    case 'role':
      return { 'tthc:role': text || undefined, 'camunda:candidateGroups': text || undefined };
    case 'budget':
    case 'replyDeadline':
    case 'beforeDue': {
      if (!text) return { [`tthc:${field}`]: undefined };
      const norm = normaliseBudget(text);
      if (!norm) throw new StepValueError(field, value);
      return { [`tthc:${field}`]: norm };
    }
    case 'countsTowardLimit':
      // Absent means "counts": only the exception is written.
      return { 'tthc:countsTowardLimit': value === false || value === 'false' ? 'false' : undefined };
    case 'outcomes': {
      // One per line in the panel, `;`-separated in the attribute; written in the canonical form.
      if (!text) return { 'tthc:outcomes': undefined };
      try {
        return { 'tthc:outcomes': formatOutcomes(parseOutcomes(text)) || undefined };
      } catch {
        throw new StepValueError(field, value);
      }
    }
    case 'form':
    case 'consultAgency':
      return { [`tthc:${field}`]: text || undefined };
  }
}

/** Applies updates straight to a moddle element (outside the modeler: tests, import tools). */
export function applyUpdates(bo: ModdleElement, updates: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(updates)) bo.set(k, v);
}

export function isType(el: ModdleElement, type: string): boolean {
  return el.$instanceOf ? el.$instanceOf(type) : el.$type === type;
}
