#!/bin/bash
# interleaved: A=/tmp/r18-base (round 17), B=/work/wt18/rss at 9692448, C = B with ORDO_HUGE_HEAP_MIB=0; 10k orders after ready
for i in 1 2 3; do
  node hostrss.mjs "A$i" /tmp/r18-base /tmp/rss18/log5m 10000 2>/dev/null
  node hostrss.mjs "B$i" /work/wt18/rss /tmp/rss18/log5m 10000 2>/dev/null
  ORDO_HUGE_HEAP_MIB=0 node hostrss.mjs "C$i" /work/wt18/rss /tmp/rss18/log5m 10000 2>/dev/null
done
