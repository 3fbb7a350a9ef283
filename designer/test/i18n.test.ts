import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { en } from '../src/i18n/en.js';
import { vi } from '../src/i18n/vi.js';
import { bpmnVi } from '../src/modeler/translate/bpmn-vi.js';
import { FORMS, ROLES } from '../src/tthc/model.js';
import { STEP_TEMPLATES } from '../src/tthc/step-templates.js';
import { WORKER_TOPICS } from '../../server/validation/topics.js';
import { repoRoot } from './helpers.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** English strings bpmn-js and diagram-js pass to translate() (palette, context pad, popup menu). */
function upstreamStrings(): string[] {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.js')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/translate\(\s*'([^']+)'/g)) out.add(m[1]!);
    }
  };
  walk(path.join(repoRoot, 'node_modules/bpmn-js/lib/features'));
  walk(path.join(repoRoot, 'node_modules/diagram-js/lib/features'));
  return [...out];
}

describe('translations', () => {
  it('has every key in both languages, non-empty, with the same placeholders', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
    for (const [k, text] of Object.entries(vi)) {
      expect(text.trim()).not.toBe('');
      expect(en[k as keyof typeof vi].trim()).not.toBe('');
      expect([k, placeholders(en[k as keyof typeof vi])]).toEqual([k, placeholders(text)]);
    }
  });

  it('has a label for every key the code looks up, literal or built from a known list', () => {
    const keys = new Set(Object.keys(vi));
    const used = new Set<string>();
    for (const f of sourceFiles(path.join(repoRoot, 'designer/src'))) {
      const src = fs.readFileSync(f, 'utf8');
      for (const m of src.matchAll(/\b(?:t|translate|btn)\('([a-zA-Z]+\.[a-zA-Z.]+)'/g)) used.add(m[1]!);
    }
    for (const r of ROLES) used.add(`role.${r}`);
    for (const f of FORMS) used.add(`form.${f}`);
    for (const s of STEP_TEMPLATES) { used.add(s.label); used.add(s.name); }
    for (const s of ['draft', 'in_review', 'approved', 'active', 'superseded', 'retired', 'rejected']) used.add(`state.${s}`);
    for (const s of ['error', 'warning', 'info']) used.add(`findings.${s}`);
    for (const s of ['added', 'removed', 'changed', 'layout']) used.add(`diff.${s}`);
    // The incidents page says each worker topic in words.
    for (const topic of WORKER_TOPICS) used.add(`topic.${topic}`);
    const missing = [...used].filter((k) => !keys.has(k));
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThan(150);
  });

  it('translates every palette, context pad and popup menu string of bpmn-js into Vietnamese', () => {
    const ignored = new Set(['HELLO {you}', 'Align elements ']); // a test fixture; a concatenated prefix
    const strings = upstreamStrings().filter((s) => !ignored.has(s) && !s.startsWith(' '));
    expect(strings.length).toBeGreaterThan(30);
    const missing = strings.filter((s) => !bpmnVi[s]);
    expect(missing).toEqual([]);
  });

  it('translates the replace menu labels', () => {
    const src = ['replace/ReplaceOptions.js', 'popup-menu/PopupEntries.js']
      .map((f) => fs.readFileSync(path.join(repoRoot, 'node_modules/bpmn-js/lib/features', f), 'utf8')).join('\n');
    const labels = [...src.matchAll(/label: '([^']+)'/g)].map((m) => m[1]!);
    expect(labels.length).toBeGreaterThan(40);
    expect(labels.filter((l) => !bpmnVi[l])).toEqual([]);
  });
});
