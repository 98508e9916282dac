import { Dealer, Router } from 'zeromq';
import type { ReadableLog } from '../store/log.ts';
import { SendQueue } from './send-queue.ts';
import { bindAll, connectTo, type BusSecurity } from './security.ts';
import { log } from '../log.ts';

/** A replay request: frames of `session` covering seqs [from, to] (both inclusive). */
export interface ReplayRequest {
  id: number;
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
}

const DEFAULT_PAGE = 64;

/**
 * Serves stored frames over a ROUTER socket for rewind and gap fill. It reads
 * the log with its own read connection; the sequencer keeps writing.
 */
export class ReplayServer {
  private readonly router = new Router();
  private readonly out = new SendQueue(this.router);
  private running = false;

  constructor(
    private readonly log: ReadableLog,
    /** The host's bus keys (decision 063); none: plain binds. */
    private readonly security?: BusSecurity,
  ) {}

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
        this.out.push([id, ...this.answer(body)]);
      }
    } catch (err) {
      if (this.running) log.error(`replay service stopped: ${(err as Error).message}`);
    }
  }

  private answer(body: Buffer): Buffer[] {
    let req: ReplayRequest;
    try {
      req = JSON.parse(body.toString('utf8')) as ReplayRequest;
      if (typeof req.from !== 'number' || req.from < 1) throw new Error('from must be >= 1');
    } catch (err) {
      const header: ReplayHeader = { id: -1, session: 0, headSeq: 0, latestSession: 0, complete: true, error: `bad replay request: ${(err as Error).message}` };
      return [Buffer.from(JSON.stringify(header))];
    }
    const latest = this.log.latestSession();
    const latestSession = latest?.id ?? 0;
    const session = req.session ?? latestSession;
    const headSeq = session === 0 ? 0 : this.log.lastSeq(session);
    const to = Math.min(req.to ?? Number.MAX_SAFE_INTEGER, headSeq);
    const parts: Buffer[] = [];
    let complete = true;
    let error: string | undefined;
    if (session > 0 && req.from <= to) {
      const max = req.maxFrames ?? DEFAULT_PAGE;
      try {
        for (const f of this.log.frames(session, req.from, to)) {
          if (parts.length >= max) {
            complete = false;
            break;
          }
          parts.push(Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength));
        }
      } catch (err) {
        error = (err as Error).message;
      }
    }
    const header: ReplayHeader = { id: req.id, session, headSeq, latestSession, complete, ...(error ? { error } : {}) };
    return [Buffer.from(JSON.stringify(header)), ...parts];
  }

  close(): void {
    this.running = false;
    this.router.close();
  }
}

/** Asks a ReplayServer for frames; one request at a time. */
export class ReplayClient {
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

  /** Where the log stands: the latest session and its head seq. */
  async head(): Promise<{ session: number; headSeq: number }> {
    const { header } = await this.request({ from: 1, to: 0 });
    return { session: header.latestSession, headSeq: header.latestSession === 0 ? 0 : header.headSeq };
  }

  close(): void {
    this.dealer.close();
  }
}
