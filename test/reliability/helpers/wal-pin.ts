import { spawn, type ChildProcess } from 'node:child_process';

/**
 * A reader in another process that pins the WAL: it first copies every
 * committed page into the database file (a PASSIVE checkpoint, retried until
 * nothing is left behind), then opens a read transaction and holds it. SQLite
 * never checkpoints past an open reader's snapshot, so every commit made
 * after `pinWal` resolves stays only in the WAL until the reader goes: the
 * state a live host leaves when it is killed between background checkpoints,
 * made certain instead of left to the checkpoint timer's luck. Kill the
 * reader with SIGKILL (`release`): a clean close of the last connection
 * would checkpoint the WAL into the database itself.
 */
export interface WalPin {
  /** Kills the reader without a clean close. */
  release(): Promise<void>;
}

const READER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1], { fileMustExist: true, timeout: 5000 });
const deadline = Date.now() + 20000;
for (;;) {
  const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
  if (r.busy === 0 && r.log === r.checkpointed) break;
  if (Date.now() > deadline) { console.log('stuck ' + JSON.stringify(r)); process.exit(2); }
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
}
db.prepare('BEGIN').run();
db.prepare('SELECT count(*) FROM sqlite_master').get();
console.log('pinned');
setInterval(() => {}, 1 << 30);
`;

/** Starts the pinning reader on `dbFile`; resolves once its snapshot is held. */
export function pinWal(dbFile: string): Promise<WalPin> {
  const child: ChildProcess = spawn(process.execPath, ['-e', READER, dbFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const release = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('pinned')) resolve({ release });
    });
    child.once('exit', (code) => reject(new Error(`WAL-pinning reader exited ${code}: ${out.trim()} ${err.trim()}`)));
  });
}
