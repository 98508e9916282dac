import { Publisher, Subscriber } from 'zeromq';
import { STORAGE_UNAVAILABLE } from '../../contract/api-errors.ts';
import type { LifecycleState } from '../../contract/domain.ts';
import { CommandClient, type CommandPort, type CommandReply } from '../bus/command-client.ts';
import type { BusEndpoints } from '../bus/endpoints.ts';
import { EventStream, type EventListener } from '../bus/event-stream.ts';
import { LocalReplay, sameLog } from '../bus/local-replay.ts';
import { CheckpointFetchError, ReplayClient, type ReplaySource } from '../bus/replay.ts';
import { SendQueue } from '../bus/send-queue.ts';
import { connectTo, type BusSecurity } from '../bus/security.ts';
import { EncodeError } from '../protocol/codec-support.ts';
import type { CommandBody, Sequenced } from '../protocol/events.ts';
import { encodeHeartbeat, type Heartbeat } from './heartbeat.ts';
import type { CommandSink, ComponentLogic, ResumedLog } from './logic.ts';
import { log } from '../log.ts';

export interface RuntimeOptions {
  /** Instance id, unique in the system, e.g. `risk-1`. */
  readonly id: string;
  readonly logic: ComponentLogic;
  readonly endpoints: BusEndpoints;
  readonly heartbeatMs?: number;
  /** Resend a command not answered by an event after this long. */
  readonly resendMs?: number;
  /** Called when the admin stream orders a shutdown (after the runtime stopped). */
  readonly onShutdown?: () => void;
  /** The host's (or `ordo component`'s) bus keys (decision 063); none: plain connects. */
  readonly security?: BusSecurity;
  /**
   * Where commands go, made at connect(): a component in the sequencer's process passes the sequencer's
   * local port (decision 183). None: a DEALER to `endpoints.commands`.
   */
  readonly commandPort?: (id: string) => CommandPort;
  /**
   * The host's log file, when this process can read it (a component on the host's machine given the host's data
   * dir): the checkpoint and the rewind are read from it through a read-only connection of this process, the
   * host's replay service is not asked for them (decision 259). Used only when it is the host's log (its latest
   * session's first frame the same as the replay service's); else, one line, and the replay service as before.
   */
  readonly localLog?: string;
}

/** Checkpoints a joining component tries (the newest, then older ones) before it rewinds from seq 1. */
const MAX_CHECKPOINT_TRIES = 3;

/** A command sent and not yet answered; the same object waits in the outbox and in `outstanding`. */
interface Outstanding {
  readonly cseq: number;
  readonly body: CommandBody;
  sentAt: number;
}

/**
 * Runs one component: feeds it the event stream in order, tracks its
 * lifecycle (starting → rewinding → caught_up → active | standby → stopped),
 * publishes heartbeats, sends its commands only while active and resends
 * them until the answering event arrives.
 */
export class ComponentRuntime implements EventListener {
  readonly id: string;
  readonly role: string;
  private state: LifecycleState = 'starting';
  private session = 0;
  private lastSeq = 0;
  private live = false;
  /** Whether the log names this instance active for its role. */
  private activeInLog = false;
  private nextCseq = 1;
  private readonly outstanding = new Map<number, Outstanding>();
  private outbox: Outstanding[] = [];
  private flushScheduled = false;
  private commands: CommandPort | undefined;
  private readonly hbPub = new Publisher();
  private readonly hbOut = new SendQueue(this.hbPub);
  private readonly admin = new Subscriber();
  private timers: NodeJS.Timeout[] = [];
  private ownStream: EventStream | undefined;
  /** Where start() took the checkpoint and the rewind from (decision 259). */
  rewoundFrom: 'the log file' | 'the replay service' = 'the replay service';
  private stopped = false;
  private readonly sink: CommandSink;
  /**
   * The logic's apply and react, bound once: called for every event, and a
   * call through `logic.apply` would look the method up on one of many
   * component classes each time.
   */
  private readonly applyEvent: ComponentLogic['apply'];
  private readonly reactEvent: ComponentLogic['react'];

  constructor(private readonly opts: RuntimeOptions) {
    this.id = opts.id;
    this.role = opts.logic.role;
    this.sink = { send: (body) => this.send(body) };
    this.applyEvent = opts.logic.apply.bind(opts.logic);
    this.reactEvent = opts.logic.react?.bind(opts.logic);
  }

  get lifecycle(): LifecycleState {
    return this.state;
  }

  get position(): { session: number; seq: number } {
    return { session: this.session, seq: this.lastSeq };
  }

