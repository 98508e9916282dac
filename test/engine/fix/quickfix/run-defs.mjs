#!/usr/bin/env node
// Plays QuickFIX's acceptance definitions (test/definitions/server/fix44/*.def of the quickfix/quickfix
// repository, not kept here) against a running Ordo FIX acceptor, the way QuickFIX's own Ruby runner
// (test/Runner.rb, Reflector.rb) plays them against its test server:
//   node run-defs.mjs PORT FILE.def...      (one line per file: PASS, FAIL with the reason, or N/A with why)
// against a host whose reference data has clients Q01..Q150 (the default reference file's clients plus those, each
// like ALPHA) and a FIX port: `ordo host --data-dir DIR --reference REF.json --fix-port PORT`. The .def files are
// QuickFIX's (its BSD-style licence); they are not copied into this repository. Round 18's list of results:
// docs/notes/2026-12-02-r18/fix.md.
// What differs from QuickFIX's runner, and why:
// - CompIDs: the test server's ISLD is Ordo's ORDO; the client TW44 is a client of Ordo's reference data, one per
//   connection that starts when no other is open (Q01, Q02, ...: the host runs with a reference file holding
//   them), so each starts at MsgSeqNum 1 as it does against QuickFIX's test server, which resets its sequence
//   numbers when a session ends (Ordo keeps them: docs/fix.md). Connections open at the same time share one
//   client (the duplicate-logon cases). WT and DLSI (wrong CompIDs) stay as they are.
// - Masked fields: QuickFIX's fields.fmt masks 10, 42, 52, 60, 122 (times, checksum); BodyLength (9) is masked too
//   (Ordo's CompIDs have other lengths). Fields are compared by tag, not position; extra fields are allowed;
//   Text (58) is not compared (QuickFIX's wording; Ordo names its reasons in its own words).
// - Closing: where a def expects the connection closed, Ordo may first send a Logout naming why (docs/fix.md's
//   refusals): reported as 'PASS (Logout before close)'; any other message before the close fails.
// - Application messages: QuickFIX's test server echoes every application message back; Ordo answers with
//   ExecutionReports, one or more. An expected application message matches the next application message Ordo
//   sends (its MsgSeqNum checked); further application messages are skipped and Ordo's later MsgSeqNums expected
//   that many higher; where Ordo's answer is of another type than the echo (an ExecutionReport for a D), only the
//   header (MsgSeqNum, CompIDs, PossDupFlag) is compared, reported 'PASS (application answer in place of the echo)'.
//   Files whose expectations are resends of echoed messages cannot be compared: N/A.
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const SOH = '\x01';
const MASKED = new Set(['9', '10', '42', '52', '60', '122']);
const ADMIN = new Set(['0', '1', '2', '3', '4', '5', 'A']);
const WAIT_MS = Number(process.env.DEFS_WAIT_MS ?? 15_000);

const [portArg, ...files] = process.argv.slice(2);
const port = Number(portArg);
if (!Number.isInteger(port) || files.length === 0) {
  console.error('usage: node run-defs.mjs PORT FILE.def...');
  process.exit(2);
}

function fixTime(ms) {
  return new Date(ms).toISOString().slice(0, 19).replace(/-/g, '').replace('T', '-');
}

function timeify(line) {
  return line.replace(/<TIME([+-]\d+)?>/g, (_, off) => fixTime(Date.now() + (off ? Number(off) * 1000 : 0)));
}

/** The def's ISLD/TW44 as Ordo's CompIDs. */
function mapIds(text, client) {
  return text
    .replace(/(^|\x01)(49|56|115|128)=ISLD(?=\x01)/g, `$1$2=ORDO`)
    .replace(/(^|\x01)(49|56|115|128)=TW44(?=\x01)/g, `$1$2=${client}`);
}

