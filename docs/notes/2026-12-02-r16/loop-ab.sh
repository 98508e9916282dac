#!/bin/bash
# Interleaved runs of `--only loop`: A = r16-base (/tmp/loop-base), B = this branch as built (a copy of its dist/ in /tmp/loop-b, so rebuilding the worktree does not touch the runs), and B with one change each:
# N = the venue's process at nice 10, H = the venue on the host's thread, S = the slice off. Rotated order per round.
out=${OUT:-/work/wt16/loop/docs/notes/2026-12-02-r16/loop-ab.txt}
rounds=${ROUNDS:-4}
run() {
  local side=$1 dir=/tmp/loop-b envs=""
  case $side in
    A) dir=/tmp/loop-base ;;
    N) envs="ORDO_VENUE_NICE=10" ;;
    H) envs="ORDO_VENUE_IN=host" ;;
    S) envs="ORDO_SCHED_SLICE_US=off" ;;
  esac
  local l=$(cut -d' ' -f1-3 /proc/loadavg)
  local t=$(date +%H:%M:%S)
  local r=$(cd $dir && env $envs node --expose-gc dist/bench/main.js --only loop 2>&1 | grep -E "^(worst|most main)" | awk '{$1=$1};1')
  echo "== round $2 $side load $l $t" >> $out; echo "$r" >> $out
}
order=(A B N H S)
for round in $(seq 1 $rounds); do
  for i in 0 1 2 3 4; do run ${order[$(( (i + round - 1) % 5 ))]} $round; done
done
