import { existingDataDir } from '../host/data-dir.ts';
import { UserError } from '../errors.ts';
import { projectionAt } from '../oms/projection-at.ts';
import { openReadableLog } from '../store/log.ts';
import { intOption, parse, requireOption } from './args.ts';
import { writeOut } from './log-commands.ts';
import { writeStateJson } from './state-writer.ts';

/** `ordo state`: the time machine — the whole OMS state as of a seq, as JSON. */
export async function stateCommand(argv: string[]): Promise<number> {
  const { values } = parse('state', argv, {
    'data-dir': { type: 'string' },
    session: { type: 'string' },
    at: { type: 'string' },
    hash: { type: 'boolean' },
  });
  const dir = existingDataDir(requireOption('state', 'data-dir', values['data-dir']));
  const at = intOption('state', 'at', requireOption('state', 'at', values.at), 0)!;
  const log = openReadableLog(dir.db);
  try {
    // log.end() is a key lookup; latestSession() counts every session's frames.
    const session = intOption('state', 'session', values.session, 1) ?? log.end()?.session;
    if (session === undefined) throw new UserError(`no sessions in ${dir.dir} yet`);
    const past = projectionAt(log, session, at);
    if (!past.ok) {
      if (past.problem === 'no-session') throw new UserError(`no session ${session} in ${dir.dir}`);
      throw new UserError(`session ${session} has ${past.lastSeq} events; --at ${at} is beyond its end`);
    }
    const p = past.projection;
    // Streamed piece by piece: a large session's state does not fit in one string (issue #15).
    await writeStateJson(writeOut, p, at, values.hash ? { stateHash: p.stateHash() } : {});
    await writeOut('\n');
    return 0;
  } finally {
    log.close();
  }
}
