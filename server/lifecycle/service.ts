import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { CatalogService, Procedure } from '../catalog/index.js';
import { ApiError, onField } from '../http/errors.js';
import { createValidator, hasErrors, type Finding, type ValidationResult, type Validator } from '../validation/index.js';
import { BpmnInputError, isType, parseBpmn, xmlInputText, type ModdleElement } from '../validation/index.js';
import { diffXml, type VersionDiff } from './diff.js';
import { canTransition, TRANSITIONS, type LifecycleActionName } from './states.js';
import { lifecycleError, lifecycleNote } from './messages.js';
import { authorNotice, type AuthorNotifier } from './notify.js';
import { outcomeFindings } from './outcome-rule.js';
import { markNeedsReviewForRoles } from './reapproval.js';
import * as store from './store.js';
import { generateProcessXml } from './template.js';
import type { Actor, InstanceCheck, LifecycleAccess, MigrationPlan, ProcessDeployer, ProcessModel, Version, VersionState, VersionSummary } from './types.js';
import { localDate } from '../calendar/index.js';

export interface LifecycleDeps {
  knex: Knex;
  catalog: CatalogService;
  access: LifecycleAccess;
  /** The engine; without one, activation is refused (503) rather than faked. */
  deployer?: ProcessDeployer;
  validator?: Validator;
  now?: () => Date;
  /** Tells a version's author of a decision on it (after the commit; a failure never undoes the decision). */
  notifyAuthor?: AuthorNotifier;
}

/** Who is looking: the lifecycle answers what they may do. */
export type Viewer = Actor & { permissions: ReadonlySet<string> };

export interface VersionPermissions {
  edit: boolean; submit: boolean; discard: boolean; withdraw: boolean; approve: boolean; reject: boolean;
  activate: boolean; retire: boolean; rework: boolean;
  /** The approver attaches the signed decision (a PDF) to an approved or active version. */
  attachDecision: boolean;
  /** The viewer wrote a revision of it (four-eyes: never approves or rejects it). */
  isAuthor: boolean;
}

export interface DecisionInput { decisionNumber: string; decisionDate: string; signer: string; effectiveDate: string }

const sha256 = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');
const isUuid = (s: string) => z.uuid().safeParse(s).success;


const ACTION_VI: Record<string, string> = {
  save: 'lưu', submit: 'gửi duyệt', approve: 'phê duyệt', reject: 'từ chối', activate: 'áp dụng', retire: 'ngừng áp dụng',
  discard: 'huỷ bản nháp', withdraw: 'rút lại', 'migrate to': 'chuyển hồ sơ sang',
};
const STATE_VI: Record<string, string> = {
  draft: 'bản nháp', in_review: 'chờ phê duyệt', approved: 'đã phê duyệt', active: 'đang áp dụng', superseded: 'đã thay thế',
  retired: 'ngừng áp dụng', rejected: 'bị từ chối', discarded: 'đã huỷ', withdrawn: 'đã rút lại',
};
const invalidState = (action: string, state: VersionState) => lifecycleError(409, 'InvalidState', 'lifecycle.invalidState',
  { action, state, actionVi: ACTION_VI[action] ?? action, stateVi: STATE_VI[state] ?? state }, { state });

/** What a saved document must be: parseable BPMN. Its process key and the roles it names are kept for later. */
export async function inspectXml(xml: string): Promise<{ processKey?: string; roles: string[] }> {
  let defs: ModdleElement;
  try {
    defs = (await parseBpmn(xml)).definitions;
  } catch (err) {
    if (err instanceof BpmnInputError) {
      const text = xmlInputText(err.code, err.message);
      throw new ApiError(err.code === 'too-large' ? 413 : 400, err.code === 'too-large' ? 'PayloadTooLarge' : 'InvalidBpmn', text.vi, undefined, text);
    }
    throw err;
  }
  const processes = ((defs.rootElements as ModdleElement[] | undefined) ?? []).filter((e) => isType(e, 'bpmn:Process'));
  const main = processes.find((p) => p.isExecutable === true) ?? processes[0];
  const roles = new Set<string>();
  const walk = (c: ModdleElement) => {
    for (const e of (c.flowElements as ModdleElement[] | undefined) ?? []) {
      for (const attr of ['camunda:candidateGroups', 'tthc:role']) {
        const v = e.get?.(attr);
        if (typeof v === 'string') v.split(',').map((x) => x.trim().split('@')[0]!).filter((x) => x && !x.startsWith('$')).forEach((x) => roles.add(x));
      }
      if (isType(e, 'bpmn:SubProcess')) walk(e);
    }
  };
  processes.forEach(walk);
  return { processKey: main?.id, roles: [...roles].sort() };
}

