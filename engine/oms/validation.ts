import type { z } from 'zod';

/**
 * One-line error messages for foreign input (files, snapshots): the source
 * name, the field path in JS notation, and what is wrong, e.g.
 * `reference.json: instruments[3].tickSize: must be > 0`.
 */

/** A field path as `a[3].b`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out.length === 0 ? String(k) : `.${String(k)}`;
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

/** Describes the first zod issue as `source: path: problem`. */
export function describeIssue(error: z.ZodError, json: unknown, sourceName: string): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${sourceName}: invalid`;
  let path = issue.path;
  let problem = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    path = [...path, key];
    problem = 'unknown field';
  } else if (issue.code === 'invalid_type') {
    const value = valueAt(json, path);
    problem = value === undefined ? 'is required' : `must be ${article(issue.expected)}`;
  }
  return `${sourceName}: ${formatPath(path)}: ${problem}`;
}

function article(expected: string): string {
  if (expected === 'int') return 'a whole number';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** Thrown for foreign input that does not validate; `message` is one line. */
export class ValidationError extends Error {
  override name = 'ValidationError';
}
