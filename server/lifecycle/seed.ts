import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { catalogSeeding, ProcedureInputSchema, type ProcedureInput } from '../catalog/index.js';
import { foldText } from '../text/fold.js';
import { inspectXml } from './service.js';
import { localDate } from '../calendar/index.js';
import * as store from './store.js';
import { SYSTEM_ACTOR, type Actor } from './types.js';

const SEED_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../processes');
export const seedFileName = (code: string) => `${code}.bpmn`;

interface SeedFile {
  units: Array<{ id: string; parentId: string | null; name: string; kind: string; level: number }>;
  procedures: unknown[];
}

export function readSeedCatalogue(dir = SEED_DIR): Array<{ procedure: ProcedureInput; xml: string }> {
  const file = JSON.parse(fs.readFileSync(path.join(dir, 'catalog.json'), 'utf8')) as SeedFile;
  return file.procedures.map((raw) => {
    const procedure = ProcedureInputSchema.parse(raw);
    return { procedure, xml: fs.readFileSync(path.join(dir, seedFileName(procedure.code)), 'utf8') };
  });
}

/**
 * On the first start of an empty catalogue (any mode), loads processes/: the procedures, and for each
 * an active process version deployed to the engine, authored and approved by the "system" seed actor
 * under a recorded seed decision. Does nothing once any procedure exists.
 */
export async function loadSeedCatalogue(deps: { knex: Knex; activate?: (versionId: string, actor: Actor, comment?: string) => Promise<void>; dir?: string; now?: Date }): Promise<number> {
  const dir = deps.dir ?? SEED_DIR;
  if ((await catalogSeeding.count(deps.knex)) > 0) return 0;
  const file = JSON.parse(fs.readFileSync(path.join(dir, 'catalog.json'), 'utf8')) as SeedFile;
  const entries = readSeedCatalogue(dir);
  const today = localDate(deps.now ?? new Date());
  const versionIds: string[] = [];
  const loaded = await deps.knex.transaction(async (trx) => {
    // Two nodes starting together: the second waits here, then finds the catalogue filled.
    await trx.raw('lock table procedure in share row exclusive mode');
    if ((await catalogSeeding.count(trx)) > 0) return 0;
    // Agencies the seed procedures belong to; kept if the organisation already has them.
    await trx('org_unit').insert(file.units.map((u) => ({
      id: u.id, parent_id: u.parentId, name: u.name, name_folded: foldText(u.name), kind: u.kind, level: u.level,
    }))).onConflict('id').ignore();
    for (const { procedure, xml } of entries) {
      const procedureId = await catalogSeeding.insert(trx, procedure);
      const model = await store.ensureModel(trx, procedureId, procedure.level);
      const info = await inspectXml(xml);
      const versionId = await store.insertVersion(trx, {
        modelId: model.id, procedureId, level: procedure.level, number: 1, state: 'draft', xml,
        contentHash: crypto.createHash('sha256').update(xml, 'utf8').digest('hex'), processKey: info.processKey, roles: info.roles, author: SYSTEM_ACTOR,
      });
      const decision = {
        decision_number: 'SEED-1', decision_date: today, decision_signer: 'Dữ liệu mẫu của nền tảng',
        effective_date: today, approver_id: SYSTEM_ACTOR.userId, approver_name: SYSTEM_ACTOR.displayName, approved_at: trx.fn.now(),
      };
      await store.updateVersion(trx, versionId, { state: 'in_review', submitted_at: trx.fn.now() });
      // Approved now, activated below (after commit) or by the scheduler when no engine is wired.
      await store.updateVersion(trx, versionId, {
        state: 'approved', ...decision, activation_requested_at: trx.fn.now(), activation_requested_by: SYSTEM_ACTOR.displayName,
      });
      for (const [action, from, to] of [['create', null, 'draft'], ['submit', 'draft', 'in_review'], ['approve', 'in_review', 'approved']] as const) {
        await store.record(trx, { versionId, action, fromState: from, toState: to, actor: SYSTEM_ACTOR, comment: 'Dữ liệu mẫu' });
      }
      versionIds.push(versionId);
    }
    return entries.length;
  });
  for (const id of versionIds) await deps.activate?.(id, SYSTEM_ACTOR, 'Dữ liệu mẫu');
  return loaded;
}
