#!/bin/bash
# Interleaved A/B of the replay/naive ratio at one size (round 12, decision 261): per round, A's Ordo replay,
# A's naive replay, B's Ordo replay, B's naive replay, each a cold `replay-child.js` with the state hash; one
# line per run: "<A|B>-<mode> <mode> <limit> <load> <child JSON>". Summarise with ratio-sum.mjs.
#   scripts/replay-ab/ratio-pairs.sh A_ROOT B_ROOT FRAMES_DB NAIVE_DB LIMIT ROUNDS > out.txt
# (the logs: bench/replay.ts writeFrameLog / writeBaselineLog; A_ROOT/B_ROOT: worktrees with dist built)
a=$1; b=$2; frames=$3; naive=$4; lim=$5; rounds=$6
for i in $(seq 1 "$rounds"); do
  for v in A B; do
    root=$a; [ "$v" = B ] && root=$b
    for mode in frames baseline; do
      db=$frames; [ "$mode" = baseline ] && db=$naive
      load=$(cut -d' ' -f1 /proc/loadavg)
      echo "$v-$mode $mode $lim $load $(node "$root/dist/bench/replay-child.js" "$mode" "$db" "$lim" hash)"
    done
  done
done
