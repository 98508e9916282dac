#!/bin/bash
# cg-reader.sh <events> <pairs>: the frames() reader alone (instructions per event), A and B interleaved, as cg.sh.
N=${1:-200000}; P=${2:-1}; S=$(dirname "$0")
ir() { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 | grep -E "I *refs" | awk '{gsub(",","",$NF); print $NF}'; }
for p in $(seq 1 $P); do for w in ${WHICH:-r13}; do for b in A B; do
  d=$([ $b = A ] && echo ${ADIR:-/tmp/bytes15-a} || echo ${BDIR:-/work/wt15/bytes})
  rf=$(ir node --single-threaded $S/frames-reader.mjs $d/dist /tmp/bytes15/$b-$w.db $N)
  r1=$(ir node --single-threaded $S/frames-reader.mjs $d/dist /tmp/bytes15/$b-$w.db 1)
  echo "pair=$p $w $b reader_per_event=$(( (rf-r1)/N )) load=$(cut -d' ' -f1 /proc/loadavg)"
done; done; done
