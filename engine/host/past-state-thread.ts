import { Worker } from 'node:worker_threads';
import type { Result } from '../../contract/api.ts';
import { log as logger } from '../log.ts';
import type { ReadableLog } from '../store/log.ts';
import { PastStates, type PastCall } from './past-states.ts';
import { compiledFile } from './compiled-file.ts';

type Build = PastStates['lastBuild'];
interface Waiting {
  resolve(r: Result<unknown>): void;
}

/**
 * The host's side of the time machine (decision 167): every past-state call
 * (getState with `at`, getOrders/getFills with `at`, the blotters' windows
 * with `at`) goes to one thread of its own (past-thread.ts), which rebuilds
 * and keeps the past projection, so a rebuild (about a second at 5 M events)
 * never blocks order entry on the host's event loop. Calls are answered in
 * the order they were made. The thread starts on the first call and ends
 * once no call has come for `keptMs`, taking the past projection's memory
 * with it. Where the thread cannot run (an in-memory log in tests, or
 * dist/ not built when running from the TypeScript sources) the calls run in
 * the caller's thread, with one log line.
 */
export class PastStateThread {
  private worker: Worker | undefined;
  private inline: PastStates | undefined;
  private next = 1;
  /** Calls waiting for the running thread's answer (each thread has its own: an old one's exit fails only its own). */
  private waiting = new Map<number, Waiting>();
  private idle: NodeJS.Timeout | undefined;
  private closed = false;
  /** How the last answered call's projection was made (figures and tests). */
  lastBuild: Build;

  constructor(
    private readonly log: ReadableLog,
    /** How long the past projection is kept after its last use (ms; host wall time, not an event handler). */
    public keptMs = 60_000,
  ) {}

  /** Answers one past-state call. */
  call(c: PastCall): Promise<Result<unknown>> {
    if (this.closed) return Promise.resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'the host is stopping' } });
    this.keepAlive();
    const w = this.thread();
    if (!w) {
      const states = (this.inline ??= new PastStates(this.log));
      const r = states.call(c);
      this.lastBuild = states.lastBuild;
      return Promise.resolve(r);
    }
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, { resolve });
      w.postMessage({ id, call: c });
    });
  }

  /** Whether the calls run on the thread (false: in the caller's; see the class comment). */
  get onThread(): boolean {
    return this.worker !== undefined;
  }

  /** Whether a past projection is kept (a thread running, or one kept in this thread). */
  get keepsPastProjection(): boolean {
    return this.worker !== undefined || this.inline?.keepsProjection === true;
  }

  /** Ends the thread (host stop). Calls still waiting get an error value. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idle);
    await this.stop();
  }

  private keepAlive(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => void this.stop(), this.keptMs);
    this.idle.unref();
  }

  private async stop(): Promise<void> {
    this.inline?.release();
    const w = this.worker;
    if (!w) return;
    this.worker = undefined;
    // A call still running is answered first: the thread takes messages in order, and `close` comes after it.
    w.postMessage({ close: true });
    await new Promise<void>((r) => w.once('exit', () => r()));
  }

  private thread(): Worker | undefined {
    if (this.worker || this.inline) return this.worker;
    const path = this.log.db.name;
    const file = compiledFile(import.meta.url, 'past-thread.js');
    if (path === ':memory:' || path === '' || !file) {
      logger.warn(`time machine: ${!file ? 'dist/engine/host/past-thread.js not built' : 'an in-memory log'}; past states are rebuilt on the host's thread`);
      return undefined;
    }
    const w = new Worker(file, { workerData: { path } });
    const waiting = (this.waiting = new Map<number, Waiting>());
    w.on('message', (m: { id: number; result: Result<unknown>; build: Build }) => {
      this.lastBuild = m.build;
      const x = waiting.get(m.id);
      waiting.delete(m.id);
      x?.resolve(m.result);
    });
    const fail = (why: string) => {
      if (this.worker === w) this.worker = undefined;
      for (const x of waiting.values()) x.resolve({ ok: false, error: { code: 'INTERNAL', message: `time machine thread ${why}` } });
      waiting.clear();
    };
    w.on('error', (err) => {
      logger.error(`time machine thread failed: ${err.message}`);
      fail(`failed: ${err.message}`);
    });
    w.on('exit', () => fail('ended'));
    w.unref();
    this.worker = w;
    return w;
  }
}
