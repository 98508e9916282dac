import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { log as logger } from '../log.ts';
import { CHECKPOINT_EVERY, type CheckpointRound } from './checkpoint-maker.ts';

/** How often the host looks whether a checkpoint round is due. */
const LOOK_EVERY_MS = 2_000;

/**
 * Keeps the in-session projection checkpoints of a running host up to date
 * (decision 085): whenever the session has grown past the next multiple of
 * `every` events, one round runs on a thread of its own
 * (checkpoint-thread.ts), reading the log through its own connection. The
 * event handlers never wait for it and nothing it does changes an event; a
 * round that fails is logged and tried again later (restart then replays a
 * longer tail, nothing else).
 */
export class ProjectionCheckpointer {
  private readonly timer: NodeJS.Timeout;
  private running: Worker | undefined;
  /** Shared with the round's thread: 1 asks it to stop between checkpoints or parts. */
  private readonly stop = new Int32Array(new SharedArrayBuffer(4));
  private closed = false;
  private nextDue: number;
  /** Rounds finished (for tests and figures). */
  readonly rounds: CheckpointRound[] = [];

  constructor(
    private readonly path: string,
    private readonly position: () => { session: number; seq: number },
    private readonly every = CHECKPOINT_EVERY,
  ) {
    this.nextDue = every;
    this.timer = setInterval(() => this.look(), LOOK_EVERY_MS);
    this.timer.unref();
  }

  /** Starts a round now if the session has passed the next multiple of `every` and none is running. */
  look(): void {
    if (this.closed || this.running) return;
    const { seq } = this.position();
    if (seq < this.nextDue) return;
    const file = threadFile();
    if (!file) {
      logger.warn('projection checkpoints: dist/engine/host/checkpoint-thread.js not built; no checkpoints are written');
      this.closed = true;
      return;
    }
    const worker = new Worker(file, { workerData: { path: this.path, every: this.every, stop: this.stop.buffer as SharedArrayBuffer } });
    this.running = worker;
    worker.once('message', (m: { ok: boolean; round?: CheckpointRound; error?: string }) => {
      if (m.ok && m.round) this.rounds.push(m.round);
      else if (!m.ok) logger.error(`projection checkpoint round failed: ${m.error ?? 'unknown'}`);
    });
    worker.once('error', (err) => logger.error(`projection checkpoint thread failed: ${err.message}`));
    worker.once('exit', () => {
      this.running = undefined;
      this.nextDue = (Math.floor(this.position().seq / this.every) + 1) * this.every;
    });
  }

  /**
   * Stops a running round (a round over a long session can take minutes; a stop must not wait for it): the
   * thread ends it between two checkpoints or two 4 MiB parts and closes its connection, so the writer's close
   * is still the last one (no WAL left). A checkpoint cut short is incomplete, skipped on read and rewritten
   * by the next round.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const w = this.running;
    if (!w) return;
    Atomics.store(this.stop, 0, 1);
    await new Promise<void>((r) => w.once('exit', () => r()));
  }
}

/**
 * The thread's compiled file: next to this one in dist/, or, when this
 * module runs from its TypeScript source (tests), the same path under dist/.
 */
function threadFile(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(dirname(here), 'checkpoint-thread.js');
  const root = resolve(dirname(here), '..', '..');
  const file = join(root, 'dist', relative(root, dirname(here)), 'checkpoint-thread.js');
  return existsSync(file) ? file : undefined;
}
