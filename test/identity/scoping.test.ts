import type { Database } from '../../server/db/connect.js';
import { seedDemo } from '../../server/identity/demo.js';
import { createIdentityService, type IdentityService } from '../../server/identity/service.js';
import type { Principal } from '../../server/http/policy.js';
import { createTestDatabase } from '../helpers/db.js';

type Roles = Principal['roles'];
const who = (username: string, roles: Roles) => ({ username, roles });

describe('unit scoping and role-holder changes', () => {
  let db: Database;
  let identity: IdentityService;
  const changes: Array<{ roles: string[]; unitIds: string[]; inTrx: boolean }> = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.knex);
    identity = createIdentityService({
      knex: db.knex,
      onRoleHoldersChanged: async (trx, change) => {
        // Runs inside the writing transaction: it sees the uncommitted assignment.
        const n = await trx('user_role').count({ n: '*' });
        changes.push({ ...change, inTrx: Number(n[0]!.n) >= 0 && trx.isTransaction === true });
      },
    });
  });
  afterAll(async () => { await db.close(); });

  it('limits staff to their units, leaders to their sub-units too, and lets admin/inspector/service see all', async () => {
    expect(await identity.visibleUnitIds({ roles: [{ role: 'specialist', unitId: 'xa-phu-long' }] })).toEqual(['xa-phu-long']);
    expect(await identity.visibleUnitIds({ roles: [{ role: 'leader', unitId: 'stp' }] })).toEqual(['stp', 'stp-hctp']);
    expect(await identity.visibleUnitIds({ roles: [{ role: 'inspector', unitId: 'tinh' }] })).toBe('all');
    expect(await identity.visibleUnitIds({ roles: [{ role: 'service', unitId: 'tinh' }] })).toBe('all');
    expect(await identity.visibleUnitIds({ roles: [] })).toEqual([]);
  });

  it('holdsRoleInUnit matches the exact role and unit', () => {
    const p = { roles: [{ role: 'specialist' as const, unitId: 'xa-phu-long' }] };
    expect(identity.holdsRoleInUnit(p, 'specialist', 'xa-phu-long')).toBe(true);
    expect(identity.holdsRoleInUnit(p, 'specialist', 'xa-ham-tien')).toBe(false);
    expect(identity.holdsRoleInUnit(p, 'leader', 'xa-phu-long')).toBe(false);
  });

  it('lets process owners draft only for their agency and its divisions', async () => {
    const owner = { roles: [{ role: 'process-owner' as const, unitId: 'stp' }] };
    expect(await identity.canDraftFor(owner, 'stp')).toBe(true);
    expect(await identity.canDraftFor(owner, 'stp-hctp')).toBe(true);
    expect(await identity.canDraftFor(owner, 'sxd')).toBe(false);
  });

  it('lets approvers approve within their committee, never their own version (four-eyes)', async () => {
    const approver = who('approver', [{ role: 'approver', unitId: 'vp-ubnd' }]);
    expect(await identity.canApprove(approver, { unitId: 'stp', authorUsername: 'owner.stp' })).toEqual({ ok: true });
    expect((await identity.canApprove(approver, { unitId: 'stp', authorUsername: 'APPROVER' })).ok).toBe(false);
    const communeApprover = who('x', [{ role: 'approver', unitId: 'xa-ham-tien' }]);
    expect((await identity.canApprove(communeApprover, { unitId: 'stp', authorUsername: 'owner.stp' })).ok).toBe(false);
    expect((await identity.canApprove(communeApprover, { unitId: 'xa-ham-tien', authorUsername: 'owner.stp' })).ok).toBe(true);
    const specialist = who('chuyenvien.xa', [{ role: 'specialist', unitId: 'xa-phu-long' }]);
    expect((await identity.canApprove(specialist, { unitId: 'xa-phu-long', authorUsername: 'owner.stp' })).ok).toBe(false);
  });

  it('resolves a candidate group to the holders of the role in the dossier\'s unit', async () => {
    expect(await identity.candidateUsers('specialist', 'xa-phu-long')).toEqual(['chuyenvien.xa']);
    expect(await identity.candidateUsers('specialist', 'xa-ham-tien')).toEqual(['chuyenvien.xa2']);
    expect(await identity.candidateUsers('approver@vp-ubnd', 'xa-phu-long')).toEqual(['approver', 'approver2']);
    expect(await identity.candidateUsers('leader', 'xa-ham-tien')).toEqual([]);
  });

  it('reports role-holder changes inside the writing transaction, and rolls back with it', async () => {
    changes.length = 0;
    await identity.assignRole('chuyenvien.xa2', 'specialist', 'xa-phu-long');
    expect(changes).toEqual([{ roles: ['specialist'], unitIds: ['xa-phu-long'], inTrx: true }]);
    expect(await identity.candidateUsers('specialist', 'xa-phu-long')).toEqual(['chuyenvien.xa', 'chuyenvien.xa2']);
    await identity.removeRole('chuyenvien.xa2', 'specialist', 'xa-phu-long');
    expect(changes).toHaveLength(2);
    await identity.updateUser('vanthu.xa', { disabled: true });
    expect(changes[2]).toMatchObject({ roles: ['clerical'], unitIds: ['xa-phu-long'] });
    expect(await identity.candidateUsers('clerical', 'xa-phu-long')).toEqual([]);

    const failing = createIdentityService({ knex: db.knex, onRoleHoldersChanged: async () => { throw new Error('lifecycle refused'); } });
    await expect(failing.assignRole('chuyenvien.xa2', 'leader', 'xa-ham-tien')).rejects.toThrow('lifecycle refused');
    expect(await identity.candidateUsers('leader', 'xa-ham-tien')).toEqual([]);
  });
});
