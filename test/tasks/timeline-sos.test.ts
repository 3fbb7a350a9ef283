import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { punctuality } from '../../server/tasks/timeline.js';
import { basicAuthHeader, loginAs, type AuthedClient } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { reviewLoopProcess } from './fixtures.js';
import { expectKeyedRefusal } from '../helpers/refusals.js';

const ADMIN = basicAuthHeader('admin');
let platform: TestPlatform;
const c: Record<string, AuthedClient> = {};
let instanceId: string;

const openTask = async () => (await request(platform.app).get('/engine-rest/task').query({ processInstanceId: instanceId }).set('Authorization', ADMIN).expect(200)).body[0];

async function step(who: string, body: Record<string, unknown> = {}): Promise<void> {
  const t = await openTask();
  await c[who]!.post(`/api/tasks/${t.id}/claim`).expect(204);
  await c[who]!.post(`/api/tasks/${t.id}/complete`).send(body).expect(200);
}

beforeAll(async () => {
  platform = await createTestPlatform();
  await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
    .field('deployment-name', 'demo').attach('file', Buffer.from(reviewLoopProcess()), 'demo.bpmn').expect(200);
  const res = await request(platform.app).post('/engine-rest/process-definition/key/tasklist_demo/start').set('Authorization', ADMIN)
    .send({ businessKey: 'XPL-260102-0007', variables: { unitId: { value: 'xa-phu-long', type: 'String' }, applicantName: { value: 'Lê Thị Hoa', type: 'String' } } }).expect(200);
  instanceId = res.body.id;
  for (const u of ['motcua.xa', 'truongphong.xa', 'chuyenvien.xa', 'chuyenvien.xa2', 'lanhdao.xa', 'lanhdao.stp', 'thanhtra', 'vanthu.xa']) c[u] = await loginAs(platform.app, u);
}, 120_000);
afterAll(async () => { await platform.close(); });

describe('punctuality of a hand-over', () => {
  const due = new Date('2026-03-10T10:00:00Z'); // 17:00 Vietnamese time
  it('early before the due day, on time on it, late after the due instant', () => {
    expect(punctuality(new Date('2026-03-09T09:00:00Z'), due)).toBe('early');
    expect(punctuality(new Date('2026-03-10T02:00:00Z'), due)).toBe('on-time');
    expect(punctuality(new Date('2026-03-10T10:00:01Z'), due)).toBe('late');
    expect(punctuality(new Date('2026-03-10T10:00:01Z'), null)).toBeNull();
  });
});

describe('timeline', () => {
  it('lists every hand-over with who, unit, received and handed over, time spent, outcome and comment', async () => {
    await step('motcua.xa', { comment: 'Đủ thành phần' });
    await step('truongphong.xa');
    await step('chuyenvien.xa', { comment: 'Dự thảo kết quả' });
    await step('truongphong.xa', { outcome: 'return', comment: 'Thiếu chữ ký' });
    const body = (await c['lanhdao.xa']!.get(`/api/dossiers/${instanceId}/handovers`).expect(200)).body;
    expect(body.code).toBe('XPL-260102-0007');
    const done = body.handOvers.filter((h: { handedOverAt: string | null }) => h.handedOverAt);
    expect(done.map((h: { stepKey: string; by: string }) => `${h.stepKey}:${h.by}`)).toEqual(['B1:motcua.xa', 'B2:truongphong.xa', 'B3:chuyenvien.xa', 'B4:truongphong.xa']);
    expect(done[3]).toMatchObject({ outcome: 'return', comment: 'Thiếu chữ ký', unitId: 'xa-phu-long', unitName: 'UBND xã Phú Long', budget: '4h' });
    for (const h of done) expect(['early', 'on-time', 'late']).toContain(h.punctuality);
    expect(body.handOvers.at(-1)).toMatchObject({ stepKey: 'B3', handedOverAt: null });
    expect(body.path.current).toEqual(['B3']);
    expect(body.path.finished).toEqual(expect.arrayContaining(['B1', 'B2', 'B3', 'B4']));
    expect(body.entries.some((e: { kind: string; by: string }) => e.kind === 'claimed' && e.by === 'chuyenvien.xa')).toBe(true);
  });

  it('another commune and another agency\'s leader cannot read it; unknown ids are 404', async () => {
    await c['chuyenvien.xa2']!.get(`/api/dossiers/${instanceId}/handovers`).expect(404);
    await c['lanhdao.stp']!.get(`/api/dossiers/${instanceId}/handovers`).expect(404);
    await c['lanhdao.xa']!.get('/api/dossiers/nope/handovers').expect(404);
    await c.thanhtra!.get(`/api/dossiers/${instanceId}/handovers`).expect(200);
  });
});

