import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { curveKeyPair, Dealer, Publisher, Router, Subscriber, type Socket } from 'zeromq';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authorizedKeys, bindAll, BusSecurity, connectTo, ensureBusKeys, registerZapDomain, zapCounts } from '../../engine/bus/security.ts';
import { encodeCommands } from '../../engine/protocol/codec.ts';
import { encodeRequests } from '../../engine/venue/protocol.ts';
import { record } from './helpers/figures.ts';
import { Api, orderFor, streamOrders } from './helpers/http.ts';
import { auditLog, decisionsPerOrder } from './helpers/log-checks.ts';
import { cleanupAll, freePortRun, requireFreshBuild, sleep, spawnOrdo, startHostProc, tempDir, until } from './helpers/procs.ts';

const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await cleanupAll();
});

const mode = (p: string) => statSync(p).mode & 0o777;

interface Attempt {
  received: number;
  authFailures: number;
  protocolFailures: number;
  handshakes: number;
}

/** Watches a socket's handshakes (zeromq's event observer). */
function watch(s: Socket, a: Attempt): void {
  sockets.push(s);
  void (async () => {
    try {
      for await (const e of s.events) {
        if (e.type === 'handshake') a.handshakes++;
        else if (e.type === 'handshake:error:auth') a.authFailures++;
        else if (e.type === 'handshake:error:protocol' || e.type === 'handshake:error:other') a.protocolFailures++;
      }
    } catch {
      // Closed.
    }
  })();
}

/** Client options of one attempt: none (plain), or a CURVE pair with the server's key. */
function asClient(s: Socket, keys: { publicKey: string; secretKey: string } | undefined, serverKey: string): void {
  if (!keys) return;
  const c = s as unknown as { curveServerKey: string; curvePublicKey: string; curveSecretKey: string };
  c.curveServerKey = serverKey;
  c.curvePublicKey = keys.publicKey;
  c.curveSecretKey = keys.secretKey;
}

/** Tries every stream of a host's bus from outside: sequence a command, read events, replay, fake a heartbeat, read admin, talk to the venue. */
function attack(port: number, keys: { publicKey: string; secretKey: string } | undefined, serverKey: string, tag: string): { a: Attempt; stop: () => void } {
  const a: Attempt = { received: 0, authFailures: 0, protocolFailures: 0, handshakes: 0 };
  const at = (i: number) => `tcp://127.0.0.1:${port + i}`;
  const count = (s: Dealer | Subscriber) =>
    void (async () => {
      try {
        for await (const _ of s) a.received++;
      } catch {
        // Closed.
      }
    })();
  const mk = <S extends Socket>(s: S, ep: number): S => {
    asClient(s, keys, serverKey);
    watch(s, a);
    (s as unknown as { connect(e: string): void }).connect(at(ep));
    return s;
  };
  const cmd = mk(new Dealer({ linger: 0, sendTimeout: 0 }), 0);
  const events = mk(new Subscriber({ linger: 0 }), 1);
  events.subscribe();
  const replay = mk(new Dealer({ linger: 0, sendTimeout: 0 }), 2);
  const hb = mk(new Publisher({ linger: 0 }), 3);
  const admin = mk(new Subscriber({ linger: 0 }), 4);
  admin.subscribe();
  const venue = mk(new Dealer({ linger: 0, sendTimeout: 0 }), 5);
  const md = mk(new Subscriber({ linger: 0 }), 6);
  md.subscribe();
  for (const s of [cmd, events, replay, admin, venue, md]) count(s);
  // 'host' is a trusted source: one of these getting through would close the session.
  const closeIt = encodeCommands('host', [{ cseq: 1_000_000, body: { type: 'CloseSession' } }]);
  const decide = encodeCommands('risk-1', [{ cseq: 1_000_000, body: { type: 'OrderRejected', orderId: 1, reason: 501, text: tag } }]);
  const status = encodeRequests([{ type: 'Status', orderIds: [1, 2, 3] }]);
  const fake = JSON.stringify({ id: `evil-${tag}`, role: 'risk', state: 'standby', session: 1, lastSeq: 0, sentMs: Date.now(), pid: 1 });
  const timer = setInterval(() => {
    // Sends on a socket with no connection either wait (DEALER, timeout 0 → EAGAIN) or are dropped (PUB): both fine here.
    cmd.send(closeIt).catch(() => undefined);
    cmd.send(decide).catch(() => undefined);
    replay.send(JSON.stringify({ id: 1, from: 1 })).catch(() => undefined);
    hb.send(fake).catch(() => undefined);
    venue.send(status).catch(() => undefined);
  }, 100);
  return { a, stop: () => clearInterval(timer) };
}

