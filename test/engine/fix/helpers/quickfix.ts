import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * QuickFIX C++ programs for the tests, an independent FIX engine: Debian's
 * libquickfix-doc examples (executor, ordermatch) and this folder's
 * initiator fixture, compiled once by quickfix/build.sh into a cache folder
 * under the OS temp dir (never committed).
 */

const BUILD = fileURLToPath(new URL('../quickfix/build.sh', import.meta.url));
const CACHE = join(tmpdir(), 'ordo-quickfix-cache');

/** Builds (or finds built) a QuickFIX program; resolves with its path. */
export function quickfixProgram(what: 'executor' | 'ordermatch' | 'initiator'): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [BUILD, CACHE, what], { timeout: 300_000 }, (err, _out, stderr) => {
      if (err) reject(new Error(`building QuickFIX ${what} failed: ${stderr.trim() || err.message}`));
      else resolve(join(CACHE, what));
    });
  });
}

/** A free TCP port on 127.0.0.1 (for programs that cannot bind port 0 and say which they got). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface QuickFixProcess {
  readonly port: number;
  /** Everything it printed (QuickFIX's screen log shows every message in and out). */
  output(): string;
  /** The FIX messages of the screen log, '|'-delimited, with their direction. */
  messages(): { direction: 'incoming' | 'outgoing'; text: string }[];
  /** Kills the process (SIGKILL: a crash, no Logout). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a QuickFIX acceptor example with a settings file in `dir`
 * (UseDataDictionary=N, file store in `dir/store` so sequence numbers survive
 * a restart of the program).
 */
