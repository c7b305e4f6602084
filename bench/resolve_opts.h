/* resolve_opts: bench-resolve's command line (resolve.c runs the bench).
 * Responsible for: the options, their defaults and the help text. Must
 * not: run anything. Main thread. */
#ifndef MASH_BENCH_RESOLVE_OPTS_H
#define MASH_BENCH_RESOLVE_OPTS_H

#include <stddef.h>
#include <stdint.h>

#define S_MAX_BATCHES 8

typedef struct resolve_opts {
  unsigned long people;
  unsigned long count;
  unsigned long tx;
  unsigned long batch[S_MAX_BATCHES];
  size_t n_batch;
  uint64_t seed;
  uint64_t run_seed;
  int run_seed_given;
  const char *parent_dir;
  int reuse;
  int keep;
  int json;
  int quiet;
  int fill;               /* --fill-summaries */
  int no_warm;            /* --no-warm */
  unsigned long cache_mb; /* --summary-cache: MiB of summaries held (0: none) */
} resolve_opts_t;

/* Fill o from argv: 0, 1 after --help (printed), or -1 on bad usage
 * (reported on standard error). */
int resolve_opts_parse(int argc, char **argv, resolve_opts_t *o);

#endif
