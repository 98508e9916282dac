# Prints loop-ab.txt as one row a run: round, side, load (1 min), worst gap, its parts, the most main-thread CPU in a gap.
import re, sys
rows = []
cur = None
for line in open(sys.argv[1] if len(sys.argv) > 1 else 'loop-ab.txt'):
    m = re.match(r'== round (\d) (\S+) load (\S+) \S+ \S+ (\S+)', line)
    if m:
        cur = {'round': m[1], 'side': m[2], 'load': m[3], 'at': m[4]}
        rows.append(cur)
        continue
    m = re.match(r'worst host loop gap.*?\) ([\d,.]+) ms .*?(MISSED|met) (.*?); between calls (\d+) ms.*worst gap (\d+) ms on a core, (\d+) waiting for one, (\d+) asleep', line)
    if m and cur:
        cur.update(gap=m[1], top=m[3].split(',')[0], between=m[4], core=m[5], wait=m[6], asleep=m[7])
    m = re.match(r'most main-thread CPU.*?\) ([\d,.]+) ms', line)
    if m and cur:
        cur['cpu'] = m[1]
for r in rows:
    print(f"{r['round']} {r['side']:2} load {r['load']:>5} {r['at']}  gap {r.get('gap','?'):>6} ms ({r.get('core','?')} on a core, {r.get('wait','?')} waiting, {r.get('asleep','?')} asleep; {r.get('top','?')})  cpu max {r.get('cpu','?')} ms  between calls {r.get('between','?')}")
