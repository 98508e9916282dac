/**
 * The engine's logger: four levels, one line per record on stderr
 * (`2026-11-29T16:58:08.123Z WARN message`), newlines in a message folded so
 * a record never spans lines. The level comes from ORDO_LOG_LEVEL
 * (debug|info|warn|error|silent); under vitest it defaults to silent so
 * expected failures do not flood the test output.
 *
 * Not for a command's own output (`ordo events` lines, `ordo ready URL`,
 * CLI error lines): those are the product's stdout/stderr and stay exact.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(message: string, err?: unknown): void;
  info(message: string, err?: unknown): void;
  warn(message: string, err?: unknown): void;
  error(message: string, err?: unknown): void;
  /** Changes the level of this process's logger (tests, `--verbose`). */
  setLevel(level: LogLevel): void;
}

function levelFromEnv(env: NodeJS.ProcessEnv): LogLevel {
  const v = env.ORDO_LOG_LEVEL?.toLowerCase();
  if (v !== undefined && v in RANK) return v as LogLevel;
  return env.VITEST ? 'silent' : 'info';
}

function describe(err: unknown): string {
  if (err === undefined) return '';
  if (err instanceof Error) return `: ${err.message}`;
  return `: ${String(err)}`;
}

/** A logger writing to `write` (stderr by default). */
export function createLogger(level: LogLevel = levelFromEnv(process.env), write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  let threshold = RANK[level];
  const record = (lvl: Exclude<LogLevel, 'silent'>, message: string, err?: unknown) => {
    if (RANK[lvl] < threshold) return;
    const text = `${message}${describe(err)}`.replace(/\s*[\r\n]+\s*/g, ' | ');
    write(`${new Date().toISOString()} ${lvl.toUpperCase()} ${text}\n`);
    if (lvl === 'debug' && err instanceof Error && err.stack) write(`${new Date().toISOString()} DEBUG ${err.stack.replace(/\s*[\r\n]+\s*/g, ' | ')}\n`);
  };
  return {
    debug: (m, e) => record('debug', m, e),
    info: (m, e) => record('info', m, e),
    warn: (m, e) => record('warn', m, e),
    error: (m, e) => record('error', m, e),
    setLevel: (l) => {
      threshold = RANK[l];
    },
  };
}

/** This process's logger. */
export const log: Logger = createLogger();
