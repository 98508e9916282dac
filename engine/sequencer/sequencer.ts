import { Publisher, Router } from 'zeromq';
import type { CommandPort, CommandReply } from '../bus/command-client.ts';
import { SendQueue } from '../bus/send-queue.ts';
import { receiveEach } from '../bus/receive-loop.ts';
import { bindAll, type BusSecurity } from '../bus/security.ts';
import { DecodeError } from '../protocol/bytes.ts';
import { decodeCommands, encodeCommands, encodeFrame, encodeHead } from '../protocol/codec.ts';
import type { Command, OrdoEvent, Sequenced } from '../protocol/events.ts';
import type { WritableLog } from '../store/log.ts';
import type { Clock } from './clock.ts';
import type { SequencerPolicy } from './policy.ts';
import { log } from '../log.ts';
import type { DeferredCommand } from '../store/deferred.ts';
import { STORAGE_UNAVAILABLE, type SequencerRefusalCode } from '../../contract/api-errors.ts';

/** Events per stored frame and published message, at most. */
export const MAX_FRAME_EVENTS = 4096;
/** How often the sequencer publishes where the log's head is. */
export const HEAD_BEACON_MS = 100;

export type SessionPhase = 'none' | 'open' | 'closing' | 'closed';

export interface SequencerOptions {
  readonly log: WritableLog;
  readonly policy: SequencerPolicy;
  readonly clock: Clock;
  /** Sources allowed to send any command without being active for a role. */
  readonly trusted?: readonly string[];
  /** Called after each published batch (for rate figures and the host's view). */
  readonly onPublished?: (session: number, lastSeq: number, events: number) => void;
  /**
   * Frames queued per subscriber before the PUB socket drops (default
   * 100,000). Tests set it tiny to make a slow subscriber lose frames.
   */
  readonly publishHighWaterMark?: number;
  /**
   * Sees every event of the latest session as the sequencer recovers it at
   * construction (not on later recoveries after a storage failure): the host
   * feeds its in-process components from this one pass over the log instead
   * of rewinding them again through the replay service (issue 15).
   */
  readonly recoverInto?: (session: number, e: Sequenced) => void;
  /** The host's bus keys (decision 063); none: plain binds. */
  readonly security?: BusSecurity;
  /**
   * At construction only: where to resume the latest session from instead of
   * its seq 1 (an in-session checkpoint, decision 140). Called with the
   * latest session; returns the sequencer's own state at a seq (the policy
   * must already hold its state at that seq), or undefined to replay it all.
   * Only the events after that seq are replayed (and handed to recoverInto).
   */
  readonly resumeFrom?: (session: number) => SequencerResume | undefined;
}

/** The sequencer's own state at `seq` of a session, as a fold of the log up to it gives it (see applyOwn). */
export interface SequencerResume {
  readonly seq: number;
  /** Timestamp of the event at `seq` (the floor for the next stamp). */
  readonly ts: number;
  readonly phase: 'open' | 'closing' | 'closed';
  readonly rolling: boolean;
  /** Highest cseq per source in the session. */
  readonly cseqs: Iterable<readonly [string, number]>;
  /** Active instance per role. */
  readonly roles: Iterable<readonly [string, string]>;
}

/** Why the sequencer refused a command. */
export interface SequencerRefusal {
  readonly code: SequencerRefusalCode;
  readonly message: string;
}

/** One arrival: a component's command batch (one ZeroMQ message), or an in-process submission. */
interface Inbound {
  readonly id: Buffer;
  readonly commands: readonly Command[];
  /** For in-process callers (one command): told the outcome once the batch is stored (or not). */
  readonly done?: (refusal: SequencerRefusal | undefined) => void;
}

interface Rejection {
  readonly id: Buffer;
  readonly cseq: number | undefined;
  readonly code: SequencerRefusalCode;
  readonly message: string;
}

const NO_PEER = Buffer.alloc(0);

/** process()'s answer for a command already sequenced: dropped without a reply. */
const DUPLICATE: SequencerRefusal = Object.freeze({ code: 'DUPLICATE', message: 'already sequenced' });

/** process()'s answer for a command held during a session roll: answered once sequenced into the next session. */
const HELD: SequencerRefusal = Object.freeze({ code: 'UNAVAILABLE', message: 'held for the next session' });

