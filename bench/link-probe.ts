/**
 * The two-process latency scenario (bench/sequencer.ts sequencerLatency 'two-processes': the four components and
 * the subscriber in a child process, the sequencer with its log in this one) over two links side by side:
 *
 *   zmq: as the bench, ZeroMQ over ipc:// (DEALER -> ROUTER for commands, PUB -> SUB for frames);
 *   uds: one node:net Unix stream socket between the two event loops, no ZeroMQ: commands in, refusals and
 *        every stored frame and head beacon out (Sequencer.localPort, onStoredFrames, onHeadBeacon; the
 *        child's EventStream is fed with offerLocal and catches up from the replay service over ipc:// as
 *        before).
 *
 * Prints latency from due time and both processes' CPU per command (this one by process.cpuUsage, the child's
 * from /proc/self/stat once it is reaped). A measurement of what a same-machine link without ZeroMQ's I/O
 * threads would give the scenario (decision 257), not a product path: the uds side decodes each command batch to
 * find its sender and localPort encodes and decodes it again (a few µs a batch more than a real link would).
 *
 *   node --expose-gc dist/bench/link-probe.js zmq|uds [seconds] [rate]
 *   node --expose-gc dist/bench/link-probe.js zmq|uds throughput   (the sequencer scenario: 1 M events after 200 k, batch 512, window 16,384)
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { connect, createServer, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CommandPort, CommandReply } from '../engine/bus/command-client.ts';
import type { BusEndpoints } from '../engine/bus/endpoints.ts';
import { EventStream } from '../engine/bus/event-stream.ts';
import { decodeCommands, encodeCommands } from '../engine/protocol/codec.ts';
import { startSequencerHost } from './backbone.ts';
import { driveLatency, driveThroughput, sendersListener, type LatencyResult, type Senders, type ThroughputResult } from './drive.ts';
import { SENDER_ROLES } from './roles.ts';
import { sequencerLatency, sequencerThroughput } from './sequencer.ts';
import { runMain } from './util.ts';

const run = promisify(execFile);
const SELF = fileURLToPath(import.meta.url);

const COMMANDS = 1;
const FRAME = 2;
const REPLY = 3;

/**
 * Reads [u32 LE length][u8 kind][payload] messages off a stream. Chunks are kept as they come and joined only
 * once a whole message is there (a frame of thousands of events spans many chunks).
 */
function readMessages(socket: Socket, onMessage: (kind: number, payload: Buffer) => void): void {
  let chunks: Buffer[] = [];
  let total = 0;
  let need = 5;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    total += chunk.length;
    if (total < need) return;
    let buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
    let at = 0;
    for (;;) {
      if (buf.length - at < 5) {
        need = 5;
        break;
      }
      const len = buf.readUInt32LE(at);
      if (buf.length - at - 5 < len) {
        need = 5 + len;
        break;
      }
      onMessage(buf[at + 4]!, buf.subarray(at + 5, at + 5 + len));
      at += 5 + len;
    }
    buf = buf.subarray(at);
    chunks = buf.length > 0 ? [buf] : [];
    total = buf.length;
  });
}

const corked = new WeakSet<Socket>();

/**
 * Queues a message: what one synchronous run of the caller writes goes out in one writev when it ends
 * (process.nextTick), as ZeroMQ's I/O thread coalesces the messages queued meanwhile; no copy of the payload.
 */
function writeMessage(socket: Socket, kind: number, payload: Uint8Array): void {
  if (!corked.has(socket)) {
    corked.add(socket);
    socket.cork();
    process.nextTick(() => {
      corked.delete(socket);
      socket.uncork();
    });
  }
  const head = Buffer.allocUnsafe(5);
  head.writeUInt32LE(payload.length, 0);
  head[4] = kind;
  socket.write(head);
  socket.write(payload);
}

function childCpuMs(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[13]) + Number(f[14])) * 10;
}

/** The child of the uds side: the four components' ports and the subscriber over one Unix socket. */
const THROUGHPUT = { total: 1_000_000, warmup: 200_000, batch: 512, window: 16_384 };

