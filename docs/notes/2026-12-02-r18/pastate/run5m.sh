#!/bin/bash
cd /tmp/pa18
node api-at.mjs /tmp/pa18/log5s 5000458 3 /tmp/r18-base /work/wt18/pastate > api-5m-last.txt 2>&1
node api-at.mjs /tmp/pa18/log5s 4749999 3 /tmp/r18-base /work/wt18/pastate > api-5m-tail.txt 2>&1
node api-at.mjs /tmp/pa18/log1m 999999 3 /tmp/r18-base /work/wt18/pastate > api-1m-tail.txt 2>&1
