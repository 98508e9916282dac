import type { ChildProcess } from 'node:child_process';
import { forkHostChild } from './host-child.ts';
import { log as logger } from '../log.ts';
import { CHECKPOINT_EVERY, type CheckpointRound } from './checkpoint-maker.ts';
import { compiledFile } from './compiled-file.ts';

/** How often the host looks whether a checkpoint round is due. */
const LOOK_EVERY_MS = 2_000;

/**
 * Keeps the in-session projection checkpoints of a running host up to date
 * (decision 085): whenever the session has grown past the next multiple of
 * `every` events, one round runs in a process of its own
 * (checkpoint-process.ts, decision 170), reading the log through its own connection. The
 * event handlers never wait for it and nothing it does changes an event; a
 * round that fails is logged and tried again later (restart then replays a
 * longer tail, nothing else).
 */
export class ProjectionCheckpointer {
  private readonly timer: NodeJS.Timeout;
  private running: ChildProcess | undefined;
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
    const file = compiledFile(import.meta.url, 'checkpoint-process.js');
    if (!file) {
      logger.warn('projection checkpoints: dist/engine/host/checkpoint-process.js not built; no checkpoints are written');
      this.closed = true;
      return;
    }
    // The host's own runtime (node, or Electron as node: the environment says so), without its flags.
    const child = forkHostChild(file, [this.path, String(this.every)]);
    this.running = child;
    child.once('message', (m: { ok: boolean; round?: CheckpointRound; error?: string }) => {
      if (m.ok && m.round) this.rounds.push(m.round);
      else if (!m.ok) logger.error(`projection checkpoint round failed: ${m.error ?? 'unknown'}`);
    });
    child.once('error', (err) => logger.error(`projection checkpoint process failed: ${err.message}`));
    child.once('exit', (code, signal) => {
      this.running = undefined;
      if (code !== 0 && code !== null && !this.closed) logger.error(`projection checkpoint process exited with code ${code}`);
      else if (signal !== null && !this.closed) logger.error(`projection checkpoint process ended by ${signal}`);
      this.nextDue = (Math.floor(this.position().seq / this.every) + 1) * this.every;
    });
  }

  /**
   * Stops a running round (a round over a long session can take minutes; a stop must not wait for it): the
   * round's process is killed, which closes its connection and releases its locks, so the writer's close is
   * still the last one (no WAL left). A checkpoint cut short is incomplete (or rolled back), skipped on read and
   * rewritten by the next round.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const child = this.running;
    if (!child) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
  }
}
