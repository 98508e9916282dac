#!/bin/sh
# Interleaved pairs of bench/ack-warm.js 2000 4: A = /tmp/r17-base's ordo; B = this worktree as committed (protector,
# warm-up of 2,000 orders on a scratch engine with its venue on the thread, bounded at 5 s: bcace39).
cd /work/wt17/warm
for i in 1 2 3; do
  echo "== pair $i A load $(cut -d' ' -f1 /proc/loadavg)"; ORDO_BENCH_BIN=/tmp/r17-base/bin/ordo.mjs node dist/bench/ack-warm.js 2000 4
  echo "== pair $i B load $(cut -d' ' -f1 /proc/loadavg)"; ORDO_LOG_LEVEL=info node dist/bench/ack-warm.js 2000 4
done
