#!/bin/sh
# A = /tmp/r17-base's ordo; PWF = this worktree with the warm-up's time cap lifted (ORDO_WARM_UP_MAX_MS=60000 in an
# uncommitted dist/ edit, for this experiment only): 2,000 warm-up orders whatever the load.
cd /work/wt17/warm
for i in 1 2 3; do
  echo "== round $i A load $(cut -d' ' -f1 /proc/loadavg)"; ORDO_BENCH_BIN=/tmp/r17-base/bin/ordo.mjs node dist/bench/ack-warm.js 2000 4
  echo "== round $i PWF load $(cut -d' ' -f1 /proc/loadavg)"; ORDO_WARM_UP_MAX_MS=60000 node dist/bench/ack-warm.js 2000 4
done
