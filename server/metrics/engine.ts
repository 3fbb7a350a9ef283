import type { Metrics } from './metrics.js';

/** Not commands: lifecycle and pure helpers. */
const NOT_COMMANDS = new Set(['start', 'stop', 'typedFromPlain']);

/**
 * The same engine with every command timed into `tthc_engine_command_duration_seconds{command, outcome}`.
 * Everything that uses the engine (engine-rest, schedulers, dossiers, lifecycle) receives this one.
 */
export function instrumentEngine<T extends object>(engine: T, metrics: Metrics): T {
  const out: Record<string, unknown> = { ...(engine as Record<string, unknown>) };
  for (const [name, fn] of Object.entries(engine)) {
    if (typeof fn !== 'function' || NOT_COMMANDS.has(name)) continue;
    out[name] = (...args: unknown[]): unknown => {
      const end = metrics.engineCommand.startTimer({ command: name });
      try {
        const result: unknown = (fn as (...a: unknown[]) => unknown).apply(engine, args);
        if (result instanceof Promise) {
          return result.then(
            (v: unknown) => { end({ outcome: 'ok' }); return v; },
            (err: unknown) => { end({ outcome: 'error' }); throw err; },
          );
        }
        end({ outcome: 'ok' });
        return result;
      } catch (err) {
        end({ outcome: 'error' });
        throw err;
      }
    };
  }
  return out as T;
}
