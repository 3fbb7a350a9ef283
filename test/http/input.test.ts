import request from 'supertest';
import { routeTable } from '../../server/http/openapi.js';
import { findTextIssue, storableText, textProblem } from '../../server/http/input-text.js';
import { basicAuthHeader } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

/**
 * The hostile-input class, fed to EVERY route of the route table (enumerated from the express
 * router stack, so a new route is covered the day it is mounted): NUL and invalid Unicode in
 * path, query and body (values and field names), JSON nested 10,000 deep, plus out-of-range
 * numbers, wrong types and long strings. Nothing may answer 500; the text/depth inputs must be
 * refused with a 400 that names the field, before any router runs.
 */

const NUL_FIELDS = ['username', 'password', 'businessKey', 'messageName', 'workerId', 'userId', 'name', 'q', 'agencyId', 'unitId', 'keyLike',
  'topicName', 'comment', 'xml', 'title', 'code', 'id', 'processInstanceId', 'assignee', 'reason', 'errorMessage', 'label'];

function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

const HOSTILE_BODIES: Array<{ name: string; raw: string; field: RegExp }> = [
  { name: 'NUL in every usual field', raw: JSON.stringify(Object.fromEntries(NUL_FIELDS.map((f) => [f, `x\u0000y`]))), field: /^body\.\w+/ },
  { name: 'lone surrogate values', raw: `{"businessKey":"\\ud800","username":"a\\udc00b","variables":{"name":{"value":"\\ud83d","type":"String"}}}`, field: /^body\./ },
  { name: 'NUL in a variable name', raw: JSON.stringify({ variables: { 'ho\u0000ten': { value: 'x', type: 'String' } } }), field: /^body\.variables/ },
  { name: 'NUL deep in a variable value', raw: JSON.stringify({ variables: { v: { value: { a: [1, { b: 'c\u0000' }] }, type: 'Json' } } }), field: /^body\.variables\.v\.value\.a\[1\]\.b$/ },
  { name: 'JSON nested 10,000 deep', raw: `{"variables":{"v":{"type":"Json","value":${'{"a":'.repeat(10_000)}"leaf"${'}'.repeat(10_000)}}}}`, field: /^body\.variables/ },
];

/** Inputs that pass the text gate but are still wrong: they must be 4xx (or a normal answer), never 500. */
const ODD_BODIES = [
  JSON.stringify({ firstResult: 1e300, maxResults: -1, priority: 99999999999999999999, retries: 1e20, lockDuration: -5, due: '2026-02-30T25:61:00Z' }),
  JSON.stringify(Object.fromEntries(NUL_FIELDS.map((f) => [f, 'ạ'.repeat(100_000)]))),
  JSON.stringify(Object.fromEntries(NUL_FIELDS.map((f) => [f, { $gt: '' }]))),
  JSON.stringify(Object.fromEntries(NUL_FIELDS.map((f) => [f, [1, 2]]))),
  '[]',
  '"just a string"',
  '{"variables":"x","topics":"y","processVariables":[1]}',
];
const ODD_QUERIES = [
  '?firstResult=99999999999999999999&maxResults=-5&pageSize=1e9&page=-1&limit=abc&before=1e30',
  `?q=${'ạ'.repeat(3000)}&from=2026-02-30&to=9999-99-99&dueBefore=x&createdAfter=0000-00-00`,
  '?q[a]=b&businessKey[]=1&businessKey[]=2&unitId[$ne]=x',
];

const fill = (path: string, value: string) => path.replace(/:(\w+)/g, () => value).replace(/\*\w*/g, value);

