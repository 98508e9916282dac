# python3 cgmap.py CALLGRIND_OUT PERF_MAP: self instructions by function, JIT addresses named from the perf map.
# Names the JIT code of a callgrind profile from node --perf-basic-prof's /tmp/perf-PID.map (round 17, replay note).
import sys, re, bisect, collections
out, pmap = sys.argv[1], sys.argv[2]
starts=[]; ends=[]; names=[]
for line in open(pmap):
    a, s, n = line.rstrip('\n').split(' ', 2)
    starts.append(int(a,16)); ends.append(int(a,16)+int(s,16)); names.append(n)
order = sorted(range(len(starts)), key=lambda i: starts[i])
starts=[starts[i] for i in order]; ends=[ends[i] for i in order]; names=[names[i] for i in order]
def name_of(fn):
    m = re.match(r'0x([0-9a-fA-F]+)$', fn)
    if not m: return fn
    a = int(m.group(1),16)
    i = bisect.bisect_right(starts, a)-1
    if i>=0 and a < ends[i]: return names[i]
    return fn
fnames={}; cur=None; self_ir=collections.Counter(); total=0
incall=False
for line in open(out):
    if line.startswith('fn='):
        m=re.match(r'fn=\((\d+)\)(?: (.*))?', line.strip())
        if m.group(2): fnames[m.group(1)]=m.group(2)
        cur=name_of(fnames[m.group(1)]); continue
    if line.startswith(('cfn=','cfi=','cfl=','cob=','ob=','fl=','fi=','fe=')):
        if line.startswith('cfn='):
            m=re.match(r'cfn=\((\d+)\)(?: (.*))?', line.strip())
            if m.group(2): fnames[m.group(1)]=m.group(2)
        continue
    if line.startswith('calls='): incall=True; continue
    if line and (line[0].isdigit() or line[0] in '+-*'):
        parts=line.split()
        if len(parts)>=2:
            if incall: incall=False; continue
            v=int(parts[1]); self_ir[cur]+=v; total+=v
print('total', total)
for n,v in self_ir.most_common(int(sys.argv[3]) if len(sys.argv)>3 else 60):
    print(f'{v/1e6:10.1f} M {100*v/total:5.2f}%  {n[:120]}')
