#!/bin/bash
# Round 16, lead, after the merges (main at 36310fc) on a quiet machine: A = r16-base (round 15's code), B = main.
cd /work/notes/r16/lead
echo "== state 5 M, one log, A then B, $(date +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)" >> final-pairs.txt
EVENTS=5000000 node --expose-gc state-ab.mjs /work/main /tmp/r16-base /work/main >> final-pairs.txt 2>&1
run() { local d=/tmp/r16-base; [ $2 = B ] && d=/work/main; local l; l=$(cut -d' ' -f1 /proc/loadavg)
  local r; r=$(cd $d && node --expose-gc dist/bench/main.js --only $1 2>&1 | grep -E "$3" | awk '{$1=$1};1' | cut -c1-170)
  echo "== $1 $2 load $l $(date +%H:%M:%S)" >> final-pairs.txt; echo "$r" >> final-pairs.txt; }
run loop B "^(worst|most main)"; run loop A "^(worst|most main)"; run loop A "^(worst|most main)"; run loop B "^(worst|most main)"
run orders A "^(order lifecycles|CPU per)"; run orders B "^(order lifecycles|CPU per)"; run orders B "^(order lifecycles|CPU per)"; run orders A "^(order lifecycles|CPU per)"
run ack B "^order-ack"; run ack A "^order-ack"
run latency A "^latency p99"; run latency B "^latency p99"
echo "== done $(date +%H:%M:%S)" >> final-pairs.txt
