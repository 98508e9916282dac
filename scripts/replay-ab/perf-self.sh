#!/bin/bash
# perf-self.sh PERFDATA [N]: self samples of the process main thread (tid == pid) by symbol, top N (perf record -g ... node --perf-basic-prof replay-child.js; round 13)
perf script -i "$1" -F pid,tid,ip,sym 2>/dev/null | awk '
/^ *[0-9]+\/[0-9]+/ { split($1, a, "/"); if (a[1]==a[2]) { main=1; tot++ } else main=0; first=1; next }
NF==0 { next }
{ if (main && first) { $1=""; s=$0; cnt[s]++; first=0 } }
END { for (s in cnt) printf "%6d %5.1f%% %s\n", cnt[s], 100*cnt[s]/tot, s; print tot, "total" }' | sort -rn | head -${2:-50}
