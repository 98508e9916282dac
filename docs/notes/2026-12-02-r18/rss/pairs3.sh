#!/bin/bash
# interleaved: B=/work/wt18/rss (malloc_trim(0)), D=/tmp/rss18/dtree (the same with malloc_trim(32 MiB pad)); 10k orders after ready
# a run whose host did not start (the venue process's 20 s start limit on the loaded machine) is retried, up to 3 tries
run() { for t in 1 2 3; do out=$(node hostrss.mjs "$@" 2>&1 | grep -v "^\s*$"); if echo "$out" | grep -q "^$1 load"; then echo "$out" | grep "^$1 load"; return; fi; echo "$1 try $t failed: $(echo "$out" | grep -m1 '^ordo:')"; done; }
for i in 1 2 3; do
  run "B$i" /work/wt18/rss /tmp/rss18/log5m 10000
  run "D$i" /tmp/rss18/dtree /tmp/rss18/log5m 10000
done
