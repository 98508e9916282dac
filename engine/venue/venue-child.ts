/**
 * The simulated venue's own process (decision 279): forked by the host
 * (venue-process.ts), told what to run by one `start` message over the IPC
 * channel, then serves gateways and market data on its sockets exactly as
 * the in-host venue does. It ends when the host says `close`, and on its own
 * when the IPC channel is lost (the host is gone, however it ended): no
 * orphan outlives its host.
 */
import { rmSync } from 'node:fs';
import { authorizedKeys, BusSecurity, ensureBusKeys, registerZapDomain } from '../bus/security.ts';
import { endWithHost } from '../host/host-child.ts';
import { startVenue, type Venue, type VenueInstrument } from './venue.ts';

/** The host's first message. */
export interface VenueChildStart {
  readonly t: 'start';
  readonly router: string;
  readonly marketData: string;
  readonly instruments: readonly VenueInstrument[];
  readonly seed: number;
  readonly tickMs: number;
  readonly execIdBase: number;
  /** With a bus port: tcp endpoints too, CURVE servers checked against the install's keys (decision 050). */
  readonly tcp?: { readonly router: string; readonly marketData: string; readonly keysDir: string; readonly zapDomain: string };
}

/** Calls the host makes after the start; each answered by a `reply` with its id. */
export type VenueChildCall =
  | { readonly t: 'step'; readonly n: number }
  | { readonly t: 'call'; readonly id: number; readonly op: 'status'; readonly orderId: number }
  | { readonly t: 'call'; readonly id: number; readonly op: 'stats' | 'expireDayOrders' | 'flushed' }
  | { readonly t: 'call'; readonly id: number; readonly op: 'expireGtdOrders'; readonly nowUs?: number }
  | { readonly t: 'close' };

export type VenueChildMessage =
  | { readonly t: 'ready'; readonly router: string; readonly marketData: string }
  | { readonly t: 'failed'; readonly text: string }
  | { readonly t: 'reply'; readonly id: number; readonly value?: unknown; readonly error?: string };

function send(m: VenueChildMessage): void {
  process.send?.(m);
}

let venue: Venue | undefined;
let stopping: Promise<void> | undefined;
const cleanup: (() => unknown)[] = [];

function stop(code: number): Promise<void> {
  return (stopping ??= (async () => {
    try {
      await venue?.close();
      for (const c of cleanup.reverse()) await c();
    } finally {
      process.exit(code);
    }
  })());
}

async function start(m: VenueChildStart): Promise<void> {
  let security: BusSecurity | undefined;
  if (m.tcp) {
    const keys = ensureBusKeys(m.tcp.keysDir);
    cleanup.push(await registerZapDomain(m.tcp.zapDomain, (key) => authorizedKeys(m.tcp!.keysDir).has(key)));
    security = new BusSecurity();
    // One socket is CURVE on all its endpoints: the host's own gateway reaches the ipc endpoint as a CURVE client too.
    security.secureServerEndpoints([m.tcp.router, m.tcp.marketData, m.router, m.marketData], { secretKey: keys.server.secretKey, zapDomain: m.tcp.zapDomain });
  }
  venue = await startVenue({
    routerEndpoint: m.router,
    marketDataEndpoint: m.marketData,
    ...(m.tcp ? { moreRouterEndpoints: [m.tcp.router], moreMarketDataEndpoints: [m.tcp.marketData] } : {}),
    instruments: m.instruments,
    seed: m.seed,
    tickMs: m.tickMs,
    execIdBase: m.execIdBase,
    ...(security ? { security } : {}),
  });
  // With a moving market, the books are quoted before the host hears `ready` (a started-again venue too): a market
  // order that arrives before the first tick would otherwise meet an empty book and expire. A still market
  // (tickMs 0) is left to `step` as before.
  if (m.tickMs > 0) venue.step();
  send({ t: 'ready', router: venue.routerEndpoint, marketData: venue.marketDataEndpoint });
}

async function answer(v: Venue, m: Extract<VenueChildCall, { t: 'call' }>): Promise<unknown> {
  switch (m.op) {
    case 'status':
      return v.exchange.status(m.orderId);
    case 'stats':
      return v.stats();
    case 'expireDayOrders':
      return v.expireDayOrders();
    case 'expireGtdOrders':
      return v.expireGtdOrders(m.nowUs);
    case 'flushed':
      return v.flushed();
  }
}

process.on('message', (raw: unknown) => {
  const m = raw as VenueChildStart | VenueChildCall;
  if (m.t === 'start') {
    start(m).catch((err: unknown) => {
      send({ t: 'failed', text: (err as Error).message ?? String(err) });
      void stop(1);
    });
    return;
  }
  if (m.t === 'close') {
    void stop(0);
    return;
  }
  const v = venue;
  if (v === undefined) {
    if (m.t === 'call') send({ t: 'reply', id: m.id, error: 'the venue is not started' });
    return;
  }
  if (m.t === 'step') {
    v.step(m.n);
    return;
  }
  answer(v, m).then(
    (value) => send({ t: 'reply', id: m.id, value }),
    (err: unknown) => send({ t: 'reply', id: m.id, error: (err as Error).message ?? String(err) }),
  );
});
/** The host's private folder of this venue's ipc sockets (argv[2]): removed here when the host could not. */
const socketDir = process.argv[2];

// The host is gone (its end closes the channel, whatever killed it): stop with it, and take its socket folder along.
endWithHost(() => {
  if (socketDir !== undefined && /ordo-venue-/.test(socketDir)) cleanup.push(() => rmSync(socketDir, { recursive: true, force: true }));
  void stop(0);
});
