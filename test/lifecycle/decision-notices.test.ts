import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'superagent';
import { loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

/**
 * The approver attaches the signed decision (a PDF) to the version it approves, and the author is
 * told of every decision on their version in the bell: approved, rejected, activated.
 */
const DECISION = { decisionNumber: '77/QĐ-UBND', decisionDate: '2026-01-05', signer: 'Phó Chủ tịch UBND tỉnh', effectiveDate: '2026-01-05' };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  (res as unknown as NodeJS.ReadableStream).on('data', (c: Buffer) => chunks.push(c));
  (res as unknown as NodeJS.ReadableStream).on('end', () => cb(null, Buffer.concat(chunks)));
};

let platform: TestPlatform;
let owner: AuthedClient;
let approver: AuthedClient;
let other: AuthedClient;
let procedureId: string;
let activeId: string;

/** A draft from the active version with one budget changed, submitted. */
async function submitted(budget: string): Promise<string> {
  const draft = await owner.post(`/api/procedures/${procedureId}/versions`).send({ fromVersionId: activeId }).expect(201);
  const xml = (draft.body.xml as string).replace(/(name="Lập Phiếu lý lịch tư pháp"[^>]*tthc:budget=")[^"]*"/, `$1${budget}"`);
  expect(xml).not.toBe(draft.body.xml);
  await owner.put(`/api/process-versions/${draft.body.id}`).send({ xml, revision: 1 }).expect(200);
  await owner.post(`/api/process-versions/${draft.body.id}/submit`).send({ comment: 'Rút ngắn thời hạn' }).expect(200);
  return draft.body.id as string;
}

const bell = async (c: AuthedClient) => (await c.get('/api/notifications').expect(200)).body as { unread: number; items: Array<{ template: string; title: string; body: string; titleEn: string | null; bodyEn: string | null; link: string }> };

beforeAll(async () => {
  platform = await createTestPlatform();
  owner = await loginAs(platform.app, 'owner.stp');
  approver = await loginAs(platform.app, 'approver');
  other = await loginAs(platform.app, 'owner.sxd');
  procedureId = (await owner.get('/api/procedures?q=2.000488').expect(200)).body.items[0].id;
  activeId = (await owner.get(`/api/procedures/${procedureId}/process`).expect(200)).body.model.activeVersionId;
}, 120_000);
afterAll(async () => { await platform.close(); });

describe('signed decision and author notices', () => {
  let approvedId: string;

  it('a rejection tells the author in the bell, with the reason and a link to the version', async () => {
    const id = await submitted('1d');
    await approver.post(`/api/process-versions/${id}/reject`).send({ comment: 'Chưa nêu căn cứ rút ngắn.' }).expect(200);
    const n = await bell(owner);
    const notice = n.items.find((i) => i.template === 'process-rejected');
    expect(notice).toMatchObject({ link: `#/versions/${id}` });
    expect(notice!.title).toContain('bị trả lại');
    expect(notice!.body).toContain('Chưa nêu căn cứ rút ngắn.');
    // English beside it, for a reader of the English interface.
    expect(notice!.titleEn).toContain('was rejected');
    expect(notice!.bodyEn).toContain('Reason: Chưa nêu căn cứ rút ngắn.');
    expect((await bell(approver)).items.some((i) => i.template.startsWith('process-'))).toBe(false);
  });

  it('approval and activation tell the author; the decision date reads dd/mm/yyyy', async () => {
    approvedId = await submitted('4h');
    await approver.post(`/api/process-versions/${approvedId}/approve`).send(DECISION).expect(200);
    const approved = (await bell(owner)).items.find((i) => i.template === 'process-approved' && i.link === `#/versions/${approvedId}`);
    expect(approved?.body).toContain('77/QĐ-UBND');
    expect(approved?.body).toContain('05/01/2026');
    await approver.post(`/api/process-versions/${approvedId}/activate`).send({}).expect(200);
    const activated = (await bell(owner)).items.find((i) => i.template === 'process-activated' && i.link === `#/versions/${approvedId}`);
    expect(activated?.title).toContain('đã được áp dụng');
  });

  it('the approver may attach a PDF (offered as may.attachDecision); it is stored with its sha256, listed and downloads byte for byte', async () => {
    expect((await approver.get(`/api/process-versions/${approvedId}`).expect(200)).body.may.attachDecision).toBe(true);
    expect((await owner.get(`/api/process-versions/${approvedId}`).expect(200)).body.may.attachDecision).toBe(false);
    const up = await approver.post(`/api/process-versions/${approvedId}/decision-files`)
      .attach('file', PDF, { filename: 'Quyết định 77 đã ký.pdf', contentType: 'application/pdf' }).expect(201);
    expect(up.body).toMatchObject({ fileName: 'Quyết định 77 đã ký.pdf', mime: 'application/pdf', size: PDF.length });
    expect(up.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    const list = await owner.get(`/api/process-versions/${approvedId}/decision-files`).expect(200);
    expect(list.body.items.map((f: { id: string }) => f.id)).toEqual([up.body.id]);
    const dl = await owner.get(`/api/process-versions/${approvedId}/decision-files/${up.body.id}`).buffer(true).parse(binary).expect(200);
    expect(Buffer.compare(dl.body as Buffer, PDF)).toBe(0);
    expect(dl.headers['content-disposition']).toContain("filename*=UTF-8''Quy%E1%BA%BFt");
    const history = await owner.get(`/api/process-versions/${approvedId}/history`).expect(200);
    expect(history.body.at(-1)).toMatchObject({ action: 'attach-decision', actorName: 'Lê Văn Duyệt', details: { sha256: up.body.sha256, decisionNumber: '77/QĐ-UBND' } });
    // The request itself is in the audit trail (written by group commit).
    let audited: unknown;
    for (let i = 0; i < 50 && !audited; i++) {
      audited = await platform.db.knex('audit_log').where({ action: 'POST /api/process-versions/:id/decision-files', outcome: '201' }).first();
      if (!audited) await new Promise((r) => setTimeout(r, 100));
    }
    expect(audited).toMatchObject({ username: 'approver' });
  });

  it('refuses, in the reader\'s language: not a PDF, no file, the author, another agency\'s owner, a version not approved', async () => {
    const png = await approver.post(`/api/process-versions/${approvedId}/decision-files`).set('Accept-Language', 'en').attach('file', PNG, 'scan.pdf').expect(415);
    expect(png.body).toMatchObject({ key: 'lifecycle.decisionNotPdf' });
    expect(png.body.message).toBe('File "scan.pdf" is not a PDF: the signed decision must be a PDF');
    const none = await approver.post(`/api/process-versions/${approvedId}/decision-files`).field('x', '1').expect(400);
    expect(none.body.key).toBe('lifecycle.noFile');
    await owner.post(`/api/process-versions/${approvedId}/decision-files`).attach('file', PDF, 'q.pdf').expect(403);
    await other.post(`/api/process-versions/${approvedId}/decision-files`).attach('file', PDF, 'q.pdf').expect(403);
    const draft = await owner.post(`/api/procedures/${procedureId}/versions`).send({ fromVersionId: approvedId }).expect(201);
    const early = await approver.post(`/api/process-versions/${draft.body.id}/decision-files`).attach('file', PDF, 'q.pdf').expect(409);
    expect(early.body.message).toBe('Chỉ đính kèm quyết định đã ký cho phiên bản đã được phê duyệt');
    await approver.get(`/api/process-versions/${approvedId}/decision-files/00000000-0000-4000-8000-000000000000`).expect(404);
    expect((await owner.get(`/api/process-versions/${approvedId}/decision-files`).expect(200)).body.items).toHaveLength(1);
  });

  it('a step outcome the tasklist cannot read is a finding at validation and refuses the submit', async () => {
    const draft = await owner.post(`/api/procedures/${procedureId}/versions`).send({ fromVersionId: activeId }).expect(201);
    const xml = (draft.body.xml as string).replace('name="Lập Phiếu lý lịch tư pháp"', 'name="Lập Phiếu lý lịch tư pháp" tthc:outcomes="approve:Đồng ý; Trả lại:x"');
    const v = await owner.post('/api/process-versions/validate').send({ xml, procedureId }).expect(200);
    expect(v.body.findings.filter((f: { ruleId: string }) => f.ruleId === 'tthc/outcomes-format')).toHaveLength(1);
    await owner.put(`/api/process-versions/${draft.body.id}`).send({ xml, revision: 1 }).expect(200);
    const refused = await owner.post(`/api/process-versions/${draft.body.id}/submit`).send({}).expect(400);
    expect(refused.body.key).toBe('lifecycle.hasErrors');
  });
});

