#!/bin/bash
# Rounds 8-9 (the load fell to ~4 at 02:17): A, B and H (the venue on the host's thread, the lever `--venue-in host` ships as; ORDO_VENUE_IN in the
# /tmp/loop-b build), rotated; no placement runs.
out=/work/wt16/loop/docs/notes/2026-12-02-r16/loop-ab.txt
here=/work/wt16/loop/docs/notes/2026-12-02-r16
run() {
  local side=$1 dir=/tmp/loop-b envs=""
  case $side in
    A) dir=/tmp/loop-base ;;
    H) envs="ORDO_VENUE_IN=host" ;;
    PB) envs="ORDO_LOOP_SCHED_OUT=$here/loop-place-B-$2.json" ;;
    PN) envs="ORDO_VENUE_NICE=10 ORDO_LOOP_SCHED_OUT=$here/loop-place-N-$2.json" ;;
  esac
  local l=$(cut -d' ' -f1-3 /proc/loadavg)
  local t=$(date +%H:%M:%S)
  local r=$(cd $dir && env $envs node --expose-gc dist/bench/main.js --only loop 2>&1 | grep -E "^(worst|most main)" | awk '{$1=$1};1')
  echo "== round $2 $side load $l $t" >> $out; echo "$r" >> $out
}
order=(A B H)
for round in 8 9; do
  for i in 0 1 2; do run ${order[$(( (i + round - 1) % 3 ))]} $round; done
done
