import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';

/** The most a configuration file Ordo reads whole (reference data, limits) may hold. */
export const MAX_CONFIG_FILE_BYTES = 64 * 1024 * 1024;

/**
 * The text of the configuration file `path`, read whole; throws an Error whose message says in a few words why it
 * cannot be read ('ENOENT', 'EISDIR', 'a character device, not a file', '80 MiB, more than the 64 MiB a
 * configuration file may be'). A device (`/dev/zero`, `/dev/urandom`) or a huge file was read until memory ran out
 * (round 18); a pipe (`<(jq …)`) ends, so it is read.
 */
export function readConfigText(path: string, maxBytes = MAX_CONFIG_FILE_BYTES): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new Error((err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new Error('EISDIR');
    if (st.isFile()) {
      if (st.size > maxBytes) throw new Error(`${mib(st.size)}, more than the ${mib(maxBytes)} a configuration file may be`);
    } else if (!st.isFIFO()) {
      throw new Error(`${st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a regular file'}, not a file`);
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function mib(bytes: number): string {
  return `${Math.ceil(bytes / (1024 * 1024))} MiB`;
}
