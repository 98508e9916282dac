// node scripts/replay-ab/sum.mjs OUT: per build, the median and the pairwise ratios against the first build of pair.sh output.
import { readFileSync } from "node:fs";
const L=readFileSync(process.argv[2],"utf8").trim().split("\n").filter(l=>l.includes("{")).map(l=>{const i=l.indexOf("{"),j=l.lastIndexOf("}");return {s:l.slice(0,i).trim(),...JSON.parse(l.slice(i,j+1)),load:l.slice(j+1).trim()}});
const sides=[...new Set(L.map(x=>x.s))]; const base=L.filter(x=>x.s===sides[0]);
const med=a=>{a=a.slice().sort((x,y)=>x-y);return a[a.length>>1]};
for (const s of sides){const v=L.filter(x=>x.s===s); for(const k of ["cpuNsPerEvent","procNsPerEvent"]){const r=v.map((x,i)=>x[k]/base[i][k]); console.log(s.padEnd(48),k,"median",med(v.map(x=>x[k])),"pair ratio vs first: med",med(r).toFixed(3),"min",Math.min(...r).toFixed(3),"max",Math.max(...r).toFixed(3),"n",v.length);}}
console.log("loads",L.map(x=>x.load).join(" "));