describe('SOS', () => {
  let sosId: string;
  it('staff of the dossier raise one with a reason; another commune cannot; a second open SOS is 409', async () => {
    await c['chuyenvien.xa']!.post('/api/sos').send({ instanceId, reason: 'x' }).expect(400);
    await c['chuyenvien.xa2']!.post('/api/sos').send({ instanceId, reason: 'Cơ quan phối hợp chưa trả lời' }).expect(404);
    const res = await c['chuyenvien.xa']!.post('/api/sos').send({ instanceId, reason: 'Cơ quan phối hợp chưa trả lời', cause: 'other-agency' }).expect(201);
    sosId = res.body.id;
    expect(res.body).toMatchObject({ status: 'open', raisedBy: 'chuyenvien.xa', code: 'XPL-260102-0007' });
    await expectKeyedRefusal(() => c['motcua.xa']!.post('/api/sos').send({ instanceId, reason: 'Một lý do khác nữa' }), 409, 'sos.alreadyOpen', 'Hồ sơ đã có SOS đang mở', 'The dossier already has an open SOS');
  });

  it('the unit\'s leader and the province inspector see the board; a specialist and another agency\'s leader do not', async () => {
    expect((await c['lanhdao.xa']!.get('/api/sos').query({ status: 'open' }).expect(200)).body.map((s: { id: string }) => s.id)).toEqual([sosId]);
    expect((await c.thanhtra!.get('/api/sos').expect(200)).body).toHaveLength(1);
    expect((await c['lanhdao.stp']!.get('/api/sos').expect(200)).body).toEqual([]);
    await c['chuyenvien.xa']!.get('/api/sos').expect(403);
    await c['truongphong.xa']!.get('/api/sos').expect(403);
  });

  it('resolving needs an action, only once, only by the board; every step is audited', async () => {
    await c['chuyenvien.xa']!.post(`/api/sos/${sosId}/resolve`).send({ action: 'Đã gọi điện đôn đốc' }).expect(403);
    await expectKeyedRefusal(() => c['lanhdao.stp']!.post(`/api/sos/${sosId}/resolve`).send({ action: 'Đã gọi điện đôn đốc' }), 404, 'sos.notFound', 'Không tìm thấy SOS', 'SOS not found');
    await c['lanhdao.xa']!.post(`/api/sos/${sosId}/resolve`).send({ action: '' }).expect(400);
    const res = await c['lanhdao.xa']!.post(`/api/sos/${sosId}/resolve`).send({ action: 'Đã gọi điện đôn đốc Sở' }).expect(200);
    expect(res.body).toMatchObject({ status: 'resolved', resolvedBy: 'lanhdao.xa', action: 'Đã gọi điện đôn đốc Sở' });
    await c.thanhtra!.post(`/api/sos/${sosId}/resolve`).send({ action: 'Một lần nữa' }).expect(409);
    await platform.background.find((b) => b.name === 'audit-trail')!.stop();
    const actions = (await platform.db.knex('audit_log').where('target_type', 'sos').select('action')).map((r: { action: string }) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['sos:raise', 'sos:resolve']));
  });

  it('an SOS on a closed dossier is refused, nothing written', async () => {
    await request(platform.app).delete(`/engine-rest/process-instance/${instanceId}`).set('Authorization', ADMIN).expect(204);
    const before = await platform.db.knex('sos').count({ n: '*' }).first();
    const res = await c['chuyenvien.xa']!.post('/api/sos').send({ instanceId, reason: 'Hệ thống lỗi không ký số được' }).expect(409);
    expect(res.body.type).toBe('DossierClosed');
    expect(await platform.db.knex('sos').count({ n: '*' }).first()).toEqual(before);
  });
});

describe('live updates', () => {
  it('a plain request (no event-stream Accept) is refused instead of hanging open', async () => {
    expect((await c['motcua.xa']!.get('/api/tasks/events').expect(406)).body.type).toBe('NotAcceptable');
  });

  it('an open tasklist hears of a new task through server-sent events', async () => {
    await platform.background.find((b) => b.name === 'task-events')!.start('');
    const server = http.createServer(platform.app).listen(0);
    try {
      const port = (server.address() as AddressInfo).port;
      const events: string[] = [];
      const got = new Promise<void>((resolve, reject) => {
        const req = http.get({ port, path: '/api/tasks/events', headers: { Cookie: c['motcua.xa']!.cookie, Accept: 'text/event-stream' } }, (res) => {
          expect(res.headers['content-type']).toMatch(/text\/event-stream/);
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            events.push(chunk);
            if (events.join('').includes('event: ready') && events.length === 1) {
              void request(platform.app).post('/engine-rest/process-definition/key/tasklist_demo/start').set('Authorization', ADMIN)
                .send({ businessKey: 'XPL-LIVE', variables: { unitId: { value: 'xa-phu-long', type: 'String' } } }).end(() => undefined);
            }
            if (events.join('').includes('event: tasks')) { clearTimeout(timer); req.destroy(); resolve(); }
          });
        });
        req.on('error', reject);
        const timer = setTimeout(() => reject(new Error(`no task event: ${events.join('')}`)), 10_000);
      });
      await got;
      expect(events.join('')).toContain('"units":["xa-phu-long"]');
    } finally {
      server.close();
    }
  });
});
