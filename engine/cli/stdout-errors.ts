/**
 * What `ordo` does when its standard output cannot be written (decision 302). Node's default is an unhandled
 * 'error' event: `ordo events | head -1` ended in a stack trace ("Error: write EPIPE"), and `ordo state … >
 * /dev/full` in another ("ENOSPC"). A reader that stopped reading (EPIPE) ends the command quietly with 141, the
 * status of a process a SIGPIPE ended, as `cat` or `grep` would; any other error is one line and exit 1. The host's
 * standard output holds only its ready line, so `ordo host` keeps running (its log is standard error).
 */
export function guardStdout(command: string | undefined, out: NodeJS.WriteStream = process.stdout, exit: (code: number) => never = process.exit): void {
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (command === 'host') return;
    if (err.code === 'EPIPE') exit(141);
    process.stderr.write(`ordo: cannot write the output: ${err.code ?? 'error'} (${err.message})\n`);
    exit(1);
  });
}
