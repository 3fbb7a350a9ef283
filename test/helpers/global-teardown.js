import fs from 'node:fs';

export default async function globalTeardown() {
  const file = process.env.TTHC_PGLITE_TEMPLATE;
  if (file) fs.rmSync(file, { force: true });
}
