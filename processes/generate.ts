/**
 * Regenerates the seed BPMN files from catalog.json's step tables:
 * `node --import tsx processes/generate.ts`. The .bpmn files are committed, reviewed and
 * may be edited by hand afterwards; the loader reads the files, not this script.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcedureInputSchema } from '../server/catalog/types.js';
import { seedFileName } from '../server/lifecycle/seed.js';
import { templateFor } from '../server/lifecycle/service.js';

const dir = path.dirname(fileURLToPath(import.meta.url));
const catalog = JSON.parse(fs.readFileSync(path.join(dir, 'catalog.json'), 'utf8')) as { procedures: unknown[] };
for (const raw of catalog.procedures) {
  const p = ProcedureInputSchema.parse(raw);
  const xml = templateFor({ ...p, managingAgencyId: p.managingAgencyId ?? p.agencyId, id: '', revision: 1, createdAt: '', updatedAt: '' }, p.level);
  fs.writeFileSync(path.join(dir, seedFileName(p.code)), xml);
  console.log(seedFileName(p.code));
}
