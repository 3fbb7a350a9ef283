import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connect.js';
import { createAuditService } from './service.js';

/** `npm run audit:verify`: re-walks the hash chain; exit code 1 and the first broken link if any. */
const config = loadConfig();
const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
try {
  if (!(await db.knex.schema.hasTable('audit_chain_head'))) {
    console.error('No audit chain here: the database is not migrated (start the platform once with npm start).');
    process.exit(2);
  }
  const started = Date.now();
  const result = await createAuditService({ knex: db.knex }).verify({
    onProgress: (n) => { if (n % 100_000 === 0) process.stderr.write(`  checked ${n}\n`); },
  });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (result.ok) {
    console.log(`Audit chain intact: ${result.checked} records verified in ${secs} s.`);
  } else {
    const b = result.firstBroken!;
    console.log(`AUDIT CHAIN BROKEN at seq ${b.seq} (${b.reason}); ${result.checked} records before it are intact.`);
    if (b.expected) console.log(`  expected ${b.expected}\n  found    ${b.found}`);
    process.exitCode = 1;
  }
} finally {
  await db.close();
}