/** QuickFIX's fixify: BodyLength and CheckSum added when the line has none (a given wrong one is kept, shifted by the CompIDs' change). */
function fixify(raw, client) {
  const mapped = mapIds(raw, client);
  const head = /^8=[^\x01]*\x01/.exec(mapped);
  if (!head) return mapped;
  let rest = mapped.slice(head[0].length);
  const checksum = /\x0110=[^\x01]*\x01$/.exec(rest);
  if (checksum) rest = rest.slice(0, checksum.index + 1);
  let len = '';
  const given = /^9=(\d+)\x01/.exec(rest);
  if (given) {
    // The def's length was right or deliberately wrong for its own CompIDs; keep its error.
    const own = fixifyLength(raw);
    rest = `9=${Number(given[1]) + (rest.length - given[0].length - own)}${SOH}` + rest.slice(given[0].length);
  } else len = `9=${rest.length}${SOH}`;
  const body = head[0] + len + rest;
  const sum = [...body].reduce((a, c) => a + c.charCodeAt(0), 0) % 256;
  return body + (checksum ? checksum[0].slice(1) : `10=${String(sum).padStart(3, '0')}${SOH}`);
}

function fixifyLength(raw) {
  const head = /^8=[^\x01]*\x01/.exec(raw);
  let rest = raw.slice(head[0].length);
  const checksum = /\x0110=[^\x01]*\x01$/.exec(rest);
  if (checksum) rest = rest.slice(0, checksum.index + 1);
  const given = /^9=(\d+)\x01/.exec(rest);
  return rest.length - given[0].length;
}

function fields(msg) {
  return msg
    .split(SOH)
    .filter((f) => f !== '')
    .map((f) => {
      const i = f.indexOf('=');
      return [f.slice(0, i), f.slice(i + 1)];
    });
}

const get = (fs, tag) => fs.find(([t]) => t === tag)?.[1];

