#!/bin/bash
# component-local-rewind test, this branch vs an r17-base copy, --testTimeout 120000, interleaved
for i in 1 2; do
  for d in /work/wt17/memory /tmp/mem17/basecopy; do
    L=$(cut -d' ' -f1 /proc/loadavg)
    t=$(cd $d && timeout 600 npx vitest run --testTimeout 120000 test/reliability/component-local-rewind.integration.test.ts 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | grep -E "Tests |reads the host" | tr '\n' ' ' | cut -c1-220)
    echo "pair $i $d load $L: $t"
  done
done
