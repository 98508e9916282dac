/^[^\t ]/ { if (n) emit(); n=0; leaf=""; js=""; next }
/^[\t ]+[0-9a-f]+ / { sym=$0; sub(/^[\t ]+[0-9a-f]+ /,"",sym); n++; if(n==1) leaf=sym; if(js=="" && sym ~ /^JS:/) { js=sym; sub(/file:\/\/\/[^ ]*dist\//,"",js); } next }
function emit() { cnt[substr(leaf,1,40) " <- " (js==""?"(no JS)":js)]++; tot++ }
END { if(n) emit(); for (k in cnt) printf "%6d %5.1f%% %s\n", cnt[k], 100*cnt[k]/tot, k | "sort -rn | head -" (LIM?LIM:30) }
