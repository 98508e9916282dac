import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandClient, type CommandReply } from '../../engine/bus/command-client.ts';
import { DecodeError } from '../../engine/protocol/bytes.ts';
import { decodeCommands, encodeCommands } from '../../engine/protocol/codec.ts';
import { backbonesPerTest, type Backbone } from '../engine/helpers/backbone.ts';
import { record } from './helpers/figures.ts';
import { until } from './helpers/procs.ts';

let bb: Backbone | undefined;
const backbones = backbonesPerTest();

describe('the sequencer under mutated command batches over ZeroMQ', () => {
  it('answers every batch (BAD_COMMAND or a refusal per command), never stalls, and the log does not change', async () => {
    bb = await backbones.start();
    bb.sequencer.submit([{ src: 'host', cseq: 1, body: { type: 'OpenSession' } }]);
    await until(() => bb!.sequencer.position.seq >= 2, 'session open');
    const before = { seq: bb.sequencer.position.seq, frames: bb.log.sessions()[0]!.frames };
    const client = new CommandClient(bb.endpoints.commands, 'fuzzer');
    backbones.defer(() => client.close());
    const replies: CommandReply[] = [];
    client.onReply((r) => replies.push(r));

    // Valid batches from a source that is not active for any role, then mutated (bytes flipped, cut, spliced).
    const batches = fc.sample(
      fc
        .tuple(
          fc.array(fc.record({ cseq: fc.integer({ min: 1, max: 1000 }), orderId: fc.nat() }), { minLength: 1, maxLength: 5 }),
          fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 3 }),
          fc.nat(),
        )
        .map(([cmds, flips, cut]) => {
          const b = Array.from(encodeCommands('fuzzer', cmds.map((c) => ({ cseq: c.cseq, body: { type: 'OrderAccepted' as const, orderId: c.orderId } }))));
          for (const [at, v] of flips) b[at % b.length] = v;
          return Uint8Array.from(cut % 4 === 0 ? b.slice(0, cut % b.length) : b);
        }),
      { numRuns: 400, seed: 7 },
    );
    let expected = 0;
    let undecodable = 0;
    for (const b of batches) {
      try {
        const d = decodeCommands(b);
        // A flip may turn the source into a trusted one; such a batch is not a fair probe of refusal.
        if (d.src === 'host' || d.src === 'sequencer') continue;
        expected += d.commands.length;
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        expected += 1;
        undecodable++;
      }
      client.sendRaw(b);
    }
    await until(() => replies.length >= expected, `${expected} replies (have ${replies.length})`, 15_000);
    expect(replies.filter((r) => r.code !== 'BAD_COMMAND' && r.code !== 'NOT_ACTIVE')).toEqual([]);
    expect(replies.filter((r) => r.code === 'BAD_COMMAND')).toHaveLength(undecodable);
    expect({ seq: bb.sequencer.position.seq, frames: bb.log.sessions()[0]!.frames }).toEqual(before);
    // Still working: a good command from an allowed source is sequenced.
    bb.sequencer.submit([{ src: 'host', cseq: 2, body: { type: 'ComponentActivated', role: 'probe', instance: 'p1' } }]);
    await until(() => bb!.sequencer.position.seq === before.seq + 1, 'a good command after the noise');
    record('sequencer-fuzz', { batches: batches.length, undecodable, refusals: replies.length });
  }, 30_000);
});
