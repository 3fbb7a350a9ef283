import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { parseCamundaDate } from '../engine/index.js';

/** Small pieces every /engine-rest route file shares. */
export const vars = z.record(z.string(), z.unknown()).optional().nullable();
export const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const int = z.coerce.number().int().min(0);
export const date = z.string().transform((s, ctx) => {
  const d = parseCamundaDate(s);
  if (!d) ctx.addIssue({ code: 'custom', message: "expected a date like 2026-01-31T08:00:00.000+0700" });
  return d ?? new Date(0);
});
export const page = { firstResult: int.optional(), maxResults: int.max(1000).optional() };
export const id = (req: Request) => String(req.params.id);
export const userOf = (req: Request) => req.principal?.username ?? null;

export function noContent(res: Response): void {
  res.statusCode = 204;
  res.end();
}

export const wrap = (fn: (req: Request, res: Response) => Promise<void>): RequestHandler => (req, res, next: NextFunction) => { fn(req, res).catch(next); };
