#!/bin/bash
# Rounds 2-4 of loop-ab.sh with A, B and N only (at load 14-17 a run took ~3 min, five conditions would not fit the
# round), then placement runs: B and N with ORDO_LOOP_SCHED_OUT (schedstat of every thread of the host, its venue
# process and the bench every 2 ms, and the machine's busy time) into loop-place-*.json.
out=/work/wt16/loop/docs/notes/2026-12-02-r16/loop-ab.txt
here=/work/wt16/loop/docs/notes/2026-12-02-r16
run() {
  local side=$1 dir=/tmp/loop-b envs=""
  case $side in
    A) dir=/tmp/loop-base ;;
    N) envs="ORDO_VENUE_NICE=10" ;;
    PB) envs="ORDO_LOOP_SCHED_OUT=$here/loop-place-B-$2.json" ;;
    PN) envs="ORDO_VENUE_NICE=10 ORDO_LOOP_SCHED_OUT=$here/loop-place-N-$2.json" ;;
  esac
  local l=$(cut -d' ' -f1-3 /proc/loadavg)
  local t=$(date +%H:%M:%S)
  local r=$(cd $dir && env $envs node --expose-gc dist/bench/main.js --only loop 2>&1 | grep -E "^(worst|most main)" | awk '{$1=$1};1')
  echo "== round $2 $side load $l $t" >> $out; echo "$r" >> $out
}
order=(A B N)
for round in 2 3 4; do
  for i in 0 1 2; do run ${order[$(( (i + round - 1) % 3 ))]} $round; done
done
run PB 5
run PN 5
