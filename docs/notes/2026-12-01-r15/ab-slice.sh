#!/bin/bash
# interleaved A/B of the latency scenario on main's build: A = ORDO_SCHED_SLICE_US=0 (kernel default), B = the shipped 0.1 ms slice
out=/work/notes/r15/ab-slice.txt
for pair in 1 2 3 4; do
  for side in A B; do
    s=; [ $side = A ] && s=0
    l=$(cut -d' ' -f1 /proc/loadavg)
    r=$(cd /work/main && ORDO_SCHED_SLICE_US=$s node --expose-gc dist/bench/main.js --only latency 2>&1 | grep -E "^(latency p99|scheduler slice|kernel's default)" | awk '{$1=$1};1' | cut -c1-150)
    echo "== pair $pair $side load $l $(date +%H:%M:%S)" >> $out; echo "$r" >> $out
  done
done
