import { ApiError } from '../../server/http/errors.js';
import { templateFor } from '../../server/lifecycle/service.js';
import { canTransition, TRANSITIONS, type LifecycleActionName } from '../../server/lifecycle/states.js';
import { STATES, type VersionState } from '../../server/lifecycle/types.js';
import { procedureInput, setup, type Setup } from './setup.js';

const DECISION = { decisionNumber: '123/QĐ-UBND', decisionDate: '2026-03-01', signer: 'Chủ tịch UBND tỉnh', effectiveDate: '2026-03-02' };

async function rejects(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('state machine table', () => {
  const allowed: Record<LifecycleActionName, VersionState[]> = {
    save: ['draft'], submit: ['draft'], approve: ['in_review'], reject: ['in_review'], activate: ['approved'],
    supersede: ['active'], retire: ['active', 'approved'], discard: ['draft'], withdraw: ['in_review'],
  };
  for (const action of Object.keys(TRANSITIONS) as LifecycleActionName[]) {
    for (const state of STATES) {
      it(`${action} from ${state}: ${allowed[action].includes(state) ? 'allowed' : 'refused'}`, () => {
        expect(canTransition(action, state)).toBe(allowed[action].includes(state));
      });
    }
  }
});

describe('lifecycle service', () => {
  let s: Setup;
  let procedureId: string;
  beforeAll(async () => {
    s = await setup();
    const p = await s.catalog.create(procedureInput(), await s.as('owner.stp'));
    procedureId = p.id;
  });
  afterAll(async () => { await s.close(); });

  /** A template draft that differs from every earlier one: an identical draft is refused at submit. */
  let seq = 0;
  async function fresh(pid: string): Promise<{ xml: string }> {
    const p = await s.catalog.get(pid);
    return { xml: templateFor(p, p.level).replace(/(<bpmn:process id="[^"]*" name=")/, `$1#${++seq} `) };
  }

  async function approvedVersion(xml?: string) {
    const owner = await s.as('owner.stp');
    const v = await s.lifecycle.createDraft(procedureId, xml ? { xml } : await fresh(procedureId), owner);
    await s.lifecycle.submit(v.id, owner);
    return s.lifecycle.approve(v.id, DECISION, await s.as('approver'));
  }

  it('creates a draft from the procedure\'s step table, and records who did it', async () => {
    const owner = await s.as('owner.stp');
    const v = await s.lifecycle.createDraft(procedureId, await fresh(procedureId), owner);
    expect(v).toMatchObject({ procedureId, level: 'province', number: 1, state: 'draft', revision: 1, authorName: owner.displayName });
    expect(v.xml).toContain('Thẩm định hồ sơ');
    expect(v.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(v.roles).toEqual(['leader', 'one-stop-officer', 'specialist']);
    const h = await s.lifecycle.history(v.id);
    expect(h).toMatchObject([{ action: 'create', fromState: null, toState: 'draft', actorName: owner.displayName }]);
  });

  it('saves a draft with optimistic concurrency: a stale revision is a 409 and writes nothing', async () => {
    const owner = await s.as('owner.stp');
    const v = await s.lifecycle.createDraft(procedureId, await fresh(procedureId), owner);
    const saved = await s.lifecycle.saveDraft(v.id, { xml: v.xml.replace('Ký duyệt', 'Ký quyết định'), revision: 1 }, owner);
    expect(saved.revision).toBe(2);
    expect(saved.contentHash).not.toBe(v.contentHash);
    const stale = await rejects(s.lifecycle.saveDraft(v.id, { xml: v.xml, revision: 1 }, owner));
    expect([stale.status, stale.type]).toEqual([409, 'Conflict']);
    expect((await s.lifecycle.getVersion(v.id)).xml).toContain('Ký quyết định');
  });

  it('refuses non-XML, DOCTYPE and oversized drafts with a 4xx, writing nothing', async () => {
    const owner = await s.as('owner.stp');
    const v = await s.lifecycle.createDraft(procedureId, await fresh(procedureId), owner);
    for (const [xml, status] of [['not xml', 400], ['<!DOCTYPE x><x/>', 400], [`<x>${'a'.repeat(3 * 1024 * 1024)}</x>`, 413], ['<a><b></a>', 400]] as const) {
      const e = await rejects(s.lifecycle.saveDraft(v.id, { xml, revision: 1 }, owner));
      expect(e.status).toBe(status);
    }
    expect((await s.lifecycle.getVersion(v.id)).revision).toBe(1);
    expect((await rejects(s.lifecycle.createDraft(procedureId, { xml: 'nope' }, owner))).status).toBe(400);
  });

  it('only process owners of the procedure\'s agency may draft', async () => {
    const e = await rejects(s.lifecycle.createDraft(procedureId, {}, await s.as('owner.sxd')));
    expect(e.status).toBe(403);
    expect((await rejects(s.lifecycle.createDraft('00000000-0000-4000-8000-000000000000', {}, await s.as('owner.stp')))).status).toBe(404);
    expect((await rejects(s.lifecycle.createDraft('not-a-uuid', {}, await s.as('owner.stp')))).status).toBe(404);
  });

  it('submit runs validation: a version with errors stays a draft and the findings come back', async () => {
    const owner = await s.as('owner.stp');
    const v = await s.lifecycle.createDraft(procedureId, await fresh(procedureId), owner);
    const broken = v.xml.replace(' tthc:budget="2d"', '');
    const saved = await s.lifecycle.saveDraft(v.id, { xml: broken, revision: 1 }, owner);
    const e = await rejects(s.lifecycle.submit(saved.id, owner));
    expect(e.status).toBe(400);
    expect(e.details).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: 'tthc/step-budget', elementId: 'Step_B2' })]));
    expect((await s.lifecycle.getVersion(v.id)).state).toBe('draft');
  });

  it('four-eyes: the author (or anyone who saved the version) can never approve it', async () => {
    const owner = await s.as('owner.stp');
    const v = await s.lifecycle.createDraft(procedureId, await fresh(procedureId), owner);
    await s.lifecycle.submit(v.id, owner);
    const e = await rejects(s.lifecycle.approve(v.id, DECISION, owner));
    expect(e.status).toBe(403);
    expect(e.text?.key).toBe('lifecycle.fourEyes');
    expect(e.text?.en).toMatch(/four-eyes/);
    // An administrator who edited the draft is an author too.
    const admin = await s.as('admin');
    const v2 = await s.lifecycle.createDraft(procedureId, await fresh(procedureId), owner);
    await s.lifecycle.saveDraft(v2.id, { xml: v2.xml.replace('Ký duyệt', 'Ký'), revision: 1 }, admin);
    await s.lifecycle.submit(v2.id, owner);
    expect((await rejects(s.lifecycle.approve(v2.id, DECISION, admin))).status).toBe(403);
    expect((await s.lifecycle.getVersion(v2.id)).state).toBe('in_review');
    // …while another approver may, and the decision is recorded.
    const approver = await s.as('approver');
    const ok = await s.lifecycle.approve(v2.id, DECISION, approver);
    expect(ok.state).toBe('approved');
    expect(ok.decision).toMatchObject({ number: '123/QĐ-UBND', date: '2026-03-01', signer: 'Chủ tịch UBND tỉnh', effectiveDate: '2026-03-02', approverName: approver.displayName });
  });

  it('reject needs a comment; a rejected version stays rejected and a new draft is made from it', async () => {
    const owner = await s.as('owner.stp');
    const approver = await s.as('approver');
    const v = await s.lifecycle.createDraft(procedureId, await fresh(procedureId), owner);
    await s.lifecycle.submit(v.id, owner);
    expect((await rejects(s.lifecycle.reject(v.id, '  ', approver))).status).toBe(400);
    const r = await s.lifecycle.reject(v.id, 'Bước thẩm định quá dài', approver);
    expect(r).toMatchObject({ state: 'rejected', rejectionComment: 'Bước thẩm định quá dài' });
    expect((await rejects(s.lifecycle.saveDraft(v.id, { xml: v.xml, revision: 1 }, owner))).status).toBe(409);
    const again = await s.lifecycle.createDraft(procedureId, { fromVersionId: v.id }, owner);
    expect(again).toMatchObject({ state: 'draft', xml: v.xml });
    expect(again.number).toBeGreaterThan(v.number);
  });

  it('refuses every forbidden transition with 409 InvalidState', async () => {
    const owner = await s.as('owner.stp');
    const approver = await s.as('approver');
    const draft = await s.lifecycle.createDraft(procedureId, await fresh(procedureId), owner);
    const onDraft = [() => s.lifecycle.approve(draft.id, DECISION, approver), () => s.lifecycle.reject(draft.id, 'x', approver),
      () => s.lifecycle.activate(draft.id, approver), () => s.lifecycle.retire(draft.id, approver)];
    for (const f of onDraft) expect((await rejects(f())).type).toBe('InvalidState');
    const approved = await approvedVersion();
    const onApproved = [() => s.lifecycle.submit(approved.id, owner), async () => s.lifecycle.approve(approved.id, DECISION, await s.as('approver2')),
      () => s.lifecycle.reject(approved.id, 'x', approver), () => s.lifecycle.saveDraft(approved.id, { xml: approved.xml, revision: 1 }, owner)];
    for (const f of onApproved) expect((await rejects(f())).status).toBe(409);
  });

  it('immutability: the database itself refuses to rewrite an approved version', async () => {
    const approved = await approvedVersion();
    await expect(s.knex('process_version').where({ id: approved.id }).update({ xml: '<changed/>' })).rejects.toThrow(/cannot change/);
    await expect(s.knex('process_version').where({ id: approved.id }).delete()).rejects.toThrow(/cannot be deleted/);
    expect((await s.lifecycle.getVersion(approved.id)).xml).toBe(approved.xml);
  });

  it('activation deploys, supersedes the previous active version and leaves its definition alone', async () => {
    const approver = await s.as('approver');
    const v1 = await approvedVersion();
    const a1 = await s.lifecycle.activate(v1.id, approver);
    expect(a1).toMatchObject({ state: 'active', scheduled: false });
    expect(a1.definitionId).toBeDefined();
    expect(await s.lifecycle.activeDefinition(procedureId)).toMatchObject({ versionId: v1.id, definitionId: a1.definitionId });

    const owner = await s.as('owner.stp');
    const d2 = await s.lifecycle.createDraft(procedureId, { fromVersionId: v1.id }, owner);
    await s.lifecycle.saveDraft(d2.id, { xml: d2.xml.replace('Ký duyệt', 'Lãnh đạo ký'), revision: 1 }, owner);
    await s.lifecycle.submit(d2.id, owner);
    await s.lifecycle.approve(d2.id, DECISION, await s.as('approver2'));
    const a2 = await s.lifecycle.activate(d2.id, approver);
    expect(a2.state).toBe('active');
    const old = await s.lifecycle.getVersion(v1.id);
    expect(old).toMatchObject({ state: 'superseded', definitionId: a1.definitionId });
    expect(await s.lifecycle.activeDefinition(procedureId)).toMatchObject({ versionId: d2.id, definitionId: a2.definitionId });
    const { model } = await s.lifecycle.getProcess(procedureId);
    expect(model.activeVersionId).toBe(d2.id);
    expect((await s.lifecycle.history(v1.id)).map((h) => `${h.action}:${h.fromState}->${h.toState}`))
      .toEqual(['create:null->draft', 'submit:draft->in_review', 'approve:in_review->approved', 'activate:approved->active', 'supersede:active->superseded']);
  });

  it('a failed deployment leaves the version approved and no other version touched', async () => {
    const v = await approvedVersion();
    s.deployer.fail = true;
    try {
      await expect(s.lifecycle.activate(v.id, await s.as('approver'))).rejects.toThrow('engine down');
    } finally {
      s.deployer.fail = false;
    }
    expect((await s.lifecycle.getVersion(v.id)).state).toBe('approved');
  });

  it('activation on a future effective date is scheduled and done by the scheduler on that date', async () => {
    const owner = await s.as('owner.stp');
    const v = await s.lifecycle.createDraft(procedureId, await fresh(procedureId), owner);
    await s.lifecycle.submit(v.id, owner);
    await s.lifecycle.approve(v.id, { ...DECISION, effectiveDate: '2026-03-10' }, await s.as('approver'));
    const r = await s.lifecycle.activate(v.id, await s.as('approver'));
    expect(r).toMatchObject({ state: 'approved', scheduled: true });
    const told = () => s.notices.filter((n) => n.link === `#/versions/${v.id}`).map((n) => n.template);
    expect(told()).toEqual(['process-approved']); // scheduling is not activation: the author hears of it on the day
    expect(await s.lifecycle.activateDue()).toEqual([]);
    s.clock.now = new Date('2026-03-09T17:30:00Z'); // 00:30 on 10 March in Vietnam
    expect(await s.lifecycle.activateDue()).toEqual([v.id]);
    expect((await s.lifecycle.getVersion(v.id)).state).toBe('active');
    expect(told()).toEqual(['process-approved', 'process-activated']);
    expect(s.notices.at(-1)).toMatchObject({ usernames: ['owner.stp'], key: `process-version:${v.id}:activated`, params: { version: v.number, by: 'Bộ lập lịch (ngày hiệu lực)' } });
    s.clock.now = new Date('2026-03-02T03:00:00Z');
  });

  it('rejects a decision whose effective date precedes it, and impossible dates never reach the store', async () => {
    const owner = await s.as('owner.stp');
    const v = await s.lifecycle.createDraft(procedureId, await fresh(procedureId), owner);
    await s.lifecycle.submit(v.id, owner);
    expect((await rejects(s.lifecycle.approve(v.id, { ...DECISION, effectiveDate: '2026-02-01' }, await s.as('approver')))).status).toBe(400);
  });

  it('the review inbox lists what the caller may approve, never their own versions', async () => {
    const owner = await s.as('owner.stp');
    const v = await s.lifecycle.createDraft(procedureId, await fresh(procedureId), owner);
    await s.lifecycle.submit(v.id, owner);
    expect((await s.lifecycle.reviewInbox(await s.as('approver'))).map((x) => x.id)).toContain(v.id);
    expect((await s.lifecycle.reviewInbox(owner)).map((x) => x.id)).not.toContain(v.id);
  });

  it('a change of who holds a role the active process names flags it for review, until a new version activates', async () => {
    const admin = await s.as('admin');
    const identity = (await import('../../server/identity/service.js')).createIdentityService({ knex: s.knex });
    identity.setRoleHoldersChanged(async (trx, change) => { await s.lifecycle.markNeedsReviewForRoles(trx, change); });
    await identity.assignRole('chuyenvien.xa2', 'specialist', 'stp');
    const list = await s.lifecycle.needsReview();
    expect(list).toEqual([expect.objectContaining({ procedureId, needsReview: true, procedureCode: '1.000001' })]);
    expect((await s.lifecycle.getProcess(procedureId)).model.needsReview).toBe(true);
    // A role no process names flags nothing new.
    const flagged = await s.knex.transaction((trx) => s.lifecycle.markNeedsReviewForRoles(trx, { roles: ['inspector'], unitIds: ['stp'] }));
    expect(flagged).toBe(0);
    const v = await approvedVersion();
    await s.lifecycle.activate(v.id, await s.as('approver'));
    expect((await s.lifecycle.getProcess(procedureId)).model.needsReview).toBe(false);
    void admin;
  });

  it('withdrawing the procedure retires its active process', async () => {
    const p = await s.catalog.create(procedureInput({ code: '1.000002', name: 'Thủ tục sẽ bãi bỏ' }), await s.as('owner.stp'));
    const owner = await s.as('owner.stp');
    const v = await s.lifecycle.createDraft(p.id, await fresh(p.id), owner);
    await s.lifecycle.submit(v.id, owner);
    await s.lifecycle.approve(v.id, DECISION, await s.as('approver'));
    await s.lifecycle.activate(v.id, await s.as('approver'));
    await s.catalog.withdraw(p.id, owner);
    expect((await s.lifecycle.getVersion(v.id)).state).toBe('retired');
    expect(await s.lifecycle.activeDefinition(p.id)).toBeUndefined();
    expect((await rejects(s.lifecycle.createDraft(p.id, await fresh(p.id), owner))).status).toBe(409);
  });

  it('diff lists added, removed and changed elements with old and new values, layout apart', async () => {
    const owner = await s.as('owner.stp');
    const a = await s.lifecycle.createDraft(procedureId, await fresh(procedureId), owner);
    const moved = a.xml.replace(/(<bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x=")100/, '$1110');
    const b = await s.lifecycle.createDraft(procedureId, { xml: moved.replace(' tthc:budget="2d"', ' tthc:budget="1.5d"').replace('name="Ký duyệt"', 'name="Lãnh đạo ký"') }, owner);
    const d = await s.lifecycle.diff(b.id, a.id);
    expect(d.from.id).toBe(a.id);
    expect(d.changed).toEqual(expect.arrayContaining([
      { id: 'Step_B2', type: 'bpmn:UserTask', name: 'Thẩm định hồ sơ', attrs: { budget: { old: '2d', new: '1.5d' } } },
      { id: 'Step_B3', type: 'bpmn:UserTask', name: 'Lãnh đạo ký', attrs: { name: { old: 'Ký duyệt', new: 'Lãnh đạo ký' } } },
    ]));
    expect(d.layoutChanged).toEqual([{ id: 'StartEvent_1', type: 'bpmn:StartEvent', name: 'Hồ sơ được nộp' }]);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect((await rejects(s.lifecycle.diff(a.id, '00000000-0000-4000-8000-000000000000'))).status).toBe(404);
  });
});

