#!/bin/bash
# ab-catchup.sh DB PAIRS: catchup.mjs with A = /tmp/store-base (r16-base) and B = /work/wt16/store, interleaved.
S=$(dirname "$0"); for p in $(seq 1 "${2:-3}"); do for b in A B; do
  d=$([ $b = A ] && echo /tmp/store-base || echo /work/wt16/store)
  echo "pair=$p $b $(node "$S/catchup.mjs" $d "$1")"
done; done
