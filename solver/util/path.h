/* File paths (internal). */
#ifndef TQO_PATH_H
#define TQO_PATH_H

/* dir + "/" + name (no double slash); malloc'd, NULL when out of memory. */
char *tqoi_path_join(const char *dir, const char *name);

#endif
