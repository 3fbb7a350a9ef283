import type { Logger } from '../log.js';
import type { EngineService } from './service.js';

/**
 * Fires due timers from engine_timer. Polls the database (every node, SKIP LOCKED claims) and
 * also sleeps exactly until the next known due time, so a timer fires close to its due date.
 */
export function createTimerScheduler(engine: EngineService, log: Logger, opts: { pollMs?: number; batch?: number; sliceMs?: number } = {}) {
  const pollMs = opts.pollMs ?? 1000;
  // A fire is one statement and yields to the event loop after each timer, so a tick may drain many
  // batches; it stops after `sliceMs` and comes back at once (10,000 timers due at one instant are
  // fired in seconds, not at 200 per 50 ms pause).
  const batch = opts.batch ?? 200;
  const sliceMs = opts.sliceMs ?? 1000;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let stopped = true;
  let busy: Promise<void> | null = null;

  async function tick(): Promise<void> {
    if (stopped || running) return;
    running = true;
    try {
      const t0 = Date.now();
      let full = false;
      while (!stopped && Date.now() - t0 < sliceMs && (full = (await engine.fireDueTimers(batch)) >= batch));
      if (full) return schedule(1);
      const next = await engine.nextTimerDue();
      schedule(next ? Math.max(10, Math.min(pollMs, next.getTime() - Date.now())) : pollMs);
    } catch (err) {
      log.error({ err }, 'timer scheduler tick failed');
      schedule(pollMs);
    } finally {
      running = false;
    }
  }

  function schedule(ms: number): void {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { busy = tick(); }, ms);
    timer.unref?.();
  }

  return {
    name: 'engine-timers',
    async start(): Promise<void> {
      if (!stopped) return;
      stopped = false;
      await engine.start();
      schedule(0);
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await busy?.catch(() => undefined);
      await engine.stop();
    },
  };
}
