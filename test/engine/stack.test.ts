import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import type { EngineService } from '../../server/engine/index.js';
import { engineWith } from './engine-with.js';
import { bpmn } from './fixtures.js';

/** What issue 13's "our own stack" list asked of the service around the interpreter, as behaviour. */
const WORK = bpmn('work', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="job"/>
  <bpmn:serviceTask id="job" camunda:type="external" camunda:topic="stack-job"/>
  <bpmn:sequenceFlow id="f2" sourceRef="job" targetRef="end"/>
  <bpmn:endEvent id="end"/>`);

let db: Database;
let engine: EngineService;
beforeAll(async () => { ({ db, engine } = await engineWith({ 'work.bpmn': WORK })); });
afterAll(async () => { await db.close(); });

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('the service around the interpreter', () => {
  test('a long poll that finds a task at once leaves no listener or timer behind', async () => {
    for (let i = 0; i < 30; i++) await engine.startProcess({ key: 'work', businessKey: `L-${i}` });
    const before = timers();
    for (let i = 0; i < 30; i++) {
      const got = await engine.fetchAndLock({ workerId: 'w', maxTasks: 1, asyncResponseTimeout: 60_000, topics: [{ topicName: 'stack-job', lockDuration: 60_000 }] });
      expect(got).toHaveLength(1);
    }
    // Each answered poll used to keep a 5 s timer and a wake-up listener until the timeout.
    expect(timers() - before).toBeLessThan(5);
  });

  test('counts are true counts, not capped at a page of 1,000', async () => {
    const [seed] = await engine.listInstances({ businessKey: 'L-0' });
    // 1,200 more instances, cloned in SQL (starting them one by one would only slow the test).
    await db.knex.raw(`insert into engine_instance (id, definition_id, definition_key, business_key, state, revision, start_time)
      select gen_random_uuid(), definition_id, definition_key, 'CLONE', 'ACTIVE', 1, now() from engine_instance, generate_series(1, 1200) where id = ?`, [seed!.id]);
    expect(await engine.countInstances({ businessKey: 'CLONE', active: true })).toBe(1200);
    expect(await engine.countInstances({ processDefinitionKey: 'work', active: true })).toBe(1230);
    expect(await engine.countDefinitions({ key: 'work' })).toBe(1);
  });
});
