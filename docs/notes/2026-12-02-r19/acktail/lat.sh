#!/bin/bash
# usage: lat.sh OUTDIR N label=checkout ...  (each checkout's own bench, --only latency)
out=$1; n=$2; shift 2
mkdir -p $out
for i in $(seq 1 $n); do
  for spec in "$@"; do
    l=${spec%%=*}; d=${spec#*=}
    echo "== $l run $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $out/summary.txt
    (cd $d && node --expose-gc dist/bench/main.js --only latency > $out/$l-$i.txt 2>&1)
    grep -E "^latency (p99|p99.9) \((1|2) process" $out/$l-$i.txt | sed 's/^/   /' | cut -c1-110 >> $out/summary.txt
    echo "   load after $(cut -d' ' -f1 /proc/loadavg)" >> $out/summary.txt
  done
done
echo DONE >> $out/summary.txt
