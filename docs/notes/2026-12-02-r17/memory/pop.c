#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e3+t.tv_nsec/1e6;}
int main(int c,char**v){size_t n=(size_t)atoi(v[1])<<20;
for(int r=0;r<2;r++){char*p=mmap(0,n,PROT_READ|PROT_WRITE,MAP_PRIVATE|MAP_ANONYMOUS,-1,0);
double t=now();int e=madvise(p,n,MADV_POPULATE_WRITE);double t1=now();for(size_t i=0;i<n;i+=4096)p[i]=1;double t2=now();
printf("populate %d: %zu MiB rc %d %.1f ms then touch %.1f ms\n",r,n>>20,e,t1-t,t2-t1);munmap(p,n);}
return 0;}
