#!/bin/bash
# Interleaved pairs: r16-base (A, /tmp/store-base) and this branch (B), each its own build end to end.
# usage: ab-state-compacted.sh EVENTS PAIRS
here=$(dirname "$0"); events=${1:-1000000}; pairs=${2:-3}
for i in $(seq 1 "$pairs"); do
  for side in A B; do
    root=/tmp/store-base; [ "$side" = B ] && root=/work/wt16/store
    d=$(mktemp -d /tmp/store-stc-XXXX)
    echo "$side $i $(node --expose-gc "$here/state-compacted.mjs" "$root" "$d" "$events")"
    rm -rf "$d"
  done
done
