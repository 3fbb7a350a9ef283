import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { expectKeyedRefusal } from '../helpers/refusals.js';

/** Dossier refusals carry a key and read in the requested language (issue #16). */
describe('dossier refusals by key, in Vietnamese and English', () => {
  let platform: TestPlatform;
  let clerk: AuthedClient;
  let admin: AuthedClient;
  beforeAll(async () => {
    platform = await createTestPlatform();
    clerk = await loginAs(platform.app, 'motcua.xa');
    admin = await loginAs(platform.app, 'admin');
  }, 120_000);
  afterAll(async () => { await platform.close(); });

  const missing = '00000000-0000-4000-8000-000000000000';
  it.each([
    ['an unknown dossier', () => clerk.get(`/api/dossiers/${missing}`), 404, 'dossiers.noDossier', `Không có hồ sơ ${missing}`, `No dossier ${missing}`],
    ['a malformed id (zod)', () => clerk.get('/api/dossiers/abc'), 400, 'dossiers.notADossierId', 'Tham số đường dẫn “id”: không phải mã hồ sơ hợp lệ', 'Path parameter “id”: not a dossier id'],
    ['a malformed code', () => clerk.get('/api/dossiers/by-code/xyz'), 400, 'dossiers.notACode', 'không đúng dạng', 'not a dossier code'],
    ['a bad agency code', () => admin.put('/api/units/xa-phu-long/agency-code').send({ agencyCode: 'x' }), 400, 'dossiers.badAgencyCode', 'chữ in hoa', 'capital letters'],
  ])('%s', async (_name, call, status, key, vi, en) => {
    await expectKeyedRefusal(call, status, key, vi, en);
  });
});
