import type { Response } from 'express';

/**
 * Sends JSON with `Content-Type: application/json` and no charset parameter:
 * camunda-external-task-client-js refuses `application/json; charset=utf-8`.
 * JSON is UTF-8 by definition (RFC 8259), so nothing is lost.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).setHeader('Content-Type', 'application/json');
  res.send(Buffer.from(JSON.stringify(body)));
}
