import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { APPLICANT, BIRTH_COMPONENTS, binaryParser, procedureId } from './setup.js';
import { expectKeyedRefusal } from '../helpers/refusals.js';

/**
 * Staff attach documents to a dossier while working on it and download what the citizen filed;
 * reading is scoped to the dossier's unit and audited, and a step's completion may only cite files
 * of its own dossier.
 */
let platform: TestPlatform;
const c: Record<string, AuthedClient> = {};
let dossier: { id: string; code: string; instanceId: string };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

beforeAll(async () => {
  platform = await createTestPlatform();
  for (const u of ['motcua.xa', 'chuyenvien.xa', 'chuyenvien.xa2', 'thanhtra']) c[u] = await loginAs(platform.app, u);
  const birth = await procedureId(platform, '1.001193');
  dossier = (await c['motcua.xa']!.post('/api/dossiers').send({ procedureId: birth, applicant: APPLICANT, components: BIRTH_COMPONENTS, content: 'Đăng ký khai sinh' }).expect(201)).body;
}, 120_000);
afterAll(async () => { await platform.close(); });

describe('dossier files', () => {
  let fileId: string;

  it('a specialist of the unit attaches a document; it is listed, recorded on the timeline, and downloads byte for byte (audited)', async () => {
    const up = await c['chuyenvien.xa']!.post(`/api/dossiers/${dossier.id}/files`).field('label', 'Dự thảo Giấy khai sinh')
      .attach('file', PDF, { filename: 'Dự thảo khai sinh.pdf', contentType: 'application/pdf' }).expect(201);
    expect(up.body.items).toHaveLength(1);
    expect(up.body.items[0]).toMatchObject({ fileName: 'Dự thảo khai sinh.pdf', mime: 'application/pdf', size: PDF.length, label: 'Dự thảo Giấy khai sinh' });
    fileId = up.body.items[0].id;
    const list = (await c['motcua.xa']!.get(`/api/dossiers/${dossier.id}/files`).expect(200)).body.items;
    expect(list.map((f: { id: string }) => f.id)).toEqual([fileId]);
    const dl = await c['motcua.xa']!.get(`/api/dossiers/${dossier.id}/files/${fileId}`).buffer(true).parse(binaryParser).expect(200).expect('Content-Type', 'application/pdf');
    expect(Buffer.compare(dl.body as Buffer, PDF)).toBe(0);
    expect(String(dl.headers['content-disposition'])).toContain(`filename*=UTF-8''${encodeURIComponent('Dự thảo khai sinh.pdf')}`);
    const audited = await platform.db.knex('audit_log').where({ action: 'access:read', target_type: 'dossier-file', target_id: fileId }).select('username');
    expect(audited).toEqual([{ username: 'motcua.xa' }]);
    const tl = (await c['motcua.xa']!.get(`/api/dossiers/${dossier.id}/timeline`).expect(200)).body;
    expect(JSON.stringify(tl)).toContain('files-added');
  });

  it('another commune\'s specialist can neither list, download nor attach (404, nothing written)', async () => {
    await c['chuyenvien.xa2']!.get(`/api/dossiers/${dossier.id}/files`).expect(404);
    await c['chuyenvien.xa2']!.get(`/api/dossiers/${dossier.id}/files/${fileId}`).expect(404);
    await c['chuyenvien.xa2']!.post(`/api/dossiers/${dossier.id}/files`).attach('file', PDF, 'x.pdf').expect(404);
    // An inspector reads but does not work on dossiers.
    await c.thanhtra!.post(`/api/dossiers/${dossier.id}/files`).attach('file', PDF, 'x.pdf').expect(403);
    expect(Number((await platform.db.knex('stored_file').where({ owner_id: dossier.id }).count({ n: '*' }).first())!.n)).toBe(1);
  });

  it('refuses what is not a PDF/JPEG/PNG by content, an empty request, and a file id of another dossier', async () => {
    const bad = await c['chuyenvien.xa']!.post(`/api/dossiers/${dossier.id}/files`).attach('file', Buffer.from('MZ executable'), 'hop-le.pdf').expect(415);
    expect(bad.body).toMatchObject({ type: 'UnsupportedMediaType' });
    expect(bad.body.message).toContain('hop-le.pdf');
    await expectKeyedRefusal(() => c['chuyenvien.xa']!.post(`/api/dossiers/${dossier.id}/files`).attach('file', Buffer.from('MZ executable'), 'hop-le.pdf'), 415, 'files.badType',
      'Tệp "hop-le.pdf" không phải PDF, JPEG hoặc PNG', 'File "hop-le.pdf" is not a PDF, JPEG or PNG');
    const none = await c['chuyenvien.xa']!.post(`/api/dossiers/${dossier.id}/files`).field('label', 'x').expect(400);
    expect(none.body.message).toContain('Chưa chọn tệp');
    await c['chuyenvien.xa']!.get(`/api/dossiers/${dossier.id}/files/00000000-0000-4000-8000-000000000000`).expect(404);
    await c['chuyenvien.xa']!.get(`/api/dossiers/${dossier.id}/files/not-an-id`).expect(400);
    expect(Number((await platform.db.knex('stored_file').where({ owner_id: dossier.id }).count({ n: '*' }).first())!.n)).toBe(1);
  });

  it('a step is completed citing the dossier\'s own documents only; the hand-over lists them', async () => {
    const other = (await c['motcua.xa']!.post('/api/dossiers').send({ procedureId: await procedureId(platform, '1.001193'), applicant: APPLICANT, components: BIRTH_COMPONENTS, content: 'Khác' }).expect(201)).body;
    const foreign = (await c['motcua.xa']!.post(`/api/dossiers/${other.id}/files`).attach('file', PNG, 'anh.png').expect(201)).body.items[0].id as string;
    const task = (await c['motcua.xa']!.get('/api/tasks').query({ tab: 'group', code: dossier.code }).expect(200)).body.items[0];
    await c['motcua.xa']!.post(`/api/tasks/${task.id}/claim`).expect(204);
    const refused = await c['motcua.xa']!.post(`/api/tasks/${task.id}/complete`).send({ documents: [{ id: foreign, name: 'anh.png' }] }).expect(400);
    expect(refused.body.message).toContain(foreign);
    expect((await c['motcua.xa']!.get('/api/tasks').query({ tab: 'mine', code: dossier.code }).expect(200)).body.items).toHaveLength(1);
    await c['motcua.xa']!.post(`/api/tasks/${task.id}/complete`).send({ documents: [{ id: fileId, name: 'whatever the client says' }] }).expect(200);
    const tl = (await c['motcua.xa']!.get(`/api/dossiers/${dossier.instanceId}/handovers`).expect(200)).body;
    expect(tl.handOvers[0].documents).toEqual([{ id: fileId, name: 'Dự thảo khai sinh.pdf' }]);
  });

  it('a closed dossier takes no more files (409)', async () => {
    await platform.db.knex('dossier').where({ id: dossier.id }).update({ status: 10 });
    const closed = await c['chuyenvien.xa']!.post(`/api/dossiers/${dossier.id}/files`).attach('file', PDF, 'muon.pdf').expect(409);
    expect(closed.body.type).toBe('Conflict');
  });
});
