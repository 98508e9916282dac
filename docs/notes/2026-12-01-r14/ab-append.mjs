// A/B of the storage-only append at --sync full: node ab-append.mjs DIR_A DIR_B pairs
const [a, b, pairs] = process.argv.slice(2);
const A = await import(`${a}/dist/bench/append-storage.js`);
const B = await import(`${b}/dist/bench/append-storage.js`);
for (let i = 0; i < Number(pairs); i++) {
  for (const [n, m] of [['A', A], ['B', B]]) {
    const r = m.storageAppend(1_000_000, 3, process.argv[5] ?? "normal");
    console.log(n, 'ordo', (r.ordoEps / 1e6).toFixed(2), 'naive', (r.naiveEps / 1e6).toFixed(3), 'ratio', (r.ordoEps / r.naiveEps).toFixed(2), 'runs', r.ordoRuns.map((x) => (x / 1e6).toFixed(2)).join(','));
  }
}
