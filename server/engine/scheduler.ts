import type { Logger } from '../log.js';
import type { EngineService } from './service.js';

/**
 * Fires due timers from engine_timer. Polls the database (every node, SKIP LOCKED claims) and
 * also sleeps exactly until the next known due time, so a timer fires close to its due date.
 */
export function createTimerScheduler(engine: EngineService, log: Logger, opts: { pollMs?: number; batchesPerTick?: number } = {}) {
  const pollMs = opts.pollMs ?? 1000;
  // Bounded work per tick: at most this many batches of 50, then the event loop serves requests.
  const batchesPerTick = opts.batchesPerTick ?? 4;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let stopped = true;
  let busy: Promise<void> | null = null;

  async function tick(): Promise<void> {
    if (stopped || running) return;
    running = true;
    try {
      // Drain a bounded amount; if full batches keep coming, come back after a short pause.
      let batches = 0;
      let full = false;
      while (!stopped && batches < batchesPerTick && (full = (await engine.fireDueTimers(50)) >= 50)) batches++;
      if (full) return schedule(50);
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
