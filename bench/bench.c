/* bench: the benchmarks' shared command line, clocks and percentiles
 * (bench.h).
 *
 * Responsible for: one table-driven getopt_long loop for every benchmark,
 * with bounded numbers and one wording for a bad value. Must not: know a
 * benchmark's options, or print anything but usage errors. Called from
 * main (getopt's state is global).
 */
#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "settings.h"

#define S_MAX_OPTS 32
#define S_LONG_ONLY 256 /* getopt's value for an option without a letter: 256 + index */

/* One option's argument into its out; 0 or -1 (the caller says why). */
static int s_read(const bench_opt_t *o, const char *arg) {
  unsigned long v = 0;
  switch (o->kind) {
  case BENCH_K_FLAG:
    *(int *)o->out = 1;
    return 0;
  case BENCH_K_TEXT:
    *(const char **)o->out = arg;
    return 0;
  case BENCH_K_DOUBLE: {
    char *end = NULL;
    errno = 0;
    double d = strtod(arg, &end);
    if (errno || end == arg || *end != '\0' || !isfinite(d)) {
      return -1;
    }
    *(double *)o->out = d;
    return 0;
  }
  case BENCH_K_CALL:
    return o->parse(arg, o->out);
  default:
    break;
  }
  if (mash_settings_ulong(arg, o->lo, o->hi, &v) != 0) {
    return -1;
  }
  switch (o->kind) {
  case BENCH_K_ULONG:
    *(unsigned long *)o->out = v;
    break;
  case BENCH_K_UINT:
    *(unsigned *)o->out = (unsigned)v;
    break;
  case BENCH_K_INT:
    *(int *)o->out = (int)v;
    break;
  default:
    *(uint64_t *)o->out = v;
    break;
  }
  return 0;
}

static void s_bad(const char *prog, const bench_opt_t *o, const char *arg) {
  if (o->kind == BENCH_K_CALL) {
    fprintf(stderr, "%s: --%s wants %s, not %s\n", prog, o->name, o->wants, arg);
  } else if (o->kind == BENCH_K_DOUBLE) {
    fprintf(stderr, "%s: --%s wants a number, not %s\n", prog, o->name, arg);
  } else {
    fprintf(stderr, "%s: --%s wants %lu to %lu, not %s\n", prog, o->name, o->lo, o->hi, arg);
  }
}

int bench_parse(const char *prog, int argc, char **argv, const bench_opt_t *opts, size_t n,
                void (*usage)(FILE *f)) {
  struct option longs[S_MAX_OPTS + 2];
  char shorts[3 * S_MAX_OPTS + 4];
  size_t ns = 0;
  if (n > S_MAX_OPTS) {
    fprintf(stderr, "%s: too many options for bench_parse\n", prog);
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    int has_arg = opts[i].kind == BENCH_K_FLAG ? no_argument : required_argument;
    longs[i] = (struct option){opts[i].name, has_arg, NULL,
                               opts[i].letter ? opts[i].letter : S_LONG_ONLY + (int)i};
    if (opts[i].letter) {
      shorts[ns++] = opts[i].letter;
      if (has_arg == required_argument) {
        shorts[ns++] = ':';
      }
    }
  }
  longs[n] = (struct option){"help", no_argument, NULL, 'h'};
  longs[n + 1] = (struct option){NULL, 0, NULL, 0};
  shorts[ns++] = 'h';
  shorts[ns] = '\0';
  int c;
  while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
    if (c == 'h') {
      usage(stdout);
      return 1;
    }
    const bench_opt_t *o = NULL;
    for (size_t i = 0; i < n && !o; i++) {
      if (c == (opts[i].letter ? opts[i].letter : S_LONG_ONLY + (int)i)) {
        o = &opts[i];
      }
    }
    if (!o) {
      usage(stderr);
      return -1;
    }
    if (s_read(o, optarg) != 0) {
      s_bad(prog, o, optarg);
      return -1;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "%s: unexpected argument %s (try --help)\n", prog, argv[optind]);
    return -1;
  }
  return 0;
}

void bench_remove_store_dir(const char *dir) {
  static const char *const names[] = {"data.key", "mash.db", "mash.db-wal", "mash.db-shm",
                                      "mash.db.ids"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, names[i]);
    unlink(p);
  }
  rmdir(dir);
}

int64_t bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t bench_thread_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int s_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void bench_sort(double *v, size_t n) {
  if (n > 1) {
    qsort(v, n, sizeof *v, s_cmp_double);
  }
}

double bench_rank(const double *sorted, size_t n, double p) {
  if (n == 0) {
    return 0;
  }
  size_t rank = (size_t)ceil(p * (double)n);
  if (rank < 1) {
    rank = 1;
  }
  return sorted[(rank > n ? n : rank) - 1];
}

bench_stats_t bench_stats(double *v, size_t n) {
  bench_stats_t s = {0, 0, 0, 0, 0};
  if (n == 0) {
    return s;
  }
  bench_sort(v, n);
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    sum += v[i];
  }
  s.mean = sum / (double)n;
  s.p50 = bench_rank(v, n, 0.50);
  s.p90 = bench_rank(v, n, 0.90);
  s.p99 = bench_rank(v, n, 0.99);
  s.max = v[n - 1];
  return s;
}

void bench_stats_print(const char *what, const bench_stats_t *s) {
  printf("  %-34s p50 %7.3f  p90 %7.3f  p99 %7.3f  max %8.3f  mean %7.3f ms\n", what, s->p50,
         s->p90, s->p99, s->max, s->mean);
}

void bench_stats_json(const char *name, const bench_stats_t *s, const char *sep) {
  printf("\"%s\":{\"p50\":%.4f,\"p90\":%.4f,\"p99\":%.4f,\"max\":%.4f,\"mean\":%.4f}%s", name,
         s->p50, s->p90, s->p99, s->max, s->mean, sep);
}
