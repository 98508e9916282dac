#!/bin/bash
# Interleaved paced runs (venue CPU and frames): usage ab-paced.sh PAIRS ORDERS RATE DIR...
PAIRS=$1; N=$2; RATE=$3; shift 3
RUN=$(cd "$(dirname "$0")" && pwd)/lifecycles-run.mjs
for i in $(seq 1 "$PAIRS"); do
  for dir in "$@"; do
    echo "pair $i $dir $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg) $(cd "$dir" && node --expose-gc "$RUN" "$N" "$RATE" | grep '^{')"
  done
done
