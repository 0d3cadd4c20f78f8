/* A stream that writes into memory (internal): threads format blocks of a
   file each into their own, and the blocks are written in order. */
#ifndef TQO_MEMFILE_H
#define TQO_MEMFILE_H

#include <stdio.h>

/* What was written, once the stream is closed: data (malloc'd, free it;
   NULL when nothing was written) and len; failed when memory ran out, and
   then the stream's fclose or ferror said so too. */
typedef struct tqoi_memfile {
    char *data;
    size_t len, cap;
    int failed;
} tqoi_memfile;

/* A stream writing into *m (zeroed here); NULL when out of memory. With
   glibc it is a buffered stream like a file's (fopencookie): open_memstream's
   stream copies short writes character by character (perf record of the
   scenario sweep on two threads: 133 samples there, against 4 on one
   thread, where the rows went to the file). Elsewhere open_memstream's. */
FILE *tqoi_memfile_open(tqoi_memfile *m);

#endif
