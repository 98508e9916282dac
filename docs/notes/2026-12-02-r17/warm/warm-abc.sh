#!/bin/sh
# Interleaved runs of bench/ack-warm.js (main-thread CPU per order by slice, closed loop): A = /tmp/r17-base's ordo;
# P = this worktree with --warm-up 0; PW = this worktree as built (protector + scratch warm-up).
cd /work/wt17/warm
O=${1:-3000}; N=${2:-3}
for i in $(seq 1 $N); do
  for v in A P PW; do
    echo "== round $i $v load $(cut -d' ' -f1 /proc/loadavg)"
    case $v in
      A) ORDO_BENCH_BIN=/tmp/r17-base/bin/ordo.mjs node dist/bench/ack-warm.js $O 4 ;;
      P) node dist/bench/ack-warm.js $O 4 -- --warm-up 0 ;;
      PW) node dist/bench/ack-warm.js $O 4 ;;
    esac
  done
done
