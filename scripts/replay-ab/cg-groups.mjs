// node cg-groups.mjs A.out [B.out]: a cachegrind file's instructions by group (TurboFan, parser, GC, IC/runtime builtins, SQLite, libc, generated code…), side by side with B − A (round 14, decision 276)
import { execSync } from 'node:child_process';
const groups = [
  ['turbofan', /compiler::|turboshaft|Pipeline|::Zone|OptimizedCompilationInfo|ZoneList|Typer|Schedule|RegisterAllocat|InstructionSelector|CodeGenerator|MachineOperator|JSHeapBroker|compiler/],
  ['parser/scanner', /Scanner|Parser|PreParser|AstNode|AstValue|Scope::|FuncNameInferrer|bytecode.*Generator|BytecodeGenerator|BytecodeArrayBuilder/],
  ['interpreter', /Builtins_.*Handler/],
  ['sparkplug', /baseline::|Baseline/],
  ['gc', /heap::|Heap::|Scaveng|MarkCompact|Sweeper|Evacuat|Marking|RecordWrite/],
  ['ic/runtime', /Builtins_.*IC|Runtime_|IC::|FeedbackNexus|LookupIterator|Builtins_FindOrderedHashMapEntry|StringEqual|StringFromCharCode/],
  ['sqlite', /sqlite3/],
  ['ssl/crypto(startup)', /ossl_|OPENSSL|EVP_|CRYPTO_/],
  ['libc', /malloc|memset|memcpy|memmove|_int_|free|strlen|strcmp/],
  ['zlib crc', /crc32/],
  ['jit/unknown', /^\?\?\?:\?\?\?$/],
];
function split(f) {
  const out = execSync(`cg_annotate --threshold=0 --auto=no ${f}`, { maxBuffer: 1 << 28 }).toString().split('\n');
  const s = new Map(); let total = 0;
  for (const line of out) {
    const m = line.match(/^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$/); if (!m || m[2].includes('PROGRAM TOTALS')) continue;
    const n = Number(m[1].replace(/,/g, '')); const name = m[2];
    const g = (groups.find(([, re]) => re.test(name)) ?? ['other'])[0];
    s.set(g, (s.get(g) ?? 0) + n); total += n;
  }
  s.set('TOTAL', total); return s;
}
const files = process.argv.slice(2); const r = files.map(split);
const keys = [...new Set(r.flatMap((m) => [...m.keys()]))];
for (const k of keys) console.log(k.padEnd(22), ...r.map((m) => ((m.get(k) ?? 0) / 1e6).toFixed(1).padStart(9)), files.length === 2 ? ((r[1].get(k) ?? 0) - (r[0].get(k) ?? 0)) / 1e6 > 0 ? '+' + (((r[1].get(k) ?? 0) - (r[0].get(k) ?? 0)) / 1e6).toFixed(1) : (((r[1].get(k) ?? 0) - (r[0].get(k) ?? 0)) / 1e6).toFixed(1) : '');
