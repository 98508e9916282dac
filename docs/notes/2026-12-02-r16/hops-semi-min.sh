#!/bin/bash
# Interleaved runs of bench/latency-hops.js (10 s at 10 k commands/s, the slice in both processes) on this branch's
# build (/tmp/loop-b): D = V8's default young generation, N16 = --min-semi-space-size=16, N32 = --min-semi-space-size=32 --max-semi-space-size=32 (MiB: a young generation that starts large) in both the
# sequencer's process and the components' process. Rotated order per round; one JSON summary line per run.
out=${OUT:-/work/wt16/loop/docs/notes/2026-12-02-r16/hops-semi-min.txt}
rounds=${ROUNDS:-4}
run() {
  local side=$1 flags=""
  case $side in
    N16) flags="--min-semi-space-size=16" ;;
    N32) flags="--min-semi-space-size=32 --max-semi-space-size=32" ;;
  esac
  local l=$(cut -d' ' -f1-3 /proc/loadavg) t=$(date +%H:%M:%S)
  local r=$(cd /tmp/loop-b && node --expose-gc $flags dist/bench/latency-hops.js 10 10000 ${flags:+--child-node-flags "$flags"} 2>/dev/null | python3 -c "
import sys, json
t = sys.stdin.read(); d = json.loads(t[t.index('{'):])
s = d['setup']; sp = d['sequencerProcess']; cp = d['componentProcess']
sc = lambda p: p['gc'].get('scavenge', {})
print(json.dumps({'lat': d['latencyMs'], 'over1ms': d['over1ms'], 'over5ms': d['over5ms'], 'episodes': d['slowEpisodes']['byCause'],
  'seqScav': sc(sp), 'compScav': sc(cp), 'seqNewKiB': s['sequencerProcess']['newSpaceKiB'], 'compNewKiB': (s['componentProcess'] or {}).get('newSpaceKiB'),
  'slice': [s['sequencerProcess']['sliceUs'], (s['componentProcess'] or {}).get('sliceUs')], 'cpuUs': [sp['cpuPerCommandUs'], cp['cpuPerCommandUs']]}))")
  echo "== round $2 $side load $l $t $r" >> $out
}
order=(D N16 N32)
for round in $(seq 1 $rounds); do
  for i in 0 1 2; do run ${order[$(( (i + round - 1) % 3 ))]} $round; done
done