describe('activation scheduler (background service)', () => {
  it('activates a version whose effective date has come, once', async () => {
    const { createActivationScheduler } = await import('../../server/lifecycle/scheduler.js');
    const { createLogger } = await import('../../server/log.js');
    const s = await setup();
    try {
      const owner = await s.as('owner.stp');
      const p = await s.catalog.create(procedureInput({ code: '1.000003' }), owner);
      const v = await s.lifecycle.createDraft(p.id, {}, owner);
      await s.lifecycle.submit(v.id, owner);
      await s.lifecycle.approve(v.id, { ...DECISION, effectiveDate: '2026-04-01' }, await s.as('approver'));
      await s.lifecycle.activate(v.id, await s.as('approver'));
      const scheduler = createActivationScheduler({ lifecycle: s.lifecycle, log: createLogger('silent') });
      expect(await scheduler.tick()).toEqual([]);
      s.clock.now = new Date('2026-04-01T01:00:00Z');
      expect(await scheduler.tick()).toEqual([v.id]);
      expect(await scheduler.tick()).toEqual([]);
      expect((await s.lifecycle.history(v.id)).map((h) => h.action)).toEqual(['create', 'submit', 'approve', 'schedule-activation', 'activate']);
      await scheduler.stop();
    } finally {
      await s.close();
    }
  });
});
