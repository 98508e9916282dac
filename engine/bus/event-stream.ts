import { Subscriber } from 'zeromq';
import { decodeFrame, decodeHead, readFrameInfo, type FrameInfo } from '../protocol/codec.ts';
import type { Sequenced } from '../protocol/events.ts';
import { ReplayClient, type ReplaySource } from './replay.ts';
import { connectTo, type BusSecurity } from './security.ts';
import { receiveEach } from './receive-loop.ts';
import { log } from '../log.ts';

/** Replay answers in a row that may jump over one seq before the catch-up gives up on it (a gap in the log). */
const MAX_REPLAY_JUMPS = 3;

/** Receives events in order, gap-free, exactly once. */
export interface EventListener {
  onEvents(session: number, events: readonly Sequenced[]): void;
}

export interface EventStreamOptions {
  readonly events: string;
  readonly replay: string;
  /** ZeroMQ receive high-water mark (frames); tiny values force drops in tests. */
  readonly receiveHighWaterMark?: number;
  /** Test hook: return true to drop a live frame as if the network lost it. */
  readonly dropLive?: (info: FrameInfo) => boolean;
  /** The host's bus keys (decision 063); none: plain connects. */
  readonly security?: BusSecurity;
  /**
   * The stream is fed by the sequencer in its own process (offerLocal: every stored frame and the head beacons,
   * decision 210), so it takes nothing from the PUB socket: no subscription, no bus copy per frame to receive and
   * drop. Offers that come while it catches up are buffered as bus copies would be; a gap is filled from the
   * replay service as always.
   */
  readonly localFeed?: boolean;
  /**
   * Where start() rewinds from instead of the replay service: the log file read in this process (LocalReplay,
   * decision 259). The stream owns it: closed once caught up (gap fills go to the replay service from then on,
   * and the host's log is not held open by this process) or on close().
   */
  readonly rewindFrom?: ReplaySource;
}

export interface StreamPosition {
  session: number;
  /** Last seq delivered (0 = none yet in that session). */
  seq: number;
}

/**
 * A subscriber to the event stream that never applies events out of order or
 * twice: it joins by rewinding from the log, and when the seq jumps (the
 * publisher dropped frames at its high-water mark, or the link was slow) it
 * fetches the missing range from the replay service before going on.
 */
export class EventStream {
  private readonly sub = new Subscriber();
  private readonly client: ReplayClient;
  /** Where catch-ups read: options.rewindFrom during start(), the replay service (client) after. */
  private replay: ReplaySource;
  private readonly listeners: EventListener[] = [];
  private readonly buffered: Uint8Array[] = [];
  private catchingUp = false;
  /** Resolved when the catch-up in progress ends. */
  private catchUpEnded: (() => void)[] = [];
  private closed = false;
  private session = 0;
  private next = 1;
  /** The last event delivered was SessionClosed: the next session may follow live from seq 1 (a roll). */
  private sessionEnded = false;
  /** Frames taken from offerLocal (the sequencer in this process) before their copy came over the bus. */
  localFrames = 0;
  /** Frames fetched from the replay service rather than received live. */
  gapFills = 0;
  replayedFrames = 0;

  constructor(private readonly options: EventStreamOptions) {
    this.client = new ReplayClient(options.replay, options.security);
    this.replay = options.rewindFrom ?? this.client;
  }

  addListener(listener: EventListener): void {
    this.listeners.push(listener);
  }

  get position(): StreamPosition {
    return { session: this.session, seq: this.next - 1 };
  }

  /**
   * Subscribes, then rewinds from `from` (default: seq 1 of the latest
   * session) up to the log's head. Resolves once caught up.
   */
  async start(from?: StreamPosition): Promise<void> {
    this.sub.linger = 0;
    if (!this.options.localFeed) {
      if (this.options.receiveHighWaterMark !== undefined) this.sub.receiveHighWaterMark = this.options.receiveHighWaterMark;
      connectTo(this.sub, this.options.events, this.options.security);
      this.sub.subscribe();
      void this.receiveLoop();
    }
    if (from) {
      this.session = from.session;
      this.next = from.seq + 1;
    } else {
      const head = await this.replay.head();
      this.session = head.session;
      this.next = 1;
    }
    await this.catchUp();
    // A live frame that arrived while the head was asked for may have started a catch-up first (then
    // the call above returned at once): resolve only when that one is done too, so a component never
    // takes itself for caught up (and goes active) before it has rewound.
    while (this.catchingUp && !this.closed) await new Promise<void>((r) => this.catchUpEnded.push(r));
    this.rewound();
  }

  /** Gap fills from now on go to the replay service; the rewind's own source (if any) is closed. */
  private rewound(): void {
    if (this.replay === this.client) return;
    this.replay.close();
    this.replay = this.client;
  }

  /** One SUB message: frames and head beacons, one a part. Made once (receiveEach calls it per message). */
  private readonly onMessage = (parts: Buffer[]): void => {
    // Indexed: no array iterator per message.
    for (let i = 0; i < parts.length; i++) {
      const bytes: Uint8Array = parts[i]!;
      const head = decodeHead(bytes);
      if (head) {
        this.onHead(head);
        continue;
      }
      if (this.options.dropLive?.(readFrameInfo(bytes))) continue;
      if (this.catchingUp) this.buffered.push(bytes);
      else this.onFrame(bytes);
    }
  };

