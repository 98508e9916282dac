import sys,re,statistics as st
A=[];B=[];R=[]
for f in sys.argv[1:]:
  for l in open(f):
    m=re.match(r'pair \d+ A: ([\d.]+) \d+ [\d.]+\s+B: ([\d.]+) \d+ [\d.]+\s+ratio ([\d.]+)',l)
    if m: A.append(float(m[1]));B.append(float(m[2]));R.append(float(m[3]))
n=len(R); below=sum(r<1 for r in R)
print(f"n={n} meanA={st.mean(A):.2f} meanB={st.mean(B):.2f} ratio_of_means={st.mean(B)/st.mean(A):.3f} median_ratio={st.median(R):.3f} below1={below}/{n} minA={min(A):.2f} minB={min(B):.2f} medA={st.median(A):.2f} medB={st.median(B):.2f}")
