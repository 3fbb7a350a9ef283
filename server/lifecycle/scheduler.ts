import type { Logger } from '../log.js';
import type { BackgroundService } from '../platform.js';
import type { LifecycleService } from './service.js';

/**
 * Activates approved versions on their effective date. Every node may run it: claiming rows with
 * FOR UPDATE SKIP LOCKED means two nodes never activate the same version.
 */
export function createActivationScheduler(deps: { lifecycle: LifecycleService; log: Logger; intervalMs?: number }): BackgroundService & { tick(): Promise<string[]> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const tick = async () => {
    try {
      const ids = await deps.lifecycle.activateDue();
      if (ids.length) deps.log.info({ versionIds: ids }, 'activated process versions on their effective date');
      return ids;
    } catch (err) {
      deps.log.error({ err }, 'scheduled activation failed');
      return [];
    }
  };
  return {
    name: 'process-activation-scheduler',
    tick,
    async start() {
      const loop = () => {
        running = tick().finally(() => { if (timer) timer = setTimeout(loop, deps.intervalMs ?? 60_000); });
      };
      timer = setTimeout(loop, 1000);
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
