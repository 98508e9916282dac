import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'dist/bench/main.js');

/** Every figure `npm run bench -- --json` reports. */
const FIGURES = [
  'sequencer_eps',
  'sequencer_eps_one_process',
  'latency_p50_us',
  'latency_p99_us',
  'latency_p999_us',
  'latency_offered_per_s',
  'latency_achieved_per_s',
  'latency_two_process_p99_us',
  'latency_tick_p99_us',
  'latency_tick_two_process_p99_us',
  'replay_eps',
  'replay_eps_small',
  'replay_peak_rss_mb',
  'log_bytes_per_event',
  'orders_per_s',
  'baseline_append_eps',
  'baseline_replay_eps',
  'replay_ratio',
  'replay_live_eps',
  'bytes_per_event_live',
  'orders_per_s_api',
  'orders_cpu_us',
  'orders_cpu_us_api',
  'orders_per_s_ws',
  'orders_cpu_us_ws',
  // The host thread's own CPU per lifecycle (the kernel's per-thread run time: Linux).
  ...(process.platform === 'linux' ? ['orders_host_thread_cpu_us'] : []),
  'sequencer_eps_full',
  'state_at_ms',
  'state_at_no_checkpoint_ms',
  'state_at_page_ms',
  'host_rss_mib_5m',
  'host_rss_mib_5m_resumed',
  'baseline_storage_append_eps',
  'baseline_storage_replay_eps',
  'append_storage_ordo_eps',
  'append_ratio_storage',
  'append_ratio_storage_full',
];

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

// The bench runs from dist (its replay runs in child processes of the built code): build it if it is missing or older than the sources.
beforeAll(() => {
  const built = existsSync(MAIN) ? statSync(MAIN).mtimeMs : 0;
  if (built < Math.max(newestSource(join(ROOT, 'bench')), newestSource(join(ROOT, 'engine')))) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  }
}, 120_000);

describe('npm run bench -- --quick --json', () => {
  it('runs every scenario and prints every figure as a positive number on its last line', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', MAIN, '--quick', '--json'], { cwd: ROOT, maxBuffer: 1 << 22, timeout: 110_000 }).catch((err: { stderr?: string; message: string }) => {
      // The scenarios' own one-line reasons first: the whole stderr is long, and a CI excerpt keeps only its end.
      const reasons = (err.stderr ?? '').split('\n').filter((l) => /FAILED|failed scenarios/.test(l));
      throw new Error(reasons.length > 0 ? reasons.join('\n') : err.message);
    });
    const last = stdout.trim().split('\n').pop()!;
    const figures = JSON.parse(last) as Record<string, unknown>;
    for (const key of FIGURES) {
      expect(figures, key).toHaveProperty(key);
      const v = figures[key];
      expect(typeof v === 'number' && Number.isFinite(v) && v > 0, `${key} = ${String(v)}`).toBe(true);
    }
    expect(figures.latency_method).toBe('due');
    expect(figures.latency_sender).toBe('wake');
    for (const [key, v] of Object.entries(figures)) {
      if (key === 'latency_method' || key === 'latency_sender') continue;
      expect(typeof v === 'number' && Number.isFinite(v) && v > 0, `${key} = ${String(v)}`).toBe(true);
    }
  }, 120_000);
  // Recovery and state at the small end of the growth table (docs/performance.md): each figure produced, never how fast.
  it('--only growth prints the growth figures', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', MAIN, '--quick', '--only', 'growth', '--json'], { cwd: ROOT, maxBuffer: 1 << 22, timeout: 110_000 });
    const figures = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    for (const key of ['growth_host_ready_s', 'growth_ckpt_host_ready_s', 'growth_ckpt_join_s', 'growth_ckpt_service_join_s', 'growth_state_at_no_checkpoint_ms', 'growth_state_at_ms', 'growth_state_at_page_ms']) {
      const v = figures[key];
      expect(typeof v === 'number' && Number.isFinite(v) && v > 0, `${key} = ${String(v)}`).toBe(true);
    }
  }, 120_000);
});
