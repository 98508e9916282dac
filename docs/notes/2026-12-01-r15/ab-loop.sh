#!/bin/bash
# interleaved A/B of the loop scenario: A = r15-base build, B = main as shipped
out=/work/notes/r15/ab-loop.txt
for pair in 1 2 3; do
  for side in B A; do
    dir=/work/main; [ $side = A ] && dir=/tmp/ab15-a
    l=$(cut -d' ' -f1 /proc/loadavg)
    r=$(cd $dir && node --expose-gc dist/bench/main.js --only loop 2>&1 | grep -E "^(worst|most main)" | awk '{$1=$1};1' | cut -c1-140)
    echo "== pair $pair $side load $l $(date +%H:%M:%S)" >> $out; echo "$r" >> $out
  done
done
