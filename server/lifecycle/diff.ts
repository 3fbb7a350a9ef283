import { parseBpmn } from '../validation/index.js';

interface Change {
  id: string;
  type: string;
  name?: string;
  attrs?: Record<string, { old: unknown; new: unknown }>;
}
export interface VersionDiff { added: Change[]; removed: Change[]; changed: Change[]; layoutChanged: Change[] }

interface Element { $type: string; id: string; name?: string }
interface DiffResult {
  _added: Record<string, Element>;
  _removed: Record<string, Element>;
  _changed: Record<string, { model: Element; attrs: Record<string, { oldValue: unknown; newValue: unknown }> }>;
  _layoutChanged: Record<string, Element>;
}

// bpmn-js-differ ships no type declarations; see moddle.ts for why the specifier is a variable.
const DIFFER_PKG = 'bpmn-js-differ';
const { diff } = (await import(DIFFER_PKG)) as { diff(a: unknown, b: unknown): DiffResult };

/** Moddle values become plain JSON: references by id, expressions by their text. */
function plain(v: unknown): unknown {
  if (typeof v === 'string') return v.startsWith('#ref:') ? v.slice(5) : v;
  if (v == null || typeof v !== 'object') return v ?? null;
  if (Array.isArray(v)) return v.map(plain);
  const o = v as { id?: string; body?: string; $type?: string };
  if (typeof o.body === 'string') return o.body;
  if (o.id) return o.id;
  if (o.$type) return o.$type;
  return JSON.parse(JSON.stringify(v, (k, x: unknown) => (k.startsWith('$') ? undefined : x))) as unknown;
}

/**
 * bpmn-js-differ 3 passes jsondiffpatch's delta straight on as (newValue, oldValue): a modified value
 * `[old, new]` arrives the other way round, an added attribute `[new]` as (new, undefined), a removed
 * one `[old, 0, 0]` as (old, 0). Read back here into old → new (test/lifecycle/diff.test.ts).
 */
function values(v: { oldValue: unknown; newValue: unknown }): { old: unknown; new: unknown } {
  if (v.oldValue === undefined) return { old: null, new: plain(v.newValue) };
  if (v.oldValue === 0 && typeof v.newValue !== 'number') return { old: plain(v.newValue), new: null };
  return { old: plain(v.newValue), new: plain(v.oldValue) };
}

const change = (e: Element): Change => ({ id: e.id, type: e.$type, ...(e.name ? { name: e.name } : {}) });

/** Semantic differences between two BPMN documents (old first), layout-only moves kept apart. */
export async function diffXml(oldXml: string, newXml: string): Promise<VersionDiff> {
  const [a, b] = await Promise.all([parseBpmn(oldXml), parseBpmn(newXml)]);
  const d = diff(a.definitions, b.definitions);
  return {
    added: Object.values(d._added).map(change),
    removed: Object.values(d._removed).map(change),
    changed: Object.values(d._changed).map((c) => ({
      ...change(c.model),
      attrs: Object.fromEntries(Object.entries(c.attrs).map(([k, v]) => [k, values(v)])),
    })),
    layoutChanged: Object.values(d._layoutChanged).map(change),
  };
}
