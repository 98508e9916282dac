#!/bin/bash
# interleaved A/B of the orders scenario: A = r15-base build in /tmp/ab15-a, B = the venue branch
out=/work/notes/r15/ab-venue.txt
for pair in 1 2 3 4; do
  for side in B A; do
    dir=/work/wt15/venue; [ $side = A ] && dir=/tmp/ab15-a
    l=$(cut -d' ' -f1 /proc/loadavg)
    r=$(cd $dir && node --expose-gc dist/bench/main.js --only orders 2>&1 | grep -E "^(order lifecycles|CPU per)" | awk '{$1=$1};1' | cut -c1-110)
    echo "== pair $pair $side load $l $(date +%H:%M:%S)" >> $out; echo "$r" >> $out
  done
done
