#!/bin/bash
# usage: ab-state.sh LOGDIR SEQ PAIRS ROOT_A ROOT_B  — interleaved A/B of `ordo state --at SEQ`, /usr/bin/time per run
D=$1; SEQ=$2; N=$3; A=$4; B=$5
for i in $(seq 1 $N); do
  for R in "$A" "$B"; do
    L=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -o /tmp/mem17/t.$$ -f "%e %U %S %R %M" node $R/bin/ordo.mjs state --data-dir $D --at $SEQ > /tmp/mem17/out.$$.$(basename $R).json 2>/dev/null
    echo "pair $i $(basename $R) load $L: wall/user/sys/minflt/maxrssKiB $(cat /tmp/mem17/t.$$)"
  done
done
cmp /tmp/mem17/out.$$.$(basename $A).json /tmp/mem17/out.$$.$(basename $B).json && echo "outputs identical"
