#!/bin/bash
# mkb.sh NAME: freezes the worktree's dist as /tmp/r17rep/NAME (package.json, hard-linked node_modules), laid out like /tmp/r17-base.
set -e
d=/tmp/r17rep/$1
rm -rf "$d"; mkdir -p "$d"
cp -a /work/wt17/replay/dist "$d/dist"
cp /work/wt17/replay/package.json "$d/"
cp -al /work/wt17/replay/node_modules "$d/node_modules"
echo "$d"
