import type { Response } from 'supertest';
import type { TestPlatform } from '../helpers/platform.js';

/** Seed procedures (processes/catalog.json), looked up by code. */
export async function procedureId(platform: TestPlatform, code: string): Promise<string> {
  const r = await platform.db.knex('procedure').where({ code }).first('id');
  if (!r) throw new Error(`no seed procedure ${code}`);
  return r.id as string;
}

export const APPLICANT = {
  fullName: 'Nguyễn Thị Ánh Dương', idNumber: '079190001234', address: 'Thôn 2, xã Phú Long', phone: '0912345678', email: 'duong@example.vn',
};

/** Birth registration (1.001193): both required components. */
export const BIRTH_COMPONENTS = [
  { name: 'Tờ khai đăng ký khai sinh', quantity: 1 },
  { name: 'Giấy chứng sinh', quantity: 1 },
];

export { pdfText } from '../helpers/pdf-text.js';

/** supertest parser that keeps a binary body (PDF, DOCX) as a Buffer. */
export const binaryParser = (res: Response, cb: (err: Error | null, body: Buffer) => void): void => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
};
