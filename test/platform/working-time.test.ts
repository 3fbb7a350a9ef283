import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { createCalendarService, type CalendarService } from '../../server/calendar/index.js';
import { createLogger } from '../../server/log.js';
import { basicAuthHeader } from '../helpers/auth.js';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { bpmn } from '../engine/fixtures.js';

/**
 * "Before due" timers count in the calendar's working time, as wired in server/platform.ts
 * (step budgets: test/engine-rest/working-time.test.ts; the arithmetic itself: test/calendar).
 */
const STEPS = bpmn('budgeted', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="appraise"/>
  <bpmn:userTask id="appraise" name="Thẩm định" camunda:candidateGroups="specialist" tthc:budget="2d"/>
  <bpmn:boundaryEvent id="remind" attachedToRef="appraise" cancelActivity="false" tthc:beforeDue="1d">
    <bpmn:timerEventDefinition><bpmn:timeDuration>P3650D</bpmn:timeDuration></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="remind" targetRef="remindTask"/>
  <bpmn:serviceTask id="remindTask" camunda:type="external" camunda:topic="tthc.remind-before-due"/>
  <bpmn:sequenceFlow id="f3" sourceRef="remindTask" targetRef="end2"/>
  <bpmn:endEvent id="end2"/>
  <bpmn:sequenceFlow id="f4" sourceRef="appraise" targetRef="end"/>
  <bpmn:endEvent id="end"/>`);

const ADMIN = basicAuthHeader('admin');
let platform: TestPlatform;
let calendar: CalendarService;

beforeAll(async () => {
  platform = await createTestPlatform();
  calendar = createCalendarService({ db: platform.db, log: createLogger('silent') });
  await calendar.reload();
  const dep = await request(platform.app).post('/engine-rest/deployment/create').set('Authorization', ADMIN)
    .field('deployment-name', 'budgeted').attach('file', Buffer.from(STEPS), 'budgeted.bpmn');
  expect(dep.status).toBe(200);
});
afterAll(async () => { await platform.close(); });

describe('working-time timers in the engine', () => {
  test('a timer marked tthc:beforeDue fires 1 working day before the dossier due date, not after its own duration', async () => {
    const dueAt = new Date('2026-02-23T10:00:00+07:00'); // Monday after Tết
    const start = await request(platform.app).post('/engine-rest/process-definition/key/budgeted/start')
      .set('Authorization', ADMIN)
      .send({ variables: { unitId: { value: 'xa-phu-long', type: 'String' }, dueAt: { value: '2026-02-23T10:00:00.000+0700', type: 'Date' } } });
    expect(start.status).toBe(200);
    const row = await platform.db.knex('engine_timer').where({ instance_id: start.body.id }).first();
    expect(row).toBeDefined();
    const expected = calendar.calendar.subtract(dueAt, { workingDays: 1 }, 'xa-phu-long');
    // One working day before Monday 10:00 is the Friday before Tết (13 Feb), 10:00.
    expect(expected.toISOString()).toBe('2026-02-13T03:00:00.000Z');
    expect(new Date(row.due_at).getTime()).toBe(expected.getTime());
  });
});
