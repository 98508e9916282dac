/**
 * What the two bus hops of a command cost between two processes, without a sequencer or a log: a child sends
 * small messages on a DEALER (as CommandClient: SendQueue, SNDHWM 0, linger 0) at a fixed rate to this
 * process's ROUTER; each one is published back at once on a PUB (as the sequencer: SendQueue, HWM 100,000,
 * sendTimeout 0), and the child's SUB takes it. Rate 0 is a closed loop instead (one message in flight; 2,000
 * then 20,000 measured): system calls and CPU per round trip with no batching at all. Prints the round trip from each message's due time (p50, p99,
 * p99.9), and each process's CPU (user + system) per message, so transports and socket options can be set
 * side by side (run it under `perf stat -e raw_syscalls:sys_enter` for system calls per message).
 *
 *   node dist/bench/bus-hops.js [ipc|tcp|curve] [rate] [seconds] [--dealer-timeout0] [--bytes N]
 *
 * ipc: ipc:// sockets in a temp folder (the two-process bench's transport); tcp: tcp://127.0.0.1 without
 * security; curve: tcp://127.0.0.1 with the product's CURVE keys and ZAP check (BusSecurity, as `ordo host
 * --bus-port` and `ordo component`); uds: no ZeroMQ at all, one Unix stream socket (node:net, length-prefixed
 * messages, written once a timer turn): what a same-machine link read and written by the event loops themselves,
 * without ZeroMQ's I/O threads, would cost (a comparison, not a product path). --dealer-timeout0 sets the DEALER's sendTimeout to 0 (the command
 * client since decision 257; without it the client as before). --bytes N makes each message N bytes (default 8;
 * a frame of the sequencer's is ~50 bytes an event, up to 4,096 events).
 */
import { execFile } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Dealer, Publisher, Router, Subscriber } from 'zeromq';
import { authorizedKeys, BusSecurity, ensureBusKeys, loadClientKeys, registerZapDomain } from '../engine/bus/security.ts';
import { SendQueue } from '../engine/bus/send-queue.ts';
import { runMain, tempFolder } from './util.ts';

/** The value at fraction `q` of sorted `xs`. */
function percentile(xs: readonly number[], q: number): number {
  return xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
}

const run = promisify(execFile);

/** Rate 0: a closed loop (one message in flight, the next sent when its echo comes), these many after these many. */
const CLOSED_WARM = 2_000;
const CLOSED_MEASURED = 20_000;
const SELF = fileURLToPath(import.meta.url);

type Transport = 'ipc' | 'tcp' | 'curve' | 'uds';

interface ChildResult {
  readonly latencyMs: { p50: number; p99: number; p999: number; max: number };
  readonly received: number;
  readonly cpuMs: number;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The child: sends `rate` messages a second for `seconds` (after a second of warm-up), times each round trip. */
async function child(commands: string, events: string, keysDir: string, rate: number, seconds: number, timeout0: boolean, bytes: number): Promise<void> {
  const security = new BusSecurity();
  if (keysDir !== '-') {
    const keys = loadClientKeys(keysDir);
    security.secureClientEndpoints([commands, events], { serverPublicKey: keys.serverPublicKey, ...keys.client });
  }
  const dealer = new Dealer();
  dealer.linger = 0;
  dealer.sendHighWaterMark = 0;
  if (timeout0) dealer.sendTimeout = 0;
  security.connectTo(dealer, commands);
  const sub = new Subscriber();
  sub.linger = 0;
  security.connectTo(sub, events);
  sub.subscribe();
  const out = new SendQueue(dealer);
  const closed = rate === 0;
  const warm = closed ? CLOSED_WARM : rate;
  const total = closed ? CLOSED_WARM + CLOSED_MEASURED : warm + rate * seconds;
  const due = new Float64Array(total);
  const lat = new Float64Array(total);
  let received = 0;
  let cpuAtWarm = 0;
  const start = performance.now() + 200;
  const sendNow = (i: number) => {
    const b = Buffer.alloc(bytes);
    b.writeUInt32LE(i, 0);
    due[i] = performance.now();
    out.push(b);
  };
  const receiving = (async () => {
    for await (const [msg] of sub) {
      const i = msg!.readUInt32LE(0);
      if (i === 0xffffffff) continue;
      lat[i] = performance.now() - due[i]!;
      received++;
      if (i === warm) cpuAtWarm = cpuMs();
      if (received === total) break;
      if (closed) sendNow(i + 1);
    }
  })();
  // Waits for the link (a subscription takes a moment): probes until one comes back.
  const probe = Buffer.alloc(8);
  probe.writeUInt32LE(0xffffffff, 0);
  let sent = 0;
  const sender = setInterval(() => {
    const now = performance.now();
    if (now < start) {
      out.push(probe);
      return;
    }
    if (closed) {
      clearInterval(sender);
      sendNow(0);
      return;
    }
    const upTo = Math.min(total, Math.floor(((now - start) * rate) / 1000) + 1);
    while (sent < upTo) {
      const b = Buffer.alloc(bytes);
      b.writeUInt32LE(sent, 0);
      due[sent] = start + (sent * 1000) / rate;
      out.push(b);
      sent++;
    }
    if (sent >= total) clearInterval(sender);
  }, 0);
  await receiving;
  const cpu = cpuMs() - cpuAtWarm;
  const measured = Array.from(lat.subarray(warm)).sort((a, b) => a - b);
  const result: ChildResult = {
    latencyMs: { p50: percentile(measured, 0.5), p99: percentile(measured, 0.99), p999: percentile(measured, 0.999), max: measured[measured.length - 1]! },
    received: total - warm,
    cpuMs: cpu,
  };
  dealer.close();
  sub.close();
  await new Promise<void>((done) => process.stdout.write(JSON.stringify(result) + '\n', () => done()));
}


/** A length-prefixed stream over node:net: calls `onMessage` with each whole message. */
function framed(socket: Socket, onMessage: (msg: Buffer) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (pending.length - at >= 4) {
      const len = pending.readUInt32LE(at);
      if (pending.length - at - 4 < len) break;
      onMessage(pending.subarray(at + 4, at + 4 + len));
      at += 4 + len;
    }
    pending = pending.subarray(at);
  });
}

