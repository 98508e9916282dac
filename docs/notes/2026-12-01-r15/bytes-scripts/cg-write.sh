#!/bin/bash
# cg-write.sh <events> <dist>...: instructions to write <events> of the bench session in round 13's 1 k frame sizes
# (write.mjs), per build given; the difference between builds is the append path's per-event cost.
N=$1; shift; S=$(dirname "$0")
for d in "$@"; do
  i=$(valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null node --single-threaded $S/write.mjs $d /tmp/bytes15/w.db r13 $N 2>&1 | grep -E "I *refs" | awk '{gsub(",","",$NF); print $NF}')
  echo "$d write_per_event=$(( i / N )) load=$(cut -d' ' -f1 /proc/loadavg)"
done
