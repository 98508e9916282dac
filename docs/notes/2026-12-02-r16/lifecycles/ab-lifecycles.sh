#!/bin/bash
# Interleaved A/B pairs of whole order lifecycles: BASE (r16-base built) and NEW (this branch built).
# Per build and pair: unpaced LONG and SHORT orders (allocation per lifecycle = the difference of the main isolate's
# "allocated" sums over --trace-gc-nvp, over LONG - SHORT orders: start-up and close cancel), then paced at RATE/s.
# usage: ab-lifecycles.sh BASE NEW PAIRS [LONG] [SHORT] [RATE] [PACED_ORDERS]
BASE=$1; NEW=$2; PAIRS=${3:-3}; LONG=${4:-40000}; SHORT=${5:-10000}; RATE=${6:-2500}; PACED=${7:-10000}
RUN=$(cd "$(dirname "$0")" && pwd)/lifecycles-run.mjs
one() { # dir orders rate -> "json alloc_bytes"
  local out
  out=$(cd "$1" && node --expose-gc --trace-gc-nvp "$RUN" "$2" "$3" 2>&1)
  local json main alloc
  json=$(printf '%s\n' "$out" | grep '^{')
  main=$(printf '%s\n' "$out" | grep -m1 -o '^\[[0-9]*:0x[0-9a-f]*\]')
  alloc=$(printf '%s\n' "$out" | grep -F "$main" | grep -o 'allocated=[0-9]*' | cut -d= -f2 | paste -sd+ | bc)
  echo "$json $alloc"
}
for i in $(seq 1 "$PAIRS"); do
  for side in base new; do
    dir=$BASE; [ "$side" = new ] && dir=$NEW
    echo "pair $i $side $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
    l=$(one "$dir" "$LONG" 0); s=$(one "$dir" "$SHORT" 0)
    echo "  unpaced $LONG: ${l% *}"
    echo "  unpaced $SHORT: ${s% *}"
    echo "  main-isolate allocated per lifecycle: $(( (${l##* } - ${s##* }) / (LONG - SHORT) )) B"
    p=$(one "$dir" "$PACED" "$RATE")
    echo "  paced $RATE/s $PACED: ${p% *}"
  done
done
