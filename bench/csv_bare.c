/* The I/O + tokenizing ceiling of the loader: libcsv with empty callbacks
   over a file already in memory, fed whole or one line at a time (as the
   loader does, to count lines). Built as bench_csv_bare; see loader.sh. */
#define _POSIX_C_SOURCE 200809L
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static long nf, nr;
static void f1(void *s, size_t n, void *d){(void)s;(void)n;(void)d;nf++;}
static void f2(int c, void *d){(void)c;(void)d;nr++;}
int main(int argc,char**argv){if(argc<2){fprintf(stderr,"usage: bench_csv_bare FILE [per-line]\n");return 2;}FILE*f=fopen(argv[1],"rb");if(!f){perror(argv[1]);return 1;}fseek(f,0,SEEK_END);long n=ftell(f);rewind(f);char*b=malloc(n);if(fread(b,1,n,f)!=(size_t)n)return 1;fclose(f);
 struct csv_parser p; csv_init(&p,CSV_STRICT|CSV_STRICT_FINI|CSV_APPEND_NULL);
 struct timespec t0,t1; clock_gettime(CLOCK_MONOTONIC,&t0);
 if(argc>2){ char*s=b; long left=n; while(left){char*nl=memchr(s,'\n',left); long seg=nl?nl-s+1:left; csv_parse(&p,s,seg,f1,f2,NULL); s+=seg; left-=seg;} }
 else csv_parse(&p,b,n,f1,f2,NULL);
 csv_fini(&p,f1,f2,NULL); csv_free(&p); clock_gettime(CLOCK_MONOTONIC,&t1);
 double t=(t1.tv_sec-t0.tv_sec)+1e-9*(t1.tv_nsec-t0.tv_nsec); printf("%s: %.1f MB in %.3f s = %.0f MB/s (%ld rows)\n", argc>2?"per-line":"whole", n/1e6,t,n/1e6/t,nr); free(b); return 0;}
