#!/bin/sh
# Interleaved pairs of bench/ack-warm.js 2000 4: A = /tmp/r17-base's ordo; B = this branch as it ships (e12f736 on:
# the protector given up, no warm-up by default).
cd /work/wt17/warm
for i in 1 2 3 4; do
  echo "== pair $i A load $(cut -d' ' -f1 /proc/loadavg)"; ORDO_BENCH_BIN=/tmp/r17-base/bin/ordo.mjs node dist/bench/ack-warm.js 2000 4
  echo "== pair $i B load $(cut -d' ' -f1 /proc/loadavg)"; node dist/bench/ack-warm.js 2000 4
done
