#!/bin/bash
out=/work/notes/r14/ab-orders.txt
for pair in 1 2 3; do
  for side in B A; do
    dir=/work/main; [ $side = A ] && dir=/tmp/ab14-a
    l=$(cut -d' ' -f1 /proc/loadavg)
    r=$(cd $dir && node --expose-gc dist/bench/main.js --only orders 2>&1 | grep -E "^(order lifecycles|CPU per)" | awk '{$1=$1};1' | cut -c1-100)
    echo "== pair $pair $side load $l $(date +%H:%M:%S)" >> $out; echo "$r" >> $out
  done
done
