#!/bin/bash
# flags.sh ROOT LIMIT N "flags1" "flags2" ...: interleaved cold children; "flags load wallms mainNs/ev procNs/ev"
root=$1; lim=$2; n=$3; shift 3
for i in $(seq 1 $n); do for f in "$@"; do
  load=$(cut -d' ' -f1 /proc/loadavg)
  node $f $root/dist/bench/replay-child.js frames /tmp/r13rep/frames5m.db $lim hash | node -e 'const j=JSON.parse(require("fs").readFileSync(0));console.log(process.argv[1].padEnd(40), process.argv[2], (j.seconds*1e3).toFixed(0), (j.mainCpuNs/j.events).toFixed(1), (j.processCpuNs/j.events).toFixed(1), j.hash.slice(0,8))' "[$f]" $load
done; done
