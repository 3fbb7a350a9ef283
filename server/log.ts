import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import pino from 'pino';
import { onResponseDone } from './http/finished.js';

/**
 * Fields that carry personal data wherever they appear: a party's name, ID number, phone, e-mail and address
 * (server/dossiers/types.ts `PartySchema`), the public lookup's last four digits (`factor`), free-text searches
 * (`q`, `applicant`: staff type citizens' names into them) and engine-rest variable filters (`variables`).
 */
const PERSONAL_FIELDS = [
  'password', 'newPassword', 'currentPassword',
  'fullName', 'idNumber', 'phone', 'email', 'address', 'factor',
];
/** Query parameters whose values never reach a log line (access log `req.query` and the URL's query string). */
const PERSONAL_QUERY_KEYS = new Set([...PERSONAL_FIELDS, 'applicant', 'q', 'variables', 'processVariables', 'search']);

/**
 * Personal data must never reach a log line. Redaction is by path (pino's `redact`): the field itself and the same
 * field one and two objects deep (`{ dossier: { applicant: … } }`, a request body under `body`), the credentials in
 * request and response headers, and the access log's query object. No path may cover another (e.g. `applicant` and
 * `applicant.fullName`): fast-redact then restores the logged object wrongly and leaves `[redacted]` in the caller's data.
 */
const REDACT = [
  ...PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  ...[...PERSONAL_QUERY_KEYS].filter((k) => !PERSONAL_FIELDS.includes(k)).map((k) => `req.query.${k}`),
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-metrics-token"]', 'res.headers["set-cookie"]',
  'headers.authorization', 'headers.cookie',
];

export type Logger = pino.Logger;

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const opts = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { pid: process.pid } };
  return destination ? pino(opts, destination) : pino(opts);
}

/** A URL with the values of personal query parameters replaced (the access log prints the URL too). */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const key of [...params.keys()]) {
    if (PERSONAL_QUERY_KEYS.has(key)) { params.set(key, '[redacted]'); changed = true; }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}

type Req = IncomingMessage & { requestId?: string; originalUrl?: string; query?: unknown; principal?: { username: string; kind?: string } };
type Level = 'error' | 'warn' | 'info' | 'debug';

const isMachineTraffic = (req: Req) => req.principal?.kind === 'service' || (req.originalUrl ?? req.url ?? '').startsWith('/mock-portal/');

/**
 * One access-log line per request on the platform's logger, with the request id the app sets
 * (`X-Request-Id`) and the user name; URL and query redacted as above, bodies never logged.
 * 5xx lines are errors, 4xx warnings, the rest info — except a service account's successful calls (the workers
 * poll every few seconds) and the demo mock portal's, which are debug: at the default level they would bury
 * everything else, including the start-up banner a new user needs to read. The line is built once, when the answer is
 * finished, and only if its level is written: no per-request child loggers (pino-http made three
 * per request, a fifth of a small request's CPU, whether the line was written or not — issue 13).
 */
export function createAccessLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const start = Date.now();
    const r = req as unknown as Req;
    onResponseDone(res, (err?: unknown) => {
      const level: Level = err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : isMachineTraffic(r) ? 'debug' : 'info';
      if (!log.isLevelEnabled(level)) return;
      const url = redactUrl(r.originalUrl ?? r.url ?? '');
      const ms = Date.now() - start;
      log[level]({
        req: {
          id: r.requestId ?? '-', method: r.method, url, query: r.query, headers: r.headers,
          remoteAddress: r.socket?.remoteAddress, remotePort: r.socket?.remotePort,
        },
        requestId: r.requestId, user: r.principal?.username ?? null,
        res: { statusCode: res.statusCode, headers: res.getHeaders() },
        responseTime: ms,
        ...(err ? { err } : {}),
      }, level === 'error' ? `${r.method} ${url} ${res.statusCode}` : `${r.method} ${url} ${res.statusCode} ${ms}ms`);
    });
    next();
  };
}
