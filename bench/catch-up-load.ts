/**
 * The catch-up scenario's load generator in a process of its own (bench/catch-up.ts starts it):
 *
 *   node dist/bench/catch-up-load.js PORT TOKEN RATE SECONDS OUT.json
 *
 * Sends orders at RATE/s for SECONDS over HTTP to the host (bench/host-load.ts's pacedOrders: open loop, latency
 * from each order's due time), prints `load-start EPOCH_MS` when the first order is due, and at the end writes every
 * ack and its own loop gaps, GC pauses and the kernel's dirty pages (bench/generator-probe.ts) to OUT.json.
 *
 * Why a process of its own (decision 273): in the bench process the generator shared its event loop with the
 * scenario's own work at the join (spawning the component, which blocks the spawning thread until the child has
 * exec'd, and `perf`), and its heap with every scenario run before; the orders due meanwhile went out late and
 * counted as the host's latency. A trading client is a process of its own; so is this one, at normal priority, and
 * its waits for a core on a loaded machine still count.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatorLine, probeGenerator, type GeneratorProbe } from './generator-probe.ts';
import { type Ack, apiCaller, orderFlow, pacedOrders } from './host-load.ts';
import { runMain } from './util.ts';

/** What OUT.json holds. */
export interface CatchUpLoad {
  /** Epoch ms at which order 0 was due (every Ack's dueMs is from then). */
  readonly loadEpoch: number;
  /** [dueMs, ms, sentMs, status]. */
  readonly acks: [number, number, number, number][];
  readonly gen: GeneratorProbe;
  /** This process's heap at the load's start (MiB): used, total, RSS. */
  readonly mem0: [number, number, number];
}

export const LOAD_START = 'load-start ';

/** The acks back in bench/host-load.ts's shape. */
export function acksOf(load: CatchUpLoad): Ack[] {
  return load.acks.map(([dueMs, ms, sentMs, status]) => ({ dueMs, ms, sentMs, status }));
}

async function main(): Promise<void> {
  const [port, token, rate, seconds, out] = process.argv.slice(2);
  if (!port || !token || !rate || !seconds || !out) throw new Error('usage: catch-up-load.js PORT TOKEN RATE SECONDS OUT.json');
  const api = apiCaller({ port: Number(port), token });
  try {
    const next = await orderFlow(api.call, 'catchup');
    const m = process.memoryUsage();
    const MIB = 1048576;
    const gen = probeGenerator(5);
    let loadEpoch = NaN;
    const acks = await pacedOrders(api.call, next, Number(rate), Number(seconds), (second) => {
      if (second === 0) {
        loadEpoch = Date.now();
        process.stdout.write(`${LOAD_START}${loadEpoch}\n`);
      }
    });
    const g = gen.stop();
    const load: CatchUpLoad = { loadEpoch, acks: acks.map((a) => [a.dueMs, a.ms, a.sentMs, a.status]), gen: g, mem0: [m.heapUsed / MIB, m.heapTotal / MIB, m.rss / MIB] };
    writeFileSync(out, JSON.stringify(load));
    process.stdout.write(`whole run: ${generatorLine(g, loadEpoch, loadEpoch + Number(seconds) * 1000)}\n`);
  } finally {
    api.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) runMain(main);