  private async receiveLoop(): Promise<void> {
    try {
      await receiveEach(this.sub, this.onMessage);
    } catch (err) {
      if (!this.closed) log.error(`event stream stopped: ${(err as Error).message}`);
    }
  }

  /**
   * A frame the sequencer in this process has just stored (Sequencer.onStoredFrames, decision 183), handed
   * over before its copy crosses the PUB socket: delivered now like a live frame, and the copy, when it comes,
   * is dropped as already delivered. While catching up it is left to the copy (which is buffered then).
   * With `localFeed` there is no copy (decision 210): an offer while catching up is buffered instead, and the
   * sequencer's head beacons come this way too.
   */
  offerLocal(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.options.localFeed) {
      const head = decodeHead(bytes);
      if (head) return this.onHead(head);
    }
    if (this.catchingUp) {
      if (this.options.localFeed && !this.options.dropLive?.(readFrameInfo(bytes))) this.buffered.push(bytes);
      return;
    }
    if (this.options.dropLive?.(readFrameInfo(bytes))) return;
    this.localFrames++;
    this.onFrame(bytes);
  }

  /** The sequencer says where the log's head is: behind it means frames were lost. */
  private onHead(head: { session: number; seq: number }): void {
    if (this.catchingUp || this.closed) return;
    if (head.session > this.session || (head.session === this.session && head.seq >= this.next)) {
      this.gapFills++;
      void this.catchUp();
    }
  }

  private onFrame(bytes: Uint8Array): void {
    const info = readFrameInfo(bytes);
    if (this.sessionEnded && info.session === this.session + 1 && info.firstSeq === 1) {
      // The next session right after the end of this one (a session roll): nothing is missing, go on live.
      this.session = info.session;
      this.next = 1;
    }
    if (this.session === 0 || info.session > this.session || (info.session === this.session && info.firstSeq > this.next)) {
      if (this.session !== 0) this.gapFills++;
      this.buffered.push(bytes);
      void this.catchUp();
      return;
    }
    if (info.session < this.session || info.firstSeq + info.count - 1 < this.next) return;
    this.deliverFrame(bytes);
  }

  private deliverFrame(bytes: Uint8Array): void {
    const frame = decodeFrame(bytes);
    let events = frame.events;
    if (frame.firstSeq < this.next) events = events.slice(this.next - frame.firstSeq);
    if (events.length === 0) return;
    this.next = frame.firstSeq + frame.count;
    this.sessionEnded = events[events.length - 1]!.event.type === 'SessionClosed';
    for (const l of this.listeners) l.onEvents(frame.session, events);
  }

  /** Fetches from the replay service until the log's head, then drains the live buffer. */
  private async catchUp(): Promise<void> {
    if (this.catchingUp) return;
    this.catchingUp = true;
    /** Answers in a row that jumped over seq `jumpsAt` (asked again: a read that raced a merge; else a gap). */
    let jumps = 0;
    let jumpsAt = 0;
    try {
      for (;;) {
        if (this.closed) return;
        if (this.session === 0) {
          const head = await this.replay.head();
          if (head.session === 0) break;
          this.session = head.session;
          this.next = 1;
        }
        const { header, frames } = await this.replay.request({ session: this.session, from: this.next });
        let jumpedTo = 0;
        for (const bytes of frames) {
          const info = readFrameInfo(bytes);
          if (info.firstSeq + info.count - 1 < this.next) continue;
          if (info.firstSeq > this.next) {
            // An answer that jumps over seqs is never applied across the jump (round 19: a read racing the
            // compactor handed out such a page, and a rewinding component folded on without those events).
            jumpedTo = info.firstSeq;
            break;
          }
          this.replayedFrames++;
          this.deliverFrame(bytes);
        }
        if (jumpedTo > 0) {
          jumps = jumpsAt === this.next ? jumps + 1 : 1;
          jumpsAt = this.next;
          if (jumps >= MAX_REPLAY_JUMPS) {
            throw new Error(`replay of session ${this.session}: seqs ${this.next}-${jumpedTo - 1} did not come (${jumps} answers in a row jumped over them)`);
          }
          continue;
        }
        if (!header.complete) continue;
        if (header.latestSession > this.session) {
          this.session += 1;
          this.next = 1;
          continue;
        }
        // Caught up with the log; live frames may already be further on.
        const pending = this.buffered.splice(0);
        let gap = false;
        for (const bytes of pending) {
          const info = readFrameInfo(bytes);
          if (info.session > this.session || (info.session === this.session && info.firstSeq > this.next)) {
            gap = true;
            this.buffered.push(bytes);
            continue;
          }
          if (gap) {
            this.buffered.push(bytes);
            continue;
          }
          if (info.session === this.session && info.firstSeq + info.count - 1 >= this.next) this.deliverFrame(bytes);
        }
        if (!gap) break;
        // Live frames are further on than the rewind's source has: the rest comes from the replay service (a local
        // log that stopped growing, e.g. a copy, would otherwise be asked for it forever).
        this.rewound();
      }
    } finally {
      this.catchingUp = false;
      for (const r of this.catchUpEnded.splice(0)) r();
    }
    // Frames that arrived while the last request was in flight.
    if (this.buffered.length > 0 && !this.closed) {
      const pending = this.buffered.splice(0);
      for (const bytes of pending) this.onFrame(bytes);
    }
  }

  close(): void {
    this.closed = true;
    this.sub.close();
    this.rewound();
    this.client.close();
  }
}