export async function startQuickFixAcceptor(
  program: 'executor' | 'ordermatch',
  opts: { dir: string; begin: 'FIX.4.2' | 'FIX.4.4'; senderCompId: string; targetCompId: string; port?: number },
): Promise<QuickFixProcess> {
  const bin = await quickfixProgram(program);
  const port = opts.port ?? (await freePort());
  mkdirSync(opts.dir, { recursive: true });
  const cfg = join(opts.dir, `${program}.cfg`);
  writeFileSync(
    cfg,
    [
      '[DEFAULT]',
      'ConnectionType=acceptor',
      `SocketAcceptPort=${port}`,
      'SocketAcceptAddress=127.0.0.1',
      'SocketReuseAddress=Y',
      'StartTime=00:00:00',
      'EndTime=00:00:00',
      `FileStorePath=${join(opts.dir, 'store')}`,
      'UseDataDictionary=N',
      'ValidateUserDefinedFields=N',
      '[SESSION]',
      `BeginString=${opts.begin}`,
      `SenderCompID=${opts.senderCompId}`,
      `TargetCompID=${opts.targetCompId}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(bin, [cfg], { cwd: opts.dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('latin1')));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await waitForPort(port, () => child.exitCode !== null || child.signalCode !== null, () => out);
  return {
    port,
    output: () => out,
    messages: () =>
      [...out.matchAll(/(incoming|outgoing)>\s*\((8=FIX[^)]*)\)/g)].map((m) => ({ direction: m[1] as 'incoming' | 'outgoing', text: m[2]!.replaceAll('\x01', '|') })),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null) {
        if (program === 'ordermatch') child.stdin!.write('#quit\n');
        child.kill('SIGTERM');
      }
      await exited;
    },
  };
}

/**
 * Waits until the program accepts connections on `port`. It probes by connecting: probing by binding the port
 * itself (as this did) holds it for a moment, and a program binding in that moment cannot listen (the likely
 * cause of a CI run's "did not listen"). A program that exits first fails at once, with what it printed.
 */
async function waitForPort(port: number, exited: () => boolean, output: () => string): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (exited()) throw new Error(`QuickFIX program exited before it listened on ${port}: ${output().slice(-500)}`);
    if (Date.now() > until) throw new Error(`QuickFIX program did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A FIX field of a '|'-delimited message. */
export function field(text: string, tag: number): string | undefined {
  return new RegExp(`(?:^|\\|)${tag}=([^|]*)`).exec(text)?.[1];
}

export interface QuickFixInitiator {
  /** Sends an application message: `[[35, 'D'], [11, 'c1'], ...]` (QuickFIX fills in the header). */
  send(fields: [number, string | number][]): void;
  logout(): void;
  /** Lines it printed: LOGON, LOGOUT, APP <msg>, ADMIN <msg>. */
  lines(): string[];
  /** Application messages received, '|'-delimited. */
  app(): string[];
  /** Stops the process without ending it (SIGSTOP): its socket stays open, nothing it receives is processed. */
  freeze(): Promise<void>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts this folder's QuickFIX C++ initiator fixture against `port` (file store in `dir`, kept across restarts). */
export async function startQuickFixInitiator(opts: { dir: string; port: number; senderCompId: string; targetCompId?: string }): Promise<QuickFixInitiator> {
  const bin = await quickfixProgram('initiator');
  mkdirSync(opts.dir, { recursive: true });
  const cfg = join(opts.dir, 'initiator.cfg');
  writeFileSync(
    cfg,
    [
      '[DEFAULT]',
      'ConnectionType=initiator',
      'ReconnectInterval=1',
      `FileStorePath=${join(opts.dir, 'store')}`,
      `FileLogPath=${join(opts.dir, 'log')}`,
      'StartTime=00:00:00',
      'EndTime=00:00:00',
      'UseDataDictionary=N',
      'HeartBtInt=30',
      'SocketConnectHost=127.0.0.1',
      `SocketConnectPort=${opts.port}`,
      '[SESSION]',
      'BeginString=FIX.4.4',
      `SenderCompID=${opts.senderCompId}`,
      `TargetCompID=${opts.targetCompId ?? 'ORDO'}`,
      '',
    ].join('\n'),
  );
  const child = spawn(bin, [cfg], { cwd: opts.dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('latin1')));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const lines = () => out.split('\n').filter((l) => l.length > 0);
  return {
    send: (fields) => child.stdin.write(`send ${fields.map(([t, v]) => `${t}=${v}`).join('|')}\n`),
    logout: () => child.stdin.write('logout\n'),
    lines,
    app: () => lines().filter((l) => l.startsWith('APP ')).map((l) => l.slice(4)),
    freeze: async () => {
      child.kill('SIGSTOP');
      // Resolves once the kernel shows it stopped ('T'), so nothing sent after this is read by it.
      const until = Date.now() + 20_000;
      while (!/^\d+ \(.*\) T/.test(readFileSync(`/proc/${child.pid}/stat`, 'latin1'))) {
        if (Date.now() > until) throw new Error('QuickFIX initiator did not stop on SIGSTOP');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null) child.stdin.write('quit\n');
      await exited;
    },
  };
}

const TAG_NAMES: Record<number, string> = {
  8: 'BeginString', 49: 'SenderCompID', 56: 'TargetCompID', 34: 'MsgSeqNum', 43: 'PossDupFlag', 35: 'MsgType',
  37: 'OrderID', 11: 'ClOrdID', 41: 'OrigClOrdID', 17: 'ExecID', 150: 'ExecType', 39: 'OrdStatus', 55: 'Symbol',
  54: 'Side', 38: 'OrderQty', 40: 'OrdType', 44: 'Price', 59: 'TimeInForce', 32: 'LastQty', 31: 'LastPx',
  151: 'LeavesQty', 14: 'CumQty', 6: 'AvgPx', 58: 'Text', 102: 'CxlRejReason', 434: 'CxlRejResponseTo', 103: 'OrdRejReason',
};

/** A '|'-delimited FIX message as tag-name → value (numbers for the quantity and price fields). */
export function namedFields(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const numeric = new Set(['OrderQty', 'Price', 'LastQty', 'LastPx', 'LeavesQty', 'CumQty', 'AvgPx', 'CxlRejReason', 'OrdRejReason', 'MsgSeqNum']);
  for (const kv of text.split('|')) {
    const eq = kv.indexOf('=');
    if (eq < 0) continue;
    const name = TAG_NAMES[Number(kv.slice(0, eq))];
    if (!name) continue;
    const v = kv.slice(eq + 1);
    out[name] = numeric.has(name) ? Number(v) : v;
  }
  return out;
}
