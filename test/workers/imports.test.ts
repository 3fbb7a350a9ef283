import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';

const ROOT = path.resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : /\.(ts|js|mjs|cjs)$/.test(e.name) ? [p] : [];
  });
}

/** Every module specifier a file imports, re-exports, requires or loads dynamically. */
function specifiers(source: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
  for (let m = re.exec(source); m; m = re.exec(source)) out.push(m[1]!);
  return out;
}

describe('workers/ speaks HTTP only', () => {
  const all = files(path.join(ROOT, 'workers'));

  test('the workers folder has its entry point and handlers', () => {
    expect(all.map((f) => path.relative(ROOT, f))).toEqual(expect.arrayContaining(['workers/index.ts', 'workers/runner.ts']));
  });

  test('no file under workers/ imports from server/', () => {
    const offending: string[] = [];
    for (const f of all) {
      for (const spec of specifiers(fs.readFileSync(f, 'utf8'))) {
        const resolved = spec.startsWith('.') ? path.resolve(path.dirname(f), spec) : spec;
        if (resolved.startsWith(path.join(ROOT, 'server')) || /^(\/|)server\//.test(spec)) offending.push(`${path.relative(ROOT, f)} → ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });

  test('the check itself sees an import from server/', () => {
    expect(specifiers("import { x } from '../../server/log.js';\nconst y = await import('../server/a.js');")).toEqual(['../../server/log.js', '../server/a.js']);
  });
});
