#!/bin/bash
# usage: warm.sh OUTDIR N label=ordo-checkout[:host args] ...
out=$1; n=$2; shift 2
mkdir -p $out
for i in $(seq 1 $n); do
  for spec in "$@"; do
    l=${spec%%=*}; rest=${spec#*=}; d=${rest%%:*}; a=""; [[ $rest == *:* ]] && a=${rest#*:}
    echo "== $l run $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $out/summary.txt
    (cd /work/wt19/acktail && ORDO_BENCH_BIN=$d/bin/ordo.mjs node dist/bench/ack-warm.js 3000 4 -- $a > $out/$l-$i.txt 2>&1)
    sed 's/^/   /' $out/$l-$i.txt >> $out/summary.txt
  done
done
echo DONE >> $out/summary.txt