/** Commands [from, to) of one arrival as one flush went through them (see FlushWork.runs). */
interface Run {
  readonly item: Inbound;
  readonly from: number;
  to: number;
  /** Indexes not processed: duplicates, and commands held for the next session. */
  skipped: Set<number> | undefined;
  /** Indexes processed and refused (answered with the refusal, not stored). */
  refused: Set<number> | undefined;
}

const newRun = (item: Inbound, from: number): Run => ({ item, from, to: from, skipped: undefined, refused: undefined });

/** What one flush collects while it sequences. */
interface FlushWork {
  readonly rejections: Rejection[];
  /** In-process items refused in this batch, and why (made at the first such refusal: most batches have none). */
  outcomes: Map<Inbound, SequencerRefusal> | undefined;
  /**
   * What this batch sequenced, a run of consecutive commands of one arrival at
   * a time (one record an arrival, not one a command: this runs for every
   * command and is read only when storing fails). A run's commands were
   * processed, except those in `skipped` (duplicates, held); those not in
   * `refused` either were taken (their cseqs become holes if storing fails).
   */
  readonly runs: Run[];
  /** In-process items with a final outcome in this batch. */
  readonly answered: Inbound[];
}

/** The sequencer's name as the source of the events it makes itself. */
export const SEQUENCER_SRC = 'sequencer';

/**
 * The only writer of the event log. Takes command batches from a ROUTER,
 * drops duplicates by (src, cseq), stamps gap-free seqs and the time, writes
 * every command that has arrived in one transaction, then publishes the
 * frames on a PUB socket. Commands it refuses are answered to their sender.
 */
export class Sequencer {
  private readonly router = new Router();
  private readonly publisher = new Publisher();
  private readonly routerOut = new SendQueue(this.router);
  private readonly pubOut = new SendQueue(this.publisher, (err) => log.error(`publish failed: ${(err as Error).message}`));
  private readonly trusted: Set<string>;
  private inbox: Inbound[] = [];
  private flushScheduled = false;
  private closed = false;
  private headTimer: NodeJS.Timeout | undefined;

  private sessionId = 0;
  private phase: SessionPhase = 'none';
  private lastSeq = 0;
  private readonly highestCseq = new Map<string, number>();
  /**
   * Command seqs taken into a batch that then failed to store (so refused with
   * STORAGE_UNAVAILABLE): never in the log, yet maybe below the source's
   * highest, because a newer command got in once storage was back. A resend
   * of one is not a duplicate. Survives recover() (the log cannot know them);
   * forgotten when the next session opens.
   */
  private readonly refusedForStorage = new Map<string, Set<number>>();
  private readonly activeByRole = new Map<string, string>();
  /** The role of the last command's source (a batch has one source), until roles change. */
  private roleCache: { src: string | undefined; role: string | undefined } = { src: undefined, role: undefined };
  /** Time stamped on every event of the batch being sequenced (read once per batch). */
  private batchTs = 0;
  /** Latest timestamp stamped or recovered: the floor for the next one (survives recover()). */
  private lastTs = 0;
  /** Events made in the batch being built, grouped by session. */
  private pending: { session: number; events: Sequenced[] }[] = [];
  private opened: { id: number; ts: number }[] = [];
  private closedSessions: { id: number; ts: number; seq: number; body: unknown }[] = [];
  /** A roll is under way: the closing session is followed at once by the next (SessionClosing{roll}). */
  private rolling = false;
  /** Set when a roll's next session has just opened: the held commands go next. */
  private rollOpened = false;
  /** Commands held during a roll, in arrival order (one item per command). */
  private held: Inbound[] = [];
  /** `src NUL cseq` of every held command: a resend of one is dropped. */
  private readonly heldKeys = new Set<string>();
  /** Sources with a held command: their later commands are held too (FIFO per source). */
  private readonly holdingSrc = new Set<string>();

  /** The peer ids of in-process command ports (localPort), by identity, and where their refusals go. */
  private readonly localPeers = new Map<Buffer, (reply: CommandReply) => void>();
  /** Told every stored frame, in order, at the end of the flush that stored it (onStoredFrames). */
  private storedFrames: ((frame: Uint8Array) => void) | undefined;
  /** Told every head beacon (onHeadBeacon). */
  private headBeacons: ((head: Uint8Array) => void) | undefined;

