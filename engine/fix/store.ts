import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { FileSessionStore, FileSessionStreamProvider, type IFixSessionStoreFactory, type SessionId } from 'jspurefix';

/**
 * jspurefix's QuickFIX-format file store, with its sequence-number file
 * written synchronously and atomically. The library writes it with
 * overlapping asynchronous writeFile calls, so after a burst of messages the
 * file can keep an older number than the last one sent; a reconnect would
 * then reuse sequence numbers. Writes here land in order, and a crash leaves
 * the old file or the new one.
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
    writeFileSync(`${this.seqPath}.tmp`, content, 'utf8');
    renameSync(`${this.seqPath}.tmp`, this.seqPath);
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
