import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../server/db/connect.js';
import { createEngine, type EngineService } from '../../server/engine/index.js';
import { instanceState } from '../../server/engine/store.js';
import { createLogger } from '../../server/log.js';
import { down as migrateDown, up as migrateUp } from '../../migrations/1000_engine_execution.js';
import { createTestDatabase } from '../helpers/db.js';
import { bpmn } from './fixtures.js';

/**
 * The native interpreter's execution tree is stored as rows of engine_execution (issue #13): a
 * command writes only the executions it changed, in its one write statement, and the cold path
 * still reads everything in one statement.
 */
const ALL = { all: true } as const;
/** A parallel split: a task then another on one branch, a subprocess with a task on the other. */
const SPLIT = bpmn('rows', `
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
  <bpmn:parallelGateway id="fork"/>
  <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="a"/>
  <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="sub"/>
  <bpmn:userTask id="a"/>
  <bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="c"/>
  <bpmn:userTask id="c"/>
  <bpmn:subProcess id="sub">
    <bpmn:startEvent id="ss"/><bpmn:sequenceFlow id="s1" sourceRef="ss" targetRef="b"/>
    <bpmn:userTask id="b"/><bpmn:sequenceFlow id="s2" sourceRef="b" targetRef="se"/><bpmn:endEvent id="se"/>
  </bpmn:subProcess>
  <bpmn:sequenceFlow id="f5" sourceRef="c" targetRef="join"/>
  <bpmn:sequenceFlow id="f6" sourceRef="sub" targetRef="join"/>
  <bpmn:parallelGateway id="join"/>
  <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="end"/>
  <bpmn:endEvent id="end"/>`);

interface ExecutionRow { id: string; parent_id: string | null; activity_id: string; kind: string; wait: string | null; ord: number; data: unknown; version: string }

let db: Database;
let engine: EngineService;

beforeAll(async () => {
  db = await createTestDatabase();
  engine = createEngine({ db, log: createLogger('silent'), nodeId: 'rows-a' });
  await engine.deploy({ name: 'rows', resources: [{ name: 'rows.bpmn', content: SPLIT }] });
});
afterAll(async () => { await db.close(); });

/** An instance's execution rows in tree order, each with its row version (xmin: a rewritten row gets a new one). */
async function executions(instanceId: string): Promise<ExecutionRow[]> {
  const { rows } = await db.knex.raw<{ rows: ExecutionRow[] }>(
    'select id, parent_id, activity_id, kind, wait, ord, data, xmin::text as version from engine_execution where instance_id = ? order by ord', [instanceId]);
  return rows;
}

async function taskOf(instanceId: string, key: string) {
  const t = (await engine.listTasks({ processInstanceId: instanceId }, ALL)).find((x) => x.taskDefinitionKey === key);
  expect(t).toBeDefined();
  return t!;
}

/** Statements being recorded (null: none). A pooled connection, once wrapped, stays wrapped and records here. */
let recording: string[] | null = null;

/**
 * The statements sent while `fn` runs: knex's, and those the engine sends on a pooled PostgreSQL
 * connection itself as prepared statements (server/engine/sql.ts `exec`, promise style).
 */
async function statementsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const onQuery = (q: { sql: string }) => { seen.push(q.sql); };
  type Conn = { query: (...args: unknown[]) => unknown };
  const client = db.knex.client as unknown as { acquireConnection(): Promise<Conn>; config: { client: unknown } };
  const acquire = client.acquireConnection;
  // Only PostgreSQL's driver: on the embedded database every statement goes through knex.
  if (client.config.client === 'pg') client.acquireConnection = async function (this: unknown) {
    const conn = await acquire.call(this);
    const query = conn.query;
    if (typeof query === 'function' && !('recorded' in conn)) {
      Object.assign(conn, {
        recorded: true,
        query(...args: unknown[]) {
          // knex passes a callback; the engine's own prepared statements do not.
          if (recording && typeof args[args.length - 1] !== 'function') {
            const q = args[0] as { text?: string } | string;
            recording.push(typeof q === 'string' ? q : q.text ?? '');
          }
          return query.apply(conn, args);
        },
      });
    }
    return conn;
  };
  db.knex.on('query', onQuery);
  recording = seen;
  try {
    await fn();
    return seen;
  } finally {
    recording = null;
    db.knex.off('query', onQuery);
    client.acquireConnection = acquire;
  }
}

