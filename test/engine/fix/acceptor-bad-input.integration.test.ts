import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultReferencePath } from '../../../engine/oms/reference.ts';
import { removeDir, tempDir } from '../helpers/backbone.ts';
import { startTestHost } from '../helpers/host.ts';

/**
 * Bad input on the FIX port, over raw TCP: every case ends with the
 * connection closed (with a Logout naming the reason where the peer is
 * identified), the host keeps running, and nothing reaches the log.
 */

const SOH = '\x01';

/** A FIX 4.4 message with correct BodyLength and CheckSum unless told otherwise. */
function fix(fields: [number, string | number][], opts: { bodyLength?: number; checksum?: string } = {}): string {
  const body = fields.map(([t, v]) => `${t}=${v}${SOH}`).join('');
  const head = `8=FIX.4.4${SOH}9=${opts.bodyLength ?? body.length}${SOH}`;
  const sum = [...(head + body)].reduce((a, ch) => a + ch.charCodeAt(0), 0) % 256;
  return `${head}${body}10=${opts.checksum ?? String(sum).padStart(3, '0')}${SOH}`;
}

const now = () => new Date().toISOString().replace(/-/g, '').replace('T', '-').replace('Z', '');

function logon(sender: string, seq: number, extra: [number, string | number][] = [], target = 'ORDO'): [number, string | number][] {
  return [[35, 'A'], [49, sender], [56, target], [34, seq], [52, now()], [98, 0], [108, 30], ...extra];
}

/**
 * Sends `data`, returns everything the acceptor wrote until it closed the connection (or, with `openFor`,
 * what it wrote in that time on a connection it keeps open).
 */
function exchange(port: number, data: string | Buffer, timeoutMs = 15_000, openFor?: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      if (openFor !== undefined) resolve(got.replaceAll(SOH, '|'));
      else reject(new Error(`connection still open after ${timeoutMs} ms; got ${got.replaceAll(SOH, '|')}`));
    }, openFor ?? timeoutMs);
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got.replaceAll(SOH, '|'));
    });
    s.on('error', () => undefined);
    s.write(data);
  });
}

