import type { Knex } from 'knex';
import { foldText } from '../text/fold.js';
import { hashPassword } from './password.js';
import type { Role } from './permissions.js';

export const DEMO_PASSWORD = 'Demo@2026';

const DEMO_UNITS: Array<{ id: string; parentId: string | null; name: string; kind: string; level: number }> = [
  { id: 'tinh', parentId: null, name: 'UBND tỉnh Bình Thuận', kind: 'province', level: 0 },
  { id: 'vp-ubnd', parentId: 'tinh', name: 'Văn phòng UBND tỉnh', kind: 'agency', level: 1 },
  { id: 'stp', parentId: 'tinh', name: 'Sở Tư pháp', kind: 'agency', level: 1 },
  { id: 'stp-hctp', parentId: 'stp', name: 'Phòng Hành chính tư pháp', kind: 'division', level: 2 },
  { id: 'sxd', parentId: 'tinh', name: 'Sở Xây dựng', kind: 'agency', level: 1 },
  { id: 'stc', parentId: 'tinh', name: 'Sở Tài chính', kind: 'agency', level: 1 },
  { id: 'stnmt', parentId: 'tinh', name: 'Sở Nông nghiệp và Môi trường', kind: 'agency', level: 1 },
  { id: 'ttpvhcc', parentId: 'tinh', name: 'Trung tâm Phục vụ hành chính công tỉnh', kind: 'centre', level: 1 },
  { id: 'xa-phu-long', parentId: 'tinh', name: 'UBND xã Phú Long', kind: 'commune', level: 1 },
  { id: 'xa-ham-tien', parentId: 'tinh', name: 'UBND xã Hàm Tiến', kind: 'commune', level: 1 },
];

export const DEMO_USERS: Array<{ username: string; displayName: string; role: Role; unitId: string; kind?: 'service' }> = [
  { username: 'admin', displayName: 'Quản trị hệ thống', role: 'system-admin', unitId: 'tinh' },
  { username: 'owner.stp', displayName: 'Nguyễn Văn Sở (chủ quy trình STP)', role: 'process-owner', unitId: 'stp' },
  { username: 'owner.sxd', displayName: 'Trần Thị Xây (chủ quy trình SXD)', role: 'process-owner', unitId: 'sxd' },
  // Every seed procedure has a drafting owner: its managing agency's (processes/catalog.json managingAgencyId).
  { username: 'owner.stnmt', displayName: 'Phan Văn Đất (chủ quy trình Sở NN&MT)', role: 'process-owner', unitId: 'stnmt' },
  { username: 'owner.stc', displayName: 'Mai Thị Tài (chủ quy trình Sở Tài chính)', role: 'process-owner', unitId: 'stc' },
  { username: 'approver', displayName: 'Lê Văn Duyệt', role: 'approver', unitId: 'vp-ubnd' },
  { username: 'approver2', displayName: 'Phạm Thị Duyệt', role: 'approver', unitId: 'vp-ubnd' },
  { username: 'motcua.xa', displayName: 'Võ Thị Một Cửa', role: 'one-stop-officer', unitId: 'xa-phu-long' },
  { username: 'chuyenvien.xa', displayName: 'Đặng Văn Chuyên', role: 'specialist', unitId: 'xa-phu-long' },
  { username: 'truongphong.xa', displayName: 'Bùi Văn Trưởng', role: 'division-head', unitId: 'xa-phu-long' },
  { username: 'lanhdao.xa', displayName: 'Hoàng Văn Lãnh', role: 'leader', unitId: 'xa-phu-long' },
  { username: 'vanthu.xa', displayName: 'Ngô Thị Văn Thư', role: 'clerical', unitId: 'xa-phu-long' },
  { username: 'chuyenvien.xa2', displayName: 'Đỗ Thị Hàm Tiến', role: 'specialist', unitId: 'xa-ham-tien' },
  { username: 'chuyenvien.stp', displayName: 'Huỳnh Văn Tư Pháp', role: 'specialist', unitId: 'stp-hctp' },
  { username: 'chuyenvien.stnmt', displayName: 'Trịnh Văn Đất Đai', role: 'specialist', unitId: 'stnmt' },
  { username: 'lanhdao.stp', displayName: 'Dương Văn Giám Đốc', role: 'leader', unitId: 'stp' },
  { username: 'thanhtra', displayName: 'Lý Thị Thanh Tra', role: 'inspector', unitId: 'tinh' },
  { username: 'worker', displayName: 'Tài khoản dịch vụ (worker)', role: 'service', unitId: 'tinh', kind: 'service' },
];

/**
 * Seeds the demo organisation (demo mode only). Idempotent: a restart keeps what exists,
 * including passwords changed since. One hash serves every demo user: they share the password anyway.
 */
export async function seedDemo(knex: Knex): Promise<Array<{ username: string; password: string; role: string }>> {
  const hash = await hashPassword(DEMO_PASSWORD);
  await knex.transaction(async (trx) => {
    await trx('org_unit').insert(DEMO_UNITS.map((u) => ({
      id: u.id, parent_id: u.parentId, name: u.name, name_folded: foldText(u.name), kind: u.kind, level: u.level,
    }))).onConflict('id').ignore();
    await trx('app_user').insert(DEMO_USERS.map((u) => ({
      username: u.username, display_name: u.displayName, display_name_folded: foldText(u.displayName),
      kind: u.kind ?? 'user', password_hash: hash, password_changed_at: trx.fn.now(),
    }))).onConflict('username').ignore();
    const ids = new Map((await trx('app_user').select('id', 'username').whereIn('username', DEMO_USERS.map((u) => u.username)))
      .map((r: { id: string; username: string }) => [r.username, r.id]));
    await trx('user_role').insert(DEMO_USERS.map((u) => ({ user_id: ids.get(u.username), role: u.role, unit_id: u.unitId })))
      .onConflict(['user_id', 'role', 'unit_id']).ignore();
  });
  return DEMO_USERS.map((u) => ({ username: u.username, password: DEMO_PASSWORD, role: `${u.role} @ ${u.unitId}` }));
}
