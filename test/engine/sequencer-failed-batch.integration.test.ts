import { describe, expect, it } from 'vitest';
import type { Sequenced } from '../../engine/protocol/events.ts';
import { openReadableLog } from '../../engine/store/log.ts';
import { backboneWithClient0, backbonesPerTest, waitFor } from './helpers/backbone.ts';

const backbones = backbonesPerTest();

/**
 * A batch that fails to store, as the sequencer records it per arrival (decision 258): every command it
 * processed is refused STORAGE_UNAVAILABLE in order, a duplicate is not answered, and only the commands it
 * took become holes a resend may fill; one it refused on its own does not.
 */
describe('a batch the log refuses (real SQLite, read-only for one batch)', () => {
  it('refuses what it processed in order, answers no duplicate, and takes back only the taken commands on resend', async () => {
    const { bb, port, replies, accepted } = await backboneWithClient0(backbones);

    port.send([accepted(1), accepted(2), accepted(3)]);
    await waitFor(() => bb.sequencer.position.seq === 6, 'first three stored');

    bb.log.db.pragma('query_only = 1');
    // A duplicate, two taken, one the sequencer refuses itself (a component may not open sessions), one taken.
    port.send([accepted(2), accepted(4), accepted(5), { cseq: 6, body: { type: 'OpenSession' } }, accepted(7)]);
    await waitFor(() => replies.length >= 4, 'the batch refused');
    bb.log.db.pragma('query_only = 0');
    expect(replies.map((r) => [r.cseq, r.code])).toEqual([
      [4, 'STORAGE_UNAVAILABLE'],
      [5, 'STORAGE_UNAVAILABLE'],
      [6, 'STORAGE_UNAVAILABLE'],
      [7, 'STORAGE_UNAVAILABLE'],
    ]);
    expect(bb.sequencer.stats.storageFailures).toBe(1);

    // A newer command overtakes the resends; then the taken ones are resent (stored) and so is the refused one
    // (not a hole: below the component's highest cseq, so dropped as a duplicate, unanswered).
    replies.length = 0;
    port.send([accepted(8)]);
    await waitFor(() => bb.sequencer.position.seq === 7, 'the newer command stored');
    port.send([accepted(4), accepted(5), { cseq: 6, body: { type: 'OpenSession' } }, accepted(7)]);
    await waitFor(() => bb.sequencer.position.seq === 10, 'the taken commands stored on resend');
    port.send([accepted(9)]);
    await waitFor(() => bb.sequencer.position.seq === 11, 'a later command stored');
    expect(replies).toEqual([]);

    const stored = [...openReadableLog(bb.dbPath).events(1)].filter((e: Sequenced) => e.src === 'c0').map((e) => e.cseq);
    expect(stored).toEqual([1, 2, 3, 8, 4, 5, 7, 9]);
  });
});
