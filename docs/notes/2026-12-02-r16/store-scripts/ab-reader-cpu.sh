#!/bin/bash
# ab-reader-cpu.sh DB PAIRS: reader-answer.mjs over the whole session (no ZeroMQ), wall and CPU (user+sys) seconds,
# A = /tmp/store-base and B = /work/wt16/store interleaved.
S=$(dirname "$0"); TIMEFORMAT='%R %U %S'
for p in $(seq 1 "${2:-3}"); do for b in A B; do
  d=$([ $b = A ] && echo /tmp/store-base || echo /work/wt16/store)
  t=$( { time node --single-threaded "$S/reader-answer.mjs" $d "$1" 2000000 >/dev/null; } 2>&1 )
  echo "pair=$p $b wall_user_sys=$t load=$(cut -d' ' -f1 /proc/loadavg)"
done; done
