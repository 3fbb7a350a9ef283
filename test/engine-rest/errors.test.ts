import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { ENGINE_MESSAGES, EngineError } from '../../server/engine/errors.js';
import { engineErrorToHttp } from '../../server/engine-rest/errors.js';
import { createApp } from '../../server/http/app.js';
import { ApiError } from '../../server/http/errors.js';
import { createLogger } from '../../server/log.js';
import { basicAuthHeader } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('engine errors → HTTP, in one place (server/engine-rest/errors.ts)', () => {
  test('each kind answers its status: 404 not found, 409 conflict, 400 the rest', () => {
    const status = (key: keyof typeof ENGINE_MESSAGES) => (engineErrorToHttp(new EngineError(key), 'camunda') as ApiError).status;
    expect(status('engine.taskNotFound')).toBe(404);
    expect(status('engine.idempotencyKeyReused')).toBe(409);
    for (const key of Object.keys(ENGINE_MESSAGES) as Array<keyof typeof ENGINE_MESSAGES>) {
      const { kind } = ENGINE_MESSAGES[key];
      expect([key, status(key)]).toEqual([key, kind === 'NotFound' ? 404 : kind === 'Conflict' ? 409 : 400]);
    }
  });

  test('anything but an engine error passes unchanged', () => {
    const other = new Error('boom');
    expect(engineErrorToHttp(other, 'api')).toBe(other);
  });

  test('/engine-rest answers Camunda {type, message}; /api the keyed {type, message, key} in the asked language', async () => {
    const fail = express.Router();
    fail.get('/x', () => { throw new EngineError('engine.taskClaimed', { id: 't9' }); });
    const app = createApp({
      log: createLogger('silent'), authenticate: (_req, _res, next) => next(),
      mounts: [{ path: '/api/fail', router: fail }, { path: '/engine-rest/fail', router: fail }],
      mapError: (err, req) => engineErrorToHttp(err, req.originalUrl.startsWith('/engine-rest') ? 'camunda' : 'api'),
    });
    const camunda = await request(app).get('/engine-rest/fail/x');
    expect(camunda.status).toBe(400);
    expect(camunda.body).toEqual({ type: 'TaskAlreadyClaimedException', message: "Task 't9' is already claimed by someone else." });
    const vi = await request(app).get('/api/fail/x');
    expect(vi.status).toBe(400);
    expect(vi.body).toEqual({ type: 'TaskAlreadyClaimedException', key: 'engine.taskClaimed', message: "Công việc 't9' đã được người khác nhận." });
    const en = await request(app).get('/api/fail/x').set('Accept-Language', 'en');
    expect(en.body).toEqual({ type: 'TaskAlreadyClaimedException', key: 'engine.taskClaimed', message: "Task 't9' is already claimed by someone else." });
  });

  describe('on the platform', () => {
    let platform: TestPlatform;
    beforeAll(async () => { platform = await createTestPlatform(); });
    afterAll(async () => { await platform.close(); });

    test('an unknown task at /engine-rest is Camunda\'s 404 without a key', async () => {
      const res = await request(platform.app).get('/engine-rest/task/nope').set('Authorization', basicAuthHeader('admin'));
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ type: 'NotFound', message: 'Cannot find task with id nope' });
    });

    test('a refused model keeps Camunda\'s ParseException with its findings', async () => {
      const xml = '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t"><bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/><bpmn:scriptTask id="code"/></bpmn:process></bpmn:definitions>';
      const res = await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', basicAuthHeader('admin'))
        .field('deployment-name', 'bad').attach('file', Buffer.from(xml), 'bad.bpmn');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ type: 'ParseException', message: expect.stringContaining("element 'code'"), details: { findings: expect.arrayContaining([expect.objectContaining({ elementId: 'code' })]) } });
      expect(res.body.key).toBeUndefined();
    });

    test('a multi-instance behavior that cannot run (§10.2.8: One without oneBehaviorEventRef) is a 400 naming the activity', async () => {
      const xml = '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t"><bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
        + '<bpmn:userTask id="each"><bpmn:multiInstanceLoopCharacteristics behavior="One"><bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>'
        + '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="each"/></bpmn:process></bpmn:definitions>';
      const res = await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', basicAuthHeader('admin'))
        .field('deployment-name', 'mi').attach('file', Buffer.from(xml), 'mi.bpmn');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ type: 'ParseException', message: "mi.bpmn: element 'each': Multi-instance behavior One needs oneBehaviorEventRef naming the event definition it throws (§10.2.8)" });
    });
  });
});
