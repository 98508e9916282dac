#!/bin/bash
# the catch-up scenario: A = r15-base build, B = main (slice on), C = main with ORDO_SCHED_SLICE_US=0
out=/work/notes/r15/ab-catchup.txt
for pair in 1 2; do
  for side in B A C; do
    dir=/work/main; s=; [ $side = A ] && dir=/tmp/ab15-a; [ $side = C ] && s=0
    l=$(cut -d' ' -f1 /proc/loadavg)
    r=$(cd $dir && ORDO_SCHED_SLICE_US=$s node --expose-gc dist/bench/main.js --only catchup 2>&1 | grep -E "^(order-ack p99 at 1000/s while)" | awk '{$1=$1};1' | cut -c1-200)
    echo "== pair $pair $side load $l $(date +%H:%M:%S)" >> $out; echo "$r" >> $out
  done
done
