import type { ChildProcess } from 'node:child_process';
import { forkHostChild } from './host-child.ts';
import type { Result } from '../../contract/api.ts';
import { log as logger } from '../log.ts';
import type { ReadableLog } from '../store/log.ts';
import { PastStates, type PastCall } from './past-states.ts';
import { compiledFile } from './compiled-file.ts';
import { AT_ONCE, type SpareGate } from './spare-gate.ts';

type Build = PastStates['lastBuild'];

/** Answers kept (decision 298): the newest few, by call. */
const ANSWERS_KEPT = 4;
interface Waiting {
  resolve(r: Result<unknown>): void;
}

/**
 * The host's side of the time machine (decisions 167, 295): every past-state
 * call (getState with `at`, getOrders/getFills with `at`, the blotters'
 * windows with `at`) goes to one process of its own (past-process.ts), which
 * rebuilds and keeps the past projection, so a rebuild (about a second at 5 M
 * events) never blocks order entry on the host's event loop, and its memory
 * comes from a heap of 2 MiB pages (decision 290) that a thread of the host
 * could not have. Calls are answered in the order they were made. The process
 * starts on the first call, or earlier as a spare (`keepSpare`: the `ordo
 * host` command's, once ready and its loop quiet, decision 300), and ends once
 * no call has come for `keptMs`, taking the past projection's memory with it;
 * with a spare kept, a fresh one (no projection, ~60 MiB) then waits for the
 * next call, so no first call after a quiet spell pays a process's start (~0.3 s
 * and ~5 k faults here). Where it cannot run (an
 * in-memory log in tests, or dist/ not built when running from the TypeScript
 * sources) the calls run in the caller's thread, with one log line.
 */
