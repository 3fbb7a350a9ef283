import type { Knex } from 'knex';
import type { Actor, LifecycleAction, ProcessModel, Version, VersionState, VersionSummary } from './types.js';

type Db = Knex | Knex.Transaction;

interface VersionRow {
  id: string; model_id: string; procedure_id: string; level: string; number: number; state: VersionState;
  xml?: string; content_hash: string; process_key: string | null; roles: unknown; revision: number;
  author_id: string; author_name: string; author_username: string; editor_usernames: unknown;
  created_at: Date; updated_at: Date; submitted_at: Date | null;
  decision_number: string | null; decision_date: string | null; decision_signer: string | null; effective_date: string | null;
  approver_id: string | null; approver_name: string | null; approved_at: Date | null; rejection_comment: string | null;
  activation_requested_at: Date | null; deployment_id: string | null; definition_id: string | null; activated_at: Date | null;
}

/** Rows as PostgreSQL returns them (migrations/0500_catalog_lifecycle.ts): bigint ids as text, jsonb parsed. */
interface ModelRow {
  id: string; procedure_id: string; level: string; needs_review: boolean; needs_review_reason: string | null;
  active_version_id: string | null; needs_review_at: Date | null;
}
interface ActionRow {
  id: string; version_id: string; action: string; from_state: string | null; to_state: string | null;
  actor_id: string; actor_name: string; at: Date; comment: string | null; details: unknown;
}
interface ProcedureHead { agency_id: string; managing_agency_id: string; code: string; name: string }

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const iso = (v: Date | string | null | undefined) => (v == null ? undefined : new Date(v).toISOString());
const SUMMARY_COLUMNS = [
  'id', 'model_id', 'procedure_id', 'level', 'number', 'state', 'content_hash', 'process_key', 'roles', 'revision', 'author_id',
  'author_name', 'author_username', 'editor_usernames', 'created_at', 'updated_at', 'submitted_at', 'decision_number', 'decision_date',
  'decision_signer', 'effective_date', 'approver_id', 'approver_name', 'approved_at', 'rejection_comment',
  'activation_requested_at', 'deployment_id', 'definition_id', 'activated_at',
];

function toSummary(r: VersionRow): VersionSummary {
  const s: VersionSummary = {
    id: r.id, procedureId: r.procedure_id, modelId: r.model_id, level: r.level, number: r.number, state: r.state,
    contentHash: r.content_hash, revision: r.revision, authorId: r.author_id, authorName: r.author_name,
    createdAt: iso(r.created_at)!, updatedAt: iso(r.updated_at)!,
  };
  if (r.submitted_at) s.submittedAt = iso(r.submitted_at);
  if (r.decision_number) {
    s.decision = {
      number: r.decision_number, date: r.decision_date!, signer: r.decision_signer!, effectiveDate: r.effective_date!,
      approverId: r.approver_id!, approverName: r.approver_name!, approvedAt: iso(r.approved_at),
    };
  }
  if (r.rejection_comment) s.rejectionComment = r.rejection_comment;
  if (r.definition_id) s.definitionId = r.definition_id;
  if (r.activated_at) s.activatedAt = iso(r.activated_at);
  if (r.activation_requested_at) s.activationRequestedAt = iso(r.activation_requested_at);
  return s;
}

export interface StoredVersion extends Version { authorUsername: string; editorUsernames: string[] }

function toVersion(r: VersionRow): StoredVersion {
  return {
    ...toSummary(r), xml: r.xml!, processKey: r.process_key ?? undefined, roles: json<string[]>(r.roles),
    authorUsername: r.author_username, editorUsernames: json<string[]>(r.editor_usernames),
  };
}

function toModel(r: ModelRow): ProcessModel {
  return {
    id: r.id, procedureId: r.procedure_id, level: r.level, needsReview: r.needs_review,
    ...(r.needs_review_reason ? { needsReviewReason: r.needs_review_reason } : {}), activeVersionId: r.active_version_id,
  };
}

export async function getModel(db: Db, procedureId: string, level: string): Promise<ProcessModel | undefined> {
  const r = await db<ModelRow>('process_model').where({ procedure_id: procedureId, level }).first();
  return r ? toModel(r) : undefined;
}

