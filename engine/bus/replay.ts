import { Dealer, Router } from 'zeromq';
import type { ReadableLog } from '../store/log.ts';
import { SendQueue } from './send-queue.ts';
import { bindAll, connectTo, type BusSecurity } from './security.ts';
import { log } from '../log.ts';

/**
 * A replay request: frames of `session` covering seqs [from, to] (both
 * inclusive); or, with `checkpoint`, one part of an in-session checkpoint
 * (decision 140).
 */
export interface ReplayRequest {
  id: number;
  /**
   * Part `part` of the checkpoint of `session` at `seq`; without `seq`, of
   * the newest complete one of codec format `format` (before seq `below`,
   * exclusive, when given; its seq comes back in the header). `from` is
   * ignored then.
   */
  checkpoint?: { seq?: number; below?: number; part: number; format: number };
  /** Omit for the latest session. */
  session?: number;
  from: number;
  to?: number;
  /** Page size; the client asks again for the rest. */
  maxFrames?: number;
}

/** Header part of a replay reply; the frames follow as further message parts. */
export interface ReplayHeader {
  id: number;
  session: number;
  /** Highest seq stored in that session when the reply was made. */
  headSeq: number;
  /** The latest session in the log. */
  latestSession: number;
  /** True when the frames sent reach `to` or the session's head. */
  complete: boolean;
  error?: string;
  /** For a checkpoint request: the part sent (as the only further message part), or absent when there is none. */
  checkpoint?: { seq: number; part: number; parts: number; format: number };
}

/**
 * Frames per page, and bytes: a 5 M-event rewind takes a few hundred round
 * trips, not tens of thousands.
 */
const DEFAULT_PAGE = 2048;
const PAGE_BYTES = 512 << 10;
/**
 * A page is read in slices of at most this many frames or bytes, one slice
 * per turn of the host's event loop, so a component catching up never holds
 * off live acknowledgements for long: a whole page read (row by row, each
 * frame's checksum checked) took 6-15 ms of CPU on the 2-core build machine
 * (issue 11: order-ack p99 while a component catches up). The host reads on
 * a thread of its own since decision 228; the slices still bound a turn
 * where a reader runs on a busy thread.
 */
const SLICE_FRAMES = 128;
const SLICE_BYTES = 64 << 10;

/**
 * What answers replay requests: a request's body in, the answer's message
 * parts out (header first). A ReplayReader on this thread, or one on a
 * thread of its own (engine/host/replay-service-thread.ts, decision 228).
 */
export interface ReplayAnswerer {
  answer(body: Buffer): Promise<Buffer[]>;
  /** Stops answering and closes the read connection. */
  close(): void | Promise<void>;
}

/**
 * Answers replay requests from the log, with its own read connection (the
 * sequencer keeps writing): pages of frames, each frame's checksum checked,
 * and checkpoint parts.
 */
export class ReplayReader implements ReplayAnswerer {
  private running = true;

  constructor(private readonly log: ReadableLog) {}

  async answer(body: Buffer): Promise<Buffer[]> {
    let req: ReplayRequest;
    try {
      req = JSON.parse(body.toString('utf8')) as ReplayRequest;
      if (req.checkpoint !== undefined) return this.checkpointPart(req);
      if (typeof req.from !== 'number' || req.from < 1) throw new Error('from must be >= 1');
    } catch (err) {
      const header: ReplayHeader = { id: -1, session: 0, headSeq: 0, latestSession: 0, complete: true, error: `bad replay request: ${(err as Error).message}` };
      return [Buffer.from(JSON.stringify(header))];
    }
    const latestSession = this.log.end()?.session ?? 0;
    const session = req.session ?? latestSession;
    const headSeq = session === 0 ? 0 : this.log.lastSeq(session);
    const to = Math.min(req.to ?? Number.MAX_SAFE_INTEGER, headSeq);
    const parts: Buffer[] = [];
    let complete = true;
    let error: string | undefined;
    if (session > 0 && req.from <= to) {
      const max = Math.min(req.maxFrames ?? DEFAULT_PAGE, DEFAULT_PAGE);
      let bytes = 0;
      let from = req.from;
      try {
        // Slice by slice, each its own query (no statement stays open while other work runs in between).
        for (;;) {
          let slice = 0;
          let sliceBytes = 0;
          let ended = true;
          // The limits are checked after a frame is taken (decision 286): a frame read is a frame sent, and the
          // reader asks for no more frames than the slice and the page can take.
          for (const f of this.log.frames(session, from, to, Math.min(SLICE_FRAMES, max - parts.length), Math.min(SLICE_BYTES, PAGE_BYTES - bytes))) {
            slice++;
            sliceBytes += f.bytes.byteLength;
            bytes += f.bytes.byteLength;
            parts.push(Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength));
            from = f.lastSeq + 1;
            if (f.lastSeq >= to) break;
            if (parts.length >= max || bytes >= PAGE_BYTES) {
              complete = false;
              break;
            }
            if (slice >= SLICE_FRAMES || sliceBytes >= SLICE_BYTES) {
              ended = false;
              break;
            }
          }
          if (ended || !complete) break;
          await new Promise<void>((r) => setImmediate(r));
          if (!this.running) return [];
        }
      } catch (err) {
        error = (err as Error).message;
      }
    }
    const header: ReplayHeader = { id: req.id, session, headSeq, latestSession, complete, ...(error ? { error } : {}) };
    return [Buffer.from(JSON.stringify(header)), ...parts];
  }

  /** One part of a checkpoint of the latest (or the asked) session: a part per request, so each costs one part's read. */
  private checkpointPart(req: ReplayRequest): Buffer[] {
    const c = req.checkpoint!;
    const latestSession = this.log.end()?.session ?? 0;
    const session = req.session ?? latestSession;
    const headSeq = session === 0 ? 0 : this.log.lastSeq(session);
    const header: ReplayHeader = { id: req.id, session, headSeq, latestSession, complete: true };
    if (session === 0 || !Number.isInteger(c.part) || c.part < 0) return [Buffer.from(JSON.stringify(header))];
    const seq = c.seq ?? this.log.checkpoints.latestSeq(session, c.format, c.below);
    if (seq === 0) return [Buffer.from(JSON.stringify(header))];
    const got = this.log.checkpoints.readPart(session, seq, c.part);
    if ('detail' in got) return [Buffer.from(JSON.stringify({ ...header, error: `checkpoint session ${session} seq ${seq}: ${got.detail}` }))];
    header.checkpoint = { seq, part: c.part, parts: got.parts, format: got.format };
    return [Buffer.from(JSON.stringify(header)), got.bytes];
  }

  close(): void {
    this.running = false;
    this.log.close();
  }
}

