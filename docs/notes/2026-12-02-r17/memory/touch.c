#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <string.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e3+t.tv_nsec/1e6;}
int main(int c,char**v){size_t n=(size_t)atoi(v[1])<<20;int huge=c>2&&v[2][0]=='h';
for(int r=0;r<2;r++){char*p=mmap(0,n,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0);
if(huge)madvise(p,n,MADV_HUGEPAGE);double t=now();for(size_t i=0;i<n;i+=4096)p[i]=1;double t1=now();
printf("round %d: %zu MiB %s %.1f ms (%.2f us/page)\n",r,n>>20,huge?"huge":"4k",t1-t,(t1-t)*1000/(n/4096));munmap(p,n);}
return 0;}
