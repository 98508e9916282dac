import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Router, type Dealer } from 'zeromq';
import { CommandClient, type CommandReply } from '../../engine/bus/command-client.ts';
import { decodeCommands } from '../../engine/protocol/codec.ts';

// Decision 257: a CommandClient's DEALER (no high-water mark, ZMQ_IMMEDIATE off) sends without a send timeout,
// so zeromq.js does not read ZMQ_EVENTS before each send. That is only sound while such a send can never be
// refused (EAGAIN would drop the batch): these tests hold it to that, over ipc:// as components in another
// process on the same machine use it, including batches sent before anyone listens.

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function ipcEndpoint(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ordo-cmd-client-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return `ipc://${join(dir, 'commands')}`;
}

async function receive(router: Router, count: number): Promise<{ id: Buffer; src: string; cseqs: number[] }[]> {
  const got: { id: Buffer; src: string; cseqs: number[] }[] = [];
  for await (const [id, body] of router) {
    const batch = decodeCommands(body!);
    got.push({ id: id!, src: batch.src, cseqs: batch.commands.map((c) => c.cseq) });
    if (got.length === count) break;
  }
  return got;
}

describe('CommandClient over ipc://', () => {
  it('sends with no send timeout, and every batch sent before the ROUTER binds arrives once, in order', async () => {
    const endpoint = ipcEndpoint();
    const client = new CommandClient(endpoint, 'risk-1');
    cleanup.push(() => client.close());
    expect((client as unknown as { dealer: Dealer }).dealer.sendTimeout).toBe(0);
    const batches = 5_000;
    // All of them queue in the DEALER's pipe while nobody listens (a send that had to wait would have been refused).
    for (let i = 1; i <= batches; i++) client.send([{ cseq: i, body: { type: 'OrderAccepted', orderId: i } }]);
    await new Promise((r) => setTimeout(r, 20));
    const router = new Router({ linger: 0 });
    cleanup.push(() => router.close());
    await router.bind(endpoint);
    const got = await receive(router, batches);
    expect(got.every((b) => b.src === 'risk-1')).toBe(true);
    expect(got.flatMap((b) => b.cseqs)).toEqual(Array.from({ length: batches }, (_, i) => i + 1));
  });

  it('keeps sending in order while the sequencer side replies on the same socket', async () => {
    const endpoint = ipcEndpoint();
    const router = new Router({ linger: 0, sendTimeout: 0 });
    cleanup.push(() => router.close());
    await router.bind(endpoint);
    const client = new CommandClient(endpoint, 'router-1');
    cleanup.push(() => client.close());
    const replies: CommandReply[] = [];
    client.onReply((r) => replies.push(r));
    const batches = 2_000;
    const receiving = (async () => {
      const cseqs: number[] = [];
      for await (const [id, body] of router) {
        const cseq = decodeCommands(body!).commands[0]!.cseq;
        cseqs.push(cseq);
        // Refuse every tenth, as the sequencer answers a refusal on its ROUTER.
        if (cseq % 10 === 0) await router.send([id!, JSON.stringify({ cseq, code: 'NOT_ACTIVE', message: 'no' })]);
        if (cseqs.length === batches) return cseqs;
      }
      return cseqs;
    })();
    for (let i = 1; i <= batches; i++) {
      client.send([{ cseq: i, body: { type: 'OrderAccepted', orderId: i } }]);
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(await receiving).toEqual(Array.from({ length: batches }, (_, i) => i + 1));
    const deadline = Date.now() + 10_000;
    while (replies.length < batches / 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(replies.map((r) => r.cseq)).toEqual(Array.from({ length: batches / 10 }, (_, i) => (i + 1) * 10));
  });
});
