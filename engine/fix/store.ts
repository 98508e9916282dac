import { appendFileSync, closeSync, existsSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { FileSessionStore, FileSessionStreamProvider, MemorySessionStore, type IFixSessionStoreFactory, type SessionId } from 'jspurefix';

/**
 * jspurefix's QuickFIX-format file store, with its sequence-number file
 * written synchronously and atomically. The library writes it with
 * overlapping asynchronous writeFile calls, so after a burst of messages the
 * file can keep an older number than the last one sent; a reconnect would
 * then reuse sequence numbers. Here every write lands in order, in place:
 * the content is fixed-width (QuickFIX's 20-digit format), so one small
 * positioned write replaces it (a write + rename per message cost ~2 ms on
 * a busy disk, and there are several per order).
 */
class DurableStreams extends FileSessionStreamProvider {
  private readonly seqPath: string;
  private readonly headerFile: string;

  constructor(sessionId: SessionId, directory: string) {
    super(sessionId, directory);
    this.seqPath = sessionId.getFilePath(directory, 'seqnums');
    this.headerFile = sessionId.getFilePath(directory, 'header');
  }

  override writeSeqNums(content: string): Promise<void> {
    const fd = openSync(this.seqPath, existsSync(this.seqPath) ? 'r+' : 'w+');
    try {
      const b = Buffer.from(content, 'utf8');
      writeSync(fd, b, 0, b.length, 0);
      ftruncateSync(fd, b.length);
    } finally {
      closeSync(fd);
    }
    return Promise.resolve();
  }

  override appendHeaderLine(line: string): Promise<void> {
    appendFileSync(this.headerFile, `${line}\n`, 'utf8');
    return Promise.resolve();
  }
}

/**
 * A CompID that may name files: letters, digits, `_`, `-` and inner dots, at most 64 characters. The
 * library names a session's files `BeginString-Sender-Target` inside the store directory, so a peer's
 * SenderCompID of `../../x` would put them elsewhere.
 */
export function isFileSafeCompId(compId: string): boolean {
  return /^[A-Za-z0-9_-](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_-])?$/.test(compId);
}

/**
 * File stores under `directory`, one set of files per FIX session (BeginString-Sender-Target). An
 * acceptor's store is made from the peer's Logon before Ordo judges it: a peer that `keep` does not
 * know (or whose CompID is no file-safe name) gets an in-memory store, so an unknown or hostile
 * SenderCompID writes nothing to disk (its Logon is refused anyway).
 */
export function durableStoreFactory(directory: string, keep: (peerCompId: string) => boolean = () => true): IFixSessionStoreFactory {
  return {
    create: (id: SessionId) =>
      isFileSafeCompId(id.senderCompID) && isFileSafeCompId(id.targetCompID) && keep(id.targetCompID)
        ? new FileSessionStore(id, new DurableStreams(id, directory), true)
        : new MemorySessionStore(id),
  };
}
