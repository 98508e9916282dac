#!/bin/bash
# Main-thread instructions (scripts/replay-ab/main-thread-ir.sh) of cold replays, A = /tmp/r17-base, B = /tmp/r17rep/b3,
# two valgrinds at a time (counts do not depend on load). One line per run: label build limit instructions load.
S=/work/wt17/replay/scripts/replay-ab/main-thread-ir.sh
A=/tmp/r17-base; B=/tmp/r17rep/b4
run() { # label db limit build
  local n; n=$(DB=$2 bash $S $4 $3 "")
  echo "$1 $(basename $(dirname $4/x))$( [ $4 = $A ] && echo ' A' || echo ' B') $3 $n load=$(cut -d' ' -f1 /proc/loadavg) $(date +%T)"
}
F=/tmp/r17rep/frames5m.db; C=/tmp/r17rep/live-1000/ordo.db; W=/tmp/r17rep/live-1000/raw.db
for i in 1 2; do
  run frames4096 $F 1000000 $A & run frames4096 $F 1000000 $B & wait
  run compacted $C 1000000 $A & run compacted $C 1000000 $B & wait
  run as-written $W 200000 $A & run as-written $W 200000 $B & wait
done
run one-event $F 1 $A & run one-event $F 1 $B & wait
run one-event-written $W 1 $A & run one-event-written $W 1 $B & wait
