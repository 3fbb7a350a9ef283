import type { RequestHandler } from 'express';

/** `application/json` or `application/…+json`, with at most a UTF-8 charset: what API clients send. */
const PLAIN_JSON = /^application\/(?:json|[\w.-]+\+json)(?:\s*;\s*charset\s*=\s*(?:utf-8|"utf-8"))?$/i;
/** What body-parser's strict mode allows before the first `{` or `[`. */
const LEADING_SPACE = /^[\x20\x09\x0a\x0d]*/;

const parseFailed = (message: string, body: string) =>
  Object.assign(new SyntaxError(message), { status: 400, statusCode: 400, expose: true, type: 'entity.parse.failed', body });

/** '1mb' → 1048576, as body-parser reads its `limit` (bytes's units are powers of 1024). */
export function byteLimit(limit: string | number): number {
  if (typeof limit === 'number') return limit;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(limit);
  if (!m) throw new Error(`not a byte size: ${limit}`);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Math.floor(Number(m[1]) * unit);
}

/**
 * The JSON body reader every request passes. The common request — a declared length within the limit,
 * plain JSON in UTF-8, no content encoding — is read straight from the stream and parsed once, with
 * body-parser's strict-mode rules (an empty body is `{}`, the text must start with `{` or `[`) and its
 * error (`entity.parse.failed`, so the error handler answers the same 400). Everything else (chunked,
 * compressed, other charsets, other types, over the limit) goes to `fallback`, express.json() with the
 * same options, which answers it exactly as before. body-parser's per-request work (content-type
 * parsing, an iconv decoder, raw-body's stream bookkeeping) was a few percent of a small request (issue 13).
 */
export function createJsonBody(opts: { limit: number; fallback: RequestHandler }): RequestHandler {
  const { limit, fallback } = opts;
  return (req, res, next) => {
    const h = req.headers;
    const declared = h['content-length'];
    if (declared === undefined && h['transfer-encoding'] === undefined) {
      if (!Object.hasOwn(req, 'body')) req.body = undefined;
      return next();
    }
    const type = h['content-type'];
    const encoding = h['content-encoding'];
    const length = Number(declared);
    if (declared === undefined || h['transfer-encoding'] !== undefined || !(length <= limit) || type === undefined || !PLAIN_JSON.test(type)
      || (encoding !== undefined && encoding.toLowerCase() !== 'identity') || req.readableEnded) {
      return fallback(req, res, next);
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => { received += chunk.length; chunks.push(chunk); };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
    };
    function onAbort(): void {
      cleanup();
      next(Object.assign(new Error('request aborted'), { status: 400, statusCode: 400, expose: true, type: 'request.aborted', received, expected: length }));
    }
    function onEnd(): void {
      cleanup();
      let text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // iconv-lite drops a BOM too
      if (text.length === 0) {
        req.body = {};
        return next();
      }
      const first = text[0] === '{' || text[0] === '[' ? text[0] : text[LEADING_SPACE.exec(text)![0].length];
      if (first !== '{' && first !== '[') return next(parseFailed(`Unexpected token ${first ?? 'end'} in JSON (strict mode)`, text));
      try {
        req.body = JSON.parse(text) as unknown;
      } catch (e) {
        return next(parseFailed((e as Error).message, text));
      }
      next();
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  };
}
