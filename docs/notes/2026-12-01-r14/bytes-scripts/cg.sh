#!/bin/bash
# cg.sh: instructions per event, A and B interleaved, replay-child frames (decision 270's instr.sh) and the frames() reader
ir() { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 | grep -E "I *refs" | awk '{gsub(",","",$NF); print $NF}'; }
for w in r13 4096; do for b in A B; do
  d=$([ $b = A ] && echo /tmp/bytes14-a || echo /work/wt14/bytes)
  full=$(NO_PREFAULT=1 ir node --single-threaded $d/dist/bench/replay-child.js frames /tmp/bytes14/$b-$w.db 1000000)
  one=$(NO_PREFAULT=1 ir node --single-threaded $d/dist/bench/replay-child.js frames /tmp/bytes14/$b-$w.db 1)
  rf=$(ir node --single-threaded /tmp/bytes14/frames-reader.mjs $d/dist /tmp/bytes14/$b-$w.db 1000000)
  r1=$(ir node --single-threaded /tmp/bytes14/frames-reader.mjs $d/dist /tmp/bytes14/$b-$w.db 1)
  echo "$w $b replay_full=$full replay_one=$one per_event=$(( (full-one)/1000000 )) reader_full=$rf reader_one=$r1 reader_per_event=$(( (rf-r1)/1000000 )) load=$(cut -d' ' -f1 /proc/loadavg)"
done; done
