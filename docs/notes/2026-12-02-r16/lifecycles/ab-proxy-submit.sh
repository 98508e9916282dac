#!/bin/sh
# Interleaved pairs of bench/proxy-submit.ts: r16-base (BASE, the bench file copied in) and this branch (NEW).
# usage: ab-proxy-submit.sh BASE NEW PAIRS [orders in flight for the heap] [orders per round] [rounds]
BASE=$1; NEW=$2; PAIRS=${3:-3}; H=${4:-20000}; N=${5:-4000}; R=${6:-100}
i=1
while [ "$i" -le "$PAIRS" ]; do
  echo "pair $i $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
  (cd "$BASE" && node --expose-gc dist/bench/proxy-submit.js "$H" "$N" "$R") | sed 's/^/  base /'
  (cd "$NEW" && node --expose-gc dist/bench/proxy-submit.js "$H" "$N" "$R") | sed 's/^/  new  /'
  i=$((i + 1))
done
