#!/bin/bash
# usage: ab-replay2.sh DB EVENTS PAIRS — B (b1, huge heap, prefault worker) vs D (b1, huge heap, NO_PREFAULT=1)
DB=$1; N=$2; P=$3
for i in $(seq 1 $P); do
  for v in B D; do
    case $v in B) E=;; D) E="NO_PREFAULT=1";; esac
    L=$(cut -d' ' -f1 /proc/loadavg)
    out=$(env $E /usr/bin/time -o /tmp/mem17/rt.$$ -f "%e %U %S %R %M" node --expose-gc /tmp/mem17/b1/dist/bench/replay-child.js frames $DB $N)
    echo "pair $i $v load $L: time(wall user sys minflt rssKiB) $(cat /tmp/mem17/rt.$$) | $(echo "$out" | node -e "const o=JSON.parse(require('fs').readFileSync(0,'utf8'));console.log('s',o.seconds.toFixed(3),'Meps',(o.eps/1e6).toFixed(2),'mainCpu ms',(o.mainCpuNs/1e6).toFixed(0),'procCpu ms',(o.processCpuNs/1e6).toFixed(0),'prefault',o.prefaultChunks,'/',o.ownChunks)")"
  done
done
