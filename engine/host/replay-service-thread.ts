import { Worker } from 'node:worker_threads';
import { ReplayServer } from '../bus/replay.ts';
import type { BusSecurity, ServerSecurity } from '../bus/security.ts';
import { log as logger } from '../log.ts';
import { openReadableLog } from '../store/log.ts';
import { compiledFile } from './compiled-file.ts';

/** How long the exit handler waits for the thread to close its socket (ms): a page slice is a few ms of work. */
const EXIT_WAIT_MS = 2000;
/** How long `close` waits for the thread to end by itself before ending it (ms). */
const CLOSE_WAIT_MS = 10_000;

/**
 * The host's replay service on a thread of its own (decision 228): the
 * ReplayServer that serves stored frames for rewind and gap fill runs in
 * replay-service-worker.ts at lowered CPU priority, with its own read
 * connection and its ROUTER socket, so a component catching up on millions
 * of events never takes the host's event loop (issue 11: order-ack p99
 * while a component catches up). Requests, answers and errors are the
 * ReplayServer's, unchanged. Where the thread cannot run (an in-memory log,
 * or dist/ not built when running from the TypeScript sources) the server
 * runs on the caller's thread, as before, with one log line.
 *
 * The thread must close its socket before the process ends: zeromq.js
 * aborts the whole process when a worker ends with a receive pending
 * (zeromq/zeromq.js#411). `close` does it; an exit without `close` (an
 * uncaught error, `process.exit`) asks the thread from the 'exit' handler
 * and waits for it on a shared flag.
 */
export class ReplayServiceThread {
  private worker: Worker | undefined;
  private inline: ReplayServer | undefined;
  private readonly closedFlag = new Int32Array(new SharedArrayBuffer(4));
  private exited: Promise<void> | undefined;
  private osTid: number | undefined;
  private readonly onExit = () => this.closeBeforeExit();

  private constructor() {}

  /**
   * Opens a read connection to the log at `path` and serves it on
   * `endpoints`, secured as `security` says. Rejects as the bind would
   * (its error's `code`, e.g. EADDRINUSE, kept).
   */
  static async start(path: string, endpoints: readonly string[], security?: BusSecurity): Promise<ReplayServiceThread> {
    const t = new ReplayServiceThread();
    const file = compiledFile(import.meta.url, 'replay-service-worker.js');
    if (path === ':memory:' || path === '' || !file) {
      logger.warn(`replay service: ${!file ? 'dist/engine/host/replay-service-worker.js not built' : 'an in-memory log'}; it serves on the host's thread`);
      const server = new ReplayServer(openReadableLog(path), security);
      try {
        await server.bind(...endpoints);
      } catch (err) {
        server.close();
        throw err;
      }
      t.inline = server;
      return t;
    }
    const secured = endpoints.map((ep) => [ep, security?.serverSecurity(ep)] as const).filter((e): e is readonly [string, ServerSecurity] => e[1] !== undefined);
    const server = secured.length > 0 ? { endpoints: secured.map((e) => e[0]), options: { ...secured[0]![1] } } : undefined;
    const w = new Worker(file, { workerData: { path, endpoints: [...endpoints], server, closed: t.closedFlag } });
    t.worker = w;
    t.exited = new Promise<void>((r) => w.once('exit', () => r()));
    process.on('exit', t.onExit);
    try {
      await new Promise<void>((resolve, reject) => {
        w.once('message', (m: { ready?: true; tid?: number; failed?: string; code?: unknown }) => {
          t.osTid = m.tid;
          if (m.ready) return resolve();
          reject(Object.assign(new Error(m.failed ?? 'replay service thread failed'), m.code !== undefined ? { code: m.code } : {}));
        });
        w.once('error', reject);
        void t.exited!.then(() => reject(new Error('replay service thread ended before it was ready')));
      });
    } catch (err) {
      await t.close();
      throw err;
    }
    w.on('error', (err) => logger.error(`replay service thread failed: ${err.message}`));
    void t.exited.then(() => {
      if (t.worker === w) logger.error('replay service thread ended; components cannot rewind or fill gaps until the host restarts');
    });
    return t;
  }

  /** Whether the service runs on its own thread (false: on the caller's; see the class comment). */
  get onThread(): boolean {
    return this.worker !== undefined;
  }

  /** The thread's OS id (figures: its CPU in /proc/<pid>/task/<tid>/schedstat), when on a thread on Linux. */
  get tid(): number | undefined {
    return this.worker ? this.osTid : undefined;
  }

  /** Stops serving; resolves once the read connection is closed (so the writer's close can checkpoint the WAL). */
  async close(): Promise<void> {
    this.inline?.close();
    this.inline = undefined;
    const w = this.worker;
    if (!w) return;
    this.worker = undefined;
    process.off('exit', this.onExit);
    w.postMessage({ close: true });
    // It ends by itself once its socket and connection are closed; a thread still there after that is ended here
    // (nothing of ZeroMQ's is left in it to abort on).
    const late = setTimeout(() => void w.terminate(), CLOSE_WAIT_MS);
    await this.exited;
    clearTimeout(late);
  }

  /** From process 'exit' (nothing async runs any more): asks the thread to close its socket, waits for it. */
  private closeBeforeExit(): void {
    const w = this.worker;
    if (!w) return;
    this.worker = undefined;
    w.postMessage({ close: true });
    Atomics.wait(this.closedFlag, 0, 0, EXIT_WAIT_MS);
  }
}
