#!/bin/bash
# interleaved A/B of the latency and orders scenarios: A = r14-base build in /tmp/ab14-a, B = main
out=/work/notes/r14/ab-lat.txt
for pair in 1 2 3; do
  for side in A B; do
    dir=/work/main; [ $side = A ] && dir=/tmp/ab14-a
    l=$(cut -d' ' -f1 /proc/loadavg)
    r=$(cd $dir && node --expose-gc dist/bench/main.js --only latency,orders 2>&1 | grep -E "^(latency p99|order lifecycles|CPU per order)" | awk '{$1=$1};1' | cut -c1-120)
    echo "== pair $pair $side load $l $(date +%H:%M:%S)" >> $out; echo "$r" >> $out
  done
done
