import { describe, expect, it } from 'vitest';
import { backbonesPerTest } from './helpers/backbone.ts';
import { runOrdo } from './helpers/cli.ts';

const backbones = backbonesPerTest();

/**
 * `ordo events --from SEQ` past the log's end (round 16, outside) printed nothing at all, as a typo'd session or a
 * wrong log would. Now stdout stays empty (JSON Lines), stderr says where the log ends, exit 0 (decision 288).
 */
describe('ordo events --from past the end', () => {
  it('says where the session ends, prints no event, exits 0; --from at the end still prints the last event', async () => {
    const b = await backbones.start();
    expect(await b.sequencer.request({ src: 'host', cseq: 1, body: { type: 'OpenSession' } })).toBeUndefined();
    const last = b.sequencer.position.seq;
    await b.close();
    const past = await runOrdo(['events', '--data-dir', b.dir, '--from', String(last + 1)]);
    expect([past.code, past.stdout]).toEqual([0, '']);
    expect(past.stderr).toBe(`ordo: events: no events from seq ${last + 1} in session 1 (its log ends at seq ${last})\n`);
    const atEnd = await runOrdo(['events', '--data-dir', b.dir, '--from', String(last)]);
    expect([atEnd.code, atEnd.stderr]).toEqual([0, '']);
    expect(atEnd.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([last]);
  });
});
