#!/bin/bash
# usage: ab-replay.sh DB EVENTS PAIRS  — cold replay (bench/replay-child.js frames), interleaved: A r17-base, B b1, C b1 with ORDO_HUGE_HEAP_MIB=0
DB=$1; N=$2; P=$3
for i in $(seq 1 $P); do
  for v in A B C; do
    case $v in A) R=/tmp/r17-base; E=;; B) R=/tmp/mem17/b2; E=;; C) R=/tmp/mem17/b2; E="ORDO_HUGE_HEAP_MIB=0";; esac
    L=$(cut -d' ' -f1 /proc/loadavg)
    out=$(env $E $EXTRA /usr/bin/time -o /tmp/mem17/rt.$$ -f "%e %U %S %R %M" node --expose-gc $R/dist/bench/replay-child.js frames $DB $N)
    echo "pair $i $v load $L: time(wall user sys minflt rssKiB) $(cat /tmp/mem17/rt.$$) | $(echo "$out" | node -e "const o=JSON.parse(require('fs').readFileSync(0,'utf8'));console.log('s',o.seconds.toFixed(3),'Meps',(o.eps/1e6).toFixed(2),'mainCpu ms',(o.mainCpuNs/1e6).toFixed(0),'procCpu ms',(o.processCpuNs/1e6).toFixed(0),'prefault',o.prefaultChunks,'/',o.ownChunks,'huge',o.hugeHeapBytes)")"
  done
done
