import type { z } from 'zod';

/**
 * One-line error messages for input from outside (API parameters, files,
 * snapshots): the field path in JS notation and what is wrong, e.g.
 * `order.quantity: must be > 0` or `reference.json: instruments[3].tickSize: must be > 0`.
 */

const IDENTIFIER = /^[A-Za-z_]\w*$/;

/** A field path as `a[3].b`; a key that is no identifier (a stranger's unknown field) as `["a b"]`, quoted and cut to stay one short line. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (typeof k === 'string' && IDENTIFIER.test(k) && k.length <= 64) out += out.length === 0 ? k : `.${k}`;
    else out += `[${JSON.stringify(String(k).slice(0, 40))}]`;
  }
  return out.length === 0 ? '(root)' : out;
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = json;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/**
 * The one wording of a validation error (files, snapshots and the API alike):
 * the first zod issue as `path: problem`, the path in JS notation under
 * `root` (e.g. `order.quantity: must be > 0`, `instruments[3].lotSize: is
 * required`, `order.bogus: unknown field`). `json` is the input that failed,
 * to tell a missing field from one of the wrong type. One line.
 */
export function issueLine(error: z.ZodError, json: unknown, root: readonly PropertyKey[] = []): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${formatPath(root)}: invalid`;
  let path = issue.path;
  let problem = plainMessage(issue.message);
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0] ?? ''];
    problem = issue.keys.length > 1 ? `unknown field (and ${issue.keys.slice(1).join(', ')})` : 'unknown field';
  } else if (issue.code === 'invalid_type') {
    const value = valueAt(json, path);
    if (value === undefined) problem = 'is required';
    else if (typeof value === 'number' && issue.expected === 'number') problem = 'must be a finite number';
    else problem = `must be ${article(issue.expected)}`;
  } else if (issue.code === 'invalid_value' && valueAt(json, path) === undefined) {
    problem = 'is required';
  } else if (issue.code === 'invalid_value' && issue.message.startsWith('Invalid option')) {
    problem = `must be one of ${issue.values.map(String).join(', ')}`;
  }
  return `${formatPath([...root, ...path])}: ${problem}`;
}

/** Describes the first zod issue of a file or snapshot as `source: path: problem` (see issueLine). */
export function describeIssue(error: z.ZodError, json: unknown, sourceName: string): string {
  return `${sourceName}: ${issueLine(error, json)}`;
}

/** zod's default bound messages in the house wording (`Too small: expected number to be >0` → `must be > 0`); others as they are. */
function plainMessage(message: string): string {
  const bound = /^Too (?:small|big): expected \w+ to be (>=|<=|>|<)(.+)$/.exec(message);
  if (bound) return `must be ${bound[1]} ${bound[2]}`;
  const length = /^Too (?:small|big): expected \w+ to have (>=|<=)(\d+) (\w+)$/.exec(message);
  if (length) return `must have ${length[1] === '>=' ? 'at least' : 'at most'} ${length[2]} ${length[3]}`;
  return message;
}

function article(expected: string): string {
  if (expected === 'int') return 'a whole number';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** Thrown for foreign input that does not validate; `message` is one line. */
export class ValidationError extends Error {
  override name = 'ValidationError';
}