export class PastStateProcess {
  private child: ChildProcess | undefined;
  private inline: PastStates | undefined;
  private next = 1;
  /** Calls waiting for the running process's answer (each process has its own: an old one's exit fails only its own). */
  private waiting = new Map<number, Waiting>();
  private idle: NodeJS.Timeout | undefined;
  private closed = false;
  /** Whether the running process has answered a call since it started (it may hold a past projection). */
  private used = false;
  private spare: SpareGate | undefined;
  /** The wait for a quiet moment to start the spare, while one runs. */
  private spareWait: NodeJS.Timeout | undefined;
  /**
   * The last few answers, by call (decision 298): a past seq's state never changes (the log only grows), so a
   * call made again (a page reloaded, a second client, GET /api/state?at= again) is answered here, without
   * the process's pipe: a ~0.9 MB state page's structured clone through it took 200-500 ms at load 6-14. Only
   * answers that are values (an error, such as a seq beyond the live session's end, may not stay one); they go
   * with the process.
   */
  private readonly answers = new Map<string, Result<unknown>>();
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
    const key = JSON.stringify(c);
    const kept = this.answers.get(key);
    if (kept !== undefined) {
      this.answers.delete(key);
      this.answers.set(key, kept);
      this.lastBuild = { from: 'reuse', seq: c.seq, ms: 0 };
      return Promise.resolve(kept);
    }
    const child = this.process();
    this.used = true;
    if (!child) {
      const states = (this.inline ??= new PastStates(this.log));
      const r = states.call(c);
      this.lastBuild = states.lastBuild;
      this.keep(key, r);
      return Promise.resolve(r);
    }
    const id = this.next++;
    return new Promise<Result<unknown>>((resolve) => {
      this.waiting.set(id, { resolve });
      child.send({ id, call: c });
    }).then((r) => {
      if (this.child === child) this.keep(key, r);
      return r;
    });
  }

  private keep(key: string, r: Result<unknown>): void {
    if (!r.ok) return;
    this.answers.set(key, r);
    for (const k of this.answers.keys()) {
      if (this.answers.size <= ANSWERS_KEPT) break;
      this.answers.delete(k);
    }
  }

  /** Whether the calls run in the time machine's own process (false: in the caller's thread; see the class comment). */
  get apart(): boolean {
    return this.child !== undefined;
  }

  /** The running process's id (tests and figures), if one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether a past projection is kept (a process running that has answered a call, or one kept in this thread). */
  get keepsPastProjection(): boolean {
    return (this.child !== undefined && this.used) || this.inline?.keepsProjection === true;
  }

  /**
   * Starts a process ahead of the first call, and a fresh one each time an idle one ends (decision 295), so the
   * time machine's first call pays only its rebuild. Each start waits for `gate` to say the host is quiet (decision
   * 300: `ordo host` passes `quietLoop()`, so a spare never starts while the host takes orders); a call that comes
   * first starts the process itself. Nothing where the calls would run in the caller's thread.
   */
  keepSpare(gate: SpareGate = AT_ONCE): void {
    this.spare = gate;
    this.startSpare();
  }

  /** Whether a spare is waiting for the host to be quiet (tests and figures). */
  get spareWaiting(): boolean {
    return this.spareWait !== undefined;
  }

  private startSpare(): void {
    const gate = this.spare;
    if (!gate || this.closed || this.child || this.inline || this.spareWait || !this.spareable()) return;
    if (gate.everyMs <= 0 && gate.quiet()) {
      this.process();
      return;
    }
    gate.begin?.();
    this.spareWait = setInterval(() => {
      // A call that came meanwhile started the process; the host's stop ends the wait.
      if (this.closed || this.child || this.inline || gate.quiet()) {
        clearInterval(this.spareWait);
        this.spareWait = undefined;
        if (!this.closed && !this.child && !this.inline) this.process();
      }
    }, Math.max(1, gate.everyMs));
    // The wait never keeps the host's loop alive.
    this.spareWait.unref();
  }

  /** Ends the process (host stop). Calls still waiting get an error value. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idle);
    clearInterval(this.spareWait);
    this.spareWait = undefined;
    await this.stop();
  }

  private keepAlive(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => void this.stop(), this.keptMs);
    this.idle.unref();
  }

  private async stop(): Promise<void> {
    this.inline?.release();
    this.answers.clear();
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const idle = !this.closed;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      // A call still running is answered first: the process takes messages in order, and `close` comes after it.
      if (child.connected) child.send({ close: true });
      else child.kill('SIGTERM');
      await exited;
    }
    // The idle end let the past projection go; a spare without one waits for the next first call (once quiet).
    if (idle) this.startSpare();
  }

  private spareable(): boolean {
    const path = this.log.db.name;
    return path !== ':memory:' && path !== '' && compiledFile(import.meta.url, 'past-process.js') !== undefined;
  }

  private process(): ChildProcess | undefined {
    if (this.child || this.inline) return this.child;
    const path = this.log.db.name;
    const file = compiledFile(import.meta.url, 'past-process.js');
    if (path === ':memory:' || path === '' || !file) {
      logger.warn(`time machine: ${!file ? 'dist/engine/host/past-process.js not built' : 'an in-memory log'}; past states are rebuilt on the host's thread`);
      return undefined;
    }
    // The host's own runtime (node, or Electron as node: the environment says so), without its flags; structured
    // clone over the channel, as a thread's messages were.
    const child = forkHostChild(file, [path], { serialization: 'advanced' });
    const waiting = (this.waiting = new Map<number, Waiting>());
    this.used = false;
    child.on('message', (m: { id: number; result: Result<unknown>; build: Build }) => {
      this.lastBuild = m.build;
      const x = waiting.get(m.id);
      waiting.delete(m.id);
      x?.resolve(m.result);
    });
    const fail = (why: string) => {
      if (this.child === child) {
        this.child = undefined;
        this.answers.clear();
      }
      for (const x of waiting.values()) x.resolve({ ok: false, error: { code: 'INTERNAL', message: `time machine process ${why}` } });
      waiting.clear();
    };
    child.on('error', (err) => {
      logger.error(`time machine process failed: ${err.message}`);
      fail(`failed: ${err.message}`);
    });
    child.on('exit', (code, signal) => {
      if (waiting.size > 0) logger.error(`time machine process ended (${signal ?? `code ${code}`}) with ${waiting.size} call(s) unanswered`);
      fail(`ended (${signal ?? `code ${code}`})`);
    });
    // Neither the process nor its channel keeps the host's loop alive (a host stop ends it through close()).
    child.unref();
    (child.channel as { unref?(): void } | undefined)?.unref?.();
    this.child = child;
    return child;
  }
}
