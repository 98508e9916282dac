// usage: node hostrss.mjs LABEL ROOT SRCDIR [orders]   env passes through (ORDO_HUGE_HEAP_MIB etc.)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
const [label, root, src, ordersArg] = process.argv.slice(2);
const ORDERS = Number(ordersArg ?? 10000);
const dir = mkdtempSync('/tmp/rss18/run-');
for (const f of ['ordo.db', 'ordo.db.checkpoints', 'ordo.db.head']) if (existsSync(join(src, f))) execFileSync('cp', [join(src, f), join(dir, f)]);
const probeOut = join(dir, 'probe.jsonl');
const load0 = loadavg()[0];
const t0 = performance.now();
const child = spawn(process.execPath, [...(process.env.PROBE_GC ? ['--expose-gc'] : []), '--import', '/tmp/rss18/probe.mjs', join(root, 'bin/ordo.mjs'), 'host', '--data-dir', dir, '--port', '0', '--no-auto-open', '--checkpoint-every', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ORDO_BUS_PORT: 'off', RSS_PROBE_OUT: probeOut } });
let out = '', err = '';
child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
const ready = await new Promise((resolve, reject) => {
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d; const m = /^ordo ready (\S+)/m.exec(out); if (m) resolve({ s: (performance.now() - t0) / 1000, url: m[1] }); });
  child.once('exit', (c) => reject(new Error(`exit ${c}: ${err}`)));
});
const stat = () => { const s = readFileSync(`/proc/${child.pid}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return { minflt: Number(f[7]), cpu: (Number(f[11]) + Number(f[12])) / 100 }; };
const flt0 = stat();
const status = () => { const s = readFileSync(`/proc/${child.pid}/status`, 'utf8'); const g = (k) => Math.round(Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)[1]) / 1024); return { rss: g('VmRSS'), hwm: g('VmHWM') }; };
function smaps() {
  const txt = readFileSync(`/proc/${child.pid}/smaps`, 'utf8').split('\n');
  const cat = { heap: 0, heapHuge: 0, anon64: 0, anonOther: 0, file: 0 };
  let cur = null, size = 0;
  for (const l of txt) {
    const h = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(l);
    if (h) { size = (parseInt(h[2], 16) - parseInt(h[1], 16)) >> 20; const name = h[3]; cur = name === '[heap]' ? 'heap' : name === '' ? (size >= 63 && size <= 65 ? 'anon64' : 'anonOther') : name.startsWith('/') ? 'file' : 'anonOther'; continue; }
    const r = /^Rss:\s+(\d+)/.exec(l); if (r && cur) cat[cur] += Number(r[1]);
    const a = /^AnonHugePages:\s+(\d+)/.exec(l); if (a && cur === 'heap') cat.heapHuge += Number(a[1]);
  }
  for (const k of Object.keys(cat)) cat[k] = Math.round(cat[k] / 1024);
  return cat;
}
const probe = async () => { const before = existsSync(probeOut) ? readFileSync(probeOut, 'utf8').split('\n').length : 1; child.kill('SIGUSR2'); for (let i = 0; i < 50; i++) { await new Promise((r) => setTimeout(r, 20)); if (existsSync(probeOut) && readFileSync(probeOut, 'utf8').split('\n').length > before) break; } const l = readFileSync(probeOut, 'utf8').trim().split('\n'); return JSON.parse(l[l.length - 1]); };
await new Promise((r) => setTimeout(r, 1000));
const at1 = { ...status(), smaps: smaps(), js: await probe() };
// orders
const u = new URL(ready.url); const token = u.searchParams.get('token');
const { makeOrders, tradable } = await import(join(root, 'dist/bench/order-flow.js'));
const next = makeOrders(tradable());
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
let sent = 0, ok = 0, bad = '';
const post = (o) => new Promise((resolve) => { const body = JSON.stringify(o); const req = request(new URL('/api/orders', u.origin), { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', () => { if (res.statusCode < 300) ok++; else bad = String(res.statusCode); resolve(); }); }); req.on('error', (e) => { bad = e.message; resolve(); }); req.end(body); });
const t1 = performance.now();
await Promise.all(Array.from({ length: 16 }, async () => { while (sent < ORDERS) { sent++; await post(next()); } }));
const ordersS = (performance.now() - t1) / 1000;
const fltOrders = stat().minflt - flt0.minflt;
await new Promise((r) => setTimeout(r, 1000));
const after = { ...status(), smaps: smaps(), js: await probe() };
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
agent.destroy();
rmSync(dir, { recursive: true, force: true });
const gb = /start-up memory given back: (.*)/.exec(err);
console.log(`${label} load ${load0.toFixed(2)}: ready ${ready.s.toFixed(2)} s minflt ${flt0.minflt} cpu ${flt0.cpu.toFixed(2)} s | 1s: RSS ${at1.rss} HWM ${at1.hwm} MiB ${JSON.stringify(at1.smaps)} js ${JSON.stringify(at1.js)} | ${ok}/${ORDERS} orders in ${ordersS.toFixed(1)} s${bad ? ' bad ' + bad : ''} | ${fltOrders} minflt over the orders | after: RSS ${after.rss} HWM ${after.hwm} ${JSON.stringify(after.smaps)} js ${JSON.stringify(after.js)} load ${loadavg()[0].toFixed(2)}${gb ? ' | give-back ' + gb[1] : ''}`);
