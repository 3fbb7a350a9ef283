import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { bpmn, WORK } from './fixtures.js';
import { ADMIN, childDatabase, deployXml, http, startServer, stopServer, type Child } from './cluster-helpers.js';

const TIMED = bpmn('timed', `
  <bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
  <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT2S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="after"/><bpmn:userTask id="after"/>
  <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end"/><bpmn:endEvent id="end"/>`);

let target: Awaited<ReturnType<typeof childDatabase>>;
const children: Child[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => { target = await childDatabase(); });
afterAll(async () => {
  for (const c of children) await stopServer(c, 'SIGKILL');
  await target.close();
});

describe('crash safety', () => {
  test('SIGKILL under load loses no acknowledged command, duplicates no task, and timers still fire', async () => {
    const a = await startServer(target, 'crash-a');
    children.push(a);
    await deployXml(a.base, 'work.bpmn', WORK);
    await deployXml(a.base, 'timed.bpmn', TIMED);
    const timed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await http(a.base, 'POST', '/process-definition/key/timed/start', { businessKey: `TIMED-${i}` });
      expect(r.status).toBe(200);
      timed.push(r.body.id);
    }

    const started: string[] = [];
    const errors: string[] = [];
    const completedExternal = new Set<string>();
    let stop = false;
    const starter = (async () => {
      for (let i = 0; !stop; i++) {
        const r = await http(a.base, 'POST', '/process-definition/key/work/start', { businessKey: `CRASH-${i}` }).catch(() => null);
        if (r?.status === 200) started.push(r.body.id);
        else if (r) errors.push(`start ${r.status} ${JSON.stringify(r.body)}`);
      }
    })();
    const worker = (async () => {
      while (!stop) {
        const got = await http(a.base, 'POST', '/external-task/fetchAndLock', { workerId: 'crash', maxTasks: 5, topics: [{ topicName: 'work', lockDuration: 3000 }] }).catch(() => null);
        if (got && got.status !== 200) errors.push(`fetchAndLock ${got.status} ${JSON.stringify(got.body)}`);
        for (const t of Array.isArray(got?.body) ? got.body : []) {
          const c = await http(a.base, 'POST', `/external-task/${t.id}/complete`, { workerId: 'crash' }).catch(() => null);
          if (c?.status === 204) completedExternal.add(t.processInstanceId);
        }
      }
    })();
    // Let load build up, then kill without warning, mid-command.
    while ((started.length < 20 || completedExternal.size < 8) && !errors.length) await sleep(20);
    expect(errors).toEqual([]);
    a.proc.kill('SIGKILL');
    await a.exited;
    stop = true;
    await Promise.all([starter, worker]);

    const b = await startServer(target, 'crash-b');
    children.push(b);
    // Drain on the restarted node: tasks locked by the dead worker come back after their lock.
    for (let idle = 0; idle < 25;) {
      const got = await http(b.base, 'POST', '/external-task/fetchAndLock', { workerId: 'after', maxTasks: 50, topics: [{ topicName: 'work', lockDuration: 60000 }] });
      if (!got.body.length) { idle++; await sleep(200); continue; }
      idle = 0;
      for (const t of got.body) expect((await http(b.base, 'POST', `/external-task/${t.id}/complete`, { workerId: 'after' })).status).toBe(204);
    }
    // Timers stored before the crash fire on the restarted node.
    for (let i = 0; i < 100; i++) {
      const tasks = await http(b.base, 'GET', '/task?taskDefinitionKey=after', undefined, ADMIN);
      if (tasks.body.length >= timed.length) break;
      await sleep(200);
    }
    await stopServer(b);

    const db = await target.open();
    try {
      const k = db.knex;
      if (process.env.CRASH_REPORT) {
        // The figures the README's security section reports (`CRASH_REPORT=1`): what was acknowledged before the kill, what the database has after.
        const found = Number((await k('engine_instance').whereIn('id', started).count({ n: '*' }).first())!.n);
        const counts = await k('engine_task').whereIn('instance_id', started).select('instance_id').count({ n: '*' }).groupBy('instance_id');
        const moved = await k('engine_task').whereIn('instance_id', [...completedExternal]).where({ task_definition_key: 'check' }).count({ n: '*' }).first();
        const fired = await k('engine_task').whereIn('instance_id', timed).where({ task_definition_key: 'after' }).count({ n: '*' }).first();
        console.log(JSON.stringify({
          acknowledged: { starts: started.length, externalCompletions: completedExternal.size, timersPending: timed.length },
          afterRestart: {
            lostStarts: started.length - found, lostCompletions: completedExternal.size - Number(moved!.n),
            duplicatedTasks: counts.filter((r) => Number(r.n) > 1).length, stuckInstances: started.length - counts.length,
            timersFired: Number(fired!.n),
          },
        }));
      }
      // Every acknowledged start is there; every acknowledged completion moved its instance on.
      expect(await k('engine_instance').whereIn('id', started).count({ n: '*' }).first()).toEqual({ n: started.length });
      const perInstance = await k('engine_task').whereIn('instance_id', started).select('instance_id').count({ n: '*' }).groupBy('instance_id');
      expect(perInstance).toHaveLength(started.length);
      expect(perInstance.filter((r) => Number(r.n) !== 1)).toEqual([]);
      expect(await k('engine_external_task').whereIn('instance_id', started)).toEqual([]);
      const check = await k('engine_task').whereIn('instance_id', [...completedExternal]).where({ task_definition_key: 'check' });
      expect(check).toHaveLength(completedExternal.size);
      const after = await k('engine_task').whereIn('instance_id', timed).where({ task_definition_key: 'after' });
      expect(after.map((t) => t.instance_id).sort()).toEqual([...timed].sort());
    } finally {
      await db.close();
    }
  }, 240000);
});
