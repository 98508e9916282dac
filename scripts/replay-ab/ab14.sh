#!/bin/bash
# ab.sh LIMIT PAIRS BROOT: interleaved A (r14-base, /tmp/replay14-a) / B cold replay children;
# "v load wall_ms mainNs/ev procNs/ev hash"
lim=$1; n=$2; b=$3; db=${DB:-/tmp/r13rep/frames5m.db}
for i in $(seq 1 $n); do for v in A B; do
  root=/tmp/replay14-a; [ $v = B ] && root=$b
  load=$(cut -d' ' -f1 /proc/loadavg)
  node $root/dist/bench/replay-child.js frames $db $lim hash | node -e 'const j=JSON.parse(require("fs").readFileSync(0));console.log(process.argv[1], process.argv[2], (j.seconds*1e3).toFixed(0), (j.mainCpuNs/j.events).toFixed(1), (j.processCpuNs/j.events).toFixed(1), j.hash.slice(0,8))' $v $load
done; done
