#!/bin/bash
# perf-callers.sh PERFDATA PATTERN: for main-thread samples whose leaf symbol matches PATTERN, the first JS frame above it (a builtin without a frame of its own shows its caller's caller)
perf script -i "$1" -F pid,tid,ip,sym 2>/dev/null | awk -v pat="$2" '
/^ *[0-9]+\/[0-9]+/ { split($1, a, "/"); main=(a[1]==a[2]); depth=0; hit=0; done=0; next }
NF==0 { next }
{ if (!main || done) next; $1=""; s=$0; depth++;
  if (depth==1) { if (s ~ pat) hit=1; else done=1; next }
  if (hit && s ~ /JS:/) { cnt[s]++; done=1 } }
END { for (s in cnt) printf "%6d %s\n", cnt[s], s }' | sort -rn | head -12
