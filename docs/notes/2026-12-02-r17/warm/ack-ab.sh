#!/bin/sh
# Interleaved A/B pairs of the ack scenario (bench/ack-probe.js, this worktree's load generator): A = /tmp/r17-base's ordo, B = this worktree's.
cd /work/wt17/warm
S=${1:-10}; N=${2:-3}
for i in $(seq 1 $N); do
  echo "== pair $i A(base) load $(cut -d' ' -f1 /proc/loadavg)"
  ORDO_BENCH_BIN=/tmp/r17-base/bin/ordo.mjs node dist/bench/ack-probe.js $S 1000 | grep -E "ack: all|worst ack per second|GC in the run|load average"
  echo "== pair $i B(r17-warm) load $(cut -d' ' -f1 /proc/loadavg)"
  node dist/bench/ack-probe.js $S 1000 | grep -E "ack: all|worst ack per second|GC in the run|load average"
done
