#!/bin/bash
# cg.sh <events> <pairs>: instructions per event, A (main, /tmp/bytes15-a) and B (/work/wt15/bytes) interleaved:
# replay-child frames (decision 270's instr.sh) and the frames() reader, each on the log its build wrote
# (/tmp/bytes15/<A|B>-<r13|4096>.db, write.mjs). Per event = (run to <events> - run to 1) / <events>.
N=${1:-300000}; P=${2:-1}; S=$(dirname "$0")
ir() { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 | grep -E "I *refs" | awk '{gsub(",","",$NF); print $NF}'; }
for p in $(seq 1 $P); do for w in ${WHICH:-r13 4096}; do for b in A B; do
  d=$([ $b = A ] && echo ${ADIR:-/tmp/bytes15-a} || echo ${BDIR:-/work/wt15/bytes})
  full=$(NO_PREFAULT=1 ir node --single-threaded $d/dist/bench/replay-child.js frames /tmp/bytes15/$b-$w.db $N)
  one=$(NO_PREFAULT=1 ir node --single-threaded $d/dist/bench/replay-child.js frames /tmp/bytes15/$b-$w.db 1)
  rf=$(ir node --single-threaded $S/frames-reader.mjs $d/dist /tmp/bytes15/$b-$w.db $N)
  r1=$(ir node --single-threaded $S/frames-reader.mjs $d/dist /tmp/bytes15/$b-$w.db 1)
  echo "pair=$p $w $b replay_per_event=$(( (full-one)/N )) reader_per_event=$(( (rf-r1)/N )) load=$(cut -d' ' -f1 /proc/loadavg)"
done; done; done
