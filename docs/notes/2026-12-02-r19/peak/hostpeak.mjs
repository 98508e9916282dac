// usage: node hostpeak.mjs LABEL ROOT SRCDIR [orders]  (round 18's rss/hostrss.mjs, plus VmHWM at ready, the
// ready time from spawn, and a sha256 of GET /api/state 1 s after ready, to compare builds on the same log)
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'node:http';
const [label, root, src, ordersArg] = process.argv.slice(2);
const ORDERS = Number(ordersArg ?? 0);
mkdirSync('/tmp/peak/runs', { recursive: true });
const dir = mkdtempSync('/tmp/peak/runs/run-');
for (const f of ['ordo.db', 'ordo.db.checkpoints', 'ordo.db.head']) if (existsSync(join(src, f))) execFileSync('cp', [join(src, f), join(dir, f)]);
const probeOut = join(dir, 'probe.jsonl');
const probePath = join(dirname(fileURLToPath(import.meta.url)), 'probe.mjs');
const load0 = loadavg()[0];
const t0 = performance.now();
const child = spawn(process.execPath, [...(process.env.PROBE_GC ? ['--expose-gc'] : []), '--import', probePath, join(root, 'bin/ordo.mjs'), 'host', '--data-dir', dir, '--port', '0', '--no-auto-open', '--checkpoint-every', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ORDO_BUS_PORT: 'off', RSS_PROBE_OUT: probeOut } });
let out = '', err = '';
child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
const ready = await new Promise((resolve, reject) => {
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d; const m = /^ordo ready (\S+)/m.exec(out); if (m) resolve({ s: (performance.now() - t0) / 1000, url: m[1] }); });
  child.once('exit', (c) => reject(new Error(`exit ${c}: ${err}`)));
});
const stat = () => { const s = readFileSync(`/proc/${child.pid}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return { minflt: Number(f[7]), cpu: (Number(f[11]) + Number(f[12])) / 100 }; };
const status = () => { const s = readFileSync(`/proc/${child.pid}/status`, 'utf8'); const g = (k) => Math.round(Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)[1]) / 1024); return { rss: g('VmRSS'), hwm: g('VmHWM') }; };
const flt0 = stat();
const st0 = status();
const probe = async () => { const before = existsSync(probeOut) ? readFileSync(probeOut, 'utf8').split('\n').length : 1; child.kill('SIGUSR2'); for (let i = 0; i < 50; i++) { await new Promise((r) => setTimeout(r, 20)); if (existsSync(probeOut) && readFileSync(probeOut, 'utf8').split('\n').length > before) break; } const l = readFileSync(probeOut, 'utf8').trim().split('\n'); return JSON.parse(l[l.length - 1]); };
const u = new URL(ready.url); const token = u.searchParams.get('token');
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const get = (path) => new Promise((resolve, reject) => { const req = request(new URL(path, u.origin), { agent, headers: { authorization: `Bearer ${token}` } }, (res) => { let t = ''; res.setEncoding('utf8').on('data', (c) => (t += c)); res.on('end', () => resolve(t)); }); req.on('error', reject); req.end(); });
await new Promise((r) => setTimeout(r, 1000));
const at1 = { ...status(), js: await probe() };
const state = await get('/api/state');
if (process.env.KEEP_STATE) (await import('node:fs')).writeFileSync(`/tmp/peak/state-${label}.json`, state);
// The log's state only: the venue's live quotes (last, bid, ask), an option's reference price (priced off its
// underlying's live quote) and heartbeat ages are of the moment, not of the log.
const logState = JSON.parse(state, (k, v) => (k === 'last' || k === 'bid' || k === 'ask' || k === 'heartbeatAgeMs' ? undefined : v));
for (const i of logState.instruments) if (i.underlying !== undefined) delete i.referencePrice;
const stateHash = createHash('sha256').update(JSON.stringify(logState)).digest('hex').slice(0, 16);
const { makeOrders, tradable } = await import(join(root, 'dist/bench/order-flow.js'));
const next = makeOrders(tradable());
let sent = 0, ok = 0, bad = '';
const post = (o) => new Promise((resolve) => { const body = JSON.stringify(o); const req = request(new URL('/api/orders', u.origin), { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', () => { if (res.statusCode < 300) ok++; else bad = String(res.statusCode); resolve(); }); }); req.on('error', (e) => { bad = e.message; resolve(); }); req.end(body); });
const t1 = performance.now();
await Promise.all(Array.from({ length: 16 }, async () => { while (sent < ORDERS) { sent++; await post(next()); } }));
const ordersS = (performance.now() - t1) / 1000;
const fltOrders = stat().minflt - flt0.minflt;
await new Promise((r) => setTimeout(r, 1000));
const after = status();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
agent.destroy();
rmSync(dir, { recursive: true, force: true });
const gb = /start-up memory given back: (.*)/.exec(err);
console.log(`${label} load ${load0.toFixed(2)}: ready ${ready.s.toFixed(2)} s minflt ${flt0.minflt} cpu ${flt0.cpu.toFixed(2)} s HWM@ready ${st0.hwm} RSS@ready ${st0.rss} | 1s: RSS ${at1.rss} HWM ${at1.hwm} MiB js ${JSON.stringify(at1.js)} state ${stateHash} (${state.length} B) | ${ok}/${ORDERS} orders in ${ordersS.toFixed(1)} s${bad ? ' bad ' + bad : ''}, ${fltOrders} minflt | after: RSS ${after.rss} HWM ${after.hwm} load ${loadavg()[0].toFixed(2)}${gb ? ' | give-back ' + gb[1] : ''}`);