  /** Totals since start, for figures. */
  stats = { events: 0, frames: 0, batches: 0, rejected: 0, storageFailures: 0, held: 0, deferred: 0 };
  /** Last storage error, cleared by the next successful write. */
  storageError: string | undefined;
  /** `stats.storageFailures` at the first of the current run of failed commits; undefined while commits succeed. */
  private storageDownSince: number | undefined;

  constructor(private readonly opts: SequencerOptions) {
    this.trusted = new Set(['host', ...(opts.trusted ?? [])]);
    this.recover(opts.recoverInto, opts.resumeFrom);
  }

  /**
   * The clock, never earlier than an event already in the log: a wall clock
   * stepped back (NTP, a restart with the clock behind) must not make event
   * times in a session go backwards. While the clock is behind, time stands
   * still at the last stamp until it catches up.
   */
  private now(): number {
    const t = this.opts.clock();
    if (t > this.lastTs) this.lastTs = t;
    return this.lastTs;
  }

  /** Current session, phase and last seq. */
  get position(): { session: number; phase: SessionPhase; seq: number } {
    return { session: this.sessionId, phase: this.phase, seq: this.lastSeq };
  }

  /** Whether a session roll is under way, and how many commands it holds for the next session. */
  get roll(): { rolling: boolean; held: number } {
    return { rolling: this.rolling, held: this.held.length };
  }

  /** Instance active for each role, as the log says. */
  get activeRoles(): ReadonlyMap<string, string> {
    return this.activeByRole;
  }

  /** The commands stored while no session was open after `session` closed, for the next open (decision 130). */
  deferredAfter(session: number): DeferredCommand[] {
    return this.opts.log.deferred.of(session);
  }

  /**
   * Rebuilds state from the log: the latest session's events, in order (each
   * also handed to `into`); with `resumeFrom` (construction only), from the
   * state it gives and the events after it (it is called after the policy's
   * reset, so it may restore the policy).
   */
  recover(into?: (session: number, e: Sequenced) => void, resumeFrom?: (session: number) => SequencerResume | undefined): void {
    this.sessionId = 0;
    this.phase = 'none';
    this.rolling = false;
    this.rollOpened = false;
    this.lastSeq = 0;
    this.highestCseq.clear();
    this.activeByRole.clear();
    this.roleCache = { src: undefined, role: undefined };
    this.opts.policy.reset();
    const latest = this.opts.log.latestSession();
    if (!latest) return;
    this.sessionId = latest.id;
    this.phase = latest.state === 'closed' ? 'closed' : 'open';
    const id = latest.id;
    const resume = resumeFrom?.(id);
    if (resume) {
      this.lastSeq = resume.seq;
      if (resume.ts > this.lastTs) this.lastTs = resume.ts;
      this.phase = resume.phase;
      this.rolling = resume.rolling;
      for (const [src, cseq] of resume.cseqs) this.highestCseq.set(src, cseq);
      for (const [role, instance] of resume.roles) this.activeByRole.set(role, instance);
    }
    this.opts.log.replay(
      id,
      into
        ? (e) => {
            this.applyOwn(id, e);
            into(id, e);
          }
        : (e) => this.applyOwn(id, e),
      this.lastSeq + 1,
    );
    if (latest.state === 'closed') this.phase = 'closed';
  }

  async bind(commands: readonly string[], events: readonly string[]): Promise<void> {
    this.router.linger = 0;
    // A ROUTER without ZMQ_ROUTER_MANDATORY never waits to send (a reply to a full or gone peer is dropped; the
    // sender resends), so no ZMQ_EVENTS read before each reply (decision 257).
    this.router.sendTimeout = 0;
    this.publisher.linger = 0;
    this.publisher.sendHighWaterMark = this.opts.publishHighWaterMark ?? 100_000;
    await bindAll(this.router, commands, this.opts.security);
    await bindAll(this.publisher, events, this.opts.security);
    void this.receiveLoop();
    this.headTimer = setInterval(() => {
      if (this.pubOut.pending === 0) this.pubOut.push(encodeHead(this.sessionId, this.lastSeq));
      const local = this.headBeacons;
      if (local) {
        try {
          local(encodeHead(this.sessionId, this.lastSeq));
        } catch (err) {
          log.error(`sequencer: in-process consumer failed on a head beacon: ${(err as Error).message}`);
        }
      }
    }, HEAD_BEACON_MS);
  }

