#!/bin/bash
# After the carried record's narrower walk: A = /tmp/r19-base, B = /work/wt19/peak; 3 interleaved pairs per log.
H=/work/wt19/peak/docs/notes/2026-12-02-r19/peak/hostpeak.mjs
for i in 1 2 3; do
  node $H "Agtc$i" /tmp/r19-base /tmp/peak5m-gtc 2000 2>&1 | tail -1
  node $H "Bgtc$i" /work/wt19/peak /tmp/peak5m-gtc 2000 2>&1 | tail -1
  node $H "A$i" /tmp/r19-base /tmp/peak5m 2000 2>&1 | tail -1
  node $H "B$i" /work/wt19/peak /tmp/peak5m 2000 2>&1 | tail -1
done