async function child(linkPath: string, replay: string, rate: number, seconds: number): Promise<void> {
  const socket = connect(linkPath);
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const stream = new EventStream({ events: 'unused://', replay, localFeed: true });
  const handlers = new Map<string, (r: CommandReply) => void>();
  readMessages(socket, (kind, payload) => {
    if (kind === FRAME) stream.offerLocal(payload);
    else if (kind === REPLY) {
      const r = JSON.parse(payload.toString('utf8')) as CommandReply & { src: string };
      handlers.get(r.src)?.(r);
    }
  });
  const clients = SENDER_ROLES.map((role): CommandPort & { src: string } => {
    const src = `${role}-1`;
    return {
      src,
      direct: false,
      send: (commands) => {
        if (commands.length > 0) writeMessage(socket, COMMANDS, encodeCommands(src, commands));
      },
      onReply: (h) => void handlers.set(src, h),
      close: () => Promise.resolve(),
    };
  });
  const senders: Senders = { clients, seen: { events: 0 }, onEvent: undefined, onDelivered: undefined };
  stream.addListener(sendersListener(senders));
  await stream.start();
  const result = rate === 0 ? await driveThroughput(senders, THROUGHPUT) : await driveLatency(senders, { ratePerSec: rate, seconds, warmupSeconds: 1, send: 'wake' });
  stream.close();
  socket.destroy();
  await new Promise<void>((done) => process.stdout.write(JSON.stringify(result) + '\n', () => done()));
}

async function viaLink<R>(rate: number, seconds: number): Promise<R> {
  const host = await startSequencerHost('ipc');
  const linkPath = join(dirname(host.dbPath), 'link');
  const conns = new Set<Socket>();
  const ports = new Map<string, CommandPort>();
  const server = createServer((socket) => {
    conns.add(socket);
    socket.on('close', () => conns.delete(socket));
    // The child has gone (its run is over): stop writing to it.
    socket.on('error', () => conns.delete(socket));
    readMessages(socket, (kind, payload) => {
      if (kind !== COMMANDS) return;
      const batch = decodeCommands(payload);
      let port = ports.get(batch.src);
      if (!port) {
        port = host.sequencer.localPort(batch.src);
        const src = batch.src;
        port.onReply((r) => writeMessage(socket, REPLY, Buffer.from(JSON.stringify({ ...r, src }))));
        ports.set(src, port);
      }
      port.send(batch.commands);
    });
  });
  const toAll = (bytes: Uint8Array) => {
    for (const c of conns) writeMessage(c, FRAME, bytes);
  };
  host.sequencer.onStoredFrames(toAll);
  host.sequencer.onHeadBeacon(toAll);
  await new Promise<void>((r) => server.listen(linkPath, () => r()));
  try {
    const endpoints: BusEndpoints = host.endpoints;
    const { stdout } = await run(process.execPath, ['--expose-gc', SELF, 'child', linkPath, endpoints.replay, String(rate), String(seconds)], { maxBuffer: 1 << 24 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as R;
  } finally {
    for (const c of conns) c.destroy();
    server.close();
    await host.close();
  }
}

runMain(async () => {
  const args = process.argv.slice(2);
  if (args[0] === 'child') {
    await child(args[1]!, args[2]!, Number(args[3]), Number(args[4]));
    return;
  }
  const link = args[0] === 'uds' ? 'uds' : 'zmq';
  const load = loadavg()[0]!;
  const cpu0 = process.cpuUsage();
  const kid0 = childCpuMs();
  if (args[1] === 'throughput') {
    const r = link === 'uds' ? await viaLink<ThroughputResult>(0, 0) : (await sequencerThroughput('two-processes', THROUGHPUT)).result;
    const cpu = process.cpuUsage(cpu0);
    const events = THROUGHPUT.total + THROUGHPUT.warmup;
    console.log(
      JSON.stringify({
        link,
        load: [load, loadavg()[0]],
        eventsPerSec: Math.round(r.eps),
        sequencerCpuUsPerEvent: Math.round(((cpu.user + cpu.system) / events) * 1000) / 1000,
        childCpuUsPerEvent: Math.round((((childCpuMs() - kid0) * 1000) / events) * 1000) / 1000,
      }),
    );
    return;
  }
  const seconds = Number(args[1] ?? 10);
  const rate = Number(args[2] ?? 10_000);
  const r = link === 'uds' ? await viaLink<LatencyResult>(rate, seconds) : (await sequencerLatency('two-processes', { ratePerSec: rate, seconds, warmupSeconds: 1, send: 'wake' })).result;
  const cpu = process.cpuUsage(cpu0);
  const commands = rate * (seconds + 1);
  console.log(
    JSON.stringify({
      link,
      rate,
      seconds,
      load: [load, loadavg()[0]],
      latencyMs: { p50: r.p50us / 1000, p99: r.p99us / 1000, p999: r.p999us / 1000, max: r.maxUs / 1000 },
      // Start-up of both sides included (the log, reference data, the child's node).
      sequencerCpuUsPerCommand: Math.round(((cpu.user + cpu.system) / commands) * 10) / 10,
      childCpuUsPerCommand: Math.round((((childCpuMs() - kid0) * 1000) / commands) * 10) / 10,
    }),
  );
});
