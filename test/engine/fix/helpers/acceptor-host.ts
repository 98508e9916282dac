import { afterAll, beforeAll } from 'vitest';
import { startTestHost } from '../../helpers/host.ts';
import type { RawFixPeer } from './raw-fix.ts';

export type FixTestHost = Awaited<ReturnType<typeof startTestHost>>;

/**
 * A test file's host with a FIX acceptor on a free port: started before its tests (`ready` gets the host and the
 * port), and after them the file's raw peers closed, then the host.
 */
export function withFixAcceptorHost(peers: RawFixPeer[], ready: (host: FixTestHost, port: number) => void): void {
  let host: FixTestHost | undefined;
  beforeAll(async () => {
    host = await startTestHost({ fixPort: 0 });
    ready(host, await host.fix!.whenListening());
  });
  afterAll(async () => {
    for (const p of peers) p.close();
    await host?.dispose();
  });
}
