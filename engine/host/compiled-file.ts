import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled file `name` (a thread's or child process's entry) beside the
 * module at `moduleUrl` (its `import.meta.url`): next to it in dist/, or, when
 * that module runs from its TypeScript source (tests), the same path under
 * dist/. Undefined when the build has not made it.
 */
export function compiledFile(moduleUrl: string, name: string): string | undefined {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith('.js')) return join(dirname(here), name);
  const root = resolve(dirname(here), '..', '..');
  const file = join(root, 'dist', relative(root, dirname(here)), name);
  return existsSync(file) ? file : undefined;
}
