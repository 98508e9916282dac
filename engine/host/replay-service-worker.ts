/**
 * The replay service's thread (decision 228): started by ReplayServiceThread
 * with `workerData` = { path, endpoints, server, closed }, it lowers its own
 * CPU priority, opens its own read connection to the log and serves stored
 * frames and checkpoint parts on a ROUTER bound to `endpoints` (a
 * ReplayServer, the same code as on the host's thread before), so a component
 * catching up reads pages (SQLite stepping, each frame's checksum) on this
 * thread and not on the one that answers orders.
 *
 * ZeroMQ's default context is one per process, shared by every thread, so
 * inproc endpoints and the host's ZAP handler (inproc://zeromq.zap.01) reach
 * this socket as before; `server` carries the CURVE options of its secured
 * (tcp) endpoints. Messages: → { ready: true, tid } or { failed: message, code }
 * once bound; ← { close: true } closes the socket and the read connection,
 * sets `closed[0]` to 1 (the host's exit handler waits on it) and ends the
 * thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ReplayServer } from '../bus/replay.ts';
import { BusSecurity, type ServerSecurity } from '../bus/security.ts';
import { openReadableLog } from '../store/log.ts';
import { lowerThreadPriority } from './thread-priority.ts';

const { path, endpoints, server, closed } = workerData as { path: string; endpoints: string[]; server: { endpoints: string[]; options: ServerSecurity } | undefined; closed: Int32Array };

// Serving a catch-up gives way to the host's event loop: pages are read with what the live path leaves.
const tid = lowerThreadPriority();
const security = new BusSecurity();
if (server) security.secureServerEndpoints(server.endpoints, server.options);
let replay: ReplayServer | undefined;

function close(): void {
  replay?.close();
  replay = undefined;
  Atomics.store(closed, 0, 1);
  Atomics.notify(closed, 0);
  parentPort?.close();
}

parentPort?.on('message', (m: { close?: boolean }) => {
  if (m.close) close();
});

try {
  replay = new ReplayServer(openReadableLog(path), security);
  await replay.bind(...endpoints);
  parentPort?.postMessage({ ready: true, tid });
} catch (err) {
  parentPort?.postMessage({ failed: (err as Error).message, code: (err as { code?: unknown }).code });
  close();
}
