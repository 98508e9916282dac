#!/bin/bash
# interleaved A/B: A=/tmp/r18-base (round 17), B=/work/wt18/rss; 10k orders after ready
for i in 1 2 3; do
  node hostrss.mjs "A$i" /tmp/r18-base /tmp/rss18/log5m 10000 2>/dev/null
  node hostrss.mjs "B$i" /work/wt18/rss /tmp/rss18/log5m 10000 2>/dev/null
done
