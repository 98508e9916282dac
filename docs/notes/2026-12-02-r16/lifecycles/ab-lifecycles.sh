#!/bin/bash
# Interleaved runs of whole order lifecycles, builds in turn (each a built worktree: r16-base, this branch, …).
# Per build and pair: unpaced LONG and SHORT orders (allocation per lifecycle = the difference of the main isolate's
# "allocated" sums over --trace-gc-nvp, over LONG - SHORT orders: start-up and close cancel), then paced at RATE/s.
# usage: ab-lifecycles.sh PAIRS LONG SHORT RATE PACED_ORDERS DIR...   (e.g. 3 40000 10000 2500 10000 /tmp/base .)
PAIRS=$1; LONG=$2; SHORT=$3; RATE=$4; PACED=$5; shift 5
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
  for dir in "$@"; do
    echo "pair $i $dir $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
    l=$(one "$dir" "$LONG" 0); s=$(one "$dir" "$SHORT" 0)
    echo "  unpaced $LONG: ${l% *}"
    echo "  unpaced $SHORT: ${s% *}"
    echo "  main-isolate allocated per lifecycle: $(( (${l##* } - ${s##* }) / (LONG - SHORT) )) B"
    p=$(one "$dir" "$PACED" "$RATE")
    echo "  paced $RATE/s $PACED: ${p% *}"
  done
done
