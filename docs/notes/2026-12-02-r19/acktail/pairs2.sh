#!/bin/bash
# usage: pairs2.sh OUTDIR N SECONDS label=ordo-checkout ...   (the generator is /work/wt19/acktail's bench)
out=$1; n=$2; secs=$3; shift 3
mkdir -p $out
for i in $(seq 1 $n); do
  for spec in "$@"; do
    l=${spec%%=*}; d=${spec#*=}
    echo "== $l run $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $out/summary.txt
    (cd /work/wt19/acktail && ORDO_BENCH_BIN=$d/bin/ordo.mjs node --expose-gc dist/bench/ack-probe.js $secs 1000 > $out/$l-$i.txt 2>&1)
    grep "ack: all\|worst ack per\|host tree\|per second\|load average" $out/$l-$i.txt | grep -v "loop delay\|GC per" | sed 's/^/   /' >> $out/summary.txt
  done
done
echo DONE >> $out/summary.txt
