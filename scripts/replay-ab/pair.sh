#!/bin/bash
# Interleaved cold replays of DB with each dist in turn (A B C A B C ...), N times; one JSON line each (run.mjs).
#   scripts/replay-ab/pair.sh DB N DIST_A DIST_B [DIST_C]   then: node scripts/replay-ab/sum.mjs OUT
DB=$1; N=$2; shift 2
here=$(dirname "$0")
for i in $(seq 1 "$N"); do
  for d in "$@"; do
    echo "$d $(REUSE=1 node "$here/run.mjs" "$d" "$DB") $(cut -d' ' -f1 /proc/loadavg)"
  done
done
