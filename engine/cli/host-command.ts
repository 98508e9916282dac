import { loadFixVenues } from '../fix/gateway/config.ts';
import { checkFixBind, loadFixTls } from '../fix/tls.ts';
import { giveUpArrayBufferDetachingProtector } from '../host/detach-protector.ts';
import { tuneHostHeap } from '../host/heap-tuning.ts';
import { startHost } from '../host/host.ts';
import { quietLoop } from '../host/spare-gate.ts';
import { warmOrderPath } from '../host/warm-up.ts';
import { log } from '../log.ts';
import { giveBackStartupMemory } from '../native/heap-trim.ts';
import { intFromEnv, intOption, parse, requireOption } from './args.ts';
import { UsageError } from './errors.ts';
import { applySchedulerSlice, schedulerSlice } from './slice-option.ts';

/**
 * `--bus-port`: the first of the ports external components join on, or `off` (none: everything in-process, as
 * without the option), the word `npm start`'s ORDO_BUS_PORT takes too (decision 302).
 */
function busPortOption(value: string | undefined): number | undefined {
  if (value === 'off') return undefined;
  if (value === undefined) return undefined;
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1024 && n <= 65529)) throw new UsageError(`host: --bus-port must be a port number (1024-65529) or off, got '${value}'`);
  return n;
}

