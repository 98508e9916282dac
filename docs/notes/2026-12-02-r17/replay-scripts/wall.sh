#!/bin/bash
# wall.sh DB EVENTS PAIRS: interleaved cold replay-child runs, A = /tmp/r17-base, B = /tmp/r17rep/b3 (order A B, B A, ...),
# product defaults (column prefault on). One line each: build, the child's JSON fields, /usr/bin/time's wall user sys minflt maxrss_kb, load.
DB=$1; N=$2; P=$3
A=/tmp/r17-base; B=/tmp/r17rep/b3
one() {
  local t out
  t=$(mktemp)
  out=$( /usr/bin/time -o $t -f "%e %U %S %R %M" node $2/dist/bench/replay-child.js frames $DB $N hash )
  echo "$1 $(echo "$out" | node -e 'const j=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(`eps=${(j.eps/1e6).toFixed(3)}M main_ns_ev=${(j.mainCpuNs/j.events).toFixed(1)} clock_s=${j.seconds.toFixed(3)} hash=${j.hash.slice(0,12)}`)') time[e,U,S,minflt,maxKB]=$(cat $t) load=$(cut -d' ' -f1 /proc/loadavg)"
  rm -f $t
}
for i in $(seq 1 $P); do
  if [ $((i % 2)) = 1 ]; then one A $A; one B $B; else one B $B; one A $A; fi
done