  get logic(): ComponentLogic {
    return this.opts.logic;
  }

  /**
   * Starts at `seq` of `session` instead of seq 1 (decision 140): its
   * logic's state was set from an in-session checkpoint there. Takes from
   * the log's state at that seq what the runtime folds itself: its command
   * numbering (`lastCseq`, the highest cseq of this instance in the session)
   * and whether the log names it active (`active`). Call before any event.
   */
  resumeAt(session: number, seq: number, lastCseq: number, active: boolean): void {
    this.session = session;
    this.lastSeq = seq;
    if (lastCseq >= this.nextCseq) this.nextCseq = lastCseq + 1;
    this.activeInLog = active;
    this.opts.logic.resumed?.();
  }

  /** Connects the sockets; call before the event stream starts. */
  connect(): void {
    const ep = this.opts.endpoints;
    this.hbPub.linger = 0;
    connectTo(this.hbPub, ep.heartbeats, this.opts.security);
    this.admin.linger = 0;
    connectTo(this.admin, ep.admin, this.opts.security);
    this.admin.subscribe(this.id, 'all');
    void this.adminLoop();
    this.commands = this.opts.commandPort?.(this.id) ?? new CommandClient(ep.commands, this.id, this.opts.security);
    this.commands.onReply((r) => this.onReply(r));
    this.state = 'rewinding';
    const hbMs = this.opts.heartbeatMs ?? 250;
    this.timers.push(setInterval(() => this.heartbeat(), hbMs));
    this.timers.push(setInterval(() => this.resend(), Math.max(50, (this.opts.resendMs ?? 1000) / 2)));
    this.heartbeat();
  }

  /**
   * Starts with a stream of its own: from the latest session's newest
   * in-session checkpoint when the logic can adopt one (decision 140), else
   * rewinding from seq 1; then the tail from the replay service.
   */
  async start(): Promise<void> {
    this.connect();
    const local = await this.openLocalLog();
    this.ownStream = new EventStream({ events: this.opts.endpoints.events, replay: this.opts.endpoints.replay, security: this.opts.security, ...(local ? { rewindFrom: local } : {}) });
    this.ownStream.addListener(this);
    const from = await this.fromCheckpoint(local);
    await this.ownStream.start(from);
    await this.caughtUp();
  }

  /** The host's log read in this process (RuntimeOptions.localLog), when it can be and is the host's; else undefined (one line). */
  private async openLocalLog(): Promise<LocalReplay | undefined> {
    const path = this.opts.localLog;
    if (path === undefined) return undefined;
    let local: LocalReplay | undefined;
    const remote = new ReplayClient(this.opts.endpoints.replay, this.opts.security);
    let why: string | undefined;
    try {
      local = LocalReplay.open(path);
      why = await sameLog(local, remote);
    } catch (err) {
      why = (err as Error).message;
    } finally {
      remote.close();
    }
    if (why === undefined && local !== undefined) {
      this.rewoundFrom = 'the log file';
      log.info(`${this.id}: catches up from the log file ${path} itself, not through the host's replay service`);
      return local;
    }
    local?.close();
    log.warn(`${this.id}: does not read ${path} itself (${why}); catches up through the host's replay service`);
    return undefined;
  }

  /** Where the checkpoint put this instance, or undefined to rewind from seq 1 (none, or not usable: one log line). */
  private async fromCheckpoint(local?: ReplaySource): Promise<{ session: number; seq: number } | undefined> {
    const logic = this.opts.logic;
    const format = logic.checkpointFormat;
    if (format === undefined || logic.restoreCheckpoint === undefined) return undefined;
    const client = local ?? new ReplayClient(this.opts.endpoints.replay, this.opts.security);
    let got: { session: number; seq: number; parts: Uint8Array[] } | undefined;
    let view: ResumedLog | undefined;
    let failed = false;
    let fetchMs = 0;
    let restoreMs = 0;
    try {
      // The newest first; one that cannot be fetched or adopted: the next older one (one line each), then seq 1.
      let below: number | undefined;
      for (let tries = 0; tries < MAX_CHECKPOINT_TRIES && view === undefined; tries++) {
        const t0 = performance.now();
        try {
          got = await client.checkpoint(format, below);
        } catch (err) {
          const seq = err instanceof CheckpointFetchError ? err.seq : undefined;
          log.warn(`${this.id}: checkpoint not fetched (${(err as Error).message}); ${seq !== undefined ? 'trying an older one' : 'rewinding from seq 1'}`);
          if (seq === undefined) return undefined;
          failed = true;
          below = seq;
          continue;
        }
        if (got === undefined || this.stopped) break;
        const t1 = performance.now();
        fetchMs = t1 - t0;
        try {
          view = logic.restoreCheckpoint(got.session, got.seq, got.parts);
          restoreMs = performance.now() - t1;
          if (view === undefined) return undefined;
        } catch (err) {
          log.warn(`${this.id}: checkpoint session ${got.session} seq ${got.seq} not used (${(err as Error).message}); trying an older one`);
          failed = true;
          below = got.seq;
        }
      }
    } finally {
      // The local log stays open for the rewind (the event stream closes it).
      if (client !== local) client.close();
    }
    if (got === undefined || view === undefined || this.stopped) {
      if (failed) log.warn(`${this.id}: no usable checkpoint; rewinding from seq 1`);
      return undefined;
    }
    this.resumeAt(got.session, got.seq, view.lastCseq(this.id), view.activeInstance(this.role) === this.id);
    const mib = got.parts.reduce((n, p) => n + p.byteLength, 0) / 1048576;
    log.info(`${this.id}: joins session ${got.session} from its checkpoint at seq ${got.seq} (${mib.toFixed(0)} MiB in ${got.parts.length} parts, fetched in ${fetchMs.toFixed(0)} ms, decoded in ${restoreMs.toFixed(0)} ms)`);
    return { session: got.session, seq: got.seq };
  }

