import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import { z } from 'zod';
import { formatLocal } from '../calendar/index.js';
import { guard } from '../http/policy.js';
import { PortalRecordSchema, type PortalRecord } from '../portal-sync/index.js';

/**
 * A local stand-in for the national public-service portal (DVCQG), which is unreachable from here.
 * `POST /records` validates a record against the JSON contract (server/portal-sync/contract.ts): 400
 * with the issues when malformed, else 200 with a receipt; a record already received (same
 * `recordId`) is acknowledged again with its first receipt. It can be made slow or down:
 * `PUT /control {mode: up|down|slow, delayMs}`; `GET /records` lists what arrived, in order.
 * Tests start it on a port of their own; `npm start` in demo mode mounts it under /mock-portal.
 */
export interface MockPortalState {
  mode: 'up' | 'down' | 'slow';
  delayMs: number;
  /** Records acknowledged, in the order they arrived (first delivery only). */
  received: Array<PortalRecord & { receiptId: string; at: string }>;
  /** Every request, accepted or not (for tests: duplicates, rejections). */
  requests: Array<{ recordId: string | null; status: number; at: string }>;
}

const Control = z.object({ mode: z.enum(['up', 'down', 'slow']).optional(), delayMs: z.number().int().min(0).max(600_000).optional(), reset: z.boolean().optional() }).strict();

export function createMockPortal(initial: Partial<Pick<MockPortalState, 'mode' | 'delayMs'>> = {}) {
  const state: MockPortalState = { mode: initial.mode ?? 'up', delayMs: initial.delayMs ?? 2_000, received: [], requests: [] };
  const receipts = new Map<string, string>();
  const r = Router();
  r.use(express.json({ limit: '256kb' }));

  r.post('/records', guard('public'), async (req, res) => {
    const at = formatLocal(new Date());
    const sent = req.body as { recordId?: unknown } | undefined;
    const recordId = typeof sent?.recordId === 'string' ? sent.recordId : null;
    if (state.mode === 'down') {
      state.requests.push({ recordId, status: 503, at });
      res.status(503).json({ error: 'Cổng tạm thời không phục vụ / portal unavailable' });
      return;
    }
    if (state.mode === 'slow') await new Promise((ok) => setTimeout(ok, state.delayMs));
    const parsed = PortalRecordSchema.safeParse(req.body);
    if (!parsed.success) {
      state.requests.push({ recordId, status: 400, at });
      res.status(400).json({ error: 'Bản ghi không hợp lệ / malformed record', issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      return;
    }
    const prior = receipts.get(parsed.data.recordId);
    const receiptId = prior ?? `DVCQG-${crypto.randomUUID()}`;
    if (!prior) {
      receipts.set(parsed.data.recordId, receiptId);
      state.received.push({ ...parsed.data, receiptId, at });
    }
    state.requests.push({ recordId, status: 200, at });
    res.status(200).json({ receiptId, receivedAt: at, ...(prior ? { duplicate: true } : {}) });
  });
  r.get('/records', guard('public'), (_req, res) => { res.json(state.received); });
  r.put('/control', guard('public'), (req, res) => {
    const c = Control.safeParse(req.body);
    if (!c.success) { res.status(400).json({ error: c.error.issues[0]?.message }); return; }
    if (c.data.mode) state.mode = c.data.mode;
    if (c.data.delayMs !== undefined) state.delayMs = c.data.delayMs;
    if (c.data.reset) { state.received.length = 0; state.requests.length = 0; receipts.clear(); }
    res.json({ mode: state.mode, delayMs: state.delayMs, received: state.received.length });
  });
  return { router: r, state };
}

/** The mock on its own port (tests, `npm run bench workers`). */
export async function startMockPortal(initial: Partial<Pick<MockPortalState, 'mode' | 'delayMs'>> = {}): Promise<{ url: string; state: MockPortalState; close(): Promise<void> }> {
  const mock = createMockPortal(initial);
  const app = express();
  app.use(mock.router);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((ok) => server.once('listening', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, state: mock.state,
    async close() { server.closeAllConnections(); await new Promise((ok) => server.close(ok)); },
  };
}
