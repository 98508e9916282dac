#!/bin/bash
# usage: state-pairs.sh DIR SEQ PAIRS IDLE_S ROOT_A ROOT_B — `ordo state --at SEQ --hash` whole, /usr/bin/time, A/B alternating;
# IDLE_S > 0 sleeps that long before every run (the machine's memory idle: "cold").
dir=$1; seq=$2; pairs=$3; idle=$4; shift 4
for i in $(seq 1 $pairs); do
  for root in "$@"; do
    [ "$idle" -gt 0 ] && sleep $idle
    load=$(cut -d' ' -f1 /proc/loadavg)
    t=$( { /usr/bin/time -f "%e s %U u %S s %R flt %M KiB" node $root/bin/ordo.mjs state --data-dir $dir --at $seq > /tmp/tmc/out.json; } 2>&1 | tail -1)
    h=$(sha256sum /tmp/tmc/out.json | cut -c1-12)
    echo "pair $i $(basename $root) seq $seq idle $idle load $load: $t hash $h"
  done
done
