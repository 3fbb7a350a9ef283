import type { ServerResponse } from 'node:http';

type Hook = (err?: unknown) => void;
const HOOKS = Symbol('response done hooks');
type Tracked = ServerResponse & { [HOOKS]?: Hook[] };

/**
 * Calls `fn` once when the response is over: finished (`res.writableFinished`), or the connection
 * closed first (the client went away: not finished), or the response failed (`err`). Every caller on
 * a response — access log, metrics, audit — shares one set of listeners: adding and removing a
 * listener trio per caller and request was a measurable share of a small request (issue 13).
 */
export function onResponseDone(res: ServerResponse, fn: Hook): void {
  const tracked = res as Tracked;
  const hooks = tracked[HOOKS];
  if (hooks) {
    hooks.push(fn);
    return;
  }
  const list: Hook[] = [fn];
  tracked[HOOKS] = list;
  const done = (err?: unknown) => {
    res.off('finish', done);
    res.off('close', done);
    res.off('error', done);
    for (const h of list) h(err);
  };
  res.on('finish', done);
  res.on('close', done);
  res.on('error', done);
}
