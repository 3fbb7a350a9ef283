import type { Response } from 'express';
import type { Database, Unlisten } from '../db/connect.js';

/** NOTIFY channel raised by a trigger on engine_task (migration 0650): payload = the task's unit id. */
const TASKS_CHANNEL = 'task_changed';

interface Client { res: Response; units: string[] | 'all'; username: string }

/**
 * Server-sent events for open tasklists. Every node listens to `task_changed` and tells its own
 * connected clients whose units the change concerns; the client then re-reads its tab (rows and
 * counts). Several changes within 100 ms go out as one event.
 */
export function createTaskEvents(deps: { db: Database; heartbeatMs?: number }) {
  const clients = new Set<Client>();
  let unlisten: Unlisten | null = null;
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let heartbeat: NodeJS.Timeout | null = null;

  function flush(): void {
    timer = null;
    const units = pending;
    pending = new Set();
    const data = JSON.stringify({ units: [...units], at: new Date().toISOString() });
    for (const c of clients) {
      if (c.units === 'all' || [...units].some((u) => u === '' || (c.units as string[]).includes(u))) c.res.write(`event: tasks\ndata: ${data}\n\n`);
    }
  }

  function onChange(unitId: string): void {
    pending.add(unitId);
    timer ??= setTimeout(flush, 100);
  }

  return {
    async start(): Promise<void> {
      if (unlisten) return;
      unlisten = await deps.db.listen(TASKS_CHANNEL, onChange);
      heartbeat = setInterval(() => { for (const c of clients) c.res.write(': ping\n\n'); }, deps.heartbeatMs ?? 25_000);
      heartbeat.unref();
    },
    async stop(): Promise<void> {
      const u = unlisten;
      unlisten = null;
      if (heartbeat) clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
      timer = null;
      for (const c of clients) c.res.end();
      clients.clear();
      await u?.().catch(() => undefined);
    },
    /** Keeps the response open as an event stream until the client goes away. */
    subscribe(res: Response, who: { username: string; units: string[] | 'all' }): void {
      res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
      res.write('retry: 3000\n\nevent: ready\ndata: {}\n\n');
      const c: Client = { res, units: who.units, username: who.username };
      clients.add(c);
      res.on('close', () => clients.delete(c));
    },
    clientCount: () => clients.size,
  };
}
export type TaskEvents = ReturnType<typeof createTaskEvents>;
