import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { COMPILE_MESSAGES } from '../../server/engine/compile/messages.js';
import { createEngine, isEngineError, type EngineService } from '../../server/engine/index.js';
import { engineErrorToHttp } from '../../server/engine-rest/errors.js';
import { createApp } from '../../server/http/app.js';
import { createLogger } from '../../server/log.js';
import { basicAuthHeader, loginAs } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { expectKeyedRefusal } from '../helpers/refusals.js';
import { bpmn } from './fixtures.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const VIETNAMESE = /[À-ỹđĐ]/;

describe('every compile finding has a key with Vietnamese and English texts (issues #13, #16)', () => {
  test.each(Object.entries(COMPILE_MESSAGES))('%s', (key, m) => {
    expect(key).toMatch(/^engine\.\w+(\.\w+)?$/);
    expect(m.vi.trim()).not.toBe('');
    expect(m.en.trim()).not.toBe('');
    expect(m.vi).not.toBe(m.en);
    expect(m.vi).toMatch(VIETNAMESE);
    expect(placeholders(m.vi)).toEqual(placeholders(m.en));
  });

  test('each key is used by the compiler (no text left behind when a rule goes)', () => {
    const dir = join(import.meta.dirname, '..', '..', 'server', 'engine');
    const files = (d: string): string[] => readdirSync(d, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : e.name.endsWith('.ts') && e.name !== 'messages.ts' ? [join(d, e.name)] : []));
    const source = files(dir).map((f) => readFileSync(f, 'utf8')).join('\n');
    // engine.boundary.<kind> is named by the event kind (compile.ts).
    const used = (k: string) => source.includes(`'${k}'`) || (k.startsWith('engine.boundary.') && source.includes('`engine.boundary.${k}`'));
    expect(Object.keys(COMPILE_MESSAGES).filter((k) => !used(k))).toEqual([]);
  });
});

const S = '<bpmn:startEvent id="start"/>';
const E = '<bpmn:endEvent id="end"/>';
const seq = (id: string, from: string, to: string) => `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"/>`;

/** Representative refusals: the model, the key, and what each language says of it. */
const REFUSALS = [
  {
    what: 'several timer definitions on one timer',
    xml: bpmn('p1', `${S}<bpmn:intermediateCatchEvent id="t" name="Chờ bổ sung"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration><bpmn:timeCycle>R2/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>${E}${seq('f1', 'start', 't')}${seq('f2', 't', 'end')}`),
    key: 'engine.timer.several',
    vi: 'm.bpmn: phần tử “Chờ bổ sung”: Sự kiện hẹn giờ có nhiều hơn một định nghĩa thời gian: timeDuration và timeCycle',
    en: "m.bpmn: element 't': A timer has one definition; this one has timeDuration and timeCycle",
  },
  {
    what: 'a script task',
    xml: bpmn('p2', `${S}<bpmn:scriptTask id="sc" name="Tính phí" scriptFormat="javascript"><bpmn:script>1</bpmn:script></bpmn:scriptTask>${E}${seq('f1', 'start', 'sc')}${seq('f2', 'sc', 'end')}`),
    key: 'engine.script.task',
    vi: 'm.bpmn: phần tử “Tính phí”: Không được dùng tác vụ kịch bản (script task): máy chủ không chạy kịch bản một cách an toàn được; hãy dùng tác vụ dịch vụ ngoài',
    en: "m.bpmn: element 'sc': Script tasks are not allowed: scripts cannot run safely on the server; use an external service task",
  },
  {
    what: 'a converging gateway with two outgoing flows (no name: the id stands in)',
    xml: bpmn('p3', `${S}<bpmn:exclusiveGateway id="g" gatewayDirection="Converging"/>${E}<bpmn:endEvent id="e2"/>${seq('f0', 'start', 'g')}${seq('f1', 'g', 'end')}${seq('f2', 'g', 'e2')}`),
    key: 'engine.gateway.convergingOut',
    vi: 'm.bpmn: phần tử “g”: Cổng hội tụ chỉ có một luồng đi ra',
    en: "m.bpmn: element 'g': A converging gateway has one outgoing flow",
  },
  {
    what: 'a cancel end event outside a transaction',
    xml: bpmn('p4', `${S}<bpmn:endEvent id="x" name="Hủy hồ sơ"><bpmn:cancelEventDefinition/></bpmn:endEvent>${seq('f', 'start', 'x')}`),
    key: 'engine.cancel.endPlace',
    vi: 'm.bpmn: phần tử “Hủy hồ sơ”: Sự kiện kết thúc hủy chỉ được dùng bên trong quy trình con giao dịch',
    en: "m.bpmn: element 'x': A cancel end event can only be used inside a transaction subprocess",
  },
  {
    what: 'a multi-instance behavior One without its event',
    xml: bpmn('p5', `${S}<bpmn:userTask id="each" name="Lấy ý kiến"><bpmn:multiInstanceLoopCharacteristics behavior="One"><bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>${seq('f', 'start', 'each')}`),
    key: 'engine.mi.behaviorNeedsRef',
    vi: 'm.bpmn: phần tử “Lấy ý kiến”: Hành vi đa thể hiện One cần oneBehaviorEventRef chỉ ra định nghĩa sự kiện được phát (§10.2.8)',
    en: "m.bpmn: element 'each': Multi-instance behavior One needs oneBehaviorEventRef naming the event definition it throws (§10.2.8)",
  },
  {
    what: 'a condition the expression parser cannot read (its reason in both languages too)',
    xml: bpmn('p6', `${S}<bpmn:exclusiveGateway id="g" name="Đủ hồ sơ?"/>${E}${seq('f0', 'start', 'g')}<bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="end"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${du ==}</bpmn:conditionExpression></bpmn:sequenceFlow>`),
    key: 'engine.expression.unsupportedIn',
    vi: 'm.bpmn: phần tử “f1”: Biểu thức “${du ==}” ở condition không dùng được: biểu thức kết thúc giữa chừng',
    en: 'm.bpmn: element \'f1\': Unsupported expression in condition "${du ==}": unexpected end of expression',
  },
  {
    what: 'a file that is not BPMN (no element)',
    xml: '<notes/>',
    key: 'engine.xml.noDefinitions',
    vi: 'm.bpmn: Không phải tài liệu BPMN 2.0: thiếu phần tử gốc <definitions>',
    en: 'm.bpmn: Not a BPMN 2.0 document: no <definitions> root element',
  },
];

