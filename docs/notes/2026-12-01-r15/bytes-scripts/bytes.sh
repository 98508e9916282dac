#!/bin/bash
# bytes.sh: frame-bytes (exact counts) on A (main) and B over the same captured frame sizes, 1,000,000 events each.
W=/work/wt15/bytes/docs/notes
for spec in 2026-12-01-r13/bytes-frame-sizes-r13.json:1000 2026-11-30-r12/bytes-frame-sizes-quiet.json:1000 2026-11-30-r12/bytes-frame-sizes.json:1000 2026-12-01-r13/bytes-frame-sizes-r13.json:10000 2026-12-01-r13/bytes-frame-sizes-r13.json:100000; do
  for b in A B; do
    d=$([ $b = A ] && echo ${ADIR:-/tmp/bytes15-a} || echo ${BDIR:-/work/wt15/bytes})
    echo "$b $spec $(cd $d && node --expose-gc dist/bench/frame-bytes.js 1000000 @$W/$spec) load=$(cut -d' ' -f1 /proc/loadavg)"
  done
done