/**
 * Serves stored frames over a ROUTER socket for rewind and gap fill, answered
 * by a ReplayReader on this thread (given a log) or by another answerer.
 */
export class ReplayServer {
  private readonly router = new Router();
  private readonly out = new SendQueue(this.router);
  private readonly answerer: ReplayAnswerer;
  private running = false;

  constructor(
    source: ReadableLog | ReplayAnswerer,
    /** The host's bus keys (decision 063); none: plain binds. */
    private readonly security?: BusSecurity,
  ) {
    this.answerer = 'answer' in source ? source : new ReplayReader(source);
  }

  async bind(...endpoints: string[]): Promise<void> {
    this.router.linger = 0;
    await bindAll(this.router, endpoints, this.security);
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      for await (const [id, body] of this.router) {
        if (!id || !body) continue;
        const answer = await this.answerer.answer(body);
        if (!this.running) break;
        if (answer.length > 0) this.out.push([id, ...answer]);
      }
    } catch (err) {
      if (this.running) log.error(`replay service stopped: ${(err as Error).message}`);
    }
  }

  /** Stops serving and closes the log's read connection too (so the writer's close can remove the WAL). */
  close(): void | Promise<void> {
    this.running = false;
    this.router.close();
    return this.answerer.close();
  }
}

/** Checkpoint part requests a joining component keeps outstanding (each part is CHECKPOINT_PART_BYTES, 4 MiB). */
const PARTS_IN_FLIGHT = 4;

/** A checkpoint could not be fetched; `seq` names the one that failed, when known (an older one may do). */
export class CheckpointFetchError extends Error {
  constructor(
    message: string,
    readonly seq: number | undefined,
  ) {
    super(message);
  }
}

/** The seq a replay service's checkpoint error names (`checkpoint session S seq Q: …`). */
export function seqNamed(message: string): number | undefined {
  const m = /^checkpoint session \d+ seq (\d+):/.exec(message);
  return m ? Number(m[1]) : undefined;
}

/**
 * Where a component catching up gets stored frames and checkpoint parts: a
 * ReplayClient (the host's replay service over ZeroMQ) or a LocalReplay
 * (engine/bus/local-replay.ts: the log file read in this process, decision
 * 259). Same requests, same answers, same errors.
 */
/**
 * Part 0 of the newest checkpoint of `format` (before seq `below` when given) and how many parts it has, from any
 * ReplaySource (decision 140); undefined when there is none. A failure is a CheckpointFetchError naming the seq.
 */
export async function firstCheckpointPart(source: Pick<ReplaySource, 'request'>, format: number, below?: number): Promise<{ session: number; seq: number; parts: number; body: Uint8Array } | undefined> {
  let first: { header: ReplayHeader; frames: Uint8Array[] };
  try {
    first = await source.request({ from: 1, checkpoint: { part: 0, format, ...(below !== undefined ? { below } : {}) } });
  } catch (err) {
    throw new CheckpointFetchError((err as Error).message, seqNamed((err as Error).message));
  }
  const c = first.header.checkpoint;
  if (c === undefined) return undefined;
  if (c.format !== format) throw new CheckpointFetchError(`checkpoint format ${c.format} is not ${format}`, c.seq);
  return { session: first.header.session, seq: c.seq, parts: c.parts, body: first.frames[0] ?? new Uint8Array(0) };
}

