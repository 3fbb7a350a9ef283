import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestPlatform, type TestPlatform } from '../helpers/platform.js';

/** A clock the test moves: the platform reads it for leases, backoff, warnings and the on-time share. */
export function testClock() {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms: number) { offset += ms; },
    set(to: Date) { offset = to.getTime() - Date.now(); },
  };
}

/** The platform listening on a port with its background services (the 2-working-hour check), on the given clock. */
export async function listen(env: Record<string, string>, now: () => Date): Promise<{ platform: TestPlatform; baseUrl: string; close(): Promise<void> }> {
  const platform = await createTestPlatform(env, { now });
  const server: Server = platform.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const b of platform.background) await b.start(baseUrl);
  return {
    platform, baseUrl,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await platform.close();
    },
  };
}
