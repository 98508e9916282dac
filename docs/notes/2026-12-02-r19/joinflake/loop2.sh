#!/bin/bash
# usage: loop.sh DIR TAG N
cd "$1"
for i in $(seq 1 $3); do
  out=/tmp/jf-runs/$2-$i.log
  timeout 240 npx vitest run test/engine/component-join-checkpoint.integration.test.ts > $out 2>&1
  rc=$?
  echo "$(date -u +%T) $2 run $i rc=$rc load=$(cut -d' ' -f1 /proc/loadavg) retries=$(grep -c "JFDIAG reader-retry" $out) clientjumps=$(grep -c "JFDIAG client-jump" $out) mism=$(grep -c "JFDIAG mismatch" $out)" >> /tmp/jf-runs/$2.summary
done
