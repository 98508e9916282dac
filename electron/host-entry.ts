// The engine host as the desktop app runs it: `ordo host ARGS` in a plain
// Node child of Electron's main process (see host-process.ts). The one thing
// added to `ordo host` is a guard for the app dying without stopping it (a
// crash, SIGKILL): the IPC channel to the parent then closes, and the host
// stops itself the same clean way as on SIGTERM instead of living on with the
// event log open.

// The parent may be gone when the host prints its last lines.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

let finished = false;
if (process.channel) {
  // The channel alone must not keep the process alive once the host is done.
  process.channel.unref();
  process.once('disconnect', () => {
    if (!finished) process.kill(process.pid, 'SIGTERM');
  });
}

// dist/electron/host-entry.js → dist/engine/cli/main.js, which has no types
// here: electron/ does not compile against engine/.
const cli = new URL('../engine/cli/main.js', import.meta.url);
const { run } = (await import(cli.href)) as { run: (argv: string[]) => Promise<number> };
process.exitCode = await run(['host', ...process.argv.slice(2)]);
finished = true;
if (process.connected) process.disconnect();
