import { toEventLine } from '../protocol/event-line.ts';
import { behindMessage, existingDataDir } from '../host/data-dir.ts';
import { rebuildHint, snapshotProblems } from '../host/log-checks.ts';
import { checkpointProblems } from '../host/checkpoint-checks.ts';
import { isBehind, readHead } from '../store/head.ts';
import { openReadableLog } from '../store/log.ts';
import { UserError } from '../errors.ts';
import { intOption, parse, requireOption } from './args.ts';
import { UsageError } from './errors.ts';

/** Writes a line to stdout, waiting when the pipe is full. */
export async function writeOut(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise<void>((r) => process.stdout.once('drain', () => r()));
}

/** `ordo events`: the sequenced events as JSON Lines (the newest session, one named, or all of them). */
export async function eventsCommand(argv: string[]): Promise<number> {
  const { values } = parse('events', argv, {
    'data-dir': { type: 'string' },
    session: { type: 'string' },
    'all-sessions': { type: 'boolean' },
    from: { type: 'string' },
    to: { type: 'string' },
  });
  const dir = existingDataDir(requireOption('events', 'data-dir', values['data-dir']));
  const log = openReadableLog(dir.db);
  try {
    const all = values['all-sessions'] === true;
    if (all && (values.session !== undefined || values.from !== undefined || values.to !== undefined)) {
      throw new UsageError('events: --all-sessions prints every session whole; leave out --session, --from and --to');
    }
    const known = log.sessions().map((s) => s.id);
    let sessions: number[];
    if (all) sessions = known;
    else {
      const session = intOption('events', 'session', values.session, 1) ?? known.at(-1);
      if (session === undefined) return 0;
      if (!known.includes(session)) throw new UserError(`no session ${session} in ${dir.dir}`);
      sessions = [session];
    }
    const from = intOption('events', 'from', values.from, 1) ?? 1;
    const to = intOption('events', 'to', values.to, 1) ?? Number.MAX_SAFE_INTEGER;
    if (to < from) throw new UserError(`--to ${to} is before --from ${from}`);
    if (!all) {
      // Past the end: stdout stays empty (JSON Lines a script can still read) and stderr says why, exit 0 (decision 288).
      const last = log.sessions().find((s) => s.id === sessions[0])?.lastSeq ?? 0;
      if (from > last) process.stderr.write(`ordo: events: no events from seq ${from} in session ${sessions[0]} (its log ends at seq ${last})\n`);
    }
    let chunk = '';
    for (const session of sessions) {
      for (const e of log.events(session, from, to)) {
        chunk += JSON.stringify(toEventLine(session, e)) + '\n';
        if (chunk.length > 1 << 16) {
          await writeOut(chunk);
          chunk = '';
        }
      }
    }
    await writeOut(chunk);
    return 0;
  } finally {
    log.close();
  }
}

/** `ordo sessions`: one line per session with its state and seq count. */
export async function sessionsCommand(argv: string[]): Promise<number> {
  const { values } = parse('sessions', argv, { 'data-dir': { type: 'string' }, json: { type: 'boolean' } });
  const dir = existingDataDir(requireOption('sessions', 'data-dir', values['data-dir']));
  const log = openReadableLog(dir.db);
  try {
    const sessions = log.sessions();
    if (values.json) {
      for (const s of sessions) await writeOut(JSON.stringify({ session: s.id, state: s.state, events: s.lastSeq, frames: s.frames, openedTs: s.openedTs, closedTs: s.closedTs }) + '\n');
      return 0;
    }
    await writeOut(`${'SESSION'.padEnd(8)} ${'STATE'.padEnd(7)} ${'EVENTS'.padStart(10)} ${'OPENED'.padEnd(24)} CLOSED\n`);
    for (const s of sessions) {
      const opened = new Date(s.openedTs / 1000).toISOString();
      const closed = s.closedTs ? new Date(s.closedTs / 1000).toISOString() : '-';
      await writeOut(`${String(s.id).padEnd(8)} ${s.state.padEnd(7)} ${String(s.lastSeq).padStart(10)} ${opened.padEnd(24)} ${closed}\n`);
    }
    if (sessions.length === 0) await writeOut('(no sessions yet)\n');
    return 0;
  } finally {
    log.close();
  }
}

/** `ordo verify`: checks every stored frame; non-zero exit if any is corrupted. */
export async function verifyCommand(argv: string[]): Promise<number> {
  const { values } = parse('verify', argv, { 'data-dir': { type: 'string' } });
  const dir = existingDataDir(requireOption('verify', 'data-dir', values['data-dir']));
  const log = openReadableLog(dir.db);
  try {
    const problems = log.verify();
    for (const p of problems) {
      console.error(`ordo: corrupted frame in session ${p.session}, seq ${p.firstSeq}-${p.lastSeq}: ${p.detail}`);
    }
    const head = readHead(dir.db);
    const end = log.end() ?? { session: 0, seq: 0 };
    if (head && isBehind(end, head)) {
      console.error(`ordo: ${behindMessage(dir, end, head)}`);
      return 1;
    }
    const snapshots = snapshotProblems(log);
    for (const p of snapshots) console.error(`ordo: snapshot of session ${p.session} is damaged: ${p.detail}; ${rebuildHint(dir.dir)}`);
    // Projection checkpoints are derivable (decision 085): a damaged one is reported, one from another build noted.
    const ckpt = checkpointProblems(log);
    if (ckpt.file) console.error(`ordo: ${ckpt.file}; its checkpoints are skipped on read (run 'ordo repair --data-dir ${dir.dir} --drop-checkpoints' to replace it)`);
    for (const p of ckpt.damaged) {
      console.error(`ordo: projection checkpoint of session ${p.session} at seq ${p.seq} is damaged: ${p.detail}; it is skipped on read (run 'ordo repair --data-dir ${dir.dir} --drop-checkpoints' to remove it)`);
    }
    for (const p of ckpt.foreign) console.error(`ordo: note: projection checkpoint of session ${p.session} at seq ${p.seq} is skipped: ${p.detail}`);
    if (problems.length > 0 || snapshots.length > 0 || ckpt.damaged.length > 0 || ckpt.file) return 1;
    const sessions = log.sessions();
    const events = sessions.reduce((n, s) => n + s.lastSeq, 0);
    await writeOut(`ok: ${sessions.length} sessions, ${events} events, every frame's checksum and seq and every snapshot verified, ${ckpt.sound} projection checkpoints read back\n`);
    return 0;
  } finally {
    log.close();
  }
}
