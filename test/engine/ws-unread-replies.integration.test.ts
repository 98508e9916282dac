import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../engine/host/host.ts';
import { MAX_UNREAD_REPLY_BYTES } from '../../engine/host/http/ws.ts';
import { cleanupAll, tempDir } from '../reliability/helpers/procs.ts';

/**
 * A WebSocket client that sends calls and never reads their replies (round 16, outside): the host kept every
 * reply in the socket's buffer, its memory growing without bound. Now the socket is closed (4008) once its unread
 * replies pass 16 MiB. A real host and a real socket whose reading is paused.
 */
let host: Host;
beforeAll(async () => {
  host = await startHost({ dataDir: join(tempDir(), 'data'), port: 0, venueTickMs: 0 });
});
afterAll(async () => {
  await host.close();
  await cleanupAll();
});

/** The most the kernel may buffer on a loopback TCP connection, one way: the sender's and the receiver's maximum. */
function kernelBufferMax(): number {
  const max = (f: string) => {
    try {
      return Number(readFileSync(f, 'utf8').trim().split(/\s+/)[2]) || 8 * 1024 * 1024;
    } catch {
      return 8 * 1024 * 1024;
    }
  };
  return max('/proc/sys/net/ipv4/tcp_wmem') + max('/proc/sys/net/ipv4/tcp_rmem');
}

/**
 * Bytes of a loopback TCP connection not yet read by the host: the client end's send queue plus the host end's
 * receive queue, from /proc/net/tcp (addresses in hex; the queues are the fifth column, `tx:rx`).
 */
function queued(clientPort: number, hostPort: number): number {
  let bytes = 0;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const local = parseInt(f[1]!.split(':')[1]!, 16);
    const remote = parseInt(f[2]!.split(':')[1]!, 16);
    const [tx, rx] = f[4]!.split(':').map((x) => parseInt(x, 16));
    if (local === clientPort && remote === hostPort) bytes += tx!;
    if (local === hostPort && remote === clientPort) bytes += rx!;
  }
  return bytes;
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 20));
}

function open(): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, { headers: { authorization: `Bearer ${host.token}`, origin: `http://127.0.0.1:${host.port}` } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('a WebSocket client that does not read its replies', () => {
  it('is closed with 4008 once its unread replies pass 16 MiB; others are still answered', async () => {
    const ws = await open();
    const socket = (ws as unknown as { _socket: Socket })._socket;
    socket.pause();
    let replies = 0;
    ws.on('message', () => replies++);
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: String(reason) })));
    // Each call names a method of 60,000 characters: its NOT_FOUND reply quotes it, ~60 KB each. Enough replies to
    // fill the kernel's socket buffers at their largest (the host's send buffer, this client's receive buffer:
    // autotuned up to tcp_wmem / tcp_rmem's maximum) and then the cap, with 4 MiB to spare.
    const name = 'x'.repeat(60_000);
    const calls = Math.ceil((MAX_UNREAD_REPLY_BYTES + kernelBufferMax() + 4 * 1024 * 1024) / name.length);
    for (let id = 1; id <= calls; id++) ws.send(JSON.stringify({ id, method: name, params: [] }));
    // Every call is out of this client and read by the host before the client reads again: a reply on a second
    // socket alone does not say so (the two sockets are read side by side, and the client's writes can still be
    // queued here or in the kernel), and a client that read again before the host had read the calls would take
    // the replies as they came, so the cap would never be passed.
    await until(() => ws.bufferedAmount === 0 && queued(socket.localPort!, host.port) === 0);
    // A reply to a lone call on a second socket comes after the host has handled what it read.
    const other = await open();
    const answered = new Promise<string>((r) => other.once('message', (d) => r(String(d))));
    other.send(JSON.stringify({ id: 1, method: 'getSessions', params: [] }));
    expect(JSON.parse(await answered)).toMatchObject({ id: 1, result: { ok: true } });
    socket.resume();
    const c = await closed;
    expect(c).toEqual({ code: 4008, reason: 'unread replies over 16 MiB: closed' });
    expect(replies).toBeGreaterThan(0);
    expect(replies).toBeLessThan(calls);
    other.close();
    // ~100 MiB through one process's event loop (client and host): minutes on a loaded 2-core machine, not a figure.
  }, 180_000);
});
