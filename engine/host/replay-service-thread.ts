import { Worker } from 'node:worker_threads';
import { ReplayServer, type ReplayAnswerer, type ReplayHeader } from '../bus/replay.ts';
import type { BusSecurity } from '../bus/security.ts';
import { log as logger } from '../log.ts';
import { openReadableLog } from '../store/log.ts';
import { compiledFile } from './compiled-file.ts';

/** How long `close` waits for the thread to end by itself before ending it (ms). */
const CLOSE_WAIT_MS = 10_000;

/** The one-part answer every request gets once the reading thread is gone. */
function threadGone(why: string): Buffer[] {
  const header: ReplayHeader = { id: -1, session: 0, headSeq: 0, latestSession: 0, complete: true, error: `replay service unavailable: ${why}` };
  return [Buffer.from(JSON.stringify(header))];
}

/** Hands requests to the reading thread (replay-service-worker.ts) and its packed answers back as parts. */
class ThreadAnswerer implements ReplayAnswerer {
  private next = 1;
  private readonly waiting = new Map<number, (parts: Buffer[]) => void>();
  private gone: string | undefined;
  private readonly exited: Promise<void>;

  constructor(private readonly worker: Worker) {
    this.exited = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.on('message', (m: { id?: number; data?: Uint8Array; lengths?: number[] }) => {
      if (m.id === undefined || !m.data || !m.lengths) return;
      const done = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      const parts: Buffer[] = [];
      let at = 0;
      for (const n of m.lengths) {
        parts.push(Buffer.from(m.data.buffer, m.data.byteOffset + at, n));
        at += n;
      }
      done?.(parts);
    });
    worker.on('error', (err) => {
      logger.error(`replay service thread failed: ${err.message}`);
      this.fail(`its thread failed: ${err.message}`);
    });
    void this.exited.then(() => this.fail('its thread ended'));
  }

  answer(body: Buffer): Promise<Buffer[]> {
    if (this.gone !== undefined) return Promise.resolve(threadGone(this.gone));
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ id, body });
    });
  }

  private fail(why: string): void {
    this.gone ??= why;
    for (const done of this.waiting.values()) done(threadGone(why));
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.fail('the host is stopping');
    this.worker.postMessage({ close: true });
    // It ends by itself once its connection is closed; a thread still there after that is ended here.
    const late = setTimeout(() => void this.worker.terminate(), CLOSE_WAIT_MS);
    await this.exited;
    clearTimeout(late);
  }
}

/**
 * The host's replay service with its reads on a thread of its own (decision
 * 228): the ROUTER that serves stored frames for rewind and gap fill stays
 * on the host's thread, but every request is answered by a ReplayReader in
 * replay-service-worker.ts, at lowered CPU priority with its own read
 * connection, so reading pages for a component catching up on millions of
 * events (SQLite stepping, each frame's checksum) never takes the host's
 * event loop (issue 11: order-ack p99 while a component catches up); the
 * host's thread only forwards the request and sends the answer's parts.
 * Requests, answers and errors are the ReplayReader's, unchanged. Where the
 * thread cannot run (an in-memory log, or dist/ not built when running from
 * the TypeScript sources) the reads run on the caller's thread, as before,
 * with one log line.
 */
export class ReplayServiceThread {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: ReplayServer,
    /** The reading thread's OS id (figures: its CPU in /proc/<pid>/task/<tid>/schedstat), when on a thread on Linux. */
    readonly tid: number | undefined,
    /** Whether the reads run on their own thread (false: on the caller's; see the class comment). */
    readonly onThread: boolean,
  ) {}

  /**
   * Opens a read connection to the log at `path` and serves it on
   * `endpoints`, secured as `security` says. Rejects as the bind would
   * (its error's `code`, e.g. EADDRINUSE, kept).
   */
  static async start(path: string, endpoints: readonly string[], security?: BusSecurity): Promise<ReplayServiceThread> {
    const file = compiledFile(import.meta.url, 'replay-service-worker.js');
    let answerer: ReplayAnswerer | undefined;
    let tid: number | undefined;
    if (path === ':memory:' || path === '' || !file) {
      logger.warn(`replay service: ${!file ? 'dist/engine/host/replay-service-worker.js not built' : 'an in-memory log'}; it reads on the host's thread`);
    } else {
      const w = new Worker(file, { workerData: { path } });
      let onMessage: ((m: { ready?: true; tid?: number }) => void) | undefined;
      let onError: ((err: Error) => void) | undefined;
      let onExit: (() => void) | undefined;
      try {
        tid = await new Promise<number | undefined>((resolve, reject) => {
          onMessage = (m) => (m.ready ? resolve(m.tid) : reject(new Error('replay service thread did not start')));
          onError = reject;
          onExit = () => reject(new Error('replay service thread ended before it was ready'));
          w.once('message', onMessage).once('error', onError).once('exit', onExit);
        });
      } catch (err) {
        await w.terminate();
        throw err;
      }
      w.off('error', onError!).off('exit', onExit!);
      answerer = new ThreadAnswerer(w);
    }
    const server = new ReplayServer(answerer ?? openReadableLog(path), security);
    try {
      await server.bind(...endpoints);
    } catch (err) {
      await server.close();
      throw err;
    }
    return new ReplayServiceThread(server, tid, answerer !== undefined);
  }

  /** Stops serving; resolves once the read connection is closed (so the writer's close can checkpoint the WAL). */
  close(): Promise<void> {
    return (this.closing ??= Promise.resolve(this.server.close()));
  }
}
