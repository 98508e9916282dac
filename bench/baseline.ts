import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Dealer, Publisher, Router, Subscriber } from 'zeromq';
import { SendQueue } from '../engine/bus/send-queue.ts';
import { loadReferenceData } from '../engine/oms/reference.ts';
import { OmsSequencerPolicy } from '../engine/oms/sequencer-policy.ts';
import type { CommandBody, OrdoEvent, Sequenced } from '../engine/protocol/events.ts';
import { systemClock } from '../engine/sequencer/clock.ts';
import { SENDER_ROLES } from './roles.ts';
import { OrderPipeline } from './pipeline.ts';
import { tempFolder, until } from './util.ts';

let count = 0;

/**
 * The naive design the architecture warns against, built on the same
 * libraries so the ratio is visible: one ZeroMQ message and one JSON text per
 * command and per event, one SQLite row per event. It keeps everything else
 * the real sequencer does (group commit per I/O turn in one transaction,
 * dedupe by (src, cseq), the OMS policy's permission check and projection,
 * persist then publish) and its subscriber parses every event.
 */
export async function baselineAppend(opts: { total: number; warmup: number; window: number }): Promise<{ events: number; seconds: number; eps: number }> {
  const folder = tempFolder('naive');
  const sql = new Database(join(folder.dir, 'naive.db'));
  sql.pragma('journal_mode = WAL');
  sql.pragma('synchronous = NORMAL');
  sql.exec('CREATE TABLE events (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, src TEXT NOT NULL, cseq INTEGER NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL) STRICT');
  const insert = sql.prepare('INSERT INTO events (seq, ts, src, cseq, type, body) VALUES (?, ?, ?, ?, ?, ?)');
  const policy = new OmsSequencerPolicy(loadReferenceData());
  const clock = systemClock();
  const name = `inproc://bench-naive-${process.pid}-${++count}`;

  const router = new Router({ linger: 0 });
  const pub = new Publisher({ linger: 0, sendHighWaterMark: 0 });
  await router.bind(`${name}-cmd`);
  await pub.bind(`${name}-ev`);
  const pubOut = new SendQueue(pub);
  const sub = new Subscriber({ linger: 0, receiveHighWaterMark: 0 });
  sub.connect(`${name}-ev`);
  sub.subscribe();
  const clients = SENDER_ROLES.map(() => new Dealer({ linger: 0, sendHighWaterMark: 0 }));
  for (const c of clients) c.connect(`${name}-cmd`);
  const clientOut = clients.map((c) => new SendQueue(c));

  // The naive sequencer.
  let seq = 0;
  const highest = new Map<string, number>();
  let inbox: { src: string; cseq: number; body: CommandBody }[] = [];
  let scheduled = false;
  const commit = sql.transaction((events: Sequenced[]) => {
    for (const e of events) insert.run(e.seq, e.ts, e.src, e.cseq, e.event.type, JSON.stringify(e.event));
  });
  const flush = () => {
    scheduled = false;
    const batch = inbox;
    inbox = [];
    const events: Sequenced[] = [];
    for (const c of batch) {
      if (c.cseq <= (highest.get(c.src) ?? 0)) continue;
      const role = c.src.slice(0, c.src.indexOf('-'));
      if (policy.authorize(c.src, role, c.body)) continue;
      highest.set(c.src, c.cseq);
      const e: Sequenced = { seq: ++seq, ts: clock(), src: c.src, cseq: c.cseq, event: c.body as OrdoEvent };
      policy.apply(1, e);
      events.push(e);
    }
    commit(events);
    for (const e of events) pubOut.push(JSON.stringify(e));
  };
  const receiving = (async () => {
    try {
      for await (const [, body] of router) {
        inbox.push(JSON.parse(body!.toString('utf8')) as { src: string; cseq: number; body: CommandBody });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      }
    } catch {
      // closed
    }
  })();
  // The same order flow as the real sequencer's scenarios (see OrderPipeline).
  const pipe = new OrderPipeline(clients.length);
  let sent = 0;
  const sendCommand = (role: number, id: number): void => {
    const c = pipe.command(role, id);
    clientOut[role]!.push(JSON.stringify({ src: `${SENDER_ROLES[role]}-1`, cseq: c.cseq, body: c.body }));
    sent++;
  };
  // The naive subscriber.
  let delivered = 0;
  let expectSeq = 1;
  const subscribing = (async () => {
    try {
      for await (const [msg] of sub) {
        const e = JSON.parse(msg!.toString('utf8')) as Sequenced;
        if (e.seq !== expectSeq) throw new Error(`naive subscriber: seq ${e.seq} after ${expectSeq - 1}`);
        expectSeq++;
        delivered++;
        pipe.react(e.event);
        // The components react to what they hear, one message per command (the naive way).
        for (let role = 1; role < clients.length; role++) for (const id of pipe.take(role).ids) sendCommand(role, id);
      }
    } catch (err) {
      if (!sub.closed) console.error((err as Error).message);
    }
  })();
  // Let the SUB connect before anything is published (a PUB drops what no one hears).
  await new Promise((r) => setTimeout(r, 50));

  const drive = async (total: number) => {
    const orders = Math.ceil(total / 4);
    const base = delivered;
    const sentBase = sent;
    let entered = 0;
    const t0 = performance.now();
    while (delivered - base < orders * 4) {
      while (entered < orders && sent - sentBase - (delivered - base) < opts.window) {
        sendCommand(0, pipe.newOrder());
        entered++;
      }
      await new Promise((r) => setImmediate(r));
    }
    return (performance.now() - t0) / 1000;
  };
  try {
    await drive(opts.warmup);
    const seconds = await drive(opts.total);
    const events = Math.ceil(opts.total / 4) * 4;
    await until(() => pubOut.pending === 0, 'naive publisher drained');
    return { events, seconds, eps: events / seconds };
  } finally {
    for (const c of clients) c.close();
    router.close();
    sub.close();
    await pubOut.flushed();
    pub.close();
    await Promise.all([receiving, subscribing]);
    sql.close();
    folder.dispose();
  }
}