describe('FIX acceptor: bad input', () => {
  const dirs: string[] = [];
  let host: Awaited<ReturnType<typeof startTestHost>>;
  let port = 0;
  let seqBefore = 0;
  let dataDir = '';

  beforeAll(async () => {
    const dir = tempDir('ordo-fix-bad-');
    dirs.push(dir);
    const ref = JSON.parse(readFileSync(defaultReferencePath(), 'utf8')) as { clients: { clientId: string; fixPassword?: string }[] };
    ref.clients.find((c) => c.clientId === 'ALPHA')!.fixPassword = 's3cret';
    const refPath = join(dir, 'reference.json');
    writeFileSync(refPath, JSON.stringify(ref));
    dataDir = join(dir, 'data');
    host = await startTestHost({ dataDir, fixPort: 0, reference: refPath });
    port = await host.fix!.whenListening();
    seqBefore = host.sequencer.position.seq;
  });
  afterAll(async () => {
    // Nothing of all this reached the log, and the host still answers.
    // (other components may emit events of their own meanwhile: no order request reached the log)
    const pos = host.sequencer.position;
    const r = await host.api.getEvents({ session: pos.session, from: seqBefore + 1, to: Math.max(seqBefore + 1, pos.seq) });
    const lines = r.ok ? r.value : [];
    expect(lines.filter((l) => ['OrderPending', 'CancelRequested', 'ReplaceRequested'].includes(l.type))).toEqual([]);
    expect((await host.api.getState()).ok).toBe(true);
    await host.dispose();
    dirs.forEach(removeDir);
  });

  it('garbage bytes: connection closed', async () => {
    expect(await exchange(port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff\x01garbage'))).not.toMatch(/35=A/);
  });

  it('bad checksum: connection closed, no logon', async () => {
    const out = await exchange(port, fix(logon('BRAVO', 1), { checksum: '000' }));
    expect(out).not.toMatch(/35=A/);
  });

  it('bad body length: connection closed, no logon', async () => {
    const out = await exchange(port, fix(logon('BRAVO', 1), { bodyLength: 7 }) + fix(logon('BRAVO', 2)).slice(0, 20));
    expect(out).not.toMatch(/35=A/);
  });

  it('unknown SenderCompID: Logout with the reason', async () => {
    const out = await exchange(port, fix(logon('ZULU', 1)));
    expect(out).toMatch(/35=5\|.*58=[^|]*unknown SenderCompID 'ZULU'/);
    expect(out).not.toMatch(/35=A/);
  });

  it('wrong TargetCompID: Logout with the reason', async () => {
    const out = await exchange(port, fix(logon('CHARLIE', 1, [], 'NOTORDO')));
    expect(out).toMatch(/35=5\|.*58=[^|]*TargetCompID must be ORDO/);
  });

  it('wrong or missing password: Logout with the reason', async () => {
    expect(await exchange(port, fix(logon('ALPHA', 1, [[554, 'nope']])))).toMatch(/35=5\|.*58=[^|]*wrong password for 'ALPHA'/);
    // (the refused Logon used MsgSeqNum 1: the next one is 2)
    expect(await exchange(port, fix(logon('ALPHA', 2)))).toMatch(/35=5\|.*58=[^|]*wrong password for 'ALPHA'/);
  });

  it('a connection that never logs on is dropped after the logon timeout', async () => {
    expect(await exchange(port, '8=FIX.4.4\x019=5', 30_000)).toBe('');
  });

  it('an application message before Logon: connection closed', async () => {
    const d = fix([[35, 'D'], [49, 'DELTA'], [56, 'ORDO'], [34, 1], [52, now()], [11, 'x'], [55, 'AAPL'], [54, 1], [38, 10], [40, 2], [44, 200], [60, now()]]);
    expect(await exchange(port, d)).not.toMatch(/35=A/);
  });

  // Round 15 (outside): the acceptor's session store is named by the peer's SenderCompID, and was made
  // before the Logon was judged: an unknown or path-like CompID made files (anywhere, with '../'), and a
  // garbled Logon under a real client's CompID moved that client's stored sequence numbers.
  const storeDir = () => join(dataDir, 'fix', 'store');
  const seqnums = (peer: string) => readFileSync(join(storeDir(), `FIX.4.4-ORDO-${peer}.seqnums`), 'utf8');

  it('an unknown SenderCompID leaves no file behind; a path-like one writes nothing outside the store', async () => {
    const before = readdirSync(storeDir()).sort();
    expect(await exchange(port, fix(logon('YANKEE', 1)))).toMatch(/35=5\|.*unknown SenderCompID 'YANKEE'/);
    const escape = '../../../outside-' + process.pid;
    expect(await exchange(port, fix(logon(escape, 1)))).toMatch(/35=5\|.*unknown SenderCompID/);
    expect(readdirSync(storeDir()).sort()).toEqual(before);
    expect(existsSync(join(storeDir(), `FIX.4.4-ORDO-${escape}.session`))).toBe(false);
    expect(readdirSync(join(dataDir, '..')).filter((f) => f.startsWith('outside-'))).toEqual([]);
  });

  it("a garbled Logon under a real client's CompID is dropped without an answer and leaves its sequence numbers alone", async () => {
    const good = await exchange(port, fix(logon('CHARLIE', 1, [[141, 'Y']])) + fix([[35, '5'], [49, 'CHARLIE'], [56, 'ORDO'], [34, 2], [52, now()]]));
    expect(good).toMatch(/35=A/);
    const stored = seqnums('CHARLIE');
    expect(await exchange(port, fix(logon('CHARLIE', 3), { checksum: '000' }))).toBe('');
    expect(await exchange(port, fix(logon('CHARLIE', 3), { bodyLength: 5 }))).toBe('');
    expect(await exchange(port, fix(logon('CHARLIE', 'abc' as unknown as number, [[141, 'Y']])))).toBe('');
    expect(seqnums('CHARLIE')).toBe(stored);
    // The client still logs on where it left off.
    expect(await exchange(port, fix(logon('CHARLIE', 3)) + fix([[35, '5'], [49, 'CHARLIE'], [56, 'ORDO'], [34, 4], [52, now()]]))).toMatch(/35=A/);
  });

  // Round 15 (outside): the acceptor handed a D's fields to the client proxy unchecked; OrderQty -5 made the
  // sequencer's encoder throw on the host's thread and the whole host died. Every D and G with a value the
  // HTTP API refuses is now answered on the session (OrderID NONE / OrderCancelReject), naming the field.
  it('a D or G with a quantity, price or ClOrdID the API refuses is rejected on the session; the host stays up', async () => {
    const d = (seq: number, clOrdId: string, qty: string, px: string) =>
      fix([[35, 'D'], [49, 'BRAVO'], [56, 'ORDO'], [34, seq], [52, now()], [11, clOrdId], [55, 'AAPL'], [54, 1], [60, now()], [38, qty], [40, 2], [44, px]]);
    const g = (seq: number, qty: string, px: string) =>
      fix([[35, 'G'], [49, 'BRAVO'], [56, 'ORDO'], [34, seq], [52, now()], [11, `g${seq}`], [41, 'nosuch'], [55, 'AAPL'], [54, 1], [60, now()], [38, qty], [40, 2], [44, px]]);
    const bad: [string, string, string, RegExp][] = [
      ['q1', '-5', '228.5', /OrderQty \(38\) must be a whole number > 0/],
      ['q2', '1.5', '228.5', /OrderQty \(38\) must be a whole number > 0/],
      ['q3', '99999999999999999999', '228.5', /OrderQty \(38\) must be at most 1000000000/],
      ['p1', '100', '-1', /Price \(44\) must be > 0/],
      ['p2', '100', '0', /Price \(44\) must be > 0/],
      ['H'.repeat(65), '100', '228.5', /ClOrdID \(11\) must be 1-64 printable characters without spaces/],
    ];
    let seq = 1;
    let text = fix(logon('BRAVO', seq++, [[141, 'Y']]));
    for (const [id, q, p] of bad) text += d(seq++, id, q, p);
    // No FIX float (FIX writes no exponent): a session Reject naming Price, 373=6 (decision 301; it was an
    // ExecutionReport saying the price was missing, the library reading 1e400 as no value).
    const malformed = seq;
    text += d(seq++, 'p3', '100', '1e400');
    text += g(seq++, '-5', '228.5') + g(seq++, '100', '0');
    text += fix([[35, '5'], [49, 'BRAVO'], [56, 'ORDO'], [34, seq++], [52, now()]]);
    const out = await exchange(port, text);
    const reports = out.split(/(?=8=FIX\.4\.4\|)/).filter((m) => /\|35=8\|/.test(m));
    expect(reports).toHaveLength(bad.length);
    bad.forEach(([, , , why], i) => {
      expect(reports[i]).toMatch(/\|37=NONE\|/);
      expect(reports[i]).toMatch(/\|150=8\|/);
      expect(reports[i]).toMatch(why);
    });
    const cancelRejects = out.split(/(?=8=FIX\.4\.4\|)/).filter((m) => /\|35=9\|/.test(m));
    expect(cancelRejects.map((m) => /\|58=([^|]*)/.exec(m)![1])).toEqual(['OrderQty (38) must be a whole number > 0, got -5', 'Price (44) must be > 0, got 0']);
    const rejects = out.split(/(?=8=FIX\.4\.4\|)/).filter((m) => /\|35=3\|/.test(m));
    expect(rejects.map((m) => [/\|45=(\d+)/.exec(m)?.[1], /\|371=(\d+)/.exec(m)?.[1], /\|373=(\d+)/.exec(m)?.[1]])).toEqual([[String(malformed), '44', '6']]);
    expect((await host.api.getState()).ok).toBe(true);
  });

  // Round 15 (outside): a ResendRequest 5-2 was answered with a SequenceReset to 3 sent as message 5 (lowering
  // the peer's numbers) and one up to 10^20 with a gap fill to 10^20 + 1.
  it('a ResendRequest that is no range is refused with a Reject; one past what was sent ends at what was sent', async () => {
    const rr = (seq: number, begin: string, end: string) => fix([[35, '2'], [49, 'CHARLIE'], [56, 'ORDO'], [34, seq], [52, now()], [7, begin], [16, end]]);
    const out = await exchange(
      port,
      fix(logon('CHARLIE', 1, [[141, 'Y']])) + rr(2, '5', '2') + rr(3, '1', '99999999999999999999'),
      15_000,
      5_000,
    );
    const msgs = out.split(/(?=8=FIX\.4\.4\|)/);
    const reject = msgs.find((m) => /\|35=3\|/.test(m));
    expect(reject).toMatch(/\|45=2\|/);
    expect(reject).toMatch(/\|58=ResendRequest range 5-2 is not BeginSeqNo >= 1 and EndSeqNo 0 or >= BeginSeqNo\|/);
    const resets = msgs.filter((m) => /\|35=4\|/.test(m));
    expect(resets.length).toBeGreaterThan(0);
    for (const m of resets) {
      const [sent, next] = [Number(/\|34=(\d+)\|/.exec(m)![1]), Number(/\|36=(\d+)\|/.exec(m)![1])];
      expect(next).toBeGreaterThan(sent);
      expect(next).toBeLessThanOrEqual(3); // Logon 1 and the Reject 2 were all that was sent before it
    }
  });

  // Round 15 (outside): a GapFill with NewSeqNo 1 was taken silently and the session then asked for a resend from 0.
  it('a SequenceReset that would lower the numbers gets a Reject, and the session goes on where it was', async () => {
    const out = await exchange(
      port,
      fix(logon('BRAVO', 1, [[141, 'Y']])) +
        fix([[35, '4'], [49, 'BRAVO'], [56, 'ORDO'], [34, 2], [52, now()], [123, 'Y'], [36, 1]]) +
        fix([[35, '4'], [49, 'BRAVO'], [56, 'ORDO'], [34, 3], [52, now()], [36, 0]]) +
        fix([[35, '1'], [49, 'BRAVO'], [56, 'ORDO'], [34, 4], [52, now()], [112, 'still-here']]),
      15_000,
      5_000,
    );
    const msgs = out.split(/(?=8=FIX\.4\.4\|)/);
    const rejects = msgs.filter((x) => /\|35=3\|/.test(x));
    expect(rejects.map((x) => /\|45=(\d+)\|/.exec(x)![1])).toEqual(['2', '3']);
    expect(rejects[0]).toMatch(/\|58=SequenceReset NewSeqNo 1 would lower the sequence number/);
    expect(msgs.some((x) => /\|35=0\|.*\|112=still-here\|/.test(x))).toBe(true);
    expect(msgs.some((x) => /\|35=2\|/.test(x))).toBe(false);
  });

  it('MsgSeqNum too low on Logon: Logout with the reason', async () => {
    // A good session first: DELTA logs on with 1 and logs out with 2, so 3 is expected next.
    const good = await exchange(port, fix(logon('DELTA', 1)) + fix([[35, '5'], [49, 'DELTA'], [56, 'ORDO'], [34, 2], [52, now()]]));
    expect(good).toMatch(/35=A/);
    const out = await exchange(port, fix(logon('DELTA', 1)));
    expect(out).toMatch(/35=5\|.*58=[^|]*MsgSeqNum too low, expecting 3 but received 1/);
    expect(host.fix!.sessions().find((s) => s.clientId === 'DELTA')!.connected).toBe(false);
  });
});