function writeFramed(socket: Socket, msg: Buffer): void {
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32LE(msg.length, 0);
  socket.write(head);
  socket.write(msg);
}

async function udsChild(path: string, rate: number, seconds: number, bytes: number): Promise<void> {
  const socket = connect(path);
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.setNoDelay?.(true);
  const closed = rate === 0;
  const warm = closed ? CLOSED_WARM : rate;
  const total = closed ? CLOSED_WARM + CLOSED_MEASURED : warm + rate * seconds;
  const due = new Float64Array(total);
  const lat = new Float64Array(total);
  let received = 0;
  let cpuAtWarm = 0;
  const start = performance.now() + 200;
  const sendNow = (i: number) => {
    const b = Buffer.alloc(bytes);
    b.writeUInt32LE(i, 0);
    due[i] = performance.now();
    writeFramed(socket, b);
  };
  const done = new Promise<void>((finish) =>
    framed(socket, (msg) => {
      const i = msg.readUInt32LE(0);
      lat[i] = performance.now() - due[i]!;
      received++;
      if (i === warm) cpuAtWarm = cpuMs();
      if (received === total) finish();
      else if (closed) sendNow(i + 1);
    }),
  );
  let sent = 0;
  const sender = setInterval(() => {
    const now = performance.now();
    if (now < start) return;
    if (closed) {
      clearInterval(sender);
      sendNow(0);
      return;
    }
    const upTo = Math.min(total, Math.floor(((now - start) * rate) / 1000) + 1);
    socket.cork();
    while (sent < upTo) {
      const b = Buffer.alloc(bytes);
      b.writeUInt32LE(sent, 0);
      due[sent] = start + (sent * 1000) / rate;
      writeFramed(socket, b);
      sent++;
    }
    socket.uncork();
    if (sent >= total) clearInterval(sender);
  }, 0);
  await done;
  const cpu = cpuMs() - cpuAtWarm;
  const measured = Array.from(lat.subarray(warm)).sort((a, b) => a - b);
  const result: ChildResult = {
    latencyMs: { p50: percentile(measured, 0.5), p99: percentile(measured, 0.99), p999: percentile(measured, 0.999), max: measured[measured.length - 1]! },
    received: total - warm,
    cpuMs: cpu,
  };
  socket.destroy();
  await new Promise<void>((r) => process.stdout.write(JSON.stringify(result) + '\n', () => r()));
}

async function udsParent(path: string, rate: number, seconds: number, bytes: number): Promise<{ stdout: string; messages: number; cpuMs: number }> {
  let messages = 0;
  let cpuAtStart = 0;
  const server = createServer((socket) => {
    framed(socket, (msg) => {
      if (messages++ === 0) cpuAtStart = cpuMs();
      // Echoed in the same turn as it came (as the sequencer publishes in its flush): one write per data event.
      writeFramed(socket, Buffer.from(msg));
    });
  });
  await new Promise<void>((r) => server.listen(path, () => r()));
  const { stdout } = await run(process.execPath, [SELF, 'uds-child', path, String(rate), String(seconds), String(bytes)], { maxBuffer: 1 << 24 });
  const cpu = cpuMs() - cpuAtStart;
  server.close();
  return { stdout, messages, cpuMs: cpu };
}