  private async receiveLoop(): Promise<void> {
    try {
      await receiveEach(this.router, this.onMessage);
    } catch (err) {
      if (!this.closed) log.error(`sequencer stopped receiving: ${(err as Error).message}`);
    }
  }

  /** One ROUTER message: the sender's id, then the batch. Made once (receiveEach calls it per message). */
  private readonly onMessage = (msg: Buffer[]): void => {
    // Indexed, not destructured: destructuring an array allocates an iterator per message.
    const id = msg[0];
    if (id) this.onBatch(id, msg[1]);
  };

  private onBatch(id: Buffer, body: Uint8Array | undefined): void {
    let commands: Command[];
    try {
      if (!body) throw new DecodeError('empty message');
      commands = decodeCommands(body).commands;
    } catch (err) {
      const message = err instanceof DecodeError ? err.message : `undecodable command: ${(err as Error).message}`;
      this.stats.rejected++;
      this.reply({ id, cseq: undefined, code: 'BAD_COMMAND', message });
      return;
    }
    this.enqueue({ id, commands });
  }

  /**
   * A command port for a component in this process (decision 183): what it sends is encoded and decoded as
   * over the bus (the same checks, fresh objects) and goes straight into the inbox, in the caller's turn,
   * instead of through DEALER → ROUTER (a ZeroMQ hand-off and a turn of the event loop). Refusals come back
   * through its onReply as they would over the bus. `src` is the component's instance id.
   */
  localPort(src: string): CommandPort {
    const id = Buffer.from(`local:${src}`);
    let handler: ((reply: CommandReply) => void) | undefined;
    let closed = false;
    this.localPeers.set(id, (r) => handler?.(r));
    return {
      direct: true,
      send: (commands) => {
        if (closed || commands.length === 0) return;
        this.onBatch(id, encodeCommands(src, commands));
      },
      onReply: (h) => (handler = h),
      close: () => {
        closed = true;
        this.localPeers.delete(id);
        return Promise.resolve();
      },
    };
  }

  /**
   * `listener` sees every frame this sequencer stores, in order, once its batch is stored and answered (the
   * same bytes the PUB socket then sends): the host hands them to its in-process event stream at once
   * (EventStream.offerLocal), which then drops their copies from the PUB socket. One listener; a later call
   * replaces it. A throw is logged and does not stop sequencing.
   */
  onStoredFrames(listener: ((frame: Uint8Array) => void) | undefined): void {
    this.storedFrames = listener;
  }

  /**
   * `listener` gets the head beacon (encodeHead: session and last seq) every HEAD_BEACON_MS, as PUB subscribers
   * do: an in-process stream that takes its frames only from onStoredFrames (decision 210) still finds a frame
   * it missed (a consumer's throw) when nothing follows it. One listener; a later call replaces it.
   */
  onHeadBeacon(listener: ((head: Uint8Array) => void) | undefined): void {
    this.headBeacons = listener;
  }

  /** Sequences a batch given directly (the host's own commands; tests). */
  submit(commands: readonly Command[]): void {
    this.enqueue({ id: NO_PEER, commands: [...commands] });
  }

  /** Sequences one in-process command; resolves with the refusal, or undefined once it is stored. */
  request(cmd: Command): Promise<SequencerRefusal | undefined> {
    return new Promise((done) => this.enqueue({ id: NO_PEER, commands: [cmd], done }));
  }

  /** The next command number `src` may use in the current session. */
  nextCseq(src: string): number {
    return (this.highestCseq.get(src) ?? 0) + 1;
  }

