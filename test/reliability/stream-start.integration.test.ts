import { describe, expect, it } from 'vitest';
import { EventStream } from '../../engine/bus/event-stream.ts';
import { Collector, backbonesPerTest, type Backbone } from '../engine/helpers/backbone.ts';
import { record } from './helpers/figures.ts';

/**
 * Found by the component-crash test (a restarted risk printed "caught up at
 * seq 0" and went active before it had rewound): a subscriber that joins
 * while frames are flowing must not report itself caught up before it has
 * applied the log up to where it stood when it joined. A component that goes
 * active too early decides on a half-built state, and reacts to old events as
 * if they were new.
 */

let bb: Backbone | undefined;
const backbones = backbonesPerTest();

describe('EventStream.start while the sequencer is publishing', () => {
  it('resolves only once the log is applied up to the head at the time of joining', async () => {
    bb = await backbones.start();
    let cseq = 1;
    bb.sequencer.submit([{ src: 'host', cseq: cseq++, body: { type: 'OpenSession' } }]);
    let producing = true;
    const producer = (async () => {
      let n = 0;
      while (producing) {
        bb!.sequencer.submit([{ src: 'host', cseq: cseq++, body: { type: 'OrderAccepted', orderId: n++ } }]);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const early: { headAtJoin: number; positionAtResolve: number }[] = [];
    const JOINS = 25;
    for (let i = 0; i < JOINS; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const headAtJoin = bb.sequencer.position.seq;
      const s = new EventStream({ events: bb.endpoints.events, replay: bb.endpoints.replay });
      backbones.defer(() => s.close());
      const col = new Collector();
      s.addListener(col);
      await s.start();
      if (s.position.seq < headAtJoin) early.push({ headAtJoin, positionAtResolve: s.position.seq });
      // And whatever it delivered is the log from seq 1, in order, once.
      col.events.forEach((x, k) => expect(x.e.seq).toBe(k + 1));
    }
    producing = false;
    await producer;
    expect(early).toEqual([]);
    record('stream-start', { joins: JOINS, events: bb.sequencer.position.seq });
  }, 30_000);
});