describe('instance state as execution rows', () => {
  test('a start stores the tree as rows: ids from the prefix, parents, what each waits for', async () => {
    const inst = await engine.startProcess({ key: 'rows', businessKey: 'R-1' });
    const row = await db.knex('engine_instance').where({ id: inst.id }).first('engine_state', 'exec_prefix', 'exec_seq');
    expect(row.engine_state).toBeNull();
    expect(typeof row.exec_prefix).toBe('string');
    const rows = await executions(inst.id);
    const by = (a: string) => rows.filter((r) => r.activity_id === a);
    expect(rows.map((r) => r.id).every((id) => id.startsWith(`${row.exec_prefix}.`))).toBe(true);
    expect(Math.max(...rows.map((r) => Number(r.id.split('.').pop())))).toBe(row.exec_seq);
    const [root] = by('rows');
    expect(root).toMatchObject({ parent_id: null, kind: 'root', wait: null });
    expect(by('a')).toEqual([expect.objectContaining({ parent_id: root!.id, kind: 'token', wait: 'user' })]);
    const [sub] = by('sub');
    expect(sub).toMatchObject({ parent_id: root!.id, kind: 'scope', wait: null });
    expect(by('b')).toEqual([expect.objectContaining({ parent_id: sub!.id, kind: 'token', wait: 'user' })]);
    // Only what still runs: the start event, the fork and the subprocess's start are gone.
    expect(rows.map((r) => r.activity_id).sort()).toEqual(['a', 'b', 'rows', 'sub']);
    // The tree's order is the creation order.
    expect(rows.map((r) => r.ord)).toEqual([...rows.map((r) => r.ord)].sort((x, y) => x - y));
    // The same tree as the state the interpreter resumes from.
    const state = await instanceState(db.knex, inst.id) as { x: Array<{ id: string; p: string | null; a: string; w?: string }> };
    expect(state.x.map((e) => [e.id, e.p, e.a, e.w ?? null])).toEqual(rows.map((r) => [r.id, r.parent_id, r.activity_id, r.wait]));
  });

  test('completing one task rewrites only its execution: its row goes, the next task\'s comes, the rest stay untouched', async () => {
    const inst = await engine.startProcess({ key: 'rows', businessKey: 'R-2' });
    const before = await executions(inst.id);
    const a = await taskOf(inst.id, 'a');
    const sent = await statementsDuring(() => engine.completeTask(a.id, { userId: 'u' }, ALL));
    const after = await executions(inst.id);
    const ids = (rs: ExecutionRow[]) => new Set(rs.map((r) => r.id));
    const deleted = before.filter((r) => !ids(after).has(r.id));
    const inserted = after.filter((r) => !ids(before).has(r.id));
    const rewritten = after.filter((r) => before.some((b) => b.id === r.id && b.version !== r.version));
    expect(deleted.map((r) => r.activity_id)).toEqual(['a']);
    expect(inserted.map((r) => [r.activity_id, r.wait])).toEqual([['c', 'user']]);
    expect(rewritten).toEqual([]);
    // The hot instance's command is one statement, the execution rows written inside it.
    const writes = sent.filter((s) => /engine_execution/.test(s));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatch(/^with /);
    expect(sent).toHaveLength(1);
  });

  test('a node that does not hold the instance reads it in one statement and writes only what changed', async () => {
    const inst = await engine.startProcess({ key: 'rows', businessKey: 'R-3' });
    const cold = createEngine({ db, log: createLogger('silent'), nodeId: 'rows-b' });
    const b = await taskOf(inst.id, 'b');
    const before = await executions(inst.id);
    const sent = (await statementsDuring(() => cold.completeTask(b.id, { userId: 'u' }, ALL)))
      .filter((s) => !/from "engine_definition"/.test(s)); // the new node loads the definition once, then caches it
    // One read (task, instance, state rows, variables, projections), one write.
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(/engine_execution/);
    const after = await executions(inst.id);
    // The subprocess completed: its scope and its task's token went; the branch with 'a' is untouched.
    expect(before.filter((r) => !after.some((x) => x.id === r.id)).map((r) => r.activity_id).sort()).toEqual(['b', 'sub']);
    expect(after.filter((r) => !before.some((x) => x.id === r.id)).map((r) => [r.activity_id, r.wait])).toEqual([['join', 'join']]);
    expect(after.filter((r) => before.some((x) => x.id === r.id && x.version !== r.version))).toEqual([]);
    // It carries on from the rows: a, c, then the join completes the instance and its rows go.
    await engine.completeTask((await taskOf(inst.id, 'a')).id, { userId: 'u' }, ALL);
    await cold.completeTask((await taskOf(inst.id, 'c')).id, { userId: 'u' }, ALL);
    expect((await engine.getInstance(inst.id)).state).toBe('COMPLETED');
    expect(await executions(inst.id)).toEqual([]);
    expect(await db.knex('engine_instance').where({ id: inst.id }).first('exec_prefix')).toEqual({ exec_prefix: null });
  });

  test('deleting an instance deletes its rows', async () => {
    const inst = await engine.startProcess({ key: 'rows', businessKey: 'R-4' });
    expect(await executions(inst.id)).not.toHaveLength(0);
    await engine.deleteInstance(inst.id, 'test', 'admin');
    expect(await executions(inst.id)).toEqual([]);
  });

  test('migration 1000 turns a stored blob into the same rows, and the instance runs on from them', async () => {
    const inst = await engine.startProcess({ key: 'rows', businessKey: 'R-5' });
    await engine.completeTask((await taskOf(inst.id, 'a')).id, { userId: 'u' }, ALL);
    const strip = (rs: ExecutionRow[]) => rs.map(({ version: _v, ...r }) => r);
    const rows = strip(await executions(inst.id));
    const seq = await db.knex('engine_instance').where({ id: inst.id }).first('exec_prefix', 'exec_seq');
    // Back to the blob (what every instance stored before 1000), then 1000 again.
    await migrateDown(db.knex);
    const blob = (await db.knex('engine_instance').where({ id: inst.id }).first('engine_state')).engine_state as { v: number; p: string; n: number; x: Array<{ id: string }> };
    expect(blob).toMatchObject({ v: 1, p: seq.exec_prefix, n: seq.exec_seq });
    expect(blob.x.map((e) => e.id)).toEqual(rows.map((r) => r.id));
    await migrateUp(db.knex);
    // Order keys are renumbered from 0 by the array's order; everything else is as it was.
    const renumbered = rows.map((r, i) => ({ ...r, ord: i }));
    expect(strip(await executions(inst.id))).toEqual(renumbered);
    expect(await db.knex('engine_instance').where({ id: inst.id }).first('engine_state', 'exec_prefix', 'exec_seq')).toEqual({ engine_state: null, ...seq });
    const fresh = createEngine({ db, log: createLogger('silent'), nodeId: 'rows-c' });
    await fresh.completeTask((await taskOf(inst.id, 'b')).id, { userId: 'u' }, ALL);
    await fresh.completeTask((await taskOf(inst.id, 'c')).id, { userId: 'u' }, ALL);
    expect((await fresh.getInstance(inst.id)).state).toBe('COMPLETED');
  });
});
