#!/bin/bash
# Interleaved pairs: A = /tmp/r19-base (round 18 as landed), B = /work/wt19/peak; on the 5 M log (/tmp/peak5m) and on
# the same with a live gtc order at its newest checkpoint (/tmp/peak5m-gtc); 2,000 orders after ready.
H=/work/wt19/peak/docs/notes/2026-12-02-r19/peak/hostpeak.mjs
for i in 1 2 3; do
  node $H "A$i" /tmp/r19-base /tmp/peak5m 2000 2>&1 | tail -1
  node $H "B$i" /work/wt19/peak /tmp/peak5m 2000 2>&1 | tail -1
  node $H "Agtc$i" /tmp/r19-base /tmp/peak5m-gtc 2000 2>&1 | tail -1
  node $H "Bgtc$i" /work/wt19/peak /tmp/peak5m-gtc 2000 2>&1 | tail -1
done
