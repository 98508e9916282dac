import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with one-line usage errors instead of Node's exceptions. */
export function parse<O extends Options>(command: string, argv: string[], options: O, positionals = 0) {
  try {
    const res = parseArgs({ args: argv, options, strict: true, allowPositionals: positionals > 0 });
    if (res.positionals.length > positionals) throw new UsageError(`${command}: unexpected argument '${res.positionals[positionals]}'`);
    return res;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const first = (err as Error).message.split('\n')[0]!;
    // Node's "argument is ambiguous" is its answer to `--limit -3`: say what it means in one line.
    const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(first);
    const msg = ambiguous
      ? `${ambiguous[1]} needs a value, and what follows it starts with '-' (write ${ambiguous[1]}=VALUE if that is the value)`
      : first.replace(/\. To specify a positional argument.*$/, '');
    throw new UsageError(`${command}: ${msg}`);
  }
}

/** A whole number option within bounds, or a usage error naming it. */
export function intOption(command: string, name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${command}: --${name} must be a whole number, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${command}: --${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/**
 * A whole number from the environment variable `name` within [min, max] (both included), or undefined when it is
 * unset or empty. With `off`, `0` and `off` are 0 (the feature turned off) whatever `min` is; `unit` names what the
 * number counts in the message ('MiB'). Anything else is a usage error naming the variable, its range and the value.
 */
export function intFromEnv(
  name: string,
  min: number,
  max: number,
  opts: { readonly off?: boolean; readonly unit?: string } = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (opts.off === true && (value === '0' || value === 'off')) return 0;
  const n = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) {
    const what = `a whole number${opts.unit === undefined ? '' : ` of ${opts.unit}`} from ${min} to ${max}`;
    throw new UsageError(`${name} must be ${opts.off === true ? `0, off or ${what}` : what}, got '${value}'`);
  }
  return n;
}

export function requireOption(command: string, name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`${command}: --${name} is required`);
  return value;
}
