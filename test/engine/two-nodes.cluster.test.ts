import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { WORK } from './fixtures.js';
import { ADMIN, childDatabase, deployXml, http, startServer, stopServer, type Child } from './cluster-helpers.js';

/**
 * Two server processes on one PostgreSQL server. The embedded database belongs to one process
 * (PGlite is single-session), so this suite is not part of `npm test`: `npm run test:cluster`
 * runs it against the server named by DATABASE_URL, and .ci/run does that on every submission.
 */
if (!process.env.DATABASE_URL) {
  throw new Error('test:cluster needs DATABASE_URL pointing at a PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
}

let target: Awaited<ReturnType<typeof childDatabase>>;
const nodes: Child[] = [];

beforeAll(async () => { target = await childDatabase(); });
afterAll(async () => {
  for (const c of nodes) await stopServer(c);
  await target?.close();
});

describe('two nodes, one database', () => {
  test('no external task goes to two workers, no user task completes twice, nothing is lost', async () => {
    const a = await startServer(target, 'node-a');
    const b = await startServer(target, 'node-b');
    nodes.push(a, b);
    await deployXml(a.base, 'work.bpmn', WORK);
    const N = 60;
    const ids: string[] = [];
    await Promise.all(Array.from({ length: N }, async (_, i) => {
      const r = await http(i % 2 ? a.base : b.base, 'POST', '/process-definition/key/work/start', { businessKey: `TWO-${i}` });
      expect(r.status).toBe(200);
      ids.push(r.body.id);
    }));

    // Four workers, two per node, fetch concurrently; a task handed out twice would show up twice.
    const handed = new Map<string, string>();
    const doubles: string[] = [];
    await Promise.all([a, b, a, b].map(async (node, w) => {
      for (let idle = 0; idle < 3;) {
        const got = await http(node.base, 'POST', '/external-task/fetchAndLock', { workerId: `w${w}`, maxTasks: 3, topics: [{ topicName: 'work', lockDuration: 60000 }] });
        expect(got.status).toBe(200);
        if (!got.body.length) { idle++; continue; }
        for (const t of got.body) {
          if (handed.has(t.id)) doubles.push(t.id);
          handed.set(t.id, `w${w}`);
          expect((await http(node.base, 'POST', `/external-task/${t.id}/complete`, { workerId: `w${w}` })).status).toBe(204);
        }
      }
    }));
    expect(doubles).toEqual([]);
    expect(handed.size).toBe(N);

    // Both nodes race to complete every user task: exactly one wins each race.
    const tasks = (await http(a.base, 'GET', '/task?processDefinitionKey=work&maxResults=1000', undefined, ADMIN)).body;
    expect(tasks).toHaveLength(N);
    let wins = 0;
    await Promise.all(tasks.map(async (t: { id: string }) => {
      const [x, y] = await Promise.all([a, b].map((n) => http(n.base, 'POST', `/task/${t.id}/complete`, {}, ADMIN)));
      const statuses = [x!.status, y!.status].sort();
      expect(statuses[0]).toBe(204);
      expect([400, 404]).toContain(statuses[1]);
      wins++;
    }));
    expect(wins).toBe(N);
    const done = await http(b.base, 'GET', '/history/process-instance?processDefinitionKey=work&finished=true&maxResults=1000', undefined, ADMIN);
    expect(done.body.map((h: { id: string; state: string }) => h.state)).toEqual(Array(N).fill('COMPLETED'));
    expect(done.body.map((h: { id: string }) => h.id).sort()).toEqual([...ids].sort());
  }, 180000);
});
