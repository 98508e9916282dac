import { afterEach, describe, expect, it, vi } from 'vitest';
import { log } from '../../engine/log.ts';
import { backboneWithClient0, backbonesPerTest, waitFor } from './helpers/backbone.ts';

const backbones = backbonesPerTest();
afterEach(() => vi.restoreAllMocks());

/**
 * Round 18, outside (a host on a full 3 MiB tmpfs): 3,403 orders were refused 503 STORAGE_UNAVAILABLE "database or
 * disk is full" and the host wrote not one line: an operator watching its log saw nothing while traders were
 * refused. One error line when the log first cannot be written, one when it is written again; not one per batch.
 */
describe('the sequencer tells the operator when the log cannot be written', () => {
  it('logs one error at the first refused commit, none for the next, one warning when a commit is stored again', async () => {
    const errors = vi.spyOn(log, 'error').mockImplementation(() => undefined);
    const warnings = vi.spyOn(log, 'warn').mockImplementation(() => undefined);
    const { bb, port, replies, accepted } = await backboneWithClient0(backbones);

    bb.log.db.pragma('query_only = 1');
    port.send([accepted(1)]);
    await waitFor(() => replies.length === 1, 'the first batch refused');
    port.send([accepted(2)]);
    await waitFor(() => replies.length === 2, 'the second batch refused');
    expect(replies.map((r) => r.code)).toEqual(['STORAGE_UNAVAILABLE', 'STORAGE_UNAVAILABLE']);
    expect(bb.sequencer.stats.storageFailures).toBe(2);
    expect(errors.mock.calls.map((c) => c[0])).toEqual([
      'sequencer: the event log cannot be written (attempt to write a readonly database); commands are refused STORAGE_UNAVAILABLE until it can (free space, check the data dir)',
    ]);
    expect(warnings).not.toHaveBeenCalled();

    bb.log.db.pragma('query_only = 0');
    port.send([accepted(1), accepted(2)]);
    await waitFor(() => bb.sequencer.position.seq === 5, 'the resends stored');
    expect(warnings.mock.calls.map((c) => c[0])).toEqual(['sequencer: the event log is written again, after 2 refused batch(es)']);
    expect(errors).toHaveBeenCalledTimes(1);
  });
});
