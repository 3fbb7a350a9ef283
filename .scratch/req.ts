import fs from 'node:fs';
import { ADMIN, childDatabase, startServer, stopServer, http } from '../test/engine/cluster-helpers.js';
const cpu = (pid: number) => { const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" "); if (process.env.SYS) return Number(f[12]) / 100; return (Number(f[11]) + Number(f[12])) / 100; };
const db = await childDatabase();
const child = await startServer(db, 'req');
const N = Number(process.env.N ?? 3000);
const ALLR = [['GET /version', 'GET', '/version'], ['GET /task?processInstanceId', 'GET', '/task?processInstanceId=6f1c1c1e-0000-4000-8000-000000000000'], ['POST /message (404 path? no: bad body 400)', 'POST', '/task/6f1c1c1e-0000-4000-8000-000000000000/complete', {}]] as Array<[string, string, string, unknown]>;
for (const [name, method, url, body] of ALLR.filter((_, k) => !process.env.ONLY || String(k) === process.env.ONLY)) {
  let i = 0;
  const go = async () => { while (i++ < 300) await http(child.base, method, url, body, ADMIN); };
  await Promise.all(Array.from({ length: 24 }, go));
  i = 0;
  const c0 = cpu(child.proc.pid!); const t0 = performance.now();
  const go2 = async () => { while (i++ < N) await http(child.base, method, url, body, ADMIN); };
  await Promise.all(Array.from({ length: 24 }, go2));
  console.log(name, ((cpu(child.proc.pid!) - c0) * 1000 / N).toFixed(3), 'ms CPU/request', (N / ((performance.now() - t0) / 1000)).toFixed(0), 'req/s');
}
await stopServer(child); await db.close();
process.exit(0);
