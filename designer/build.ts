/**
 * Builds the designer into designer/dist when it is missing or older than its sources, so that
 * `npm install && npm start` is all a new user runs (called from the prestart script).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, 'dist', 'index.html');
const sources = [path.join(root, 'src'), path.join(root, 'index.html'), path.join(root, 'vite.config.ts'), path.join(root, '..', 'server', 'validation', 'tthc-moddle.json')];

function newest(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, e)));
  return max;
}

export async function buildDesigner(force = false): Promise<boolean> {
  const built = fs.existsSync(dist) ? fs.statSync(dist).mtimeMs : 0;
  if (!force && built && built >= Math.max(...sources.map(newest))) return false;
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
  return true;
}

export function bundleSize(): { files: number; bytes: number; js: number; css: number } {
  const out = { files: 0, bytes: 0, js: 0, css: 0 };
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const n = fs.statSync(p).size;
        out.files++; out.bytes += n;
        if (p.endsWith('.js')) out.js += n;
        if (p.endsWith('.css')) out.css += n;
      }
    }
  };
  if (fs.existsSync(path.dirname(dist))) walk(path.dirname(dist));
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes('--force');
  const t0 = Date.now();
  const did = await buildDesigner(force);
  const s = bundleSize();
  console.log(did
    ? `designer built in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${s.files} files, ${(s.bytes / 1024).toFixed(0)} KiB (js ${(s.js / 1024).toFixed(0)} KiB, css ${(s.css / 1024).toFixed(0)} KiB)`
    : 'designer is up to date');
}
