#!/bin/bash
# instr.sh ROOT DB LIMIT: instructions (cachegrind "I refs") of one cold replay-child of ROOT's dist, whole process,
# node --single-threaded (compiles and GC on the one thread: comparable run to run), no column prefault.
# Per event: (instr.sh ROOT DB 1000000 - instr.sh ROOT DB 1) / 1,000,000 (round 13, decision 270).
NO_PREFAULT=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null node --single-threaded "$1/dist/bench/replay-child.js" frames "$2" "$3" 2>&1 | grep -E "I *refs" | awk '{gsub(",","",$NF); print $NF}'