  /** Called once the stream feeding this component has caught up with the log. */
  async caughtUp(): Promise<void> {
    if (this.stopped) return;
    this.live = true;
    this.state = 'caught_up';
    this.heartbeat();
    await this.updateActive();
  }

  onEvents(session: number, events: readonly Sequenced[]): void {
    if (this.stopped) return;
    const apply = this.applyEvent;
    const react = this.reactEvent;
    const newSession = session !== this.session;
    for (const e of events) {
      if (session !== this.session) {
        this.session = session;
      }
      apply(session, e);
      this.lastSeq = e.seq;
      if (e.src === this.id && e.cseq > 0) {
        if (e.cseq >= this.nextCseq) this.nextCseq = e.cseq + 1;
        this.outstanding.delete(e.cseq);
      }
      const ev = e.event;
      const wasActive = this.live && this.state === 'active';
      if (ev.type === 'SessionOpened' && this.live && this.state === 'active') this.resendAllFirst();
      if (ev.type === 'ComponentActivated' && ev.role === this.role) {
        this.activeInLog = ev.instance === this.id;
        if (this.live) void this.updateActive();
      } else if ((ev.type === 'ComponentDeactivated' || ev.type === 'ComponentStopped') && ev.instance === this.id) {
        this.activeInLog = false;
        if (this.live) void this.updateActive();
      }
      // Checked per event: an instance activated part-way through this batch (onActivate saw the state
      // up to its activation) must react to every later event in it, or those would fall between the two.
      if (wasActive && this.state === 'active' && react !== undefined) react(session, e, this.sink);
    }
    // A new session restarts seqs: say so at once rather than at the next beat.
    if (newSession && this.live) this.heartbeat();
  }

  private async updateActive(): Promise<void> {
    if (!this.live || this.stopped) return;
    if (this.activeInLog && this.state !== 'active') {
      this.state = 'active';
      this.heartbeat();
      await this.opts.logic.onActivate?.(this.sink);
    } else if (!this.activeInLog && this.state !== 'standby') {
      const wasActive = this.state === 'active';
      this.state = 'standby';
      this.outstanding.clear();
      this.outbox = [];
      this.heartbeat();
      if (wasActive) await this.opts.logic.onDeactivate?.();
    }
  }

  /** Queues a command (only while active); returns its cseq, or 0 if not sent. */
  send(body: CommandBody): number {
    if (this.state !== 'active' || this.stopped) return 0;
    const cseq = this.nextCseq++;
    // sentAt is monotonic: a wall-clock step must not trigger (or hold back) resends (decision 084). Stamped once
    // per flush (flushOutbox), not per command: performance.now() was ~1.5 % of the host thread in the orders
    // bench (issue 15). Until then it is queued, not sent, and never due for a resend.
    const o: Outstanding = { cseq, body, sentAt: Infinity };
    this.outstanding.set(cseq, o);
    this.outbox.push(o);
    this.scheduleFlush();
    return cseq;
  }