describe('bus security over tcp (CURVE + ZAP allow list)', () => {
  beforeAll(() => requireFreshBuild());

  it('a client without the install key gets nothing in and nothing out; `ordo component` with the keys works; keys are 0700/0600', async () => {
    const dataDir = join(tempDir(), 'data');
    const port = await freePortRun();
    const host = await startHostProc({ dataDir, busPort: port, venueTickMs: 100 });
    const api = new Api(host.port, host.token);
    const keysDir = join(dataDir, 'keys');
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(keysDir)).toBe(0o700);
    for (const f of ['server.key', 'server.pub', 'component.key', 'authorized-clients', '../api-token', '../ordo.db']) expect(mode(join(keysDir, f)), f).toBe(0o600);
    const serverKey = readFileSync(join(keysDir, 'server.pub'), 'utf8').trim();
    const component = JSON.parse(readFileSync(join(keysDir, 'component.key'), 'utf8')) as { publicKey: string; secretKey: string };

    const before = await api.lastSeq();
    const plain = attack(port, undefined, serverKey, 'plain');
    const stranger = attack(port, curveKeyPair(), serverKey, 'stranger');
    // Positive control: the same kind of socket with the install's component key does receive events.
    const control: Attempt = { received: 0, authFailures: 0, protocolFailures: 0, handshakes: 0 };
    const good = new Subscriber({ linger: 0 });
    asClient(good, component, serverKey);
    watch(good, control);
    good.connect(`tcp://127.0.0.1:${port + 1}`);
    good.subscribe();
    void (async () => {
      try {
        for await (const _ of good) control.received++;
      } catch {
        // Closed.
      }
    })();
    let stop = false;
    const s = streamOrders(api, 'sec', 2, () => stop);
    await sleep(2000);
    stop = true;
    await s.done;
    plain.stop();
    stranger.stop();
    await sleep(300);

    expect(control.handshakes).toBeGreaterThan(0);
    expect(control.received).toBeGreaterThan(0);
    expect(plain.a.received).toBe(0);
    expect(plain.a.handshakes).toBe(0);
    expect(stranger.a.received).toBe(0);
    expect(stranger.a.handshakes).toBe(0);
    expect(stranger.a.authFailures).toBeGreaterThan(0); // the ZAP handler said no
    const state = await api.state();
    expect(state.session.state).toBe('open');
    expect(state.components.map((c) => c.id).filter((id) => id.startsWith('evil-'))).toEqual([]);
    const audit = auditLog(dataDir);
    const events = audit.events.get(1)!;
    expect(events.filter((e) => e.cseq === 1_000_000)).toEqual([]);
    expect(events.filter((e) => e.event.type === 'SessionClosing')).toEqual([]);
    expect(events.filter((e) => e.seq > before && e.src === 'host')).toEqual([]); // nothing in the trusted source's name

    // `ordo component` with the install's keys joins, stands by, and decides orders once activated.
    const risk2 = spawnOrdo(['component', 'risk', '--connect', `127.0.0.1:${port}`, '--id', 'risk-2', '--data-dir', dataDir]);
    await risk2.waitFor(/caught up at seq \d+, standby/);
    await until(async () => (await api.state()).components.some((c) => c.id === 'risk-2'), 'the host to hear risk-2');
    expect((await api.call('POST', '/api/components/risk-2/activate')).status).toBe(200);
    await until(async () => (await api.state()).components.some((c) => c.id === 'risk-2' && c.state === 'active'), 'risk-2 active');
    const r = await api.call('POST', '/api/orders', orderFor('sec-after', 1));
    expect(r.status).toBe(200);
    const orderId = (r.json as { orderId: number }).orderId;
    await until(() => auditLog(dataDir).events.get(1)!.some((e) => e.src === 'risk-2' && 'orderId' in e.event && e.event.orderId === orderId), 'risk-2 to decide the order');
    expect(decisionsPerOrder(auditLog(dataDir).events.get(1)!).get(orderId)).toBe(1);

    // A component with another install's keys is refused: it never catches up and is never heard.
    const otherDir = join(tempDir(), 'other');
    ensureBusKeys(join(otherDir, 'keys'));
    // Same server key as this host (as if copied), but its own client pair, which this host's allow list does not hold.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(otherDir, 'keys', 'server.pub'), serverKey + '\n');
    const intruder = spawnOrdo(['component', 'risk', '--connect', `127.0.0.1:${port}`, '--id', 'risk-9', '--data-dir', otherDir]);
    await sleep(2500);
    expect(intruder.stdout()).not.toMatch(/caught up/);
    expect((await api.state()).components.some((c) => c.id === 'risk-9')).toBe(false);
    await intruder.kill9();
    await risk2.stop();

    record('bus-security', {
      plainClient: { received: plain.a.received, handshakes: plain.a.handshakes, protocolFailures: plain.a.protocolFailures },
      unknownKey: { received: stranger.a.received, handshakes: stranger.a.handshakes, authFailures: stranger.a.authFailures },
      keyedControl: { received: control.received, handshakes: control.handshakes },
      ordersStreamed: s.sent(),
    });
  }, 60_000);
});

