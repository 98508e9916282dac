#!/bin/bash
out=$1; n=$2; shift 2
mkdir -p $out
for i in $(seq 1 $n); do
  for spec in "$@"; do
    l=${spec%%=*}; rest=${spec#*=}; d=${rest%%:*}; HOSTARGS=""; [[ $rest == *:* ]] && HOSTARGS=${rest#*:}
    echo "== $l run $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $out/summary.txt
    (cd /work/wt19/acktail && ORDO_BENCH_BIN=$d/bin/ordo.mjs node dist/bench/ack-warm.js 2000 4 -- $HOSTARGS > $out/$l-$i.txt 2>&1)
    grep "orders\|ready in" $out/$l-$i.txt | sed 's/closed-loop[^;]*;//; s/other threads.*//' | sed 's/^/   /' | cut -c1-220 >> $out/summary.txt
  done
done
echo DONE >> $out/summary.txt
