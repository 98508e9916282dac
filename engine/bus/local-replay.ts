import { openReadableLog } from '../store/log.ts';
import { CheckpointFetchError, firstCheckpointPart, ReplayReader, type ReplayHeader, type ReplayRequest, type ReplaySource } from './replay.ts';

/**
 * The log file read in this process, answering as the host's replay service
 * would (decision 259): a component on the host's machine, given the host's
 * data dir, catches up from its own read-only connection, so the host's
 * threads (the replay service's reader, its ZeroMQ I/O thread encrypting
 * every page, its event loop forwarding them) do nothing for it. The answers
 * are the ReplayReader's, the one the replay service runs: every frame's
 * checksum is checked, a checkpoint part is refused unless the log holds the
 * events it was taken from, and every error is the same error.
 */
export class LocalReplay implements ReplaySource {
  private nextId = 1;
  private closed = false;

  private constructor(private readonly reader: ReplayReader) {}

  /** Opens `path` read-only (throws as openReadableLog does: missing, not a log, a newer schema). */
  static open(path: string): LocalReplay {
    return new LocalReplay(new ReplayReader(openReadableLog(path)));
  }

  async request(req: Omit<ReplayRequest, 'id'>): Promise<{ header: ReplayHeader; frames: Uint8Array[] }> {
    if (this.closed) throw new Error('local replay closed');
    const id = this.nextId++;
    const [head, ...frames] = await this.reader.answer(Buffer.from(JSON.stringify({ ...req, id })));
    if (head === undefined) throw new Error('local replay closed');
    const header = JSON.parse(head.toString('utf8')) as ReplayHeader;
    if (header.error) throw new Error(header.error);
    return { header, frames };
  }

  /** As ReplayClient.checkpoint: a part per request; a failure is a CheckpointFetchError naming the checkpoint's seq. */
  async checkpoint(format: number, below?: number): Promise<{ session: number; seq: number; parts: Uint8Array[] } | undefined> {
    const c = await firstCheckpointPart(this, format, below);
    if (c === undefined) return undefined;
    const parts: Uint8Array[] = [c.body];
    for (let part = 1; part < c.parts; part++) {
      let got: { header: ReplayHeader; frames: Uint8Array[] };
      try {
        got = await this.request({ session: c.session, from: 1, checkpoint: { seq: c.seq, part, format } });
      } catch (err) {
        throw new CheckpointFetchError((err as Error).message, c.seq);
      }
      if (got.header.checkpoint?.seq !== c.seq || got.header.checkpoint.part !== part) {
        throw new CheckpointFetchError(`checkpoint session ${c.session} seq ${c.seq}: part ${part} did not come`, c.seq);
      }
      parts.push(got.frames[0] ?? new Uint8Array(0));
    }
    return { session: c.session, seq: c.seq, parts };
  }

  async head(): Promise<{ session: number; headSeq: number }> {
    const { header } = await this.request({ from: 1, to: 0 });
    return { session: header.latestSession, headSeq: header.latestSession === 0 ? 0 : header.headSeq };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.close();
  }
}

/**
 * Whether `local` reads the same log as the host behind `remote`: the same
 * latest session, and its first stored frame byte for byte (the session's
 * opening event carries the sequencer's timestamp, so another log, a copy
 * that went on differently or a restored backup of another install does not
 * match), and not behind the host's head (a stale copy). Returns why not, or
 * undefined when it is the same.
 */
export async function sameLog(local: ReplaySource, remote: ReplaySource): Promise<string | undefined> {
  // The host's head first: the host's own file, read after, is at least as far on.
  const theirs = await remote.head();
  const mine = await local.head();
  if (theirs.session === 0) return 'the host\'s log is empty';
  if (mine.session !== theirs.session) return `its latest session is ${mine.session}, the host's ${theirs.session}`;
  if (mine.headSeq < theirs.headSeq) return `it ends at seq ${mine.headSeq}, behind the host's ${theirs.headSeq}`;
  const ask = { session: theirs.session, from: 1, to: 1, maxFrames: 1 };
  const [a, b] = await Promise.all([local.request(ask), remote.request(ask)]);
  const x = a.frames[0];
  const y = b.frames[0];
  if (x === undefined || y === undefined) return 'the session\'s first frame is not there';
  if (!Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength))) return 'the session\'s first frame differs from the host\'s';
  return undefined;
}