describe('ZAP handler (in process)', () => {
  it('lets in listed keys only, reads the allow list afresh, and leaves inproc untouched', async () => {
    const keysDir = join(tempDir(), 'keys');
    const { server, component, paths } = ensureBusKeys(keysDir);
    const port = await freePortRun(1);
    const tcp = `tcp://127.0.0.1:${port}`;
    const inproc = `inproc://zap-test-${port}`;
    const unregister = await registerZapDomain(`test-${port}`, (key) => authorizedKeys(keysDir).has(key));
    const security = new BusSecurity();
    const forgetServer = security.secureServerEndpoints([tcp], { secretKey: server.secretKey, zapDomain: `test-${port}` });
    const router = new Router({ linger: 0 });
    sockets.push(router);
    await bindAll(router, [inproc, tcp], security);
    const got: string[] = [];
    void (async () => {
      try {
        for await (const [, m] of router) got.push(m!.toString());
      } catch {
        // Closed.
      }
    })();
    const send = (name: string, ep: string, keys?: { publicKey: string; secretKey: string }) => {
      const d = new Dealer({ linger: 0 });
      sockets.push(d);
      if (keys) {
        const client = new BusSecurity();
        client.secureClientEndpoints([ep], { serverPublicKey: server.publicKey, ...keys });
        connectTo(d, ep, client);
      } else connectTo(d, ep);
      void d.send(name).catch(() => undefined);
    };
    send('inproc-plain', inproc);
    send('tcp-plain', tcp);
    send('tcp-listed', tcp, component);
    send('tcp-unlisted', tcp, curveKeyPair());
    await until(() => got.includes('tcp-listed') && got.includes('inproc-plain'), 'the allowed clients');
    await sleep(300);
    expect(got.sort()).toEqual(['inproc-plain', 'tcp-listed']);
    // Take the component key off the list: the next connection with it is refused.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(paths.authorized, '# nobody\n');
    send('tcp-revoked', tcp, component);
    await sleep(500);
    expect(got).not.toContain('tcp-revoked');
    const counts = await zapCounts();
    expect(counts!.denied).toBeGreaterThanOrEqual(2);
    expect(counts!.allowed).toBeGreaterThanOrEqual(1);
    for (const s of sockets.splice(0)) s.close();
    forgetServer();
    await unregister();
  });
});
