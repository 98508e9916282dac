import { existingDataDir } from '../host/data-dir.ts';
import { UserError } from '../errors.ts';
import { projectionAt } from '../oms/projection-at.ts';
import { openReadableLog } from '../store/log.ts';
import { intOption, parse, requireOption } from './args.ts';
import { UsageError } from './errors.ts';
import { writeOut } from './log-commands.ts';
import { writeStateJson } from './state-writer.ts';

/** Rows of orders and of fills `ordo state` writes without --limit (decision 186). */
export const STATE_CLI_LIMIT = 1000;
const STATE_CLI_MAX = 100_000;

/**
 * `ordo state`: the time machine — the OMS state as of a seq, as JSON: the
 * session, reference data, counts and one page of orders and fills (the
 * first STATE_CLI_LIMIT, or `--after C --limit N`, with `ordersAfter` /
 * `fillsAfter` naming the next cursor), or with `--all` every order and fill
 * streamed (decision 186).
 */
export async function stateCommand(argv: string[]): Promise<number> {
  const { values } = parse('state', argv, {
    'data-dir': { type: 'string' },
    session: { type: 'string' },
    at: { type: 'string' },
    hash: { type: 'boolean' },
    limit: { type: 'string' },
    after: { type: 'string' },
    all: { type: 'boolean' },
  });
  if (values.all === true && (values.limit !== undefined || values.after !== undefined)) throw new UsageError('state: --all writes every order and fill; it takes no --limit or --after');
  const page = values.all === true ? undefined : { after: intOption('state', 'after', values.after, 0) ?? 0, limit: intOption('state', 'limit', values.limit, 1, STATE_CLI_MAX) ?? STATE_CLI_LIMIT };
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
    await writeStateJson(writeOut, p, at, values.hash ? { stateHash: p.stateHash() } : {}, page);
    await writeOut('\n');
    return 0;
  } finally {
    log.close();
  }
}
