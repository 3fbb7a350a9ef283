import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { renameConflictingPrefixes } from '../src/tthc/xml-prefixes.js';
import { parse, repoRoot } from './helpers.js';

const dir = path.join(repoRoot, 'designer/test/fixtures/miwg');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.bpmn')).sort();

/** Every element with an id (semantic and diagram), by type. */
function inventory(root: any): { ids: Map<string, string>; shapes: number; edges: number } {
  const ids = new Map<string, string>();
  let shapes = 0;
  let edges = 0;
  const seen = new Set<any>();
  const visit = (el: any) => {
    if (!el || typeof el !== 'object' || seen.has(el)) return;
    seen.add(el);
    if (el.$type) {
      if (el.id) ids.set(el.id, el.$type);
      if (el.$type === 'bpmndi:BPMNShape') shapes++;
      if (el.$type === 'bpmndi:BPMNEdge') edges++;
      const desc = el.$descriptor;
      for (const p of desc?.properties ?? []) {
        if (p.isReference) continue;
        const v = el[p.name];
        if (Array.isArray(v)) v.forEach(visit);
        else if (v && typeof v === 'object') visit(v);
      }
    }
  };
  visit(root);
  return { ids, shapes, edges };
}

describe('BPMN MIWG reference models', () => {
  it('has all 21 models', () => {
    expect(files).toHaveLength(21);
  });

  it.each(files)('%s round-trips through import and export without losing elements or shapes', async (file) => {
    // The same preparation the modeler applies on import.
    const { xml } = renameConflictingPrefixes(fs.readFileSync(path.join(dir, file), 'utf8'));
    const first = await parse(xml);
    const before = inventory(first.definitions);
    expect(before.ids.size).toBeGreaterThan(0);
    const { xml: exported } = await first.moddle.toXML(first.definitions, { format: true });
    const second = await parse(exported);
    const after = inventory(second.definitions);
    expect(after.shapes).toBe(before.shapes);
    expect(after.edges).toBe(before.edges);
    expect([...after.ids.entries()].sort()).toEqual([...before.ids.entries()].sort());
  });
});