describe('a refused model at /api and /engine-rest', () => {
  let platform: TestPlatform;
  let engine: EngineService;
  let api: express.Express;
  beforeAll(async () => {
    platform = await createTestPlatform({ VALIDATE_PER_MINUTE: '1000' });
    engine = createEngine({ db: platform.db, log: createLogger('silent') });
    // The platform's error mapping (platform.ts) on a route that deploys: /api reads the key in the reader's language.
    const deploy = express.Router();
    deploy.post('/:n', async (req, _res, next) => {
      try { await engine.deploy({ name: 'm', resources: [{ name: 'm.bpmn', content: REFUSALS[Number(req.params.n)]!.xml }] }); } catch (err) { next(err); }
    });
    api = createApp({
      log: createLogger('silent'), authenticate: (_req, _res, next) => next(),
      mounts: [{ path: '/api/deploy', router: deploy }],
      mapError: (err, req) => engineErrorToHttp(err, req.originalUrl.startsWith('/engine-rest') ? 'camunda' : 'api'),
    });
  });
  afterAll(async () => { await platform.close(); });

  test.each(REFUSALS.map((r, i) => [r.what, i] as const))('%s: /api answers the key in Vietnamese, or English when asked', async (_what, i) => {
    const r = REFUSALS[i]!;
    await expectKeyedRefusal(() => request(api).post(`/api/deploy/${i}`), 400, r.key, r.vi, r.en);
    const vi = await request(api).post(`/api/deploy/${i}`);
    expect(vi.body).toMatchObject({ type: 'ParseException', key: r.key, message: r.vi });
    const en = await request(api).post(`/api/deploy/${i}`).set('Accept-Language', 'en');
    expect(en.body.message).toBe(r.en);
    // Each finding in the details reads in the same language as the message.
    const [viFinding] = vi.body.details.findings as Array<{ key: string; message: string }>;
    const [enFinding] = en.body.details.findings as Array<{ key: string; message: string }>;
    expect([viFinding!.key, enFinding!.key]).toEqual([r.key, r.key]);
    expect(r.vi.endsWith(`: ${viFinding!.message}`)).toBe(true);
    expect(r.en.endsWith(`: ${enFinding!.message}`)).toBe(true);
  });

  test.each(REFUSALS.map((r, i) => [r.what, i] as const))('%s: /engine-rest keeps Camunda\'s English ParseException', async (_what, i) => {
    const r = REFUSALS[i]!;
    for (const lang of ['vi', 'en']) {
      const res = await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', basicAuthHeader('admin')).set('Accept-Language', lang)
        .field('deployment-name', 'bad').attach('file', Buffer.from(r.xml), 'm.bpmn');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ type: 'ParseException', message: r.en, details: { findings: expect.arrayContaining([expect.objectContaining({ resource: 'm.bpmn', key: r.key })]) } });
      expect(res.body.key).toBeUndefined();
    }
  });

  test('the engine error carries the finding\'s key and both texts', async () => {
    const err = await engine.deploy({ resources: [{ name: 'm.bpmn', content: REFUSALS[0]!.xml }] }).catch((e: unknown) => e);
    expect(isEngineError(err, 'InvalidModel')).toBe(true);
    expect(err).toMatchObject({ elementId: 't', message: REFUSALS[0]!.en, text: { key: 'engine.timer.several', vi: REFUSALS[0]!.vi, en: REFUSALS[0]!.en } });
  });

  test('the designer\'s check (/api/process-versions/validate) gives the keyed reason in both languages', async () => {
    const owner = await loginAs(platform.app, 'owner.stp');
    const res = await owner.post('/api/process-versions/validate').send({ xml: REFUSALS[0]!.xml, engineCheck: true }).expect(200);
    expect(res.body.findings).toEqual(expect.arrayContaining([{
      ruleId: 'engine/deployable', severity: 'error', elementId: 't',
      message: { vi: 'Máy thực thi không chạy được: Sự kiện hẹn giờ có nhiều hơn một định nghĩa thời gian: timeDuration và timeCycle', en: 'A timer has one definition; this one has timeDuration and timeCycle' },
    }]));
  });
});
