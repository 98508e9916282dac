import type { ChildProcess } from 'node:child_process';
import { forkHostChild } from '../host/host-child.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { log } from '../log.ts';
import type { VenueChildCall, VenueChildMessage, VenueChildStart } from './venue-child.ts';
import type { VenueInstrument, VenueStats } from './venue.ts';
import type { OrderStatusMsg } from './protocol.ts';

/** How long a venue process may take to bind and say it is ready (ms). */
const READY_MS = 20_000;
/** How long `close` waits for the process to end by itself before killing it (ms). */
const CLOSE_WAIT_MS = 5_000;
/** Restart delays after an unexpected exit: the first at once-ish, then doubling up to the last. */
const RESTART_MS = [100, 200, 400, 800, 1_600, 3_200, 5_000];

export interface VenueProcessOptions {
  /** The compiled venue-child.js. */
  readonly entry: string;
  readonly instruments: readonly VenueInstrument[];
  readonly seed: number;
  readonly tickMs: number;
  /** With a bus port: the tcp endpoints the venue also serves, CURVE, and the install's keys for its own ZAP check. */
  readonly tcp?: { readonly router: string; readonly marketData: string; readonly keysDir: string; readonly zapDomain: string };
  /** After every restart, once the new process is serving (the gateway reconciles its orders). */
  readonly onRestarted?: (restarts: number) => void;
  /** How long a start may take to say ready (ms; default 20 s); for tests. */
  readonly readyMs?: number;
}

/**
 * The simulated venue as the host sees it: its endpoints, a market maker step on demand and a few inspections.
 * The in-host venue (venue.ts) and the venue's own process (VenueProcess) both offer it.
 */
export interface VenueHandle {
  readonly routerEndpoint: string;
  readonly marketDataEndpoint: string;
  /** Advances the market makers `n` steps (default 1). */
  step(n?: number): void;
  /** What the venue says of an order (its state, fills). */
  orderStatus(orderId: number): Promise<OrderStatusMsg>;
  venueStats(): Promise<VenueStats>;
  close(): Promise<void>;
}

/** The one line for a venue process that did not say ready within its start limit (a starved machine, usually). */
export function startLimitReached(limitMs: number): string {
  return `the simulated venue's process did not say it was ready within its start limit of ${limitMs / 1000} s (the machine may be too busy)`;
}

const firstLine = (text: string): string => text.split('\n')[0]!;

type CallBody = VenueChildCall extends infer C ? (C extends { t: 'call' } ? Omit<C, 't' | 'id'> : never) : never;

type Waiter = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/**
 * The simulated venue in a process of its own (decision 279), supervised by
 * the host: forked from the compiled venue-child.js, its ROUTER and market
 * data PUBLISHER bound on ipc:// endpoints in a private folder (0700) that
 * stay the same across restarts, so the host's gateway and market data
 * subscriber reconnect by themselves. A process that ends unexpectedly is
 * started again (a fresh venue: it remembers no orders, decision 010) and
 * `onRestarted` tells the host, whose gateway then asks for the status of
 * every order the venue should hold and re-drives or ends each one as the
 * order model says. `close` stops it and waits for its exit; a process that
 * loses its host (the IPC channel closes) ends by itself.
 */
export class VenueProcess implements VenueHandle {
  private child: ChildProcess | undefined;
  private closing = false;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  private exited: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | undefined;
  /** Unexpected exits so far. */
  restarts = 0;
  /** Processes that came up and served (the first one and every restart). */
  starts = 0;
  /** The current process says it serves (between its ready and its exit). */
  private serving = false;

  private constructor(
    private readonly opts: VenueProcessOptions,
    private readonly dir: string,
    readonly routerEndpoint: string,
    readonly marketDataEndpoint: string,
  ) {}

