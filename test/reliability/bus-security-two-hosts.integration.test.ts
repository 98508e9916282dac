import { join } from 'node:path';
import { Subscriber } from 'zeromq';
import { afterEach, describe, expect, it } from 'vitest';
import { BusSecurity, loadClientKeys } from '../../engine/bus/security.ts';
import { startHost, type Host } from '../../engine/host/host.ts';
import type { VenuePeer } from '../../engine/venue/venue.ts';
import type { VenueRequest } from '../../engine/venue/protocol.ts';
import { Api, orderFor } from './helpers/http.ts';
import { cleanupAll, freePortRun, sleep, tempDir, until } from './helpers/procs.ts';

const hosts: Host[] = [];
const subs: Subscriber[] = [];
afterEach(async () => {
  for (const s of subs.splice(0)) s.close();
  for (const h of hosts.splice(0)) await h.close();
  await cleanupAll();
});

interface Seen {
  received: number;
  handshakes: number;
  authFailures: number;
}

/** A SUB on `endpoint` connected through `security`, counting frames and handshakes. */
function listen(security: BusSecurity, endpoint: string): Seen {
  const seen: Seen = { received: 0, handshakes: 0, authFailures: 0 };
  const sub = new Subscriber({ linger: 0 });
  subs.push(sub);
  void (async () => {
    try {
      for await (const e of sub.events) {
        if (e.type === 'handshake') seen.handshakes++;
        else if (e.type === 'handshake:error:auth') seen.authFailures++;
      }
    } catch {
      // Closed.
    }
  })();
  security.connectTo(sub, endpoint);
  sub.subscribe();
  void (async () => {
    try {
      for await (const _ of sub) seen.received++;
    } catch {
      // Closed.
    }
  })();
  return seen;
}

describe('BusSecurity: one per host (decision 063)', () => {
  it('two hosts in one process run on their own keys; a client keyed for one host is refused by the other', async () => {
    const dirs = [join(tempDir(), 'a'), join(tempDir(), 'b')];
    const ports = [await freePortRun(), 0];
    do ports[1] = await freePortRun();
    while (Math.abs(ports[1] - ports[0]!) < 7);
    for (let i = 0; i < 2; i++) hosts.push(await startHost({ dataDir: dirs[i]!, port: 0, busPort: ports[i]!, venueTickMs: 100, venueIn: 'host' }));
    const keys = dirs.map((d) => loadClientKeys(join(d, 'keys')));
    expect(keys[0]!.serverPublicKey).not.toBe(keys[1]!.serverPublicKey);
    expect(keys[0]!.client.publicKey).not.toBe(keys[1]!.client.publicKey);

    // Each host's gateway reaches its own venue over tcp with its own host's keys.
    const venueOrders = hosts.map((h) => {
      const n = { count: 0 };
      const exchange = h.localVenue!.exchange;
      const handle = exchange.handle.bind(exchange);
      exchange.handle = (peer: VenuePeer, msg: VenueRequest) => {
        if (msg.type === 'NewOrder') n.count++;
        handle(peer, msg);
      };
      return n;
    });

    // Two client keyrings in this one process, each naming BOTH hosts' event endpoints with its own
    // client pair (and the right server key, which is public): the same endpoint string carries
    // different keys in each (a process-wide keyring could hold only one).
    const events = ports.map((p) => `tcp://127.0.0.1:${p! + 1}`);
    const securities = keys.map((k) => {
      const s = new BusSecurity();
      for (let h = 0; h < 2; h++) s.secureClientEndpoints([events[h]!], { serverPublicKey: keys[h]!.serverPublicKey, ...k.client });
      return s;
    });
    const seen = [0, 1].map((client) => [0, 1].map((host) => listen(securities[client]!, events[host]!)));

    const apis = hosts.map((h) => new Api(h.port, h.token));
    for (let i = 0; i < 2; i++) {
      for (let n = 1; n <= 3; n++) expect((await apis[i]!.call('POST', '/api/orders', orderFor(`two-${i}`, n))).status).toBe(200);
    }
    await until(() => venueOrders.every((v) => v.count > 0), 'both venues to get orders from their own gateway', 20_000);
    // Events go on flowing (venue fills, market data driven); keep posting until the allowed clients heard some.
    await until(
      async () => {
        for (let i = 0; i < 2; i++) await apis[i]!.call('POST', '/api/orders', orderFor(`more-${i}`, 1));
        return seen[0]![0]!.received > 0 && seen[1]![1]!.received > 0;
      },
      'each host\'s keyed client to receive its events',
      20_000,
      200,
    );
    await until(() => seen[0]![1]!.authFailures > 0 && seen[1]![0]!.authFailures > 0, 'the cross-keyed clients to be refused');
    await sleep(300);
    for (let i = 0; i < 2; i++) {
      expect(seen[i]![i]!.handshakes, `client ${i} on its own host`).toBeGreaterThan(0);
      const other = seen[i]![1 - i]!;
      expect(other.received, `client ${i} on the other host`).toBe(0);
      expect(other.handshakes, `client ${i} on the other host`).toBe(0);
    }
  }, 60_000);
});
