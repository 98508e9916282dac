#!/bin/bash
# usage: A=dir B=dir pair.sh N ORDERS [via]
N=${1:-5}; O=${2:-20000}; VIA=${3:-in-process}
for i in $(seq 1 $N); do
  if [ $((i % 2)) -eq 0 ]; then order="B A"; else order="A B"; fi
  for w in $order; do
    d=$A; [ $w = B ] && d=$B
    v=$(node $d/bench/profile-orders.js $O $VIA | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);console.log(r.cpuMicrosPerOrder.toFixed(2), r.ordersPerSec.toFixed(0), ((r.lastSeq-r.firstSeq+1)/r.filled).toFixed(3))})')
    eval "R$w=\"$v\""
  done
  echo "pair $i A: $RA  B: $RB  ratio $(echo "$RB $RA" | awk '{printf "%.3f", $1/$4}')  load $(cut -d' ' -f1 /proc/loadavg)"
done
