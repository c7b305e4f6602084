/* resolve_opts: bench-resolve's command line (resolve_opts.h). */
#include "resolve_opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "settings.h"
#include "store.h"

static void s_usage(FILE *f) {
  fprintf(f, "usage: bench-resolve [options]\n"
             "\n"
             "Measures person resolution (mash_resolve_contact) against an index of N people\n"
             "in a real SQLite store (WAL, synchronous=FULL, sealed records, blind-indexed\n"
             "keys). First builds the index from synthetic people, in transactions of T\n"
             "people, through the store's person_put and person_add_keys with the keys\n"
             "resolution uses; then sends M notifications (one child and one adult each):\n"
             "a third re-notify indexed people with their NHS numbers, a third re-notify\n"
             "indexed people without identifiers and with a one-letter typo in the\n"
             "surname, a third are new people. Each notification is timed on its own.\n"
             "\n"
             "  -n, --people N     people in the index (default 1000000)\n"
             "  -m, --count M      notifications per batch size (default 2000)\n"
             "  -b, --batch LIST   notifications per transaction, comma-separated; the\n"
             "                     M notifications run once per entry against the same\n"
             "                     index (default 1,64; 1 is a commit per notification,\n"
             "                     64 is what the broker's group commit does under load)\n"
             "  -t, --tx T         people per transaction while building (default 10000)\n"
             "  -s, --seed S       seed of the people and notifications (default 1)\n"
             "      --run-seed S   seed of the notifications only (default: --seed); use\n"
             "                     a new one with --reuse so that other people are picked\n"
             "      --dir DIR      create the temporary folder in DIR (default $TMPDIR or\n"
             "                     /tmp); put it on the disk you want to measure\n"
             "      --reuse DIR    skip the build: DIR is a folder kept by an earlier run\n"
             "                     with the same --people and --seed (implies --keep)\n"
             "      --fill-summaries  with --reuse: write every record's comparison\n"
             "                     summary (an index built before them), then exit; run\n"
             "                     it once before measuring (the look-ups would\n"
             "                     otherwise write them as they read the records)\n"
             "      --no-warm      do not read the look-up's tables once before the first\n"
             "                     pass (mashd does, at start: mash_store_person_warm)\n"
             "      --summary-cache MB  the store's bound of comparison summaries held in\n"
             "                     memory (default 512, as mashd's summary_cache_mb;\n"
             "                     0: none, every summary read from the database)\n"
             "      --keep         keep the folder (data.key, mash.db)\n"
             "      --json         also print the results as one JSON line\n"
             "  -q, --quiet        no progress on standard error\n"
             "  -h, --help         this text\n"
             "\n"
             "Exit status: 0 when at least 99%% of the re-notified people (identifier and\n"
             "typo cases) were linked to their records and nothing failed, 1 otherwise,\n"
             "2 on bad usage.\n");
}

static int s_parse_batches(const char *s, void *out) {
  resolve_opts_t *o = out;
  char buf[128];
  if (snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf) {
    return -1;
  }
  o->n_batch = 0;
  for (char *p = buf; *p != '\0';) {
    char *comma = strchr(p, ',');
    if (comma) {
      *comma = '\0';
    }
    if (o->n_batch == S_MAX_BATCHES ||
        mash_settings_ulong(p, 1, 100000, &o->batch[o->n_batch]) != 0) {
      return -1;
    }
    o->n_batch++;
    p = comma ? comma + 1 : p + strlen(p);
  }
  return o->n_batch > 0 ? 0 : -1;
}

static int s_parse_run_seed(const char *s, void *out) {
  resolve_opts_t *o = out;
  unsigned long v;
  if (mash_settings_ulong(s, 0, ~0UL, &v) != 0) {
    return -1;
  }
  o->run_seed = v;
  o->run_seed_given = 1;
  return 0;
}

/* --reuse DIR: the folder of a kept run, kept again. */
static int s_parse_reuse(const char *s, void *out) {
  resolve_opts_t *o = out;
  o->parent_dir = s;
  o->reuse = 1;
  o->keep = 1;
  return 0;
}

int resolve_opts_parse(int argc, char **argv, resolve_opts_t *o) {
  memset(o, 0, sizeof *o);
  o->people = 1000000;
  o->count = 2000;
  o->tx = 10000;
  o->batch[0] = 1;
  o->batch[1] = 64;
  o->n_batch = 2;
  o->seed = 1;
  o->cache_mb = (unsigned long)MASH_STORE_SUMMARY_CACHE_MB;
  const char *tmp = getenv("TMPDIR");
  o->parent_dir = tmp && tmp[0] ? tmp : "/tmp";
  const bench_opt_t opts[] = {
      BENCH_ULONG("people", 'n', &o->people, 100, 50000000),
      BENCH_ULONG("count", 'm', &o->count, 3, 10000000),
      BENCH_CALL("batch", 'b', s_parse_batches, o, "up to 8 sizes 1..100000, as 1,64"),
      BENCH_ULONG("tx", 't', &o->tx, 1, 10000000),
      BENCH_U64("seed", 's', &o->seed, 0, ~0UL),
      BENCH_CALL("run-seed", 0, s_parse_run_seed, o, "a non-negative integer"),
      BENCH_TEXT("dir", 0, &o->parent_dir),
      BENCH_CALL("reuse", 0, s_parse_reuse, o, "a folder"),
      BENCH_FLAG("keep", 0, &o->keep),
      BENCH_FLAG("fill-summaries", 0, &o->fill),
      BENCH_FLAG("no-warm", 0, &o->no_warm),
      BENCH_ULONG("summary-cache", 0, &o->cache_mb, 0, 65536),
      BENCH_FLAG("json", 0, &o->json),
      BENCH_FLAG("quiet", 'q', &o->quiet),
  };
  int rc = bench_parse("bench-resolve", argc, argv, opts, sizeof opts / sizeof opts[0], s_usage);
  if (rc == 0 && !o->run_seed_given) {
    o->run_seed = o->seed;
  }
  return rc;
}
