#!/bin/bash
# $5 is the replaying thread's id (the process id: `perf script -F pid | head -1`); every other thread counts as "other".
# cat-perf.sh PERFDATA T0 T1 [SPLIT]: samples in [T0,T1] by thread (main / others) and category; SPLIT seconds: also the first SPLIT s apart.
perf script -i "$1" -F tid,time,ip,sym,dso 2>/dev/null | awk -v t0="$2" -v t1="$3" -v sp="${4:-0}" '
NR==1 { }
{ tid=$1; t=$2; sub(":","",t); t=t+0; if (t < t0 || t > t1) next;
  if (main=="") main=tid;
  line=$0; c="other";
  if (line ~ /JS:\*/) c="js-opt"; else if (line ~ /JS:\^/) c="js-baseline"; else if (line ~ /JS:~/) c="js-interp";
  else if (line ~ /Builtins_.*Handler|InterpreterEntry/) c="interp-handlers";
  else if (line ~ /Builtins_/) c="builtins";
  else if (line ~ /compiler::|Compiler|Pipeline|Turbofan|baseline::|Deoptimiz/) c="compiler";
  else if (line ~ /Scanner|Parser|AstValue|BytecodeGen|CalculateLineEnds|PreParse/) c="parse";
  else if (line ~ /Heap|Scaveng|Mark|Sweep|Evacuat|Concurrent|GC/) c="gc";
  else if (line ~ /sqlite/) c="sqlite";
  else if (line ~ /crc32/) c="crc";
  else if (line ~ /kernel/) c="kernel";
  else if (line ~ /libc/) c="libc";
  th = (tid == mainTid) ? "main" : "other";
  key = th " " c; if (sp > 0) key = key ((t - t0 < sp) ? " early" : " late");
  n[key]++; tot[th]++ }
BEGIN { mainTid = "" }
END { for (k in n) { split(k, a, " "); printf "%-34s %5d %5.1f%%\n", k, n[k], 100*n[k]/tot[a[1]] } ; for (k in tot) print "total", k, tot[k] }' mainTid="$5" | sort
