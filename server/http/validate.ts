import type { Request } from 'express';
import type { z } from 'zod';
import { fromZodError } from './errors.js';

/** Parse or throw a 400 that names the field. Use `.strict()` schemas to refuse unknown fields. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw fromZodError(r.error, where);
  return r.data;
}

export const parseBody = <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.body ?? {}, 'body');
export const parseQuery = <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.query, 'query');
export const parseParams = <S extends z.ZodType>(schema: S, req: Request) => parse(schema, req.params, 'params');
