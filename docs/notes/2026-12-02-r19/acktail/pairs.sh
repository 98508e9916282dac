#!/bin/bash
# usage: pairs.sh OUTDIR N label=dir ...
out=$1; n=$2; shift 2
mkdir -p $out
for i in $(seq 1 $n); do
  for spec in "$@"; do
    l=${spec%%=*}; d=${spec#*=}
    echo "== $l run $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $out/summary.txt
    (cd $d && node --expose-gc dist/bench/ack-probe.js 30 1000 > $out/$l-$i.txt 2>&1)
    grep "ack: all\|worst ack per\|load average" $out/$l-$i.txt | sed 's/^/   /' >> $out/summary.txt
  done
done
echo DONE >> $out/summary.txt