describe('hostile input on every route', () => {
  let platform: TestPlatform;
  const identities: Record<string, string | undefined> = {
    anonymous: undefined,
    admin: basicAuthHeader('admin'),
    specialist: basicAuthHeader('chuyenvien.xa'),
  };
  beforeAll(async () => { platform = await createTestPlatform(); });
  afterAll(async () => { await platform.close(); });

  function send(method: string, url: string, auth: string | undefined, raw?: string) {
    const r = (request(platform.app) as unknown as Record<string, (u: string) => request.Test>)[method]!(url);
    if (auth) r.set('Authorization', auth);
    if (raw !== undefined) r.set('Content-Type', 'application/json').send(raw);
    return r;
  }

  it('the text gate finds NUL, lone surrogates and depth anywhere, without recursion', () => {
    expect(textProblem('ok ạ 😀')).toBeNull();
    expect(textProblem('a\u0000')).toMatch(/NUL/);
    expect(textProblem('\uD800')).toMatch(/surrogate/);
    expect(textProblem('\uDC00x')).toMatch(/surrogate/);
    expect(findTextIssue(nested(200_000), 'body', 64)?.problem).toMatch(/deeper than 64/);
    expect(findTextIssue({ a: [{ 'k\u0000': 1 }] }, 'body', 64)?.path).toBe('body.a[0]."k\\u0000"');
    expect(storableText('a\u0000\uD800'.repeat(10), 16)).toBe('a\\0\uFFFD…[truncated]');
  });

  it('no route answers 500; NUL, invalid Unicode and deep JSON get a 400 naming the field', async () => {
    const routes = routeTable(platform.app).filter((r) => r.path.startsWith('/api') || r.path.startsWith('/engine-rest'));
    expect(routes.length).toBeGreaterThan(80);
    const fiveHundreds: string[] = [];
    const not400: string[] = [];
    let tried = 0;
    const check = async (label: string, test: request.Test, expect400?: RegExp) => {
      const res = await test;
      tried++;
      if (res.status >= 500) fiveHundreds.push(`${label} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      if (expect400) {
        const field = res.body?.details?.[0]?.field as string | undefined;
        if (res.status !== 400 || !field || !expect400.test(field)) not400.push(`${label} → ${res.status} ${field ?? JSON.stringify(res.body).slice(0, 120)}`);
      }
    };
    for (const route of routes) {
      const m = route.method.toLowerCase();
      const hasParams = /:\w+/.test(route.path);
      const hasBody = ['post', 'put', 'patch', 'delete'].includes(m);
      for (const [who, auth] of Object.entries(identities)) {
        const at = (what: string) => `${who} ${route.method.toUpperCase()} ${route.path} [${what}]`;
        if (hasParams) {
          await check(at('NUL param'), send(m, fill(route.path, 'a%00b'), auth, hasBody ? '{}' : undefined), /^path segment/);
          await check(at('invalid UTF-8 param'), send(m, fill(route.path, '%ED%A0%80'), auth, hasBody ? '{}' : undefined), /^path segment/);
          await check(at('long param'), send(m, fill(route.path, 'x'.repeat(5000)), auth, hasBody ? '{}' : undefined));
          await check(at('numeric overflow param'), send(m, fill(route.path, '99999999999999999999999'), auth, hasBody ? '{}' : undefined));
        }
        const url = fill(route.path, '1');
        await check(at('NUL query'), send(m, `${url}?q=a%00&businessKey=%00&username=%00&keyLike=x%00&topicName=%00&agencyId=%00`, auth), /^query\./);
        for (const q of ODD_QUERIES) await check(at(`odd query ${q.slice(0, 30)}`), send(m, `${url}${q}`, auth));
        if (!hasBody) continue;
        for (const b of HOSTILE_BODIES) await check(at(b.name), send(m, url, auth, b.raw), b.field);
        for (const b of ODD_BODIES) await check(at(`odd body ${b.slice(0, 30)}`), send(m, url, auth, b));
      }
    }
    if (process.env.HOSTILE_REPORT) console.log(`hostile inputs tried: ${tried} on ${routes.length} routes × ${Object.keys(identities).length} identities`);
    expect(fiveHundreds).toEqual([]);
    expect(not400).toEqual([]);
  }, 900_000);

  it('multipart deployments refuse NUL and invalid Unicode in names and form fields', async () => {
    const admin = identities.admin!;
    const xml = (name: string) => `<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
      <bpmn:process id="mp" name="${name}" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/></bpmn:process></bpmn:definitions>`;
    const deploy = (name: string, file: string, content: string) => request(platform.app).post('/engine-rest/deployment/create')
      .set('Authorization', admin).field('deployment-name', name).attach(file, Buffer.from(content), file);
    // The same form with clean values deploys: the refusals below are about the hostile text only.
    await deploy('ok', 'm.bpmn', xml('ok')).expect(200);
    // (A lone surrogate cannot travel in multipart: the form's UTF-8 encoding replaces it.)
    for (const bad of ['a\u0000b', '\u0000']) {
      const byName = await deploy(bad, 'm.bpmn', xml('ok'));
      expect(byName.status).toBe(400);
      expect(byName.body.details[0].field).toBe('form.deployment-name');
      const byFile = await deploy('ok', `m${bad}.bpmn`, xml('ok'));
      expect(byFile.status).toBe(400);
    }
    const inContent = await deploy('ok', 'm.bpmn', xml('a\u0000b'));
    expect(inContent.status).toBe(400);
    expect(inContent.body.details[0].field).toMatch(/^form file/);
  });
});
