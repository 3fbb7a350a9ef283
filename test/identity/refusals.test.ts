import request from 'supertest';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { expectKeyedRefusal } from '../helpers/refusals.js';

/** Login, user and unit refusals carry a key and read in the requested language (issue #16). */
describe('identity refusals by key, in Vietnamese and English', () => {
  let platform: TestPlatform;
  let admin: AuthedClient;
  beforeAll(async () => {
    platform = await createTestPlatform();
    admin = await loginAs(platform.app, 'admin');
  }, 120_000);
  afterAll(async () => { await platform.close(); });

  it.each([
    ['a wrong password', () => request(platform.app).post('/api/auth/login').send({ username: 'approver', password: 'Wrong@2026x' }), 401, 'identity.invalidCredentials', 'Tên đăng nhập hoặc mật khẩu không đúng', 'Wrong username or password'],
    ['an unknown user', () => admin.get('/api/users/nobody.here'), 404, 'identity.noUser', 'Không có người dùng nobody.here', 'No user nobody.here'],
    ['an existing unit id', () => admin.post('/api/units').send({ id: 'stp', parentId: 'tinh', name: 'Trùng', kind: 'department' }), 409, 'identity.unitExists', 'Mã đơn vị stp đã tồn tại', 'Unit id stp already exists'],
    ['a unit still in use', () => admin.delete('/api/units/stp'), 409, 'identity.unitInUse', 'còn đơn vị con', 'still has sub-units'],
  ])('%s', async (_name, call, status, key, vi, en) => {
    await expectKeyedRefusal(call, status, key, vi, en);
  });

  it('names every way a weak password fails, each in the reader\'s language', async () => {
    const weak = { username: 'new.user', displayName: 'Người Mới', password: 'new.user' };
    const vi = await admin.post('/api/users').send(weak).expect(400);
    expect(vi.body).toMatchObject({ key: 'identity.passwordClasses' });
    expect(vi.body.details.map((d: { message: string }) => d.message)).toEqual(['Mật khẩu cần ít nhất 3 trong 4 loại: chữ thường, chữ hoa, chữ số, ký hiệu', 'Mật khẩu không được chứa tên đăng nhập']);
    const en = await admin.post('/api/users').set('Accept-Language', 'en').send(weak).expect(400);
    expect(en.body.details.map((d: { message: string }) => d.message)).toEqual(['The password needs 3 of: lower case, upper case, digit, symbol', 'The password must not contain the username']);
  });
});
