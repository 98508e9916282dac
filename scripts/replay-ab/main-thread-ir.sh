#!/bin/bash
# main-thread-ir.sh ROOT LIMIT "node flags": instructions of the replaying (main) thread alone in one cold replay-child
# of ROOT's dist, under callgrind with every thread kept apart (--separate-threads=yes). Unlike instr.sh, V8's
# compiler and GC helpers run concurrently as in the product (no --single-threaded), so a change that makes optimized
# code arrive later shows as more instructions of the main thread in the lower tiers. Valgrind runs one thread at a
# time; three runs at load 4, 9 and 13 were within 0.07 % (round 15). No column prefault (NO_PREFAULT=1).
#   scripts/replay-ab/main-thread-ir.sh /tmp/replay15-a 1000000 "--interrupt-budget=16384"
d=$(mktemp -d)
NO_PREFAULT=1 valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$d/cg.out" --dump-instr=no \
  node $3 "$1/dist/bench/replay-child.js" frames "${DB:-/tmp/r13rep/frames5m.db}" "$2" > "$d/log.txt" 2>&1
grep -E '^summary:' "$d/cg.out-01" | awk '{print $2}'
rm -rf "$d"
