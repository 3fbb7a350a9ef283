/**
 * Gathers calls made in the same moment into one request: the client hands a fetch of tasks to the
 * handlers together, so a storm of reminders becomes one platform call per fetch instead of one
 * (or three) per task. Each caller gets its own item's answer; a failed request fails every caller,
 * and each task then goes through the usual failure policy on its own.
 */
export function createBatcher<I, O>(flush: (items: I[]) => Promise<O[]>, opts: { max: number; waitMs: number }): (item: I) => Promise<O> {
  let queue: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    const q = queue;
    queue = [];
    if (timer) clearTimeout(timer);
    timer = undefined;
    flush(q.map((x) => x.item)).then(
      (outs) => q.forEach((x, i) => (i < outs.length ? x.resolve(outs[i]!) : x.reject(new Error('batch answer is missing an item')))),
      (err) => q.forEach((x) => x.reject(err)),
    );
  };
  return (item) => new Promise<O>((resolve, reject) => {
    queue.push({ item, resolve, reject });
    if (queue.length >= opts.max) run();
    else timer ??= setTimeout(run, opts.waitMs);
  });
}
