#!/bin/bash
# Whole-run allocation (sampling heap profiler) per lifecycle, paced at one rate both builds hold, builds in turn.
# usage: ab-alloc.sh PAIRS ORDERS RATE DIR...   (per lifecycle = whole run incl. start-up and 5 k warm-up / ORDERS)
PAIRS=$1; N=$2; RATE=$3; shift 3
HERE=$(cd "$(dirname "$0")" && pwd)
for i in $(seq 1 "$PAIRS"); do
  for dir in "$@"; do
    out=/tmp/ab-alloc-$$.heapprofile
    r=$(cd "$dir" && ALLOC_OUT=$out node --expose-gc --import "$HERE/alloc-preload.mjs" "$HERE/lifecycles-run.mjs" "$N" "$RATE" | grep '^{' | cut -c1-60)
    echo "pair $i $dir load $(cut -d' ' -f1 /proc/loadavg) $(node "$HERE/alloc-top.mjs" $out "$N" 0 | head -1) $r"
    rm -f $out
  done
done