  /** Forks the venue and resolves once it serves. */
  static async start(opts: VenueProcessOptions): Promise<VenueProcess> {
    // Unix socket paths are short (108 bytes): a private folder under the temp dir, not the data dir.
    const dir = mkdtempSync(join(tmpdir(), 'ordo-venue-'));
    const vp = new VenueProcess(opts, dir, `ipc://${join(dir, 'orders')}`, `ipc://${join(dir, 'md')}`);
    try {
      await vp.spawn();
    } catch (err) {
      vp.closing = true;
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return vp;
  }

  /** The venue's process id (tests, operators). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  step(n = 1): void {
    this.post({ t: 'step', n });
  }

  orderStatus(orderId: number): Promise<OrderStatusMsg> {
    return this.call({ op: 'status', orderId }) as Promise<OrderStatusMsg>;
  }

  venueStats(): Promise<VenueStats> {
    return this.call({ op: 'stats' }) as Promise<VenueStats>;
  }

  expireDayOrders(): Promise<number> {
    return this.call({ op: 'expireDayOrders' }) as Promise<number>;
  }

  async close(): Promise<void> {
    if (this.closing) return this.exited;
    this.closing = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      this.post({ t: 'close' });
      const late = setTimeout(() => child.kill('SIGKILL'), CLOSE_WAIT_MS);
      await this.exited;
      clearTimeout(late);
    }
    this.failWaiting('the venue is closed');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private call(body: CallBody): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.serving || !this.child?.connected) {
        reject(new Error('the simulated venue is not running (it is being started again)'));
        return;
      }
      this.waiting.set(id, { resolve, reject });
      this.post({ ...body, t: 'call', id } as VenueChildCall);
    });
  }

  private post(m: VenueChildCall | VenueChildStart): void {
    const c = this.child;
    if (c?.connected) c.send(m, (err) => err && !this.closing && log.error(`venue: ${err.message}`));
  }

  private failWaiting(why: string): void {
    for (const w of this.waiting.values()) w.reject(new Error(why));
    this.waiting.clear();
  }

  private spawn(): Promise<void> {
    // The socket folder as its argument: visible to operators, and removed by the venue if its host dies first.
    const child = forkHostChild(this.opts.entry, [this.dir], { serialization: 'advanced' });
    this.child = child;
    this.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const limitMs = this.opts.readyMs ?? READY_MS;
      const timer = setTimeout(() => {
        if (ready) return;
        child.kill('SIGKILL');
        reject(new UserError(startLimitReached(limitMs)));
      }, limitMs);
      child.on('message', (raw: unknown) => {
        const m = raw as VenueChildMessage;
        if (m.t === 'ready') {
          ready = true;
          this.serving = true;
          this.starts++;
          clearTimeout(timer);
          resolve();
        } else if (m.t === 'failed') {
          clearTimeout(timer);
          // Its ports are the bus port + 5 and + 6 (README): a port taken is named, not only "Address already in use".
          const tcp = this.opts.tcp;
          const ports = tcp && /address already in use/i.test(m.text) ? ` (it listens on ${tcp.router} and ${tcp.marketData}: one is taken)` : '';
          reject(new UserError(`the simulated venue cannot start: ${firstLine(m.text)}${ports}`));
        } else if (m.t === 'reply') {
          const w = this.waiting.get(m.id);
          this.waiting.delete(m.id);
          if (m.error !== undefined) w?.reject(new Error(m.error));
          else w?.resolve(m.value);
        }
      });
      child.once('error', (err) => {
        if (ready) return;
        clearTimeout(timer);
        reject(new UserError(`the simulated venue's process cannot start: ${firstLine(err.message)}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        this.serving = false;
        if (!ready) reject(new UserError(`the simulated venue's process ended at start (${signal ?? `exit code ${code}`})`));
        this.failWaiting('the simulated venue ended');
        if (ready && !this.closing) this.restartAfterExit(code, signal);
      });
      this.post({
        t: 'start',
        router: this.routerEndpoint,
        marketData: this.marketDataEndpoint,
        instruments: this.opts.instruments,
        seed: this.opts.seed,
        tickMs: this.opts.tickMs,
        // execIds stay unique across restarts (decision 010): µs since the epoch at each start.
        execIdBase: Date.now() * 1000,
        ...(this.opts.tcp ? { tcp: this.opts.tcp } : {}),
      });
    });
  }

  private restartAfterExit(code: number | null, signal: NodeJS.Signals | null): void {
    const n = this.restarts++;
    const delay = RESTART_MS[Math.min(n, RESTART_MS.length - 1)]!;
    log.error(`venue: the simulated venue's process ended (${signal ?? `exit code ${code}`}); starting it again in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      if (this.closing) return;
      this.spawn().then(
        () => {
          log.info(`venue: the simulated venue is serving again (restart ${this.restarts})`);
          this.opts.onRestarted?.(this.restarts);
        },
        (err: unknown) => {
          log.error(`venue: ${(err as Error).message}`);
          if (!this.closing) this.restartAfterExit(null, null);
        },
      );
    }, delay);
  }
}