/** `ordo host`: runs the engine until SIGINT/SIGTERM, then stops cleanly. */
export async function hostCommand(argv: string[]): Promise<number> {
  // Before any of the host's code is optimized: a transfer to a thread later would throw that code away (decision 291).
  giveUpArrayBufferDetachingProtector();
  const { values } = parse('host', argv, {
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    reference: { type: 'string' },
    'bus-port': { type: 'string' },
    seed: { type: 'string' },
    'stale-ms': { type: 'string' },
    'venue-tick-ms': { type: 'string' },
    'no-auto-open': { type: 'boolean' },
    sync: { type: 'string' },
    'fix-port': { type: 'string' },
    'fix-host': { type: 'string' },
    'fix-tls-cert': { type: 'string' },
    'fix-tls-key': { type: 'string' },
    'fix-venues': { type: 'string' },
    'venue-fix-port': { type: 'string' },
    'venue-in': { type: 'string' },
    'new-log': { type: 'boolean' },
    'checkpoint-every': { type: 'string' },
    'ui-state-rows': { type: 'string' },
    'warm-up': { type: 'string' },
  });
  const dataDir = requireOption('host', 'data-dir', values['data-dir']);
  const port = intOption('host', 'port', values.port, 0, 65535) ?? 0;
  const busPort = busPortOption(values['bus-port']);
  const seed = intOption('host', 'seed', values.seed, 0, 2 ** 32 - 1);
  const staleMs = intOption('host', 'stale-ms', values['stale-ms'], 100, 600_000);
  const venueTickMs = intOption('host', 'venue-tick-ms', values['venue-tick-ms'], 0, 60_000);
  const fixPort = intOption('host', 'fix-port', values['fix-port'], 0, 65535);
  const venueFixPort = intOption('host', 'venue-fix-port', values['venue-fix-port'], 0, 65535);
  // Events between two in-session projection checkpoints (decision 085); 0: none.
  const checkpointEvery = intOption('host', 'checkpoint-every', values['checkpoint-every'], 0, 1_000_000_000);
  // Newest orders and fills a UI subscriber's initial state carries (decision 150).
  const uiStateRows = intOption('host', 'ui-state-rows', values['ui-state-rows'], 1, 1_000_000);
  // Orders the warm-up runs through a scratch engine before this one starts (decision 291): the option, else
  // $ORDO_WARM_UP (a bad value is a usage error naming it, before anything starts), else none. Off by default:
  // on a loaded 2-core machine its 5 s let too few orders through to pay.
  const warmUp = intOption('host', 'warm-up', values['warm-up'], 0, 100_000) ?? intFromEnv('ORDO_WARM_UP', 0, 100_000) ?? 0;
  const fixTls = loadFixTls(values['fix-tls-cert'], values['fix-tls-key']);
  if (values['fix-host'] !== undefined) checkFixBind(values['fix-host'], fixTls);
  const sync = values.sync;
  if (sync !== undefined && sync !== 'normal' && sync !== 'full') {
    throw new UsageError(`host: --sync must be normal or full, got '${sync}'`);
  }
  // Where the simulated venue runs (decision 284): its own process (decision 279), or this host's thread, which
  // costs the machine less CPU in all (one event loop, no second ZeroMQ I/O side) on a small, busy machine.
  const venueIn = values['venue-in'];
  if (venueIn !== undefined && venueIn !== 'process' && venueIn !== 'host') {
    throw new UsageError(`host: --venue-in must be process or host, got '${venueIn}'`);
  }
  const sliceUs = schedulerSlice();
  // Handlers first: a signal during start-up or right after the ready line still stops cleanly.
  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      stopping = true;
      console.error(`ordo: ${signal} received, stopping`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  // The host process's heap grows by at most 30 % past what is live (decision 170: issue 11's memory bound).
  tuneHostHeap();
  // A short scheduler slice on every thread before ZeroMQ's and the workers' start (they inherit it): a thread woken
  // by a message waits for a core ~0.1 ms instead of up to the 1.4 ms default slice (decision 283).
  applySchedulerSlice(sliceUs);
  // When asked for: the order path compiled before the ready line, on a scratch engine that shares nothing with this
  // one but the process's compiled code: a fresh host's first orders cost ~5× its later ones (decision 291).
  // It is never a reason not to start: a warm-up that fails says so in one line and the host starts cold.
  if (warmUp > 0 && !stopping) {
    try {
      const w = await warmOrderPath({ orders: warmUp, stopped: () => stopping });
      log.info(`order path warmed: ${w.answered} of ${w.sent} orders through a scratch session in ${w.ms.toFixed(0)} ms`);
    } catch (err) {
      log.warn(`order path not warmed (starting cold): ${(err as Error).message}`);
    }
  }
  const host = await startHost({
    dataDir,
    port,
    ...(values.reference !== undefined ? { reference: values.reference } : {}),
    ...(busPort !== undefined ? { busPort } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(staleMs !== undefined ? { staleMs } : {}),
    ...(venueTickMs !== undefined ? { venueTickMs } : {}),
    ...(sync !== undefined ? { synchronous: sync } : {}),
    ...(fixPort !== undefined ? { fixPort } : {}),
    ...(values['fix-host'] !== undefined ? { fixHost: values['fix-host'] } : {}),
    ...(fixTls ? { fixTls } : {}),
    ...(venueFixPort !== undefined ? { venueFixPort } : {}),
    ...(checkpointEvery !== undefined ? { checkpointEvery } : {}),
    ...(uiStateRows !== undefined ? { uiStateRows } : {}),
    ...(values['fix-venues'] !== undefined ? { fixVenues: loadFixVenues(values['fix-venues']) } : {}),
    ...(venueIn !== undefined ? { venueIn } : {}),
    autoOpen: !values['no-auto-open'],
    newLog: values['new-log'] === true,
  });
  // What start-up folded and dropped leaves the process before it serves (decision 294): at 5 M events a resumed
  // host's RSS was ~1.7 GiB with it kept, mostly a decoded copy of the checkpoint no one holds any more.
  if (!stopping) {
    const t = giveBackStartupMemory();
    const mib = (b: number) => (b / 2 ** 20).toFixed(0);
    log.info(`start-up memory given back: RSS ${mib(t.rssBefore)} -> ${mib(t.rssAfter)} MiB in ${t.ms.toFixed(0)} ms${t.trimmed ? '' : ` (collected only: ${t.reason})`}`);
  }
  // A Ctrl-C during start-up: no ready line (and no URL to open) after "stopping".
  if (!stopping) console.log(`ordo ready ${host.url}`);
  // The time machine's process started ahead of its first call, so that call pays only the rebuild (decision 295),
  // once the host's loop has been quiet for a second (decision 300): never on a fresh host's first orders.
  if (!stopping) host.api.keepPastSpare(quietLoop());
  // The FIX line once the acceptor listens: at once in an open session, else when a session opens (awaiting it here
  // left a host started on a closed session deaf to Ctrl-C).
  const fix = host.fix;
  if (fix && !stopping) {
    const fixLine = (p: number) => console.log(`ordo fix ${fix.host}:${p}${fix.tls ? ' tls' : ''}`);
    if (fix.port !== undefined) fixLine(fix.port);
    else void fix.whenListening().then(fixLine, () => undefined);
  }
  if (host.venueFix && !stopping) console.log(`ordo venue-fix 127.0.0.1:${host.venueFix.port}`);
  await stopped;
  await host.close();
  console.error('ordo: stopped cleanly');
  return 0;
}
