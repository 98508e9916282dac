#!/bin/bash
# usage: trace.sh OUTDIR label [host args]
out=$1; l=$2; shift 2
mkdir -p $out; rm -f $out/$l.stdout
(cd /work/wt19/acktail && ORDO_BENCH_BIN=${BIN:-/work/wt19/acktail/bin/ordo.mjs} ORDO_HOST_NODE_ARGS="--trace-opt --trace-deopt" ORDO_HOST_STDOUT_FILE=$out/$l.stdout node dist/bench/ack-warm.js 1000 4 -- "$@" > $out/$l.txt 2>&1)
f=$out/$l.stdout
r=$(grep -n "^ordo ready" $f | cut -d: -f1)
echo "$l: ready at line $r of $(wc -l < $f)"
echo "  before ready: opt-compiles $(head -n $r $f | grep -c 'compiling method.*TurboFan'), deopts $(head -n $r $f | grep -c 'bailout (kind')"
echo "  after ready:  opt-compiles $(tail -n +$r $f | grep -c 'compiling method.*TurboFan'), deopts $(tail -n +$r $f | grep -c 'bailout (kind')"
