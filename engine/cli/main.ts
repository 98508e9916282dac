import { hugeHeapFromEnv, reserveHugeHeap } from '../native/huge-heap.ts';
import { describeError, UsageError } from './errors.ts';
import { eventsCommand, sessionsCommand, verifyCommand } from './log-commands.ts';

export { guardStdout } from './stdout-errors.ts';

const HELP = `ordo — a trading order management system

usage:
  ordo host --data-dir DIR [--port N] [--reference FILE] [--bus-port N|off] [--seed N]
                 [--checkpoint-every N] [--ui-state-rows N] [--no-auto-open] [--sync normal|full]
                 [--fix-port N [--fix-host ADDR --fix-tls-cert FILE --fix-tls-key FILE]]
                 [--fix-venues FILE] [--venue-fix-port N] [--venue-in process|host] [--warm-up N]
                                   run the engine and serve the UI and API on 127.0.0.1
                                   (--warm-up N: N orders run through a scratch engine first so the
                                   first real ones find the order path compiled, e.g. 2000; default 0)
                                   (FIX: docs/fix.md); stops cleanly on Ctrl-C
  ordo events --data-dir DIR [--session N] [--from A] [--to B] | --all-sessions
                                   print sequenced events as JSON Lines (default: the newest session)
  ordo sessions --data-dir DIR [--json]
                                   list sessions with their states and event counts
  ordo state --data-dir DIR [--session N] --at SEQ [--after C] [--limit N | --all] [--hash]
                                   the OMS state as of a seq (time machine), as JSON: counts and
                                   the first 1,000 orders and fills (a page from --after C; the
                                   next cursor in ordersAfter/fillsAfter); --all: every one
  ordo session roll|close|open --data-dir DIR [--port N]
                                   roll to the next session with no pause in order entry
                                   (or close / open), on the data dir's running host
  ordo verify --data-dir DIR       check every stored frame's checksum and seq
  ordo repair --data-dir DIR --truncate-after-corruption
                                   cut the log back to the last good frame
  ordo repair --data-dir DIR --accept-lost-events
                                   accept that the log ends before what was acknowledged
  ordo repair --data-dir DIR --drop-checkpoints
                                   remove the projection checkpoints (derivable; rebuilt from the log)
  ordo repair --data-dir DIR --rebuild-snapshots
                                   rebuild damaged snapshots of closed sessions from their events
  ordo repair --data-dir DIR --salvage-into FILE
                                   copy every readable frame of a page-damaged log into a new file
  ordo checkpoint --data-dir DIR [--every N]
                                   write the newest session's projection checkpoints (a stopped host's)
  ordo backup --data-dir DIR --to FILE
                                   a consistent copy of the log while the host runs
  ordo replay --data-dir DIR [--session N] --component risk|router [--reference FILE | --limits FILE]
                                   what-if: replay a session through a fresh risk or router with
                                   other static data or limits (--limits: risk only); print
                                   every differing decision as JSON Lines
  ordo halt --data-dir DIR [--port N] [--client ID] [--by WHO] [--reason TEXT]
                                   kill switch: cancel every live order of a client (or all)
                                   at the venue and refuse new ones, on a running host
  ordo resume --data-dir DIR [--port N] [--client ID] [--by WHO]
                                   lift a halt
  ordo component ROLE --connect HOST:PORT --id ID --data-dir DIR
                                   run one component as its own process
  ordo admin ACTION ID --data-dir DIR | --url URL [--token T | --data-dir DIR]
                                   on a running host: restart ID | standby ROLE |
                                   activate ID | deactivate ID | shutdown ID
  ordo help [COMMAND]              this text, or one command's part of it (also: ordo COMMAND --help)
`;

/** The lines of HELP that describe `command` (each entry with its continuation lines), or undefined. */
export function commandHelp(command: string): string | undefined {
  const lines = HELP.split('\n');
  const picked: string[] = [];
  let taking = false;
  for (const line of lines) {
    const entry = /^ {2}ordo (\S+)/.exec(line);
    if (entry) taking = entry[1] === command;
    else if (!line.startsWith('   ')) taking = false;
    if (taking) picked.push(line);
  }
  return picked.length > 0 ? `usage:\n${picked.join('\n')}\n` : undefined;
}

/** `--help` or `-h` among a command's arguments (before a `--` that ends the options). */
function asksForHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

type Command = (argv: string[]) => Promise<number>;

// A Map, not an object: `ordo __proto__` was 'unexpected error: load is not a function' (decision 296).
const commands: ReadonlyMap<string, () => Promise<Command>> = new Map<string, () => Promise<Command>>([
  ['events', async () => eventsCommand],
  ['sessions', async () => sessionsCommand],
  ['verify', async () => verifyCommand],
  ['host', async () => (await import('./host-command.ts')).hostCommand],
  ['state', async () => (await import('./state-command.ts')).stateCommand],
  ['backup', async () => (await import('./backup-command.ts')).backupCommand],
  ['repair', async () => (await import('./repair-command.ts')).repairCommand],
  ['checkpoint', async () => (await import('./checkpoint-command.ts')).checkpointCommand],
  ['component', async () => (await import('./component-command.ts')).componentCommand],
  ['admin', async () => (await import('./admin-command.ts')).adminCommand],
  ['replay', async () => (await import('./replay-command.ts')).replayCommand],
  ['halt', async () => (await import('./halt-command.ts')).haltCommand('halt')],
  ['resume', async () => (await import('./halt-command.ts')).haltCommand('resume')],
  ['session', async () => (await import('./session-command.ts')).sessionCommand],
]);

/** Commands that fold a session's state (the host, a component, the time machine, checkpoints, what-if, verify): their processes take the huge-page heap first (decision 290). */
const FOLDING = new Set(['host', 'component', 'state', 'checkpoint', 'replay', 'verify']);

/** ORDO_HUGE_HEAP_MIB, read before a folding command starts: a bad value is a usage error naming it. */
function takeHugeHeap(): void {
  reserveHugeHeap(hugeHeapFromEnv());
}

/** Runs the CLI; returns the exit code. Errors become one line on stderr. */
export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    // `ordo help --help` (or -h): help's own usage, as `ordo COMMAND --help` is any other command's.
    const topic = name === 'help' ? (rest[0] === '--help' || rest[0] === '-h' ? 'help' : rest[0]) : undefined;
    const part = topic === undefined ? undefined : commandHelp(topic);
    if (topic !== undefined && part === undefined) {
      console.error(`ordo: help: unknown command '${topic}' (see 'ordo help')`);
      return 2;
    }
    process.stdout.write(part ?? HELP);
    return name === undefined ? 2 : 0;
  }
  try {
    const load = commands.get(name);
    if (!load) throw new UsageError(`unknown command '${name}'`);
    // `ordo COMMAND --help`: that command's usage, whatever else was given (nothing is run).
    if (asksForHelp(rest)) {
      process.stdout.write(commandHelp(name) ?? HELP);
      return 0;
    }
    if (FOLDING.has(name)) takeHugeHeap();
    return await (await load())(rest);
  } catch (err) {
    const { line, code } = describeError(err);
    console.error(line);
    if (process.env.ORDO_DEBUG) console.error(err);
    return code;
  }
}