  /**
   * Over the bus, a turn's commands go out together after the turn (one message). To a direct port (the
   * sequencer in this process) they go together once the current callback's synchronous work is done (a
   * microtask: one encode for all of a fan-out's reactions), still in this turn, so they are sequenced in its
   * check phase, not the next turn's.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    if (this.commands?.direct === true) queueMicrotask(() => this.flushOutbox());
    else setImmediate(() => this.flushOutbox());
  }

  private flushOutbox(): void {
    this.flushScheduled = false;
    const batch = this.outbox;
    this.outbox = [];
    const now = performance.now();
    for (const o of batch) if (o.sentAt === Infinity) o.sentAt = now;
    this.sendChecked(batch);
  }

  /**
   * Sends a batch; a command the codec refuses (a value out of its range) must not end the process nor hold back
   * the rest of its batch: the batch goes again one command at a time and each one the encoder refuses is
   * answered here as the sequencer answers a bad command (BAD_COMMAND naming the field) and never resent.
   * Nothing reaches the sequencer for a batch that throws, so sending its commands again is no duplicate.
   */
  private sendChecked(batch: readonly { cseq: number; body: CommandBody }[]): void {
    const port = this.commands;
    if (port === undefined) return;
    try {
      port.send(batch);
      return;
    } catch (err) {
      if (!(err instanceof EncodeError)) throw err;
    }
    for (const c of batch) {
      try {
        port.send([c]);
      } catch (err) {
        if (!(err instanceof EncodeError)) throw err;
        this.refuseUnencodable(c.cseq, err.message);
      }
    }
  }

  private refuseUnencodable(cseq: number, why: string): void {
    const o = this.outstanding.get(cseq);
    if (o === undefined) return;
    const message = `command ${cseq} (${o.body.type}) cannot be encoded: ${why}`;
    log.error(`${this.id}: ${message}`);
    this.onReply({ cseq, code: 'BAD_COMMAND', message });
    // Whatever the logic says, it can never be sent: a resend would only be refused again.
    this.outstanding.delete(cseq);
  }

  /**
   * A new session resets the sequencer's dedupe table: commands still waiting
   * (e.g. fills refused while the session was closed) must get in before any
   * newer command, or the newer one's number would make them look like repeats.
   */
  private resendAllFirst(): void {
    if (this.outstanding.size === 0) return;
    const waiting = [...this.outstanding].sort((a, b) => a[0] - b[0]).map(([, o]) => {
      o.sentAt = performance.now();
      return o;
    });
    const queued = new Set(this.outbox.map((c) => c.cseq));
    this.outbox = [...waiting.filter((c) => !queued.has(c.cseq)), ...this.outbox];
    this.scheduleFlush();
  }

  private resend(): void {
    if (this.state !== 'active' || this.outstanding.size === 0) return;
    const cutoff = performance.now() - (this.opts.resendMs ?? 1000);
    const again: { cseq: number; body: CommandBody }[] = [];
    for (const [cseq, o] of this.outstanding) {
      if (o.sentAt <= cutoff) {
        o.sentAt = performance.now();
        again.push({ cseq, body: o.body });
      }
    }
    if (again.length > 0) this.sendChecked(again);
  }

  private onReply(r: CommandReply): void {
    if (r.cseq === undefined) {
      log.error(`${this.id}: sequencer refused a batch: ${r.message}`);
      return;
    }
    const o = this.outstanding.get(r.cseq);
    if (!o) return;
    const decision = this.opts.logic.onRefused?.(r.cseq, o.body, r) ?? (r.code === STORAGE_UNAVAILABLE ? 'retry' : 'drop');
    if (decision === 'drop') this.outstanding.delete(r.cseq);
  }

  /** Commands sent but not yet answered by an event. */
  get unanswered(): number {
    return this.outstanding.size;
  }

  private heartbeat(): void {
    if (this.hbPub.closed) return;
    const hb: Heartbeat = {
      id: this.id,
      role: this.role,
      state: this.state,
      session: this.session,
      lastSeq: this.lastSeq,
      sentMs: Date.now(),
      pid: process.pid,
    };
    if (this.hbOut.pending < 4) this.hbOut.push(encodeHeartbeat(hb));
  }

  private async adminLoop(): Promise<void> {
    try {
      for await (const [, body] of this.admin) {
        const action = body?.toString('utf8');
        if (action === 'shutdown') {
          await this.stop();
          this.opts.onShutdown?.();
        }
      }
    } catch {
      // Closed.
    }
  }

  /** Stops: a last heartbeat says 'stopped', then every socket closes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const wasActive = this.state === 'active';
    this.state = 'stopped';
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.heartbeat();
    if (wasActive) await this.opts.logic.onDeactivate?.();
    await this.opts.logic.close?.();
    await this.hbOut.flushed();
    this.ownStream?.close();
    await this.commands?.close();
    this.admin.close();
    this.hbPub.close();
  }
}
