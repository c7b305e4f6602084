/* bench: what every benchmark program shares: its command line read from
 * one table of options, clocks, and nearest-rank percentiles.
 *
 * Responsible for: parsing options the same way in each benchmark (bounded
 * numbers through mash_settings_ulong, one wording for a bad value, --help
 * and a stray argument handled alike). Must not: know any benchmark's
 * options or defaults, or print anything but usage errors. Any thread
 * (bench_parse uses getopt's globals: call it from main only).
 */
#ifndef MASH_BENCH_H
#define MASH_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum bench_kind {
  BENCH_K_FLAG,   /* int *: set to 1 */
  BENCH_K_TEXT,   /* const char **: the argument */
  BENCH_K_ULONG,  /* unsigned long *, in [lo, hi] */
  BENCH_K_UINT,   /* unsigned *, in [lo, hi] */
  BENCH_K_INT,    /* int *, in [lo, hi] */
  BENCH_K_U64,    /* uint64_t *, in [lo, hi] */
  BENCH_K_DOUBLE, /* double *: any finite number; the program checks its range */
  BENCH_K_CALL,   /* parse(arg, out): 0 or -1 */
} bench_kind_t;

typedef struct bench_opt {
  const char *name; /* the long name, "count" for --count */
  char letter;      /* the short letter, or 0 for none */
  bench_kind_t kind;
  void *out;
  unsigned long lo, hi;
  int (*parse)(const char *arg, void *out); /* BENCH_K_CALL */
  const char *wants; /* BENCH_K_CALL: what a bad value is told it should be */
} bench_opt_t;

#define BENCH_FLAG(name, letter, p)                                                                \
  { (name), (letter), BENCH_K_FLAG, (p), 0, 0, NULL, NULL }
#define BENCH_TEXT(name, letter, p)                                                                \
  { (name), (letter), BENCH_K_TEXT, (p), 0, 0, NULL, NULL }
#define BENCH_ULONG(name, letter, p, lo, hi)                                                       \
  { (name), (letter), BENCH_K_ULONG, (p), (lo), (hi), NULL, NULL }
#define BENCH_UINT(name, letter, p, lo, hi)                                                        \
  { (name), (letter), BENCH_K_UINT, (p), (lo), (hi), NULL, NULL }
#define BENCH_INT(name, letter, p, lo, hi)                                                         \
  { (name), (letter), BENCH_K_INT, (p), (lo), (hi), NULL, NULL }
#define BENCH_U64(name, letter, p, lo, hi)                                                         \
  { (name), (letter), BENCH_K_U64, (p), (lo), (hi), NULL, NULL }
#define BENCH_DOUBLE(name, letter, p)                                                              \
  { (name), (letter), BENCH_K_DOUBLE, (p), 0, 0, NULL, NULL }
#define BENCH_CALL(name, letter, fn, p, wants)                                                     \
  { (name), (letter), BENCH_K_CALL, (p), 0, 0, (fn), (wants) }

/* Reads argv by opts[0..n) and -h/--help. 0 when read; 1 when --help was
 * asked (usage printed to stdout: exit 0); -1 on a bad value, an unknown
 * option or a stray argument, said on stderr as "prog: --name wants ..."
 * (usage printed to stderr for an unknown option: exit 2). */
int bench_parse(const char *prog, int argc, char **argv, const bench_opt_t *opts, size_t n,
                void (*usage)(FILE *f));

/* Monotonic wall-clock time, and this thread's CPU time, in ns: on a
 * machine shared with other work, a wall-clock tail is mostly time spent
 * waiting for a CPU, which the CPU time leaves out. */
int64_t bench_now_ns(void);
int64_t bench_thread_cpu_ns(void);

/* Removes a benchmark's store folder: its data.key, mash.db and the
 * database's -wal, -shm and id mark (.ids), then the folder (left when anything else is
 * in it). */
void bench_remove_store_dir(const char *dir);

/* Sorts v[0..n) ascending. */
void bench_sort(double *v, size_t n);
/* The nearest-rank p-quantile (0 < p <= 1) of sorted v[0..n); 0 when n is
 * 0. */
double bench_rank(const double *sorted, size_t n, double p);

/* A distribution in ms: nearest-rank p50, p90, p99, the max and the mean. */
typedef struct bench_stats {
  double p50, p90, p99, max, mean;
} bench_stats_t;
/* The distribution of v[0..n) (all 0 when n is 0); sorts v. */
bench_stats_t bench_stats(double *v, size_t n);
/* One line "  WHAT p50 ... mean ... ms" on stdout. */
void bench_stats_print(const char *what, const bench_stats_t *s);
/* "NAME":{"p50":...,"mean":...} then sep, on stdout. */
void bench_stats_json(const char *name, const bench_stats_t *s, const char *sep);

#endif