  private enqueue(item: Inbound): void {
    if (this.closed) {
      item.done?.({ code: 'UNAVAILABLE', message: 'the sequencer is stopping' });
      return;
    }
    this.inbox.push(item);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushNow);
    }
  }

  /** flush() as a callback, made once: not a closure per flush (one per 2-4 commands at 10 k/s). */
  private readonly flushNow = (): void => this.flush();

  /** Sequences, stores and publishes everything in the inbox. */
  flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.inbox.length === 0) return;
    const batch = this.inbox;
    this.inbox = [];
    const work: FlushWork = { rejections: [], outcomes: undefined, runs: [], answered: [] };
    let written: { frames: Uint8Array[]; events: number } | undefined;
    // One time for the whole batch: it is sequenced and stored at one instant.
    this.batchTs = this.now();
    try {
      for (let b = 0; b < batch.length; b++) this.runItem(batch[b]!, work);
      written = this.commit();
    } catch (err) {
      // A bug in a policy must not stall sequencing or half-apply a batch: forget it all.
      log.error(`sequencer: batch refused: ${(err as Error).message}`);
      this.storageError = `internal error: ${(err as Error).message}`;
      this.pending = [];
      this.opened = [];
      this.closedSessions = [];
      this.recover();
      written = undefined;
    }
    const rejections = work.rejections;
    if (written) {
      for (const frame of written.frames) this.pubOut.push(frame);
      this.stats.frames += written.frames.length;
      this.stats.events += written.events;
      this.stats.batches++;
      if (written.events > 0) this.opts.onPublished?.(this.sessionId, this.lastSeq, written.events);
    } else {
      // Nothing of this batch is stored: refuse all of it; senders resend later.
      rejections.length = 0;
      const message = `event log unavailable: ${this.storageError}`;
      for (const run of work.runs) {
        const { item, skipped, refused } = run;
        for (let i = run.from; i < run.to; i++) {
          if (skipped?.has(i)) continue;
          const cmd = item.commands[i]!;
          rejections.push({ id: item.id, cseq: cmd.cseq, code: STORAGE_UNAVAILABLE, message });
          if (refused?.has(i)) continue;
          let holes = this.refusedForStorage.get(cmd.src);
          if (!holes) this.refusedForStorage.set(cmd.src, (holes = new Set()));
          holes.add(cmd.cseq);
        }
      }
      // Held commands wait for the roll; if the roll itself was not stored, they are refused like the rest.
      if (!this.rolling) {
        for (const item of this.takeHeld()) {
          for (const cmd of item.commands) rejections.push({ id: item.id, cseq: cmd.cseq, code: STORAGE_UNAVAILABLE, message });
          if (item.done) work.answered.push(item);
        }
      }
    }
    this.stats.rejected += rejections.length;
    for (const r of rejections) this.reply(r);
    for (const item of work.answered) {
      item.done!(written ? work.outcomes?.get(item) : { code: STORAGE_UNAVAILABLE, message: `event log unavailable: ${this.storageError}` });
    }
    const local = this.storedFrames;
    if (written && local) {
      try {
        for (const frame of written.frames) local(frame);
      } catch (err) {
        log.error(`sequencer: in-process consumer failed on a stored frame: ${(err as Error).message}`);
      }
    }
  }

  /** Sequences the commands of one arrival; the commands held during a roll go in as soon as the roll opens the next session. */
  private runItem(item: Inbound, work: FlushWork): void {
    const commands = item.commands;
    let held = false;
    let run = newRun(item, 0);
    work.runs.push(run);
    for (let i = 0; i < commands.length; i++) {
      const cmd = commands[i]!;
      const refusal = this.process(cmd, item);
      run.to = i + 1;
      if (refusal === HELD) {
        held = true;
        (run.skipped ??= new Set()).add(i);
        continue;
      }
      if (refusal === DUPLICATE) (run.skipped ??= new Set()).add(i);
      else if (refusal) {
        (run.refused ??= new Set()).add(i);
        work.rejections.push({ id: item.id, cseq: cmd.cseq, ...refusal });
        if (item.done) (work.outcomes ??= new Map()).set(item, refusal);
      }
      if (this.rollOpened) {
        // The roll's next session is open: what it held is sequenced now, in arrival order, before anything newer.
        this.rollOpened = false;
        for (const h of this.takeHeld()) this.runItem(h, work);
        // This arrival's later commands come after the held ones (the order their refusals go out in if storing fails).
        run = newRun(item, i + 1);
        work.runs.push(run);
      }
    }
    if (item.done && !held) work.answered.push(item);
  }

  private takeHeld(): Inbound[] {
    const held = this.held;
    this.held = [];
    this.heldKeys.clear();
    this.holdingSrc.clear();
    return held;
  }

  private reply(r: Rejection): void {
    if (r.id.length === 0) return;
    const local = this.localPeers.get(r.id);
    if (local) {
      local({ ...(r.cseq !== undefined ? { cseq: r.cseq } : {}), code: r.code, message: r.message });
      return;
    }
    const body = JSON.stringify({ ...(r.cseq !== undefined ? { cseq: r.cseq } : {}), code: r.code, message: r.message });
    this.routerOut.push([r.id, body]);
  }

  private process(cmd: Command, item?: Inbound): SequencerRefusal | undefined {
    if (this.heldKeys.size > 0 && this.heldKeys.has(`${cmd.src}\u0000${cmd.cseq}`)) return DUPLICATE; // a resend of a held command
    const last = this.highestCseq.get(cmd.src) ?? 0;
    const holes = this.refusedForStorage.size === 0 ? undefined : this.refusedForStorage.get(cmd.src);
    if (cmd.cseq <= last && !holes?.has(cmd.cseq)) return DUPLICATE; // already sequenced: drop silently
    holes?.delete(cmd.cseq);
    const body = cmd.body;
    let role = 'host';
    if (!this.trusted.has(cmd.src)) {
      const found = this.roleOf(cmd.src);
      if (found === undefined) return { code: 'NOT_ACTIVE', message: `${cmd.src} is not active for any role` };
      role = found;
    }
    switch (body.type) {
      case 'OpenSession':
        if (role !== 'host') return { code: 'FORBIDDEN', message: `${cmd.src} may not open sessions` };
        if (this.phase === 'open') return { code: 'SESSION_ALREADY_OPEN', message: `session ${this.sessionId} is already open` };
        this.openSession(cmd);
        return undefined;
      case 'CloseSession':
        if (role !== 'host') return { code: 'FORBIDDEN', message: `${cmd.src} may not close sessions` };
        if (this.phase === 'closing') {
          // Closing already (e.g. since before a restart): finish if the policy is ready, or now if forced.
          if (body.force === true) this.forceClose();
          else this.finishCloseWhenReady();
          return undefined;
        }
        if (this.phase !== 'open') {
          return { code: 'SESSION_NOT_OPEN', message: this.sessionId === 0 ? 'no session has been opened' : `session ${this.sessionId} is already closed` };
        }
        this.closeSession(cmd);
        if (body.force === true && (this.phase as SessionPhase) === 'closing') this.forceClose();
        return undefined;
      case 'RollSession':
        if (role !== 'host') return { code: 'FORBIDDEN', message: `${cmd.src} may not roll sessions` };
        if (this.phase !== 'open') {
          const state = this.phase === 'none' ? 'no session has been opened' : `session ${this.sessionId} is ${this.phase}`;
          return { code: 'SESSION_NOT_OPEN', message: `cannot roll: ${state}` };
        }
        this.closeSession(cmd, true);
        return undefined;
      default: {
        if (this.phase !== 'open' && this.phase !== 'closing') {
          const kept = this.phase === 'closed' ? this.defer(cmd, role) : undefined;
          return kept ?? { code: 'SESSION_NOT_OPEN', message: this.sessionId === 0 ? 'no session is open' : `session ${this.sessionId} is closed` };
        }
        const policy = this.opts.policy;
        const refusal = policy.authorize(cmd.src, role, body);
        if (refusal) return refusal;
        if (this.phase === 'closing') {
          const closing = policy.closingRefusal?.(body);
          if (this.rolling && (closing || this.holdingSrc.has(cmd.src))) return this.hold(cmd, item);
          // The policy's own code (SESSION_CLOSING: an order reject reason the API knows).
          if (closing) return closing as SequencerRefusal;
        }
        this.emit(body, cmd.src, cmd.cseq);
        if (this.phase === 'closing') this.finishCloseWhenReady();
        return undefined;
      }
    }
  }

  /**
   * Between sessions: keeps a command the policy allows (a trader's cancel of
   * a carried order) in the log's deferred_commands table for the next open
   * (decision 130), stored before it is answered QUEUED_FOR_OPEN. Undefined:
   * the policy does not keep it.
   */
  private defer(cmd: Command, role: string): SequencerRefusal | undefined {
    const d = this.opts.policy.deferWhileClosed?.(cmd.src, role, cmd.body);
    if (d === undefined || 'code' in d) return d;
    const log = this.opts.log;
    let fresh: boolean;
    try {
      fresh = log.transaction(() => log.deferred.add({ session: this.sessionId, key: d.key, src: cmd.src, ts: this.batchTs, body: cmd.body }));
    } catch (err) {
      return { code: STORAGE_UNAVAILABLE, message: `event log unavailable: ${(err as Error).message}` };
    }
    this.stats.deferred++;
    const what = fresh ? 'stored' : 'already stored';
    return { code: 'QUEUED_FOR_OPEN', message: `no session is open: ${what}, applied when session ${this.sessionId + 1} opens` };
  }

  /**
   * Holds a command the closing session of a roll may not take (a new order,
   * a replace), and every later command of its source, for the next session.
   */
  private hold(cmd: Command, item: Inbound | undefined): SequencerRefusal {
    this.held.push(item?.done ? item : { id: item?.id ?? NO_PEER, commands: [cmd] });
    this.heldKeys.add(`${cmd.src}\u0000${cmd.cseq}`);
    this.holdingSrc.add(cmd.src);
    this.stats.held++;
    return HELD;
  }

  private roleOf(instance: string): string | undefined {
    const cache = this.roleCache;
    if (cache.src === instance) return cache.role;
    let found: string | undefined;
    for (const [role, active] of this.activeByRole) {
      if (active === instance) {
        found = role;
        break;
      }
    }
    this.roleCache = { src: instance, role: found };
    return found;
  }

  private openSession(cmd: Command): void {
    // A roll opens in the batch that closed the previous session: its snapshot is not stored yet.
    const closing = this.closedSessions.find((c) => c.id === this.sessionId);
    const previous = closing ? closing.body : this.sessionId > 0 ? this.opts.log.snapshot(this.sessionId)?.body : undefined;
    const id = this.sessionId + 1;
    const policy = this.opts.policy;
    this.refusedForStorage.clear();
    this.sessionId = id;
    this.lastSeq = 0;
    this.opened.push({ id, ts: this.now() });
    const prevId = id - 1;
    const carried = [...this.activeByRole];
    this.emit({ type: 'SessionOpened', sessionId: id, previousSessionId: prevId, orderIdBase: policy.orderIdBase(previous) }, cmd.src, cmd.cseq);
    // What traders asked for while no session was open (decision 130): applied by the opening events.
    const deferred = prevId > 0 ? this.opts.log.deferred.of(prevId).map((d) => d.body) : [];
    for (const e of policy.openingEvents(previous, deferred)) this.emit(e, SEQUENCER_SRC, 0);
    for (const [role, instance] of carried) this.emit({ type: 'ComponentActivated', role, instance }, SEQUENCER_SRC, 0);
    this.emit({ type: 'SessionReady', restoredOrders: this.countRestored(id) }, SEQUENCER_SRC, 0);
  }

  private countRestored(session: number): number {
    let n = 0;
    for (const g of this.pending) if (g.session === session) for (const e of g.events) if (e.event.type === 'OrderRestored') n++;
    return n;
  }

  /**
   * Closing is two steps: SessionClosing and the policy's closing events
   * now; the snapshot and SessionClosed once the policy is ready (checked
   * after every event sequenced while closing: e.g. the venue confirmed the
   * expiry of every day order), or when a CloseSession{force} comes.
   */
  private closeSession(cmd: Command, roll = false): void {
    const policy = this.opts.policy;
    this.emit(roll ? { type: 'SessionClosing', roll: true } : { type: 'SessionClosing' }, cmd.src, cmd.cseq);
    for (const e of policy.closingEvents()) this.emit(e, SEQUENCER_SRC, 0);
    this.finishCloseWhenReady();
  }

  private finishCloseWhenReady(): void {
    if (this.opts.policy.readyToClose?.() ?? true) this.finishClose();
  }

  private forceClose(): void {
    for (const e of this.opts.policy.forcedClosingEvents?.() ?? []) this.emit(e, SEQUENCER_SRC, 0);
    this.finishClose();
  }

  private finishClose(): void {
    const policy = this.opts.policy;
    const snap = policy.snapshot();
    this.emit({ type: 'SessionClosed', carriedOrders: snap.carriedOrders }, SEQUENCER_SRC, 0);
    this.closedSessions.push({ id: this.sessionId, ts: this.now(), seq: this.lastSeq, body: snap.body });
    if (this.rolling) this.openRolled();
  }

  /** The second half of a roll: the next session opens in the same batch (so the same transaction) as SessionClosed. */
  private openRolled(): void {
    this.openSession({ src: SEQUENCER_SRC, cseq: 0, body: { type: 'OpenSession' } });
    this.rollOpened = true;
  }

  private emit(event: OrdoEvent, src: string, cseq: number): void {
    const e: Sequenced = { seq: this.lastSeq + 1, ts: this.batchTs, src, cseq, event };
    let group = this.pending[this.pending.length - 1];
    if (!group || group.session !== this.sessionId) {
      group = { session: this.sessionId, events: [] };
      this.pending.push(group);
    }
    group.events.push(e);
    this.applyOwn(this.sessionId, e);
  }

  /** The sequencer's own projection: session phase, dedupe table, active roles. */
  private applyOwn(session: number, e: Sequenced): void {
    this.lastSeq = e.seq;
    if (e.ts > this.lastTs) this.lastTs = e.ts;
    // Highest, not last: a command refused for storage may be stored after newer ones.
    if (e.cseq > (this.highestCseq.get(e.src) ?? 0)) this.highestCseq.set(e.src, e.cseq);
    const ev = e.event;
    switch (ev.type) {
      case 'SessionOpened':
        this.sessionId = ev.sessionId;
        this.phase = 'open';
        this.rolling = false;
        this.highestCseq.clear();
        if (e.cseq > 0) this.highestCseq.set(e.src, e.cseq);
        break;
      case 'SessionClosing':
        this.phase = 'closing';
        this.rolling = ev.roll === true;
        break;
      case 'SessionClosed':
        this.phase = 'closed';
        break;
      case 'ComponentActivated':
        this.activeByRole.set(ev.role, ev.instance);
        this.roleCache = { src: undefined, role: undefined };
        break;
      case 'ComponentDeactivated':
      case 'ComponentStopped':
        if (this.activeByRole.get(ev.role) === ev.instance) this.activeByRole.delete(ev.role);
        this.roleCache = { src: undefined, role: undefined };
        break;
      default:
        break;
    }
    this.opts.policy.apply(session, e);
  }

  /** Writes the pending events in one transaction; undefined if storage failed. */
  private commit(): { frames: Uint8Array[]; events: number } | undefined {
    const groups = this.pending;
    const opened = this.opened;
    const closed = this.closedSessions;
    this.pending = [];
    // Usually empty: keep the empty arrays rather than make two new ones per batch.
    if (opened.length > 0) this.opened = [];
    if (closed.length > 0) this.closedSessions = [];
    const frames: { session: number; first: number; last: number; bytes: Uint8Array }[] = [];
    let events = 0;
    try {
      for (const g of groups) {
        const all = g.events;
        for (let i = 0; i < all.length; i += MAX_FRAME_EVENTS) {
          const end = Math.min(all.length, i + MAX_FRAME_EVENTS);
          frames.push({ session: g.session, first: all[i]!.seq, last: all[end - 1]!.seq, bytes: encodeFrame(g.session, all, i, end) });
          events += end - i;
        }
      }
      const log = this.opts.log;
      log.transaction(() => {
        let openIdx = 0;
        for (const f of frames) {
          while (openIdx < opened.length && opened[openIdx]!.id <= f.session) {
            log.openSession(opened[openIdx]!.id, opened[openIdx]!.ts);
            openIdx++;
          }
          log.appendFrame(f.session, f.first, f.last, f.bytes);
          for (const c of closed) if (c.id === f.session && c.seq === f.last) log.closeSession(c.id, c.ts, { seq: c.seq, body: c.body });
        }
      });
      if (this.storageDownSince !== undefined) this.storageBack();
      this.storageError = undefined;
      return { frames: frames.map((f) => f.bytes), events };
    } catch (err) {
      this.stats.storageFailures++;
      this.storageError = (err as Error).message;
      // The operator's one line (traders see 503s): on the first failure, not on every refused batch (decision 296).
      if (this.storageDownSince === undefined) {
        this.storageDownSince = this.stats.storageFailures;
        log.error(`sequencer: the event log cannot be written (${this.storageError}); commands are refused STORAGE_UNAVAILABLE until it can (free space, check the data dir)`);
      }
      // The transaction rolled back; rebuild memory from what the log holds.
      this.recover();
      return undefined;
    }
  }

  /** The log took a commit again after failing: one line saying how many batches were refused meanwhile. */
  private storageBack(): void {
    const refused = this.stats.storageFailures - this.storageDownSince! + 1;
    this.storageDownSince = undefined;
    log.warn(`sequencer: the event log is written again, after ${refused} refused batch(es)`);
  }

  /** Stops taking commands after sequencing what already arrived. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.inbox.length > 0) this.flush();
    this.closed = true;
    clearInterval(this.headTimer);
    this.router.close();
    await this.pubOut.flushed();
    this.publisher.close();
  }
}
