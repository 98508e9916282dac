import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled file `name` (a thread's or child process's entry) beside the
 * module at `moduleUrl` (its `import.meta.url`): next to it in dist/, or, when
 * that module runs from its TypeScript source (tests), the same path under
 * dist/. Undefined when the file is not there: not built, or moved away from
 * a built install (the caller then runs the work on its own thread).
 */
export function compiledFile(moduleUrl: string, name: string): string | undefined {
  const file = compiledPath(moduleUrl, name);
  return existsSync(file) ? file : undefined;
}

/** Where `compiledFile` looks for `name`, whether or not it is there (for a warning that names it). */
export function compiledPath(moduleUrl: string, name: string): string {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith('.js')) return join(dirname(here), name);
  const root = resolve(dirname(here), '..', '..');
  return join(root, 'dist', relative(root, dirname(here)), name);
}
