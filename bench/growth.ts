/**
 * Issue 15's report asks for "a table of how each cost grows from 1 M to 5 M events". The replay scenario already
 * times both sizes; the recovery and state scenarios take 5 M only. This scenario takes their measures at the
 * smaller size (1 M events, the same 8-event frames and 125,000-event checkpoint tail as recovery's 5 M case; the
 * same 4,096-event frame log as state's), so one bench run prints both ends of the table (docs/performance.md,
 * "How each cost grows").
 */
import { dirname } from 'node:path';
import { recoveryAtScale } from './recovery.ts';
import { stateAtInChild, writeFrameLog } from './replay.ts';
import { checkpointInChild, statePageInChild } from './state-at-scale.ts';
import type { BenchRow } from './util.ts';

export async function growthRows(events: number, log: (s: string) => void): Promise<BenchRow[]> {
  const m = `${(events / 1e6).toFixed(2)} M`;
  log(`growth: recovery and state at ${m} events, to set beside the 5 M figures…`);
  const r = await recoveryAtScale(events, 8, true);
  const c = r.checkpointed!;
  const rows: BenchRow[] = [
    { key: 'growth_host_ready_s', label: `host ready on the session (${m})`, value: r.hostReadySeconds, unit: 's', note: '8-event frames, replay from seq 1' },
    { key: 'growth_ckpt_host_ready_s', label: `host ready on the session, from a checkpoint (${m})`, value: c.hostReadySeconds, unit: 's', note: `${c.tail.toLocaleString('en-US')}-event tail` },
    { key: 'growth_ckpt_join_s', label: `component joining from a checkpoint, log file (${m})`, value: c.joinSeconds, unit: 's', note: `component CPU ${c.joinCpuSeconds.toFixed(2)} s` },
    { key: 'growth_ckpt_service_join_s', label: `component joining from a checkpoint, replay service (${m})`, value: c.serviceJoinSeconds, unit: 's', note: `component CPU ${c.serviceJoinCpuSeconds.toFixed(2)} s` },
  ];
  const stored = writeFrameLog(events);
  try {
    const dir = dirname(stored.db);
    const plain = await stateAtInChild(dir, stored.events);
    await checkpointInChild(dir);
    const ckpt = await stateAtInChild(dir, stored.events);
    const page = await statePageInChild(dir, stored.events);
    rows.push(
      { key: 'growth_state_at_no_checkpoint_ms', label: `ordo state --at last seq, no checkpoint (${m})`, value: plain.code === 0 ? plain.ms : -1, unit: 'ms', note: 'replay from seq 1' },
      { key: 'growth_state_at_ms', label: `ordo state --at last seq, checkpoints (${m})`, value: ckpt.code === 0 ? ckpt.ms : -1, unit: 'ms' },
      { key: 'growth_state_at_page_ms', label: `GET /api/state?at= first page, checkpoints (${m})`, value: page ? page.ms : -1, unit: 'ms', note: page ? `from checkpoint ${page.fromCheckpoint}; ${page.maxRssMiB.toFixed(0)} MiB peak RSS` : 'FAILED' },
    );
  } finally {
    stored.dispose();
  }
  return rows;
}
