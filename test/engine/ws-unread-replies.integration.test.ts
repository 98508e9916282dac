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
    // Each call names a method of 60,000 characters: its NOT_FOUND reply quotes it, ~60 KB each. 3x the cap in all
    // (the kernel's socket buffers take some before the host's buffer grows).
    const name = 'x'.repeat(60_000);
    const calls = Math.ceil((3 * MAX_UNREAD_REPLY_BYTES) / name.length);
    for (let id = 1; id <= calls; id++) ws.send(JSON.stringify({ id, method: name, params: [] }));
    // The host has read every call (a reply to a lone call on a second socket comes after them all).
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
  });
});
