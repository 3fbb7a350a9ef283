import type { Test } from 'supertest';

/**
 * A refusal carries its key and reads in Vietnamese by default and in English when the request asks
 * for it (issue #16): `call` is made twice, once with `Accept-Language: en`.
 */
export async function expectKeyedRefusal(call: () => Test, status: number, key: string, vi: string | RegExp, en: string | RegExp): Promise<void> {
  const inVi = await call().expect(status);
  expect(inVi.body.key).toBe(key);
  expect(inVi.body.message).toMatch(vi);
  expect(inVi.body.message).not.toMatch(/ \/ [a-z]/);
  const inEn = await call().set('Accept-Language', 'en').expect(status);
  expect(inEn.body).toMatchObject({ key, type: inVi.body.type });
  expect(inEn.body.message).toMatch(en);
}
