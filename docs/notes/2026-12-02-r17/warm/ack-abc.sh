#!/bin/sh
# Interleaved runs of the ack scenario (bench/ack-probe.js S 1000): A = /tmp/r17-base's ordo; P = this worktree with
# --warm-up 0 (the protector given up only); PW = this worktree as shipped (protector + scratch warm-up).
cd /work/wt17/warm
S=${1:-10}; N=${2:-3}
for i in $(seq 1 $N); do
  for v in A P PW; do
    echo "== round $i $v load $(cut -d' ' -f1 /proc/loadavg)"
    case $v in
      A) ORDO_BENCH_BIN=/tmp/r17-base/bin/ordo.mjs node dist/bench/ack-probe.js $S 1000 ;;
      P) node dist/bench/ack-probe.js $S 1000 -- --warm-up 0 ;;
      PW) node dist/bench/ack-probe.js $S 1000 ;;
    esac | grep -E "ack: all|worst ack per second|load average"
  done
done
