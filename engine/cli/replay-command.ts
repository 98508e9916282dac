import { existingDataDir } from '../host/data-dir.ts';
import { UserError } from '../errors.ts';
import { readConfigText } from '../text-file.ts';
import { NOT_REPLAYABLE, REPLAYABLE } from '../oms/what-if/components.ts';
import { parseLimitsFile } from '../oms/what-if/limits-file.ts';
import { whatIf, type WhatIfOptions } from '../oms/what-if/what-if.ts';
import { loadReferenceData } from '../oms/reference.ts';
import { openReadableLog } from '../store/log.ts';
import { intOption, parse, requireOption } from './args.ts';
import { UsageError } from './errors.ts';
import { writeOut } from './log-commands.ts';

/** Components `ordo replay` can replay: those whose decisions are functions of the log. */
const COMPONENTS = [...REPLAYABLE.keys()];

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readConfigText(path);
  } catch (err) {
    throw new UserError(`${path}: cannot read file (${(err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${path}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
}

/**
 * `ordo replay`: what-if replay. Plays a recorded session through a fresh
 * component (risk or router) with other reference data or limits and prints,
 * as JSON Lines, every decision that differs from the log's.
 */
export async function replayCommand(argv: string[]): Promise<number> {
  const { values } = parse('replay', argv, {
    'data-dir': { type: 'string' },
    session: { type: 'string' },
    component: { type: 'string' },
    reference: { type: 'string' },
    limits: { type: 'string' },
  });
  const dir = existingDataDir(requireOption('replay', 'data-dir', values['data-dir']));
  const component = requireOption('replay', 'component', values.component);
  const why = NOT_REPLAYABLE.get(component);
  if (why !== undefined) throw new UsageError(`replay: cannot replay '${component}': ${why} (replayable: ${COMPONENTS.join(', ')})`);
  if (!COMPONENTS.includes(component)) throw new UsageError(`replay: --component must be one of ${COMPONENTS.join(', ')}, got '${component}'`);
  if (values.reference !== undefined && values.limits !== undefined) throw new UsageError('replay: give --reference or --limits, not both');
  if (values.limits !== undefined && component !== 'risk') throw new UsageError(`replay: --limits applies to --component risk only (the ${component} has no limits); use --reference`);
  const opts: { -readonly [K in keyof WhatIfOptions]: WhatIfOptions[K] } = {};
  try {
    if (values.reference !== undefined) opts.reference = loadReferenceData(values.reference);
    if (values.limits !== undefined) opts.limits = parseLimitsFile(readJson(values.limits), values.limits);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  const log = openReadableLog(dir.db);
  try {
    const session = intOption('replay', 'session', values.session, 1) ?? log.latestSession()?.id;
    if (session === undefined) throw new UserError(`no sessions in ${dir.dir} yet`);
    const row = log.sessions().find((s) => s.id === session);
    if (!row) throw new UserError(`no session ${session} in ${dir.dir}`);
    const events = () => log.events(session, 1, row.lastSeq);
    const lines: string[] = [];
    for (const d of whatIf(component, events, opts)) {
      lines.push(JSON.stringify(d));
      if (lines.length >= 1000) await writeOut(`${lines.splice(0).join('\n')}\n`);
    }
    if (lines.length > 0) await writeOut(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    log.close();
  }
}