export interface ReplaySource {
  request(req: Omit<ReplayRequest, 'id'>): Promise<{ header: ReplayHeader; frames: Uint8Array[] }>;
  checkpoint(format: number, below?: number): Promise<{ session: number; seq: number; parts: Uint8Array[] } | undefined>;
  head(): Promise<{ session: number; headSeq: number }>;
  close(): void;
}

/** Asks a ReplayServer for frames; one request at a time. */
export class ReplayClient implements ReplaySource {
  private readonly dealer = new Dealer();
  private nextId = 1;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(endpoint: string, security?: BusSecurity) {
    this.dealer.linger = 0;
    connectTo(this.dealer, endpoint, security);
  }

  /** One page of frames; see ReplayHeader.complete. */
  request(req: Omit<ReplayRequest, 'id'>): Promise<{ header: ReplayHeader; frames: Uint8Array[] }> {
    const run = async () => {
      const id = this.nextId++;
      await this.dealer.send(JSON.stringify({ ...req, id }));
      for (;;) {
        const [head, ...frames] = await this.dealer.receive();
        const header = JSON.parse(head!.toString('utf8')) as ReplayHeader;
        if (header.id !== id && header.id !== -1) continue; // a late answer to an abandoned request
        if (header.error) throw new Error(header.error);
        return { header, frames: frames as Uint8Array[] };
      }
    };
    const p = this.busy.then(run, run);
    this.busy = p.catch(() => undefined);
    return p;
  }

  /**
   * The newest complete checkpoint of the latest session in codec format
   * `format` (before seq `below`, exclusive, when given), fetched a part per
   * request (decision 140); undefined when there is none. Throws when a part
   * cannot be read (damaged, or pruned while fetching); the error names the
   * checkpoint's seq (`CheckpointFetchError.seq`), so the caller can ask for
   * an older one.
   */
  async checkpoint(format: number, below?: number): Promise<{ session: number; seq: number; parts: Uint8Array[] } | undefined> {
    const first = await firstCheckpointPart(this, format, below);
    if (first === undefined) return undefined;
    const parts = await this.checkpointParts(first.session, first.seq, format, first.parts);
    parts[0] = first.body;
    // The parts as received, each a buffer of its own (nothing else reads or reuses them): the decoder reads
    // every column where it lies (decision 209), so the whole is never assembled (a 260 MB copy at 5 M events).
    return { session: first.session, seq: first.seq, parts };
  }

  /**
   * Parts 1 … parts-1 of one checkpoint, with up to PARTS_IN_FLIGHT requests
   * outstanding: the service reads the next part while this one travels and
   * is taken in (one part per request still, so each costs the host's event
   * loop one part's read). Index 0 is left for the caller.
   */
  private checkpointParts(session: number, seq: number, format: number, count: number): Promise<Uint8Array[]> {
    const run = async (): Promise<Uint8Array[]> => {
      const out: Uint8Array[] = new Array<Uint8Array>(count);
      const asked = new Map<number, number>();
      let next = 1;
      let got = 1;
      const ask = async () => {
        const id = this.nextId++;
        asked.set(id, next);
        await this.dealer.send(JSON.stringify({ id, session, from: 1, checkpoint: { seq, part: next++, format } } satisfies ReplayRequest));
      };
      while (next < count && asked.size < PARTS_IN_FLIGHT) await ask();
      while (got < count) {
        const [head, ...frames] = await this.dealer.receive();
        const header = JSON.parse(head!.toString('utf8')) as ReplayHeader;
        const part = asked.get(header.id);
        if (part === undefined) {
          if (header.id === -1 && header.error) throw new CheckpointFetchError(header.error, seq);
          continue; // a late answer to an abandoned request
        }
        asked.delete(header.id);
        if (header.error) throw new CheckpointFetchError(header.error, seq);
        if (header.checkpoint?.seq !== seq || header.checkpoint.part !== part) {
          throw new CheckpointFetchError(`checkpoint session ${session} seq ${seq}: part ${part} did not come`, seq);
        }
        out[part] = (frames[0] as Uint8Array | undefined) ?? new Uint8Array(0);
        got++;
        if (next < count) await ask();
      }
      return out;
    };
    const p = this.busy.then(run, run);
    this.busy = p.catch(() => undefined);
    return p;
  }

  /** Where the log stands: the latest session and its head seq. */
  async head(): Promise<{ session: number; headSeq: number }> {
    const { header } = await this.request({ from: 1, to: 0 });
    return { session: header.latestSession, headSeq: header.latestSession === 0 ? 0 : header.headSeq };
  }

  close(): void {
    this.dealer.close();
  }
}
