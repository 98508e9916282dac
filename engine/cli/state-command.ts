import { existingDataDir } from '../host/data-dir.ts';
import { UserError } from '../errors.ts';
import { projectionAt } from '../oms/projection-at.ts';
import { toStateView } from '../oms/views.ts';
import { openReadableLog } from '../store/log.ts';
import { intOption, parse, requireOption } from './args.ts';
import { writeOut } from './log-commands.ts';

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
    const session = intOption('state', 'session', values.session, 1) ?? log.latestSession()?.id;
    if (session === undefined) throw new UserError(`no sessions in ${dir.dir} yet`);
    const past = projectionAt(log, session, at);
    if (!past.ok) {
      if (past.problem === 'no-session') throw new UserError(`no session ${session} in ${dir.dir}`);
      throw new UserError(`session ${session} has ${past.lastSeq} events; --at ${at} is beyond its end`);
    }
    const p = past.projection;
    const view = toStateView(p, at);
    await writeOut(JSON.stringify(values.hash ? { ...view, stateHash: p.stateHash() } : view, null, 2) + '\n');
    return 0;
  } finally {
    log.close();
  }
}
