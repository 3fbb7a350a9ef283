import { formatCamundaLocal, localDayStart } from '../calendar/index.js';
import { EngineError, type EngineMessageKey } from './errors.js';

/** A Camunda 7 typed value as it travels over REST and sits in engine_variable. */
export interface TypedValue {
  value: unknown;
  type: string;
  valueInfo?: Record<string, unknown>;
}

const TYPES = ['String', 'Boolean', 'Integer', 'Short', 'Long', 'Double', 'Date', 'Json', 'Object', 'Null'] as const;

/** Validates and normalises one incoming typed value (REST body) or throws a 400 naming it. */
function normaliseTyped(name: string, raw: unknown): TypedValue {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new EngineError('engine.variableNotObject', { name });
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!['value', 'type', 'valueInfo'].includes(k)) throw new EngineError('engine.variableUnknownField', { name, field: k });
  const value = r.value;
  let type = typeof r.type === 'string' && r.type ? r.type[0]!.toUpperCase() + r.type.slice(1) : inferType(value);
  const valueInfo = (r.valueInfo && typeof r.valueInfo === 'object' ? r.valueInfo : undefined) as Record<string, unknown> | undefined;
  if (!(TYPES as readonly string[]).includes(type)) throw new EngineError('engine.variableType', { name, type: String(r.type) });
  if (value === null || value === undefined) return { value: null, type: type === 'Null' ? 'Null' : type, valueInfo: valueInfo ?? {} };
  const bad = (key: EngineMessageKey) => new EngineError(key, { name, type });
  switch (type) {
    case 'String': if (typeof value !== 'string') throw bad('engine.variableString'); break;
    case 'Boolean':
      if (typeof value !== 'boolean') throw bad('engine.variableBoolean'); break;
    case 'Integer': case 'Short': case 'Long':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw bad('engine.variableInteger'); break;
    case 'Double': if (typeof value !== 'number' || !Number.isFinite(value)) throw bad('engine.variableNumber'); break;
    case 'Date': {
      if (typeof value !== 'string' || Number.isNaN(parseCamundaDate(value)?.getTime() ?? NaN)) throw bad('engine.variableDate');
      return { value: formatDate(parseCamundaDate(value)), type, valueInfo: {} };
    }
    case 'Json':
      if (typeof value !== 'string') throw bad('engine.variableJsonString');
      try { JSON.parse(value); } catch { throw bad('engine.variableJson'); }
      break;
    case 'Object': {
      const fmt = valueInfo?.serializationDataFormat;
      if (fmt !== undefined && fmt !== 'application/json') throw bad('engine.variableFormat');
      if (typeof value === 'string') { try { JSON.parse(value); } catch { throw bad('engine.variableJson'); } }
      return { value: typeof value === 'string' ? value : JSON.stringify(value), type, valueInfo: { serializationDataFormat: 'application/json', objectTypeName: valueInfo?.objectTypeName ?? 'java.lang.Object' } };
    }
    case 'Null': return { value: null, type, valueInfo: {} };
  }
  type = type === 'Short' ? 'Integer' : type;
  return { value, type, valueInfo: valueInfo ?? {} };
}

function inferType(v: unknown): string {
  if (v === null || v === undefined) return 'Null';
  if (typeof v === 'boolean') return 'Boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? (Math.abs(v) > 2 ** 31 ? 'Long' : 'Integer') : 'Double';
  if (typeof v === 'string') return 'String';
  return 'Json';
}

export function normaliseVariables(raw: unknown, where = 'variables'): Record<string, TypedValue> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new EngineError('engine.variablesNotObject', { where });
  const out: Record<string, TypedValue> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!k || k.length > 255 || k === '__proto__') throw new EngineError('engine.variableName', { name: k });
    out[k] = normaliseTyped(k, v);
  }
  return out;
}

/** What expressions see: plain JS values (Date for Date, parsed objects for Json/Object). */
export function plainValue(t: TypedValue): unknown {
  if (t.value === null || t.value === undefined) return null;
  switch (t.type) {
    case 'Date': return parseCamundaDate(String(t.value));
    case 'Json': case 'Object':
      try { return typeof t.value === 'string' ? JSON.parse(t.value) : t.value; } catch { return t.value; }
    default: return t.value;
  }
}

/** From a plain value set by code (not REST) to a typed one. */
export function typedFromPlain(v: unknown): TypedValue {
  if (v instanceof Date) return { value: formatDate(v), type: 'Date', valueInfo: {} };
  if (v !== null && typeof v === 'object') return { value: JSON.stringify(v), type: 'Json', valueInfo: {} };
  return { value: v ?? null, type: inferType(v), valueInfo: {} };
}

/** Camunda's `yyyy-MM-dd'T'HH:mm:ss.SSSZ`, in Asia/Ho_Chi_Minh (+0700). */
export function formatDate(d: Date | null | undefined): string | null {
  return d ? formatCamundaLocal(d) : null;
}

/** Accepts Camunda's format (offset without colon) and ISO 8601. */
export function parseCamundaDate(s: string): Date | null {
  if (typeof s !== 'string' || s.length > 40) return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (!m) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return localDayStart(s) ?? null;
    return null;
  }
  let off = m[2] ?? '+07:00';
  if (/^[+-]\d{4}$/.test(off)) off = `${off.slice(0, 3)}:${off.slice(3)}`;
  const d = new Date(`${m[1]}${off}`);
  return Number.isNaN(d.getTime()) ? null : d;
}
