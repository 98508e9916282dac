#!/bin/bash
out=$1; n=$2; shift 2
mkdir -p $out
for i in $(seq 1 $n); do
  for spec in "$@"; do
    l=${spec%%=*}; a=${spec#*=}
    echo "== $l run $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $out/summary.txt
    (cd /work/wt19/acktail && ORDO_HOST_NODE_ARGS="$a" node dist/bench/ack-warm.js 3000 4 > $out/$l-$i.txt 2>&1)
    grep "orders\|ready in" $out/$l-$i.txt | sed 's/^/   /' | cut -c1-150 >> $out/summary.txt
  done
done
echo DONE >> $out/summary.txt