export async function getModelById(db: Db, id: string): Promise<ProcessModel | undefined> {
  const r = await db<ModelRow>('process_model').where({ id }).first();
  return r ? toModel(r) : undefined;
}

/** Creates the model on first use; the unique key makes concurrent first drafts safe. */
export async function ensureModel(trx: Knex.Transaction, procedureId: string, level: string): Promise<ProcessModel> {
  await trx('process_model').insert({ procedure_id: procedureId, level }).onConflict(['procedure_id', 'level']).ignore();
  const r = await trx<ModelRow>('process_model').where({ procedure_id: procedureId, level }).forUpdate().first();
  return toModel(r!);
}

export async function lockModel(trx: Knex.Transaction, id: string): Promise<void> {
  await trx('process_model').where({ id }).forUpdate().first();
}

export async function modelsOfProcedure(db: Db, procedureId: string): Promise<ProcessModel[]> {
  return (await db<ModelRow>('process_model').where({ procedure_id: procedureId })).map(toModel);
}

export async function nextNumber(trx: Knex.Transaction, modelId: string): Promise<number> {
  const r = await trx('process_version').where({ model_id: modelId }).max<{ n: number | null }[]>({ n: 'number' }).first();
  return Number(r?.n ?? 0) + 1;
}

export async function insertVersion(trx: Knex.Transaction, v: {
  modelId: string; procedureId: string; level: string; number: number; state: VersionState; xml: string; contentHash: string;
  processKey?: string; roles: string[]; author: Actor;
}): Promise<string> {
  const [r] = await trx('process_version').insert({
    model_id: v.modelId, procedure_id: v.procedureId, level: v.level, number: v.number, state: v.state, xml: v.xml,
    content_hash: v.contentHash, process_key: v.processKey ?? null, roles: JSON.stringify(v.roles),
    author_id: v.author.userId, author_name: v.author.displayName, author_username: v.author.username,
    editor_usernames: JSON.stringify([v.author.username]),
  }).returning<Array<{ id: string }>>('id');
  return r!.id;
}

export async function getVersion(db: Db, id: string, opts: { forUpdate?: boolean } = {}): Promise<StoredVersion | undefined> {
  const q = db<VersionRow>('process_version').where({ id }).first();
  if (opts.forUpdate) q.forUpdate();
  const r = await q;
  return r ? toVersion(r) : undefined;
}

export async function listVersions(db: Db, modelId: string): Promise<VersionSummary[]> {
  return (await db('process_version').select<VersionRow[]>(SUMMARY_COLUMNS).where({ model_id: modelId }).orderBy('number', 'desc')).map(toSummary);
}

export async function updateVersion(trx: Knex.Transaction, id: string, patch: Record<string, unknown>): Promise<void> {
  await trx('process_version').where({ id }).update({ ...patch, updated_at: trx.fn.now() });
}

export async function setActive(trx: Knex.Transaction, modelId: string, versionId: string | null): Promise<void> {
  const patch: Record<string, unknown> = { active_version_id: versionId };
  // A newly activated version was just approved, so the model no longer waits for review.
  if (versionId) Object.assign(patch, { needs_review: false, needs_review_reason: null, needs_review_at: null });
  await trx('process_model').where({ id: modelId }).update(patch);
}

export async function record(trx: Knex.Transaction, a: {
  versionId: string; action: string; fromState: VersionState | null; toState: VersionState | null; actor: Actor; comment?: string; details?: unknown;
}): Promise<void> {
  await trx('process_lifecycle_action').insert({
    version_id: a.versionId, action: a.action, from_state: a.fromState, to_state: a.toState,
    actor_id: a.actor.userId, actor_name: a.actor.displayName, comment: a.comment ?? null,
    details: a.details === undefined ? null : JSON.stringify(a.details),
  });
}

export async function history(db: Db, versionId: string): Promise<LifecycleAction[]> {
  const rows = await db<ActionRow>('process_lifecycle_action').where({ version_id: versionId }).orderBy('id');
  return rows.map((r) => ({
    id: Number(r.id), versionId: r.version_id, action: r.action, fromState: r.from_state, toState: r.to_state,
    actorId: r.actor_id, actorName: r.actor_name, at: iso(r.at)!, ...(r.comment ? { comment: r.comment } : {}),
    ...(r.details != null ? { details: json(r.details) } : {}),
  }));
}