async function parent(transport: Transport, rate: number, seconds: number, timeout0: boolean, bytes: number): Promise<void> {
  const folder = tempFolder('bus-hops');
  if (transport === 'uds') {
    const r = await udsParent(join(folder.dir, 'link'), rate, seconds, bytes);
    folder.dispose();
    report(transport, rate, seconds, timeout0, bytes, r.stdout, r.messages, r.cpuMs);
    return;
  }
  const port = 20000 + (process.pid % 20000);
  const commands = transport === 'ipc' ? `ipc://${join(folder.dir, 'commands')}` : `tcp://127.0.0.1:${port}`;
  const events = transport === 'ipc' ? `ipc://${join(folder.dir, 'events')}` : `tcp://127.0.0.1:${port + 1}`;
  const security = new BusSecurity();
  const cleanup: (() => unknown)[] = [];
  let keysDir = '-';
  if (transport === 'curve') {
    keysDir = join(folder.dir, 'keys');
    const keys = ensureBusKeys(keysDir);
    const zapDomain = `bus-hops-${process.pid}`;
    cleanup.push(await registerZapDomain(zapDomain, (key) => authorizedKeys(keysDir).has(key)));
    cleanup.push(security.secureServerEndpoints([commands, events], { secretKey: keys.server.secretKey, zapDomain }));
  }
  const router = new Router();
  router.linger = 0;
  const pub = new Publisher();
  pub.linger = 0;
  pub.sendHighWaterMark = 100_000;
  await security.bindAll(router, [commands]);
  await security.bindAll(pub, [events]);
  const pubOut = new SendQueue(pub);
  let echoed = 0;
  let cpuAtStart = 0;
  const echo = (async () => {
    try {
      for await (const msg of router) {
        if (echoed++ === 0) cpuAtStart = cpuMs();
        pubOut.push(msg[1]!);
      }
    } catch {
      // Closed.
    }
  })();
  const { stdout } = await run(process.execPath, [SELF, 'child', commands, events, keysDir, String(rate), String(seconds), timeout0 ? '1' : '0', String(bytes)], { maxBuffer: 1 << 24 });
  const parentCpu = cpuMs() - cpuAtStart;
  router.close();
  pub.close();
  await echo;
  for (const c of cleanup.reverse()) await c();
  folder.dispose();
  report(transport, rate, seconds, timeout0, bytes, stdout, echoed, parentCpu);
}

function report(transport: Transport, rate: number, seconds: number, timeout0: boolean, bytes: number, stdout: string, messages: number, parentCpu: number): void {
  const c = JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult;
  console.log(
    JSON.stringify({
      transport,
      rate,
      seconds,
      dealerTimeout0: timeout0,
      bytes,
      latencyMs: c.latencyMs,
      messages,
      // The child's CPU is from the end of its warm-up; the parent's from its first message (warm-up included).
      childCpuUsPerMessage: Math.round((c.cpuMs * 1000 * 100) / c.received) / 100,
      parentCpuUsPerMessage: Math.round((parentCpu * 1000 * 100) / messages) / 100,
    }),
  );
}

runMain(async () => {
  const args = process.argv.slice(2);
  if (args[0] === 'uds-child') {
    await udsChild(args[1]!, Number(args[2]), Number(args[3]), Number(args[4]));
    return;
  }
  if (args[0] === 'child') {
    await child(args[1]!, args[2]!, args[3]!, Number(args[4]), Number(args[5]), args[6] === '1', Number(args[7]));
    return;
  }
  const bytesAt = args.indexOf('--bytes');
  const bytes = bytesAt >= 0 ? Number(args[bytesAt + 1]) : 8;
  if (!Number.isInteger(bytes) || bytes < 8) throw new Error('--bytes must be an integer of at least 8');
  const rest = bytesAt >= 0 ? [...args.slice(0, bytesAt), ...args.slice(bytesAt + 2)] : args;
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const pos = rest.filter((a) => !a.startsWith('--'));
  const transport = (pos[0] ?? 'ipc') as Transport;
  if (!['ipc', 'tcp', 'curve', 'uds'].includes(transport)) throw new Error(`transport must be ipc, tcp, curve or uds, got ${transport}`);
  await parent(transport, Number(pos[1] ?? 10_000), Number(pos[2] ?? 5), flags.has('--dealer-timeout0'), bytes);
});