export function templateFor(p: Procedure, level: string): string {
  const steps = p.steps.length ? p.steps : [
    { name: 'Tiếp nhận hồ sơ', role: 'one-stop-officer', budget: '4h', form: '01' },
    { name: 'Thẩm định hồ sơ', role: 'specialist', budget: '4h' },
    { name: 'Ký duyệt', role: 'leader', budget: '4h' },
    { name: 'Trả kết quả', role: 'one-stop-officer', budget: '4h', countsTowardLimit: false },
  ];
  return generateProcessXml({
    processId: processKeyFor(p.code, level), name: p.name, steps,
    supplement: p.requiresSupplementPath, refusal: p.requiresRefusalPath,
  });
}

/** One engine key per procedure and level, so versions of one process stay one definition key. */
const processKeyFor = (code: string, level: string) => `tthc_${code.replace(/[^0-9A-Za-z]/g, '_')}_${level}`;

export type LifecycleService = ReturnType<typeof createLifecycleService>;

export function createLifecycleService(deps: LifecycleDeps) {
  const { knex, catalog, access } = deps;
  const validator = deps.validator ?? createValidator({ checkDeployable: deps.deployer?.checkDeployable?.bind(deps.deployer) });
  const now = deps.now ?? (() => new Date());

  /** After the decision committed: the author hears of it; a notice that fails is the notifier's to report. */
  async function tellAuthor(event: 'approved' | 'rejected' | 'activated', id: string, actor: Actor): Promise<void> {
    if (!deps.notifyAuthor) return;
    const v = await requireVersion(knex, id);
    const n = authorNotice(event, v, await catalog.get(v.procedureId), actor);
    if (n) await deps.notifyAuthor(n).catch(() => undefined);
  }

  async function requireVersion(db: Knex | Knex.Transaction, id: string, forUpdate = false): Promise<store.StoredVersion> {
    const v = isUuid(id) ? await store.getVersion(db, id, { forUpdate }) : undefined;
    if (!v) throw lifecycleError(404, 'NotFound', 'lifecycle.noVersion', { id });
    return v;
  }

  /** Drafting follows the procedure's managing agency (cơ quan quản lý lĩnh vực), not the executing one. */
  async function mayDraft(actor: Actor, p: Procedure): Promise<void> {
    if (!(await access.canDraftFor(actor, p.managingAgencyId))) {
      throw lifecycleError(403, 'Forbidden', 'lifecycle.mayNotDraft', { agency: p.managingAgencyName ?? p.managingAgencyId });
    }
  }

  async function mayGovern(actor: Actor, p: Procedure): Promise<void> {
    const r = await access.canApprove(actor, { unitId: p.managingAgencyId, authorUsername: '' });
    if (!r.ok) throw lifecycleError(403, 'Forbidden', 'lifecycle.outsideScope');
  }

  /** Four-eyes: nobody who wrote any revision of a version may approve or reject it. */
  function fourEyes(actor: Actor, v: store.StoredVersion): void {
    if (v.editorUsernames.some((u) => u.toLowerCase() === actor.username.toLowerCase())) {
      throw lifecycleError(403, 'Forbidden', 'lifecycle.fourEyes');
    }
  }

  /** Checked outside transactions: the access service reads on its own connection. */
  async function mayReview(actor: Actor, v: store.StoredVersion): Promise<void> {
    fourEyes(actor, v);
    const p = await catalog.get(v.procedureId);
    const scope = await access.canApprove(actor, { unitId: p.managingAgencyId, authorUsername: v.authorUsername });
    if (!scope.ok) throw lifecycleError(403, 'Forbidden', 'lifecycle.outsideScope');
  }

  async function canDraft(viewer: Pick<Actor, 'roles'>, p: Procedure): Promise<boolean> {
    return p.status === 'active' && await access.canDraftFor(viewer, p.managingAgencyId);
  }

  /** Submitting what is already in force would ask an approver to decide nothing. */
  async function refuseIdenticalToActive(v: store.StoredVersion): Promise<void> {
    const model = await store.getModelById(knex, v.modelId);
    if (!model?.activeVersionId || model.activeVersionId === v.id) return;
    const active = await requireVersion(knex, model.activeVersionId);
    let same = active.contentHash === v.contentHash;
    if (!same) {
      const d = await diffXml(active.xml, v.xml);
      same = !d.added.length && !d.removed.length && !d.changed.length && !d.layoutChanged.length;
    }
    if (same) throw lifecycleError(409, 'IdenticalToActive', 'lifecycle.identicalToActive', { n: active.number });
  }

  function transition(action: LifecycleActionName, v: Version): VersionState {
    if (!canTransition(action, v.state)) throw invalidState(action, v.state);
    return TRANSITIONS[action].to;
  }

  function rulesOf(p: Procedure) {
    return { limit: p.limit, requiresSupplementPath: p.requiresSupplementPath, requiresRefusalPath: p.requiresRefusalPath };
  }

  /**
   * Deploys first, outside any transaction (the engine writes in its own; on the embedded database
   * a nested transaction would wait for the one connection forever), then switches states in one
   * transaction that re-checks the version is still approved. A lost race leaves an unused
   * deployment behind, never two active versions.
   */
  async function activateNow(id: string, actor: Actor, comment?: string): Promise<void> {
    if (!deps.deployer) throw lifecycleError(503, 'EngineUnavailable', 'lifecycle.engineUnavailable');
    const pre = await requireVersion(knex, id);
    transition('activate', pre);
    const p = await catalog.get(pre.procedureId);
    const deployment = await deps.deployer.deploy({
      name: `${p.code} ${pre.level} v${pre.number}`,
      source: 'tthc-lifecycle',
      resources: [{ name: `${processKeyFor(p.code, pre.level)}.bpmn`, content: pre.xml }],
    });
    await knex.transaction(async (trx) => {
      const v = await requireVersion(trx, id, true);
      const to = transition('activate', v);
      await store.lockModel(trx, v.modelId);
      const model = (await store.getModelById(trx, v.modelId))!;
      if (model.activeVersionId && model.activeVersionId !== v.id) {
        const prev = await requireVersion(trx, model.activeVersionId, true);
        if (prev.state === 'active') {
          await store.updateVersion(trx, prev.id, { state: 'superseded', ended_at: trx.fn.now() });
          await store.record(trx, { versionId: prev.id, action: 'supersede', fromState: 'active', toState: 'superseded', actor, ...lifecycleNote('lifecycle.note.supersededBy', { n: v.number }) });
        }
      }
      await store.updateVersion(trx, v.id, {
        state: to, deployment_id: deployment.deploymentId, definition_id: deployment.definitionId, activated_at: trx.fn.now(),
      });
      await store.setActive(trx, v.modelId, v.id);
      await store.record(trx, { versionId: v.id, action: 'activate', fromState: v.state, toState: to, actor, comment, details: deployment });
    });
  }

  const service = {
    /** The designer's check on every change; `engineCheck` adds the engine's own (slower) check. */
    validate: async (xml: unknown, procedureId?: string, opts: { engineCheck?: boolean; owner?: string } = {}): Promise<ValidationResult> => {
      const p = procedureId ? await catalog.get(procedureId) : undefined;
      const [result, outcomes] = await Promise.all([
        validator.validate(xml, p ? rulesOf(p) : undefined, { engineCheck: opts.engineCheck ?? false, owner: opts.owner }),
        outcomeFindings(xml),
      ]);
      return outcomes.length ? { ...result, findings: [...result.findings, ...outcomes] } : result;
    },

    async getProcess(procedureId: string, level?: string, viewer?: Viewer): Promise<{ model: Omit<ProcessModel, 'id'> & { id: string | null }; versions: VersionSummary[]; may?: { draft: boolean } }> {
      const p = await catalog.get(procedureId);
      const lvl = level ?? p.level;
      const may = viewer ? { draft: await canDraft(viewer, p) } : undefined;
      const model = await store.getModel(knex, p.id, lvl);
      if (!model) return { model: { id: null, procedureId: p.id, level: lvl, needsReview: false, activeVersionId: null }, versions: [], ...(may ? { may } : {}) };
      return { model, versions: await store.listVersions(knex, model.id), ...(may ? { may } : {}) };
    },

    /** A version with what the viewer may do with it: the designer offers exactly these buttons. */
    async getVersionFor(id: string, viewer: Viewer): Promise<Version & { may: VersionPermissions }> {
      const v = await requireVersion(knex, id);
      const p = await catalog.get(v.procedureId);
      const has = (perm: string) => viewer.permissions.has(perm);
      const drafter = has('process:draft') && await canDraft(viewer, p);
      const isEditor = v.editorUsernames.some((u) => u.toLowerCase() === viewer.username.toLowerCase());
      const governs = (await access.canApprove(viewer, { unitId: p.managingAgencyId, authorUsername: '' })).ok;
      const reviewer = has('process:approve') && !isEditor && governs;
      const may: VersionPermissions = {
        edit: v.state === 'draft' && drafter,
        submit: v.state === 'draft' && drafter,
        discard: v.state === 'draft' && drafter,
        withdraw: v.state === 'in_review' && drafter,
        approve: v.state === 'in_review' && reviewer,
        reject: v.state === 'in_review' && reviewer,
        activate: v.state === 'approved' && has('process:activate') && governs && !v.activationRequestedAt,
        retire: (v.state === 'active' || v.state === 'approved') && has('process:activate') && governs,
        rework: v.state === 'rejected' && drafter,
        attachDecision: ['approved', 'active'].includes(v.state) && !!v.decision && has('process:approve') && governs,
        isAuthor: isEditor,
      };
      const { authorUsername: _a, editorUsernames: _e, ...rest } = v;
      return { ...rest, may };
    },

    /**
     * What activating this version changes for running dossiers: how many run on the version now
     * active (they stay on it; an administrator may migrate them). Only for who governs the procedure.
     */
    async runningOnActive(id: string, viewer: Actor): Promise<{ activeVersion: { id: string; number: number } | null; running: number }> {
      const v = await requireVersion(knex, id);
      await mayGovern(viewer, await catalog.get(v.procedureId));
      const model = await store.getModelById(knex, v.modelId);
      if (!model?.activeVersionId || model.activeVersionId === v.id) return { activeVersion: null, running: 0 };
      const active = await requireVersion(knex, model.activeVersionId);
      return { activeVersion: { id: active.id, number: active.number }, running: active.definitionId ? await store.countRunning(knex, active.definitionId) : 0 };
    },

    /** The author gives a draft up: it is kept as `discarded` with its history. */
    async discard(id: string, actor: Actor, comment?: string): Promise<Version> {
      const pre = await requireVersion(knex, id);
      await mayDraft(actor, await catalog.get(pre.procedureId));
      await knex.transaction(async (trx) => {
        const v = await requireVersion(trx, id, true);
        const to = transition('discard', v);
        await store.updateVersion(trx, id, { state: to, ended_at: trx.fn.now() });
        await store.record(trx, { versionId: id, action: 'discard', fromState: v.state, toState: to, actor, comment });
      });
      return service.getVersion(id);
    },

    /** The author takes a submission back before a decision: it becomes a draft again. */
    async withdraw(id: string, actor: Actor, comment?: string): Promise<Version> {
      const pre = await requireVersion(knex, id);
      await mayDraft(actor, await catalog.get(pre.procedureId));
      await knex.transaction(async (trx) => {
        const v = await requireVersion(trx, id, true);
        const to = transition('withdraw', v);
        await store.updateVersion(trx, id, { state: to, submitted_at: null });
        await store.record(trx, { versionId: id, action: 'withdraw', fromState: v.state, toState: to, actor, comment });
      });
      return service.getVersion(id);
    },

    async createDraft(procedureId: string, input: { level?: string; xml?: string; fromVersionId?: string }, actor: Actor): Promise<Version> {
      const p = await catalog.get(procedureId);
      if (p.status !== 'active') throw lifecycleError(409, 'Conflict', 'lifecycle.procedureWithdrawn');
      await mayDraft(actor, p);
      const level = input.level ?? p.level;
      const levels = await catalog.levels();
      if (!levels.some((l) => l.id === level)) throw lifecycleError(400, 'InvalidRequestException', 'lifecycle.unknownLevel', { level });
      let xml = input.xml;
      if (xml === undefined && input.fromVersionId) {
        const from = await requireVersion(knex, input.fromVersionId);
        if (from.procedureId !== p.id) throw lifecycleError(400, 'InvalidRequestException', 'lifecycle.otherProcedure', { id: from.id });
        xml = from.xml;
      }
      xml ??= templateFor(p, level);
      const info = await inspectXml(xml);
      const id = await knex.transaction(async (trx) => {
        const model = await store.ensureModel(trx, p.id, level);
        const number = await store.nextNumber(trx, model.id);
        const vid = await store.insertVersion(trx, {
          modelId: model.id, procedureId: p.id, level, number, state: 'draft', xml: xml, contentHash: sha256(xml),
          processKey: info.processKey, roles: info.roles, author: actor,
        });
        await store.record(trx, { versionId: vid, action: 'create', fromState: null, toState: 'draft', actor, details: input.fromVersionId ? { fromVersionId: input.fromVersionId } : undefined });
        return vid;
      });
      return service.getVersion(id);
    },

    async getVersion(id: string): Promise<Version> {
      const { authorUsername: _a, editorUsernames: _e, ...v } = await requireVersion(knex, id);
      return v;
    },

    /** Optimistic concurrency: the save names the revision it was based on; a stale one is a 409. */
    async saveDraft(id: string, input: { xml: string; revision: number }, actor: Actor): Promise<Version> {
      const info = await inspectXml(input.xml);
      const pre = await requireVersion(knex, id);
      await mayDraft(actor, await catalog.get(pre.procedureId));
      await knex.transaction(async (trx) => {
        const v = await requireVersion(trx, id, true);
        transition('save', v);
        if (v.revision !== input.revision) {
          throw lifecycleError(409, 'Conflict', 'lifecycle.staleDraft', { revision: v.revision }, { currentRevision: v.revision });
        }
        const editors = v.editorUsernames.includes(actor.username) ? v.editorUsernames : [...v.editorUsernames, actor.username];
        await store.updateVersion(trx, id, {
          xml: input.xml, content_hash: sha256(input.xml), process_key: info.processKey ?? null, roles: JSON.stringify(info.roles),
          revision: v.revision + 1, editor_usernames: JSON.stringify(editors),
        });
        await store.record(trx, { versionId: id, action: 'save', fromState: 'draft', toState: 'draft', actor, details: { revision: v.revision + 1 } });
      });
      return service.getVersion(id);
    },

    async submit(id: string, actor: Actor, comment?: string): Promise<Version & { findings: Finding[] }> {
      const pre = await requireVersion(knex, id);
      const p = await catalog.get(pre.procedureId);
      await mayDraft(actor, p);
      await refuseIdenticalToActive(pre);
      const result = await validator.validate(pre.xml, rulesOf(p));
      const findings = [...result.findings, ...await outcomeFindings(pre.xml)];
      if (pre.processKey && await store.processKeyUsedElsewhere(knex, pre.processKey, pre.modelId)) {
        findings.push({ ruleId: 'tthc/process-key-unique', severity: 'error', elementId: pre.processKey, message: {
          vi: `Mã quy trình "${pre.processKey}" đã được thủ tục khác sử dụng`, en: `Process id "${pre.processKey}" is used by another procedure's process` } });
      }
      if (hasErrors(findings)) {
        throw lifecycleError(400, 'InvalidRequestException', 'lifecycle.hasErrors', { n: findings.filter((f) => f.severity === 'error').length }, findings);
      }
      await knex.transaction(async (trx) => {
        const v = await requireVersion(trx, id, true);
        const to = transition('submit', v);
        if (v.contentHash !== pre.contentHash) throw lifecycleError(409, 'Conflict', 'lifecycle.changedWhileChecking');
        await store.updateVersion(trx, id, { state: to, submitted_at: trx.fn.now() });
        await store.record(trx, { versionId: id, action: 'submit', fromState: v.state, toState: to, actor, comment,
          details: { warnings: findings.length, longestPathHours: result.longestPath.totalHours } });
      });
      return { ...(await service.getVersion(id)), findings };
    },

    async approve(id: string, d: DecisionInput, actor: Actor): Promise<Version> {
      if (d.effectiveDate < d.decisionDate) throw lifecycleError(400, 'InvalidRequestException', 'lifecycle.effectiveBeforeDecision');
      const pre = await requireVersion(knex, id);
      transition('approve', pre);
      await mayReview(actor, pre);
      await knex.transaction(async (trx) => {
        const v = await requireVersion(trx, id, true);
        const to = transition('approve', v);
        fourEyes(actor, v);
        await store.updateVersion(trx, id, {
          state: to, decision_number: d.decisionNumber, decision_date: d.decisionDate, decision_signer: d.signer,
          effective_date: d.effectiveDate, approver_id: actor.userId, approver_name: actor.displayName, approved_at: trx.fn.now(),
        });
        await store.record(trx, { versionId: id, action: 'approve', fromState: v.state, toState: to, actor,
          comment: `Quyết định ${d.decisionNumber} ngày ${d.decisionDate}, hiệu lực ${d.effectiveDate}`, details: d });
      });
      await tellAuthor('approved', id, actor);
      return service.getVersion(id);
    },

    async reject(id: string, comment: string, actor: Actor): Promise<Version> {
      if (!comment.trim()) throw onField(lifecycleError(400, 'InvalidRequestException', 'lifecycle.rejectNeedsComment'), 'body.comment');
      const pre = await requireVersion(knex, id);
      transition('reject', pre);
      await mayReview(actor, pre);
      await knex.transaction(async (trx) => {
        const v = await requireVersion(trx, id, true);
        const to = transition('reject', v);
        fourEyes(actor, v);
        await store.updateVersion(trx, id, { state: to, rejection_comment: comment });
        await store.record(trx, { versionId: id, action: 'reject', fromState: v.state, toState: to, actor, comment });
      });
      await tellAuthor('rejected', id, actor);
      return service.getVersion(id);
    },

    /** Activates now, or on the effective date when it lies in the future (the scheduler finishes it). */
    async activate(id: string, actor: Actor): Promise<Version & { scheduled: boolean }> {
      const v = await requireVersion(knex, id);
      transition('activate', v);
      const p = await catalog.get(v.procedureId);
      await mayGovern(actor, p);
      if (p.status !== 'active') throw lifecycleError(409, 'Conflict', 'lifecycle.procedureWithdrawn');
      if (v.decision && v.decision.effectiveDate > localDate(now())) {
        await knex.transaction(async (trx) => {
          const locked = await requireVersion(trx, id, true);
          transition('activate', locked);
          await store.updateVersion(trx, id, { activation_requested_at: trx.fn.now(), activation_requested_by: actor.displayName });
          await store.record(trx, { versionId: id, action: 'schedule-activation', fromState: locked.state, toState: locked.state, actor,
            ...lifecycleNote('lifecycle.note.activatesOn', { date: v.decision!.effectiveDate }) });
        });
        return { ...(await service.getVersion(id)), scheduled: true };
      }
      await activateNow(id, actor);
      await tellAuthor('activated', id, actor);
      return { ...(await service.getVersion(id)), scheduled: false };
    },

    /**
     * Scheduler: activates approved versions whose effective date has come. Each claim is a lease
     * (the request time moves 5 minutes ahead), so two nodes never work on the same version and a
     * failed deployment is retried later. Returns the ids activated.
     */
    async activateDue(): Promise<string[]> {
      const ids = await knex.transaction(async (trx) => {
        const due = await store.claimDueActivations(trx, localDate(now()));
        if (due.length) await trx('process_version').whereIn('id', due).update({ activation_requested_at: trx.raw("now() + interval '5 minutes'") });
        return due;
      });
      const done: string[] = [];
      const scheduler: Actor = { userId: 'scheduler', username: 'scheduler', displayName: 'Bộ lập lịch (ngày hiệu lực)', roles: [] };
      const errors: unknown[] = [];
      for (const id of ids) {
        try {
          const v = await requireVersion(knex, id);
          await activateNow(id, scheduler, `Đến ngày hiệu lực ${v.decision?.effectiveDate ?? ''}`);
          done.push(id);
          await tellAuthor('activated', id, scheduler);
        } catch (err) {
          errors.push(err); // retried when the lease runs out
        }
      }
      if (errors.length) throw new AggregateError(errors, `${errors.length} scheduled activation(s) failed; activated ${done.length}`);
      return done;
    },

    /** Internal (seed loading): activates an approved version without a caller's scope check. */
    activateVersion: (id: string, actor: Actor, comment?: string) => activateNow(id, actor, comment),

    async retire(id: string, actor: Actor, comment?: string): Promise<Version> {
      const pre = await requireVersion(knex, id);
      await mayGovern(actor, await catalog.get(pre.procedureId));
      await knex.transaction(async (trx) => {
        await retireOne(trx, await requireVersion(trx, id, true), actor, comment === undefined ? undefined : { comment });
      });
      return service.getVersion(id);
    },

    /** Withdrawing a procedure retires its active and approved versions (called in the withdrawing transaction). */
    async retireAllForProcedure(trx: Knex.Transaction, procedureId: string, actor: Actor): Promise<void> {
      for (const m of await store.modelsOfProcedure(trx, procedureId)) {
        for (const s of await store.listVersions(trx, m.id)) {
          if (s.state === 'active' || s.state === 'approved') {
            await retireOne(trx, await requireVersion(trx, s.id, true), actor, lifecycleNote('lifecycle.note.procedureWithdrawn'));
          }
        }
      }
    },

    history: async (id: string) => {
      await requireVersion(knex, id);
      return store.history(knex, id);
    },

    async diff(id: string, againstId: string): Promise<VersionDiff & { from: { id: string; number: number }; to: { id: string; number: number } }> {
      const [v, other] = await Promise.all([requireVersion(knex, id), requireVersion(knex, againstId)]);
      if (v.procedureId !== other.procedureId) throw onField(lifecycleError(400, 'InvalidRequestException', 'lifecycle.diffOtherProcedure'), 'query.against');
      // Changes read from the older version to the newer one.
      const [older, newer] = other.number <= v.number ? [other, v] : [v, other];
      return { ...(await diffXml(older.xml, newer.xml)), from: { id: older.id, number: older.number }, to: { id: newer.id, number: newer.number } };
    },

    async reviewInbox(actor: Actor) {
      const rows = await store.versionsInState(knex, 'in_review');
      const out = [];
      for (const r of rows) {
        if (r.editorUsernames.some((u) => u.toLowerCase() === actor.username.toLowerCase())) continue;
        if (!(await access.canApprove(actor, { unitId: r.managingAgencyId, authorUsername: r.authorUsername })).ok) continue;
        const { authorUsername: _a, editorUsernames: _e, ...summary } = r;
        out.push(summary);
      }
      return out;
    },

    needsReview: () => store.needsReviewList(knex),

    /** Re-approval trigger: wired to the identity service's onRoleHoldersChanged hook. */
    markNeedsReviewForRoles: (trx: Knex.Transaction, change: { roles: string[]; unitIds: string[] }) => markNeedsReviewForRoles(trx, change),

    /**
     * Migration of running instances to the active version: an explicit administrator action,
     * audited either way. The dry run lists what would move (the engine finds every waiting
     * element in the target, unchanged in kind and place, and a trial resume waits the same way)
     * and what cannot, with why. The real run names the version its instances leave
     * (`fromVersionId`, a superseded or retired version of the same process), optionally some of
     * its instances, and moves each movable one in its own engine transaction after a re-check
     * under the instance's lock; anything left behind is reported and recorded.
     */
    async migrate(targetId: string, input: { fromVersionId?: string; dryRun: boolean; instanceIds?: string[] }, actor: Actor): Promise<MigrationPlan> {
      const target = await requireVersion(knex, targetId);
      if (target.state !== 'active' || !target.definitionId) throw invalidState('migrate to', target.state);
      const deployer = deps.deployer;
      if (!deployer?.planMigration || (!input.dryRun && !deployer.migrateInstances)) {
        throw lifecycleError(501, 'NotImplemented', 'lifecycle.cannotMigrate');
      }
      if (!input.fromVersionId && (!input.dryRun || input.instanceIds)) {
        throw lifecycleError(400, 'InvalidRequestException', 'lifecycle.migrateFromRequired');
      }
      let sources: VersionSummary[];
      if (input.fromVersionId) {
        const from = isUuid(input.fromVersionId) ? await store.getVersion(knex, input.fromVersionId) : undefined;
        if (!from) throw lifecycleError(400, 'InvalidRequestException', 'lifecycle.migrateFromUnknown', { id: input.fromVersionId });
        if (from.id === target.id) throw lifecycleError(400, 'InvalidRequestException', 'lifecycle.migrateFromTarget');
        if (from.modelId !== target.modelId) throw lifecycleError(400, 'InvalidRequestException', 'lifecycle.migrateFromOtherProcess');
        if (!from.definitionId || !['superseded', 'retired'].includes(from.state)) {
          throw lifecycleError(400, 'InvalidRequestException', 'lifecycle.migrateFromState', { n: from.number, state: from.state, stateVi: STATE_VI[from.state] ?? from.state });
        }
        sources = [from];
      } else {
        sources = (await store.listVersions(knex, target.modelId)).filter((v) => v.id !== target.id && v.definitionId && ['superseded', 'retired'].includes(v.state));
      }
      const plan: MigrationPlan = { targetVersionId: target.id, ...(input.fromVersionId ? { fromVersionId: input.fromVersionId } : {}), dryRun: input.dryRun, movable: [], blocked: [] };
      const blockedOf = (c: InstanceCheck, fromVersionId: string) => ({
        instanceId: c.instanceId, businessKey: c.businessKey, waitingActivityIds: c.waitingActivityIds, fromVersionId, missingActivityIds: c.missing, problems: c.problems,
      });
      const movableOf = (c: InstanceCheck, fromVersionId: string) => ({ instanceId: c.instanceId, businessKey: c.businessKey, waitingActivityIds: c.waitingActivityIds, fromVersionId });
      const checked: Array<{ src: VersionSummary; checks: InstanceCheck[] }> = [];
      for (const src of sources) {
        let checks = await deployer.planMigration(src.definitionId!, target.definitionId);
        if (input.instanceIds) {
          const known = new Set(checks.map((c) => c.instanceId));
          const unknown = input.instanceIds.filter((i) => !known.has(i));
          if (unknown.length) throw lifecycleError(400, 'InvalidRequestException', 'lifecycle.migrateNotRunning', { n: src.number, ids: unknown.slice(0, 5).join(', ') }, { unknown });
          const wanted = new Set(input.instanceIds);
          checks = checks.filter((c) => wanted.has(c.instanceId));
        }
        checked.push({ src, checks });
      }
      for (const { src, checks } of checked) {
        for (const c of checks) {
          if (c.canMigrate) plan.movable.push(movableOf(c, src.id));
          else plan.blocked.push(blockedOf(c, src.id));
        }
      }
      if (!input.dryRun) {
        const src = sources[0]!;
        const ids = plan.movable.map((m) => m.instanceId);
        const outcome = ids.length
          ? await deployer.migrateInstances!({ fromDefinitionId: src.definitionId!, toDefinitionId: target.definitionId, instanceIds: ids, actor: actor.username })
          : { migrated: [], skipped: [] };
        plan.movable = outcome.migrated.map((c) => movableOf(c, src.id));
        plan.blocked.push(...outcome.skipped.map((c) => blockedOf(c, src.id)));
      }
      const details = {
        fromVersionId: input.fromVersionId ?? null, movable: plan.movable.length, blocked: plan.blocked.length,
        moved: input.dryRun ? [] : plan.movable.map((m) => ({ instanceId: m.instanceId, businessKey: m.businessKey, fromVersionId: m.fromVersionId })),
        notMoved: plan.blocked.map((b) => ({ instanceId: b.instanceId, businessKey: b.businessKey, fromVersionId: b.fromVersionId, missing: b.missingActivityIds, problems: b.problems })),
        instances: [...plan.movable, ...plan.blocked].map((i) => i.instanceId),
      };
      const counts = { movable: plan.movable.length, blocked: plan.blocked.length, n: target.number };
      const note = lifecycleNote(input.dryRun ? 'lifecycle.note.dryRun' : 'lifecycle.note.migrated', counts, details);
      await knex.transaction((trx) => store.record(trx, { versionId: target.id, action: input.dryRun ? 'migration-dry-run' : 'migration', fromState: 'active', toState: 'active', actor, ...note }));
      return plan;
    },

    /** What new dossiers of a procedure start on. */
    async activeDefinition(procedureId: string, level?: string): Promise<{ versionId: string; definitionId: string; processKey?: string } | undefined> {
      // The caller that names the level (dossier reception) has just read the procedure: no second read.
      const p = level ? { id: procedureId, level } : await catalog.get(procedureId);
      const model = await store.getModel(knex, p.id, level ?? p.level);
      if (!model?.activeVersionId) return undefined;
      const v = await requireVersion(knex, model.activeVersionId);
      return v.definitionId ? { versionId: v.id, definitionId: v.definitionId, processKey: v.processKey } : undefined;
    },
  };

  async function retireOne(trx: Knex.Transaction, v: store.StoredVersion, actor: Actor, note?: { comment: string; details?: Record<string, unknown> }): Promise<void> {
    const to = transition('retire', v);
    await store.updateVersion(trx, v.id, { state: to, ended_at: trx.fn.now() });
    const model = await store.getModelById(trx, v.modelId);
    if (model?.activeVersionId === v.id) await store.setActive(trx, v.modelId, null);
    // A retired process starts no new dossier, even through /engine-rest by key.
    if (v.definitionId) await deps.deployer?.suspend?.(v.definitionId, trx);
    await store.record(trx, { versionId: v.id, action: 'retire', fromState: v.state, toState: to, actor, ...note });
  }

  return service;
}