class Conn {
  constructor() {
    this.buf = '';
    this.msgs = [];
    this.closed = false;
    this.waiters = [];
    this.socket = connect(port, '127.0.0.1');
    this.ready = new Promise((res, rej) => {
      this.socket.once('connect', res);
      this.socket.once('error', rej);
    });
    this.socket.on('data', (d) => {
      this.buf += d.toString('latin1');
      for (;;) {
        const m = /\x0110=\d{3}\x01/.exec(this.buf);
        if (!m) break;
        this.msgs.push(this.buf.slice(0, m.index + m[0].length));
        this.buf = this.buf.slice(m.index + m[0].length);
      }
      this.wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on('error', () => undefined);
  }
  wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  async next(ms) {
    const end = Date.now() + ms;
    while (this.msgs.length === 0) {
      if (this.closed) return 'closed';
      if (Date.now() > end) return undefined;
      await new Promise((r) => {
        const t = setTimeout(r, Math.max(1, end - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.msgs.shift();
  }
  /** Undefined when closed with nothing before; 'logout' when only Logouts came first; else why not. */
  async waitClose(ms) {
    const end = Date.now() + ms;
    let logout = false;
    while (!this.closed || this.msgs.length > 0) {
      if (this.msgs.length > 0 && get(fields(this.msgs[0]), '35') === '5') {
        this.msgs.shift();
        logout = true;
        continue;
      }
      if (this.msgs.length > 0) return `expected the connection closed, got ${this.msgs[0].replaceAll(SOH, '|')}`;
      if (Date.now() > end) return 'connection still open after 10 s';
      await new Promise((r) => {
        const t = setTimeout(r, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return logout ? 'logout' : undefined;
  }
}

/** An expected message cut to its session header (MsgSeqNum, CompIDs, PossDupFlag): what an echo and Ordo's answer share. */
function headerOf(expected) {
  const keep = new Set(['8', '34', '43', '49', '56']);
  return fields(expected).filter(([t]) => keep.has(t)).map(([t, v]) => `${t}=${v}${SOH}`).join('');
}

function compare(expected, received, offset) {
  const e = fields(expected);
  const r = fields(received);
  for (const [tag, value] of e) {
    if (MASKED.has(tag)) continue;
    const got = get(r, tag);
    if (got === undefined) return `field ${tag} missing`;
    if (tag === '34') {
      if (Number(got) !== Number(value) + offset) return `MsgSeqNum ${got}, expected ${Number(value) + offset}`;
      continue;
    }
    if (tag === '58') continue;
    if (got !== value) return `field ${tag} is '${got}', expected '${value}'`;
  }
  return undefined;
}

async function runFile(file) {
  const lines = readFileSync(file, 'latin1').split(/\r?\n/);
  const expectsEchoResend = lines.some((l) => /^E(\d,)?8=FIX\.4\.4\x01.*35=[^0-5A\x01][^\x01]*\x01.*43=Y/.test(l));
  if (expectsEchoResend) return { result: 'N/A', why: "expects resends of the test server's echoed application messages" };
  const conns = new Map();
  const offsets = new Map();
  let logoutFirst = false;
  let echoAnswered = false;
  let client = undefined;
  try {
    for (const [i, line] of lines.entries()) {
      if (line === '' || line.startsWith('#')) continue;
      const m = /^([IEie])(?:(\d),)?(.*)$/.exec(line);
      if (!m) return { result: 'FAIL', why: `line ${i + 1}: syntax` };
      const [, kind, cidText, rest] = m;
      const cid = Number(cidText ?? 1);
      if (kind === 'i' && rest === 'CONNECT') {
        if (client === undefined || [...conns.values()].every((o) => o.closed)) client = nextClient();
        const c = new Conn();
        await c.ready;
        conns.set(cid, c);
        offsets.set(cid, 0);
      } else if (kind === 'i' && rest === 'DISCONNECT') {
        conns.get(cid)?.socket.destroy();
        conns.delete(cid);
      } else if (kind === 'e' && rest === 'DISCONNECT') {
        const why = await conns.get(cid).waitClose(10_000);
        if (why === 'logout') logoutFirst = true;
        else if (why) return { result: 'FAIL', why: `line ${i + 1}: ${why}` };
      } else if (kind === 'e' && rest === 'CONNECT') {
        return { result: 'N/A', why: 'server-side connect' };
      } else if (kind === 'I') {
        const c = conns.get(cid);
        if (!c || c.closed) return { result: 'FAIL', why: `line ${i + 1}: cannot send, the connection was dropped` };
        c.socket.write(fixify(timeify(rest), client));
      } else if (kind === 'E') {
        const c = conns.get(cid);
        const expected = fixify(timeify(rest), client);
        const expType = get(fields(expected), '35');
        for (;;) {
          const got = await c.next(WAIT_MS);
          if (got === undefined) return { result: 'FAIL', why: `line ${i + 1}: nothing received in ${WAIT_MS / 1000} s, expected ${expected.replaceAll(SOH, '|')}` };
          if (got === 'closed') return { result: 'FAIL', why: `line ${i + 1}: connection closed, expected ${expected.replaceAll(SOH, '|')}` };
          const gotType = get(fields(got), '35');
          if (ADMIN.has(expType) && !ADMIN.has(gotType)) {
            offsets.set(cid, offsets.get(cid) + 1);
            continue;
          }
          // An expected echo matches Ordo's first answer; Ordo's own numbering of it counts from here. Its body is
          // Ordo's (an ExecutionReport, a BusinessMessageReject), not the echo's: only the header is compared.
          const answered = !ADMIN.has(expType) && !ADMIN.has(gotType) && gotType !== expType;
          if (answered) echoAnswered = true;
          const why = compare(answered ? headerOf(expected) : expected, got, offsets.get(cid));
          if (why) return { result: 'FAIL', why: `line ${i + 1}: ${why}\n    expected: ${expected.replaceAll(SOH, '|')}\n    received: ${got.replaceAll(SOH, '|')}` };
          break;
        }
      }
    }
    const notes = [logoutFirst ? 'Logout before close' : '', echoAnswered ? 'application answer in place of the echo' : ''].filter((n) => n !== '');
    return notes.length > 0 ? { result: 'PASS', why: notes.join('; ') } : { result: 'PASS' };
  } finally {
    for (const c of conns.values()) c.socket.destroy();
  }
}

let passed = 0;
let failed = 0;
let na = 0;
let clients = 0;
const nextClient = () => `Q${String(++clients).padStart(2, '0')}`;
for (const file of files) {
  const r = await runFile(file);
  if (r.result === 'PASS') passed++;
  else if (r.result === 'FAIL') failed++;
  else na++;
  console.log(`${r.result} ${basename(file)}${r.why ? `: ${r.why}` : ''}`);
}
console.log(`${passed} passed, ${failed} failed, ${na} not applicable`);
process.exit(failed === 0 ? 0 : 1);