export async function versionsInState(db: Db, state: VersionState): Promise<Array<VersionSummary & { agencyId: string; managingAgencyId: string; procedureCode: string; procedureName: string; authorUsername: string; editorUsernames: string[] }>> {
  const rows = await db('process_version as v').join('procedure as p', 'p.id', 'v.procedure_id')
    .select(SUMMARY_COLUMNS.map((c) => `v.${c}`)).select<Array<VersionRow & ProcedureHead>>('p.agency_id', 'p.managing_agency_id', 'p.code', 'p.name')
    .where('v.state', state).orderBy('v.submitted_at');
  return rows.map((r) => ({
    ...toSummary(r), agencyId: r.agency_id, managingAgencyId: r.managing_agency_id, procedureCode: r.code, procedureName: r.name,
    authorUsername: r.author_username, editorUsernames: json<string[]>(r.editor_usernames),
  }));
}

/** Approved versions whose activation was asked for and whose effective date has come; skips rows another node holds. */
export async function claimDueActivations(trx: Knex.Transaction, today: string, limit = 20): Promise<string[]> {
  const rows = await trx<VersionRow>('process_version').select('id')
    .where('state', 'approved').where('activation_requested_at', '<=', trx.fn.now()).where('effective_date', '<=', today)
    .orderBy('effective_date').limit(limit).forUpdate().skipLocked();
  return rows.map((r) => r.id);
}

export async function processKeyUsedElsewhere(db: Db, processKey: string, modelId: string): Promise<boolean> {
  return !!(await db('process_version').where({ process_key: processKey }).whereNot({ model_id: modelId }).first());
}

export async function needsReviewList(db: Db): Promise<Array<ProcessModel & { procedureCode: string; procedureName: string; agencyId: string; needsReviewAt?: string }>> {
  const rows = await db('process_model as m').join('procedure as p', 'p.id', 'm.procedure_id')
    .select<Array<ModelRow & Omit<ProcedureHead, 'managing_agency_id'>>>('m.*', 'p.code', 'p.name', 'p.agency_id').where('m.needs_review', true).orderBy('m.needs_review_at', 'desc');
  return rows.map((r) => ({
    ...toModel(r), procedureCode: r.code, procedureName: r.name, agencyId: r.agency_id, needsReviewAt: iso(r.needs_review_at),
  }));
}

/**
 * Flags the models whose active version names one of `roles` and that run in one of `unitIds`:
 * a province-level process runs in its agency's subtree; a lower-level process runs in every unit of that level.
 */
export async function flagNeedsReview(trx: Knex.Transaction, roles: string[], unitIds: string[], reason: string): Promise<number> {
  if (!roles.length) return 0;
  const hits = await trx('process_model as m')
    .join('process_version as v', 'v.id', 'm.active_version_id')
    .join('procedure as p', 'p.id', 'm.procedure_id')
    .select<Array<{ id: string }>>('m.id')
    .whereRaw('v.roles \\?| ?::text[]', [roles])
    .modify<ModelRow, Array<{ id: string }>>((q) => {
      if (!unitIds.length) return;
      q.where((w) => w.whereNot('m.level', 'province').orWhereRaw(`p.agency_id in (
        with recursive up(id, parent_id) as (
          select id, parent_id from org_unit where id = any(?::text[])
          union select u.id, u.parent_id from org_unit u join up on u.id = up.parent_id)
        select id from up)`, [unitIds]));
    });
  const ids = hits.map((h) => h.id);
  if (!ids.length) return 0;
  await trx('process_model').whereIn('id', ids).update({ needs_review: true, needs_review_reason: reason, needs_review_at: trx.fn.now() });
  return ids.length;
}

/**
 * Running instances (dossiers) of a deployed version: a count of the engine's instance rows, the
 * same rows the migration plan reads (indexed by definition). The activation confirmation names it.
 */
export async function countRunning(db: Db, definitionId: string): Promise<number> {
  const row = await db('engine_instance').where({ definition_id: definitionId, state: 'ACTIVE' }).count<{ n: string | number }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
