import type { Response } from 'express';

/**
 * Sends JSON with `Content-Type: application/json` and no charset parameter:
 * camunda-external-task-client-js refuses `application/json; charset=utf-8`.
 * JSON is UTF-8 by definition (RFC 8259), so nothing is lost.
 *
 * Written straight to the response, not through express's `res.send`: that hashes every body
 * for an ETag and checks request freshness, for answers that are `Cache-Control: no-store`
 * (server/http/security-headers.ts) and so never revalidated — a measurable share of a small
 * request (issue 13). A HEAD request gets the headers only (Node drops the body).
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body) ?? 'null';
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  // A string, not a Buffer: Node sends the head and a string body as one chunk (one write, no copy).
  res.end(text);
}
