#!/bin/bash
# cg-answer.sh DB EVENTS PAIRS: instructions an event of reader-answer.mjs, (ir(EVENTS) - ir(1)) / EVENTS, cachegrind,
# A = /tmp/store-base (r16-base) and B = /work/wt16/store interleaved.
DB=$1; N=${2:-200000}; P=${3:-3}; S=$(dirname "$0")
ir() { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 | grep -E "I *refs" | awk '{gsub(",","",$NF); print $NF}'; }
for p in $(seq 1 "$P"); do for b in A B; do
  d=$([ $b = A ] && echo /tmp/store-base || echo /work/wt16/store)
  rf=$(ir node --single-threaded "$S/reader-answer.mjs" $d "$DB" "$N")
  r1=$(ir node --single-threaded "$S/reader-answer.mjs" $d "$DB" 1)
  echo "pair=$p $b answer_per_event=$(( (rf-r1)/N )) ir_full=$rf ir_one=$r1 load=$(cut -d' ' -f1 /proc/loadavg)"
done; done
