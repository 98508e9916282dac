#!/bin/bash
cd /tmp/pa18
node api-at.mjs /tmp/pa18/log5s 4749999 3 /tmp/r18-base /work/wt18/pastate > spare-5m-tail.txt 2>&1
node api-at.mjs /tmp/pa18/log5s 5000458 1 /tmp/r18-base /work/wt18/pastate > spare-5m-last-b.txt 2>&1
