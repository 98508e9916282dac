import { appendFileSync, closeSync, existsSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { FileSessionStore, FileSessionStreamProvider, type IFixSessionStoreFactory, type SessionId } from 'jspurefix';

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

/** File stores under `directory`, one set of files per FIX session (BeginString-Sender-Target). */
export function durableStoreFactory(directory: string): IFixSessionStoreFactory {
  return { create: (id: SessionId) => new FileSessionStore(id, new DurableStreams(id, directory), true) };
}
