import { mkdtempSync, rmSync } from 'node:fs';
import { afterEach } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inprocEndpoints, type BusEndpoints } from '../../../engine/bus/endpoints.ts';
import { ReplayServer } from '../../../engine/bus/replay.ts';
import type { Sequenced } from '../../../engine/protocol/events.ts';
import { systemClock } from '../../../engine/sequencer/clock.ts';
import { emptyPolicy, type SequencerPolicy } from '../../../engine/sequencer/policy.ts';
import { Sequencer } from '../../../engine/sequencer/sequencer.ts';
import { openReadableLog, openWritableLog, type WritableLog } from '../../../engine/store/log.ts';
import type { EventListener } from '../../../engine/bus/event-stream.ts';
import type { CommandReply } from '../../../engine/bus/command-client.ts';

let counter = 0;

/** A real sequencer, log file and replay service on fresh inproc endpoints. */
export interface Backbone {
  dir: string;
  dbPath: string;
  log: WritableLog;
  sequencer: Sequencer;
  replay: ReplayServer;
  endpoints: BusEndpoints;
  close(): Promise<void>;
}

export function tempDir(prefix = 'ordo-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startBackbone(opts: { dir?: string; policy?: SequencerPolicy; name?: string } = {}): Promise<Backbone> {
  const dir = opts.dir ?? tempDir();
  const dbPath = join(dir, 'ordo.db');
  const log = openWritableLog(dbPath);
  const endpoints = inprocEndpoints(opts.name ?? `bb${process.pid}-${++counter}`);
  const sequencer = new Sequencer({ log, policy: opts.policy ?? emptyPolicy, clock: systemClock() });
  await sequencer.bind([endpoints.commands], [endpoints.events]);
  const replay = new ReplayServer(openReadableLog(dbPath));
  await replay.bind(endpoints.replay);
  let closing: Promise<void> | undefined;
  return {
    dir,
    dbPath,
    log,
    sequencer,
    replay,
    endpoints,
    close() {
      // Idempotent, so a test may stop a backbone itself and the per-test teardown still runs safely.
      closing ??= (async () => {
        await sequencer.close();
        replay.close();
        log.close();
      })();
      return closing;
    },
  };
}

/** Backbones started through `start` and cleanups given to `defer`, undone after each test of the file. */
export interface BackbonesPerTest {
  start(opts?: Parameters<typeof startBackbone>[0]): Promise<Backbone>;
  defer(...cleanups: (() => unknown)[]): void;
}

/**
 * Registers one `afterEach` for a test file: the deferred cleanups run newest first (clients and streams
 * before what they talk to), then every backbone the test started is closed and its folder removed.
 */
export function backbonesPerTest(): BackbonesPerTest {
  const started: Backbone[] = [];
  const deferred: (() => unknown)[] = [];
  afterEach(async () => {
    for (const d of deferred.splice(0).reverse()) await d();
    for (const b of started.splice(0).reverse()) {
      await b.close();
      removeDir(b.dir);
    }
  });
  return {
    async start(opts) {
      const b = await startBackbone(opts);
      started.push(b);
      return b;
    },
    defer(...cleanups) {
      deferred.push(...cleanups);
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Collects everything a stream delivers. */
export class Collector implements EventListener {
  readonly events: { session: number; e: Sequenced }[] = [];
  onEvents(session: number, events: readonly Sequenced[]): void {
    for (const e of events) this.events.push({ session, e });
  }
}

/** Polls `cond` every few ms until it holds or `ms` pass (then throws with `what`). */
export async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A backbone with its session open and client `c0` active, and c0's local port to the sequencer (closed after the
 * test): the replies it gets, and `accepted(cseq)` an OrderAccepted command of order 100 + cseq.
 */
export async function backboneWithClient0(backbones: BackbonesPerTest) {
  const bb = await backbones.start();
  bb.sequencer.submit([
    { src: 'host', cseq: 1, body: { type: 'OpenSession' } },
    { src: 'host', cseq: 2, body: { type: 'ComponentActivated', role: 'client0', instance: 'c0' } },
  ]);
  await waitFor(() => bb.sequencer.position.seq === 3, 'session open and c0 active');
  const port = bb.sequencer.localPort('c0');
  backbones.defer(() => port.close());
  const replies: CommandReply[] = [];
  port.onReply((r) => replies.push(r));
  const accepted = (cseq: number) => ({ cseq, body: { type: 'OrderAccepted' as const, orderId: 100 + cseq } });
  return { bb, port, replies, accepted };
}
