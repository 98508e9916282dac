#!/usr/bin/env bash
# Builds QuickFIX C++ programs for the FIX tests into a cache folder (never committed):
#   build.sh OUT_DIR executor|ordermatch|initiator
# executor and ordermatch are the example programs of Debian's libquickfix-doc;
# initiator is this folder's own fixture (initiator.cpp). A program already built is kept.
set -euo pipefail
out="$1"; what="$2"
here="$(cd "$(dirname "$0")" && pwd)"
examples=/usr/share/doc/libquickfix-doc/examples
mkdir -p "$out"
bin="$out/$what"
[ -x "$bin" ] && exit 0
if [ ! -d /usr/include/quickfix ]; then
  echo "QuickFIX C++ is not installed: apt-get install -y libquickfix-dev libquickfix-doc g++" >&2
  exit 2
fi
src="$out/src-$what"
rm -rf "$src"; mkdir -p "$src"
case "$what" in
  executor) cp "$examples/executor/C++/"*.cpp "$examples/executor/C++/"*.h "$examples/executor/C++/"*.cpp.gz "$src/" 2>/dev/null || true ;;
  ordermatch) cp "$examples/ordermatch/"*.cpp "$examples/ordermatch/"*.h "$examples/ordermatch/"*.cpp.gz "$src/" 2>/dev/null || true ;;
  initiator) cp "$here/initiator.cpp" "$src/" ;;
  *) echo "unknown program '$what'" >&2; exit 2 ;;
esac
cd "$src"
for f in *.gz; do [ -e "$f" ] && gunzip -f "$f"; done
: > config.h
g++ -std=c++11 -O1 -w -I. -I/usr/include/quickfix ./*.cpp -lquickfix -lpthread -o "$bin.tmp"
mv "$bin.tmp" "$bin"
