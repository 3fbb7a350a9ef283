import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { xmlShape, type ParsedDefinitions } from '../engine/index.js';
import type { FactSource, ValidationJob } from './validate-job.js';
import type { ValidationResult } from './types.js';
import { validationError } from './messages.js';

export interface ValidationPoolOptions {
  /** Threads (default: one less than the cores, at least 1, at most 2: the server keeps a core). */
  size?: number;
  /** Jobs waiting for a thread beyond which new ones are refused with 429 (default 16). */
  maxQueue?: number;
  /** Jobs one owner (user) may have queued or running at once (default 1); more answer 429. */
  perOwner?: number;
  /** A job still running after this is stopped (its thread replaced) and answered 413 (default 60 s). */
  timeoutMs?: number;
  /**
   * Facts other rules need from a model, gathered on the pool thread from the model it parsed anyway
   * (so those rules need not parse a large model again on the event loop): name → module export.
   */
  facts?: Record<string, FactSource>;
}

export interface PoolStats { threads: number; busy: number; queued: number }

interface Running { id: number; timer: NodeJS.Timeout; done(err: Error | null, result?: unknown): void }
interface Slot { worker: Worker; job?: Running }
interface Queued { job: ValidationJob; done(err: Error | null, result?: unknown): void }

/**
 * Models up to this many XML elements (some 120 steps with their diagram) are checked where they
 * arrive: tens of milliseconds, less than a thread hop is worth. Larger ones go to the pool.
 */
const OFFLOAD_ABOVE_ELEMENTS = 500;

/** Whether a model is large enough to go to the pool (a linear scan that stops at the threshold). */
export function worthOffloading(xml: string): boolean {
  return xmlShape(xml, Infinity, OFFLOAD_ABOVE_ELEMENTS).elements > OFFLOAD_ABOVE_ELEMENTS;
}

/**
 * Validation and compilation of BPMN models on worker threads: a large model's parse, lint,
 * domain rules and engine check take seconds of CPU, which on the server's own thread would stall
 * every other request (health checks included). Bounded: a few threads, a short queue, and a cap
 * per user, so one user cannot take the pool either.
 */
export function createValidationPool(opts: ValidationPoolOptions = {}) {
  const size = Math.max(1, opts.size ?? Math.min(2, os.availableParallelism() - 1));
  const maxQueue = opts.maxQueue ?? 16;
  const perOwner = opts.perOwner ?? 1;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const slots: Slot[] = [];
  const queue: Queued[] = [];
  const owners = new Map<string, number>();
  let nextId = 0;
  let stopped = false;

  function drop(slot: Slot): void {
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
  }

  /** Ends the slot's job (once) and hands the thread the next one. */
  function settle(slot: Slot, err: Error | null, result?: unknown): void {
    const job = slot.job;
    if (!job) return;
    slot.job = undefined;
    clearTimeout(job.timer);
    job.done(err, result);
    if (slots.includes(slot)) slot.worker.unref();
    pump();
  }

  function spawn(): Slot {
    const worker = new Worker(new URL('./validate-worker.mjs', import.meta.url), { execArgv: [] });
    const slot: Slot = { worker };
    worker.unref();
    worker.on('message', (m: { id?: number; result?: unknown; error?: string }) => {
      if (!slot.job || m.id !== slot.job.id) return;
      if (m.error !== undefined) settle(slot, validationError(400, 'ValidationFailed', 'validation.failedWith', { detail: m.error.slice(0, 500) }));
      else settle(slot, null, m.result);
    });
    // A thread that dies (a model that broke it) takes only its own job with it.
    const died = () => {
      drop(slot);
      settle(slot, validationError(400, 'ValidationFailed', 'validation.failed'));
    };
    worker.on('error', died);
    worker.on('exit', died);
    slots.push(slot);
    return slot;
  }

  function pump(): void {
    while (queue.length && !stopped) {
      const slot = slots.find((s) => !s.job) ?? (slots.length < size ? spawn() : undefined);
      if (!slot) return;
      const q = queue.shift()!;
      const id = ++nextId;
      const timer = setTimeout(() => {
        drop(slot);
        settle(slot, validationError(413, 'ModelTooComplex', 'validation.tooComplex', { seconds: timeoutMs / 1000 }));
        void slot.worker.terminate();
      }, timeoutMs);
      timer.unref();
      slot.job = { id, timer, done: q.done };
      // Keep the process alive only while a job is in flight.
      slot.worker.ref();
      slot.worker.postMessage({ id, job: q.job });
    }
  }

  function run<T>(job: ValidationJob, owner?: string): Promise<T> {
    if (stopped) return Promise.reject(validationError(503, 'Unavailable', 'validation.stopping'));
    if (owner !== undefined && (owners.get(owner) ?? 0) >= perOwner) {
      return Promise.reject(validationError(429, 'TooManyRequests', 'validation.ownerBusy'));
    }
    if (queue.length >= maxQueue) return Promise.reject(validationError(429, 'TooManyRequests', 'validation.queueFull'));
    if (owner !== undefined) owners.set(owner, (owners.get(owner) ?? 0) + 1);
    return new Promise<T>((resolve, reject) => {
      queue.push({
        job,
        done: (err, result) => {
          if (owner !== undefined) {
            const n = (owners.get(owner) ?? 1) - 1;
            if (n > 0) owners.set(owner, n); else owners.delete(owner);
          }
          if (err) reject(err); else resolve(result as T);
        },
      });
      pump();
    });
  }

  return {
    size,
    validate: (job: Omit<Extract<ValidationJob, { kind: 'validate' }>, 'kind' | 'facts'>, owner?: string) => run<ValidationResult>({ kind: 'validate', ...job, facts: opts.facts }, owner),
    compile: (xml: string, interpreter?: ParsedDefinitionsInterpreter) => run<ParsedDefinitions>({ kind: 'compile', xml, interpreter }),
    stats: (): PoolStats => ({ threads: slots.length, busy: slots.filter((s) => s.job).length, queued: queue.length }),
    async stop(): Promise<void> {
      stopped = true;
      for (const q of queue.splice(0)) q.done(validationError(503, 'Unavailable', 'validation.stopping'));
      await Promise.all([...slots].map(async (s) => { drop(s); settle(s, validationError(503, 'Unavailable', 'validation.stopping')); await s.worker.terminate(); }));
    },
  };
}

type ParsedDefinitionsInterpreter = Extract<ValidationJob, { kind: 'compile' }>['interpreter'];

export type ValidationPool = ReturnType<typeof createValidationPool>;
