/* bench-deadline: the timetable of every deadline at a hub's largest scale.
 *
 * Responsible for: loading N open duties (default 1,000,000) through the
 * store (the SQLite store on disk, not the wire), then measuring, with the
 * broker's own parts (store, storage thread, watch, timetable, ESCALATE
 * transactions, the escalation log appended on its own thread from the
 * store): restart-to-serving (store opened, open
 * duties loaded from the open-duty index into the timetable), memory per
 * open duty, the cost of adding and answering a duty, how late firings are
 * at real speed, and the time to work a storm of K duties due at once
 * (default 100,000) while intake runs, with the intake latency during it.
 * Must not: be run by ctest (a benchmark is not a timed test), or leave the
 * temporary folder behind unless asked (--keep) or a run failed.
 */
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "bench.h"
#include "clock.h"
#include "deadline.h"
#include "enquiry.h"
#include "esclog.h"
#include "esclog_feed.h"
#include "ladder.h"
#include "seal.h"
#include "storage.h"
#include "store.h"
#include "timetable.h"
#include "watch.h"

#define S_MIN_MS (60LL * 1000)
#define S_LOAD_BATCH 50000

typedef struct s_opts {
  unsigned long open;     /* -n: open duties loaded */
  unsigned long storm;    /* --storm: due at once */
  unsigned long lateness; /* --lateness: fired at real speed */
  double lateness_s;      /* over this many seconds */
  double intake_rate;     /* intake operations per second during the storm */
  const char *dir;
  int no_log;
  int keep;
  int quiet;
} s_opts_t;

typedef struct s_bench {
  s_opts_t o;
  char dir[512];
  uv_loop_t loop;
  mash_clock_t clock;
  mash_deadline_policy_t policy;
  mash_calendar_t *calendar;
  mash_enquiry_env_t env;
  mash_seal_t *seal;
  mash_esclog_t *esclog;
  mash_esclog_feed_t *feed;
  mash_storage_t *storage;
  mash_watch_t *watch;
  /* the phase in progress */
  int64_t *planned; /* duty id - base -> the instant it should fire (ms), lateness phase */
  uint64_t planned_base;
  size_t planned_n;
  int64_t *late; /* lateness of each firing, ms */
  size_t n_late;
  unsigned long fired; /* escalation steps stored */
  unsigned long want_fired;
  unsigned long slices, failed;
  /* intake during the storm */
  uv_timer_t intake_timer;
  int intake_on;
  unsigned long intake_sent, intake_done, intake_seq;
  int64_t *intake_lat_us;
  size_t n_intake_lat, cap_intake_lat;
  unsigned long intake_failed;
  int64_t t_progress;
} s_bench_t;

static int64_t s_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* CPU time of the whole process (every thread), in µs: on a shared machine
 * the wall clock also counts the time others took from us. */
static int64_t s_cpu_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long s_rss_kb(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long pages = 0, rss = 0;
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2) {
      rss = 0;
    }
    fclose(f);
  }
  return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Anonymous and file-backed resident memory (kB) from /proc/self/status:
 * the timetable is anonymous; SQLite's mapped database pages are files. */
static void s_rss_split_kb(long *anon, long *file) {
  *anon = *file = 0;
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  while (f && fgets(line, sizeof line, f)) {
    if (strncmp(line, "RssAnon:", 8) == 0) {
      *anon = strtol(line + 8, NULL, 10);
    } else if (strncmp(line, "RssFile:", 8) == 0) {
      *file = strtol(line + 8, NULL, 10);
    }
  }
  if (f) {
    fclose(f);
  }
}

static int s_cmp64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static int64_t s_pct(int64_t *v, size_t n, int p) {
  if (n == 0) {
    return 0;
  }
  qsort(v, n, sizeof *v, s_cmp64);
  size_t i = (n * (size_t)p + 99) / 100;
  return v[i ? i - 1 : 0];
}

static void s_progress(s_bench_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void s_progress(s_bench_t *b, const char *fmt, ...) {
  if (b->o.quiet) {
    return;
  }
  int64_t now = s_now_us();
  if (now - b->t_progress < 2000000) {
    return;
  }
  b->t_progress = now;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "bench-deadline: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
}

/* ---------------------------------------------------------------- the broker's parts */

/* A due duty the slice put back unworked (its time budget ran out): it is
 * re-armed due at the transaction's own instant. */
static int s_put_back(const mash_tx_t *tx, uint64_t duty) {
  for (size_t i = 0; i < tx->n_watch; i++) {
    if (tx->watch[i].duty == duty && tx->watch[i].next_at_ms == tx->now_ms) {
      return 1;
    }
  }
  return 0;
}

static void s_tx_done_cb(mash_storage_op_t *op) {
  mash_tx_t *tx = (mash_tx_t *)op;
  s_bench_t *b = tx->ctx;
  int64_t real_ms = mash_clock_now_ms();
  b->slices++;
  if (op->rc != 0) {
    b->failed++;
  } else {
    b->fired += tx->n_escalations;
    mash_watch_update(b->watch, tx);
    for (size_t i = 0; b->planned && i < tx->n_due; i++) {
      if (s_put_back(tx, tx->due[i])) {
        continue; /* past the slice's budget: not worked, back on the timetable */
      }
      uint64_t k = tx->due[i] - b->planned_base;
      if (tx->due[i] >= b->planned_base && k < b->planned_n && b->n_late < b->planned_n) {
        b->late[b->n_late++] = real_ms - b->planned[k];
      }
    }
  }
  mash_watch_settled(b->watch, tx);
  mash_tx_destroy(tx);
  if (b->fired >= b->want_fired) {
    uv_stop(&b->loop);
  }
}

static void s_submit(mash_tx_t *tx, void *ctx) {
  tx->ctx = ctx;
  tx->op.done_cb = s_tx_done_cb;
  mash_storage_submit_background(((s_bench_t *)ctx)->storage, &tx->op);
}

static void s_fatal_cb(void *arg, int rc) {
  (void)arg;
  fprintf(stderr, "bench-deadline: storage failed (%d)\n", rc);
  exit(1);
}

static int s_open_broker(s_bench_t *b) {
  char path[600], err[512];
  snprintf(path, sizeof path, "%s/mashd.db", b->dir);
  mash_store_t *store = mash_store_sqlite_new(path, b->seal, err, sizeof err);
  if (!store) {
    fprintf(stderr, "bench-deadline: store: %s\n", err);
    return -1;
  }
  b->storage = mash_storage_new(&b->loop, &store, 0, s_fatal_cb, b);
  if (!b->storage) {
    return -1;
  }
  b->watch = mash_watch_new(&b->loop, &b->clock, &b->env, b->storage, s_submit, b);
  return b->watch ? 0 : -1;
}

static void s_closed_cb(void *arg) {
  (void)arg;
}

static int s_state_fn(mash_store_t *store, void *arg) {
  return mash_store_esclog_state(store, arg);
}

static void s_close_broker(s_bench_t *b) {
  mash_watch_close(b->watch, s_closed_cb, NULL);
  mash_storage_close(b->storage, s_closed_cb, NULL);
  uv_run(&b->loop, UV_RUN_DEFAULT);
  b->watch = NULL;
  b->storage = NULL;
}

/* ---------------------------------------------------------------- loading through the store */

typedef struct s_load {
  s_bench_t *b;
  unsigned long n;
  const char *prefix;
  int64_t start_ms, step_ms; /* item i's window starts at start_ms + i * step_ms */
  uint64_t first_duty;
  int64_t *planned; /* when not NULL: item i's first instant */
} s_load_t;

static int s_load_fn(mash_store_t *store, void *arg) {
  s_load_t *l = arg;
  int64_t due_len = l->b->policy.screening.minutes * S_MIN_MS;
  for (unsigned long i = 0; i < l->n;) {
    int rc = mash_store_begin(store);
    for (unsigned long k = 0; rc == 0 && k < S_LOAD_BATCH && i < l->n; k++, i++) {
      char ref[MASH_ITEM_ID_LEN];
      snprintf(ref, sizeof ref, "%s%09lu", l->prefix, i);
      int64_t start = l->start_ms + (int64_t)i * l->step_ms;
      int64_t next = mash_duty_first_at(&l->b->env, MASH_DUTY_SCREENING, 0, start, start + due_len);
      uint64_t duty = 0;
      rc = mash_store_duty_open(store, MASH_DUTY_SCREENING, ref, 0, start, start + due_len, next,
                                &duty);
      if (i == 0) {
        l->first_duty = duty;
      }
      if (l->planned) {
        l->planned[i] = next;
      }
    }
    if (rc == 0) {
      rc = mash_store_commit(store);
    }
    if (rc != 0) {
      mash_store_rollback(store);
      return rc;
    }
    if (!l->b->o.quiet && l->n >= S_LOAD_BATCH) {
      fprintf(stderr, "bench-deadline: stored %lu of %lu %s duties\n", i, l->n, l->prefix);
    }
  }
  return 0;
}

/* Store n duties and arm them, as the ESCALATE-free path of a screening
 * transaction would. */
static int s_add(s_bench_t *b, s_load_t *l, int arm) {
  int rc = mash_storage_run_sync(b->storage, s_load_fn, l);
  if (rc != 0 || !arm) {
    return rc;
  }
  int64_t due_len = b->policy.screening.minutes * S_MIN_MS;
  for (unsigned long i = 0; i < l->n; i++) {
    int64_t start = l->start_ms + (int64_t)i * l->step_ms;
    mash_watch_arm(b->watch, l->first_duty + i,
                   mash_duty_first_at(&b->env, MASH_DUTY_SCREENING, 0, start, start + due_len));
  }
  return 0;
}

/* ---------------------------------------------------------------- intake during the storm */

typedef struct s_intake_op {
  mash_storage_op_t op;
  s_bench_t *b;
  int64_t t0;
  char mid[40];
  uint8_t blob[64];
} s_intake_op_t;

static void s_intake_done(mash_storage_op_t *op) {
  s_intake_op_t *io = (s_intake_op_t *)op;
  s_bench_t *b = io->b;
  b->intake_done++;
  if (op->rc != 0) {
    b->intake_failed++;
  } else if (b->n_intake_lat < b->cap_intake_lat) {
    b->intake_lat_us[b->n_intake_lat++] = s_now_us() - io->t0;
  }
  free(io);
}

static void s_intake_tick(uv_timer_t *t) {
  s_bench_t *b = t->data;
  if (!b->intake_on) {
    return;
  }
  s_intake_op_t *io = calloc(1, sizeof *io);
  if (!io) {
    return;
  }
  io->b = b;
  io->t0 = s_now_us();
  snprintf(io->mid, sizeof io->mid, "bench-intake-%lu", ++b->intake_seq);
  memset(io->blob, 0x2a, sizeof io->blob);
  io->op.kind = MASH_OP_INTAKE;
  io->op.done_cb = s_intake_done;
  mash_intake_t *in = &io->op.u.intake;
  in->principal = "police";
  in->message_id = io->mid;
  in->received_at_ms = mash_clock_read(&b->clock);
  in->contact = io->blob;
  in->contact_len = sizeof io->blob;
  in->priority = 50;
  b->intake_sent++;
  mash_storage_submit(b->storage, &io->op);
  s_progress(b, "storm: %lu of %lu escalated; %lu intake receipts", b->fired, b->want_fired,
             b->intake_done);
}

/* ---------------------------------------------------------------- main */

static void s_usage(FILE *f) {
  fprintf(f, "usage: bench-deadline [options]\n"
             "\n"
             "The timetable of every deadline at scale: N open duties loaded through the\n"
             "SQLite store, then restart-to-serving, memory per open duty, add/answer\n"
             "cost, firing lateness at real speed, and a storm of K duties due at once\n"
             "while intake runs (with the intake latency during it).\n"
             "\n"
             "  -n, --open N         open duties to load (default 1000000)\n"
             "      --storm K        duties due at once (default 100000)\n"
             "      --lateness L     duties fired at real speed (default 1000)\n"
             "      --over S         ... spread over S seconds (default 20)\n"
             "      --intake-rate R  intake operations per second during the storm (default 200)\n"
             "      --no-log         no escalation log (measures the rest without its thread)\n"
             "      --dir DIR        where the temporary folder goes (default $TMPDIR or /tmp)\n"
             "      --keep           keep the temporary folder\n"
             "  -q, --quiet          no progress on stderr\n"
             "  -h, --help           this text\n");
}

static int s_parse(int argc, char **argv, s_opts_t *o) {
  const bench_opt_t opts[] = {
      BENCH_ULONG("open", 'n', &o->open, 0, ULONG_MAX),
      BENCH_ULONG("storm", 0, &o->storm, 0, ULONG_MAX),
      BENCH_ULONG("lateness", 0, &o->lateness, 0, ULONG_MAX),
      BENCH_DOUBLE("over", 0, &o->lateness_s),
      BENCH_DOUBLE("intake-rate", 0, &o->intake_rate),
      BENCH_FLAG("no-log", 0, &o->no_log),
      BENCH_TEXT("dir", 0, &o->dir),
      BENCH_FLAG("keep", 0, &o->keep),
      BENCH_FLAG("quiet", 'q', &o->quiet),
  };
  int rc = bench_parse("bench-deadline", argc, argv, opts, sizeof opts / sizeof opts[0], s_usage);
  if (rc == 0 && (o->lateness_s <= 0 || o->intake_rate <= 0 || o->intake_rate > 10000)) {
    fprintf(stderr, "bench-deadline: --over wants more than 0 seconds, --intake-rate more "
                    "than 0 and at most 10000\n");
    return -1;
  }
  return rc;
}

int main(int argc, char **argv) {
  s_bench_t *b = calloc(1, sizeof *b);
  if (!b) {
    return 1;
  }
  b->o = (s_opts_t){
      .open = 1000000, .storm = 100000, .lateness = 1000, .lateness_s = 20, .intake_rate = 200};
  int prc = s_parse(argc, argv, &b->o);
  if (prc != 0) {
    free(b);
    return prc == 1 ? 0 : 2;
  }
  const char *tmp = b->o.dir ? b->o.dir : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  snprintf(b->dir, sizeof b->dir, "%s/bench-deadline-XXXXXX", tmp);
  if (!mkdtemp(b->dir)) {
    fprintf(stderr, "bench-deadline: cannot make a folder in %s: %s\n", tmp, strerror(errno));
    return 1;
  }
  char path[600], err[512];
  int ok = 0;
  uv_loop_init(&b->loop);
  mash_clock_init(&b->clock, 1.0, 0);
  mash_deadline_policy_default(&b->policy);
  b->calendar =
      mash_calendar_new("GMT0BST,M3.5.0/1,M10.5.0", "mon-fri 09:00-17:00", "", err, sizeof err);
  snprintf(path, sizeof path, "%s/data.key", b->dir);
  b->seal = b->calendar ? mash_seal_new(path, 1, err, sizeof err) : NULL;
  if (!b->seal) {
    fprintf(stderr, "bench-deadline: %s\n", err);
    return 1;
  }
  if (!b->o.no_log) {
    snprintf(path, sizeof path, "%s/escalations.log", b->dir);
    b->esclog = mash_esclog_open(path, err, sizeof err);
    if (!b->esclog) {
      fprintf(stderr, "bench-deadline: %s\n", err);
      return 1;
    }
  }
  b->env = (mash_enquiry_env_t){.policy = &b->policy,
                                .calendar = b->calendar,
                                .ladder = mash_ladder_default(),
                                .screening_ladder = mash_ladder_default_hub(),
                                .decision_ladder = mash_ladder_default_hub(),
                                .esclog_feed = NULL};
  int64_t now = mash_clock_read(&b->clock);
  int64_t window = b->policy.screening.minutes * S_MIN_MS;

  /* 1. N open duties through the store: windows start now, so their first
   * step (the reminder at 75%) is hours away. */
  if (s_open_broker(b) != 0) {
    goto out;
  }
  int64_t t0 = s_now_us();
  s_load_t big = {b, b->o.open, "OPEN-", now, 0, 0, NULL};
  if (s_add(b, &big, 0) != 0) {
    fprintf(stderr, "bench-deadline: loading failed\n");
    goto out;
  }
  double load_s = (double)(s_now_us() - t0) / 1e6;
  s_close_broker(b);
  /* The escalation log's thread, as mashd runs it: appends from the store
   * after each slice's commit (watch.c kicks it). */
  if (b->esclog) {
    char db[600];
    snprintf(path, sizeof path, "%s/escalations.log", b->dir);
    snprintf(db, sizeof db, "%s/mashd.db", b->dir);
    mash_esclog_feed_config_t fc = {.log_path = path, .db_path = db};
    b->feed = mash_esclog_feed_new(&b->esclog, &fc);
    if (!b->feed) {
      fprintf(stderr, "bench-deadline: cannot start the escalation log's thread\n");
      goto out;
    }
    b->env.esclog_feed = b->feed;
  }
  snprintf(path, sizeof path, "%s/mashd.db", b->dir);
  struct stat sb;
  double row_bytes = stat(path, &sb) == 0 && b->o.open ? (double)sb.st_size / (double)b->o.open : 0;

  /* 2. Restart-to-serving: open the store, start the storage thread, load
   * every open duty from the open-duty index into the timetable. */
  long rss0 = s_rss_kb(), anon0, file0, anon1, file1;
  s_rss_split_kb(&anon0, &file0);
  t0 = s_now_us();
  int64_t c0 = s_cpu_us();
  if (s_open_broker(b) != 0) {
    goto out;
  }
  double open_s = (double)(s_now_us() - t0) / 1e6;
  double open_cpu_s = (double)(s_cpu_us() - c0) / 1e6;
  if (mash_watch_load(b->watch) != 0) {
    goto out;
  }
  double restart_s = (double)(s_now_us() - t0) / 1e6;
  double restart_cpu_s = (double)(s_cpu_us() - c0) / 1e6;
  long rss1 = s_rss_kb();
  s_rss_split_kb(&anon1, &file1);
  size_t armed = mash_watch_count(b->watch);
  double tt_bytes = armed ? (double)mash_watch_memory(b->watch) / (double)armed : 0;
  double rss_bytes = armed ? (double)(rss1 - rss0) * 1024.0 / (double)armed : 0;
  double anon_bytes = armed ? (double)(anon1 - anon0) * 1024.0 / (double)armed : 0;
  double file_bytes = armed ? (double)(file1 - file0) * 1024.0 / (double)armed : 0;

  /* 3. Add and answer, in the timetable at N open: 100,000 of each. */
  const unsigned long n_ops = 100000;
  c0 = s_cpu_us();
  for (unsigned long i = 0; i < n_ops; i++) {
    mash_watch_arm(b->watch, ((uint64_t)1 << 40) + i, now + window + (int64_t)(i % 997) * 1000);
  }
  double add_ns = (double)(s_cpu_us() - c0) * 1000.0 / (double)n_ops;
  c0 = s_cpu_us();
  for (unsigned long i = 0; i < n_ops; i++) {
    mash_watch_disarm(b->watch, ((uint64_t)1 << 40) + i);
  }
  double answer_ns = (double)(s_cpu_us() - c0) * 1000.0 / (double)n_ops;

  /* 4. Lateness at real speed: L reminders falling due over S seconds, from
   * 2 s from now. A screening window of 240 min has its reminder at 180 min. */
  b->planned = calloc(b->o.lateness ? b->o.lateness : 1, sizeof *b->planned);
  b->late = calloc(b->o.lateness ? b->o.lateness : 1, sizeof *b->late);
  if (!b->planned || !b->late) {
    goto out;
  }
  now = mash_clock_read(&b->clock);
  int64_t step = b->o.lateness ? (int64_t)(b->o.lateness_s * 1000.0) / (int64_t)b->o.lateness : 0;
  s_load_t late = {b, b->o.lateness, "LATE-", now + 2000 - window * 3 / 4, step, 0, b->planned};
  if (b->o.lateness) {
    if (s_add(b, &late, 1) != 0) {
      goto out;
    }
    b->planned_base = late.first_duty;
    b->planned_n = b->o.lateness;
    b->fired = 0;
    b->want_fired = b->o.lateness;
    uv_run(&b->loop, UV_RUN_DEFAULT);
  }
  size_t n_late = b->n_late;
  int64_t late_p50 = s_pct(b->late, n_late, 50), late_p99 = s_pct(b->late, n_late, 99);
  int64_t late_max = n_late ? b->late[n_late - 1] : 0;
  free(b->planned);
  b->planned = NULL;

  /* 5. The storm: K reminders due at once (their windows began 181 min
   * ago), while intake runs at R a second. */
  now = mash_clock_read(&b->clock);
  s_load_t storm = {b, b->o.storm, "STORM-", now - window * 3 / 4 - 60000, 0, 0, NULL};
  b->cap_intake_lat = 1000000;
  b->intake_lat_us = calloc(b->cap_intake_lat, sizeof *b->intake_lat_us);
  uv_timer_init(&b->loop, &b->intake_timer);
  b->intake_timer.data = b;
  double storm_s = 0, storm_cpu_s = 0;
  if (b->o.storm) {
    if (mash_storage_run_sync(b->storage, s_load_fn, &storm) != 0) {
      goto out;
    }
    b->fired = 0;
    b->want_fired = b->o.storm;
    b->intake_on = 1;
    uint64_t every = (uint64_t)(1000.0 / b->o.intake_rate);
    uv_timer_start(&b->intake_timer, s_intake_tick, 0, every ? every : 1);
    t0 = s_now_us();
    c0 = s_cpu_us();
    for (unsigned long i = 0; i < b->o.storm; i++) {
      mash_watch_arm(b->watch, storm.first_duty + i, storm.start_ms + window * 3 / 4);
    }
    uv_run(&b->loop, UV_RUN_DEFAULT);
    storm_s = (double)(s_now_us() - t0) / 1e6;
    storm_cpu_s = (double)(s_cpu_us() - c0) / 1e6;
    b->intake_on = 0;
  }
  uv_timer_stop(&b->intake_timer);
  uv_close((uv_handle_t *)&b->intake_timer, NULL);
  /* Let the intake in flight finish. */
  while (b->intake_done < b->intake_sent) {
    uv_run(&b->loop, UV_RUN_ONCE);
  }
  size_t n_in = b->n_intake_lat;
  double in_p50 = (double)s_pct(b->intake_lat_us, n_in, 50) / 1000.0;
  double in_p99 = (double)s_pct(b->intake_lat_us, n_in, 99) / 1000.0;
  double in_max = n_in ? (double)b->intake_lat_us[n_in - 1] / 1000.0 : 0;
  /* The log catching up with the store after the storm (its own thread). */
  double catch_s = 0;
  mash_esclog_feed_stats_t fs = {0};
  if (b->feed) {
    mash_store_esclog_state_t es = {0};
    mash_storage_run_sync(b->storage, s_state_fn, &es);
    int64_t c0l = s_now_us();
    while (mash_esclog_feed_durable_seq(b->feed) < es.last_seq &&
           s_now_us() - c0l < 600 * INT64_C(1000000)) {
      mash_esclog_feed_kick(b->feed);
      uv_sleep(5);
    }
    catch_s = (double)(s_now_us() - c0l) / 1e6;
    mash_esclog_feed_get_stats(b->feed, &fs);
    if (mash_esclog_feed_durable_seq(b->feed) < es.last_seq) {
      fprintf(stderr, "bench-deadline: the escalation log did not catch up\n");
      b->failed++;
    }
  }

  printf("bench-deadline: %lu open duties%s (folder %s)\n", b->o.open,
         b->o.no_log ? ", no escalation log" : "", b->dir);
  printf("  load through the store        %.1f s (%.0f duties/s); %.0f bytes of database a duty\n",
         load_s, load_s > 0 ? (double)b->o.open / load_s : 0, row_bytes);
  printf("  restart-to-serving            %.2f s wall, %.2f s CPU (store open + %zu open duties "
         "loaded); of which the store's open %.2f s wall, %.2f s CPU\n",
         restart_s, restart_cpu_s, armed, open_s, open_cpu_s);
  printf("  memory per open duty          %.1f bytes in the timetable; %.1f bytes of RSS growth "
         "(%.1f anonymous, %.1f mapped file)\n",
         tt_bytes, rss_bytes, anon_bytes, file_bytes);
  printf("  add / answer (timetable)      %.0f ns / %.0f ns of CPU at %zu open\n", add_ns,
         answer_ns, armed);
  printf("  firing lateness (n=%zu)       p50 %" PRId64 " ms, p99 %" PRId64 " ms, max %" PRId64
         " ms (committed, at real speed)\n",
         n_late, late_p50, late_p99, late_max);
  printf("  storm of %lu due at once      %.1f s (%.0f duties/s), %lu slices, %lu failed; "
         "%.1f s CPU, all threads (%.0f us a duty)\n",
         b->o.storm, storm_s, storm_s > 0 ? (double)b->o.storm / storm_s : 0, b->slices, b->failed,
         storm_cpu_s, b->o.storm ? storm_cpu_s * 1e6 / (double)b->o.storm : 0);
  printf("  intake during the storm       n=%zu at %.0f/s: p50 %.1f ms, p99 %.1f ms, max %.1f ms"
         " (%lu failed)\n",
         n_in, b->o.intake_rate, in_p50, in_p99, in_max, b->intake_failed);
  if (b->feed) {
    printf("  escalation log (own thread)   %" PRIu64 " lines appended; caught up %.2f s after "
           "the storm's last commit; %" PRIu64 " failed attempts\n",
           fs.appended, catch_s, fs.failures);
  }
  ok = b->failed == 0 && b->intake_failed == 0 && n_late == b->o.lateness;
out:
  if (b->watch) {
    s_close_broker(b);
  }
  int lc = uv_loop_close(&b->loop);
  if (lc != 0) {
    fprintf(stderr, "bench-deadline: loop closed with handles open\n");
    ok = 0;
  }
  mash_esclog_feed_destroy(&b->feed);
  mash_esclog_close(&b->esclog);
  mash_seal_destroy(&b->seal);
  mash_calendar_destroy(&b->calendar);
  if (ok && !b->o.keep) {
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", b->dir);
    if (system(cmd) != 0) {
      fprintf(stderr, "bench-deadline: could not remove %s\n", b->dir);
    }
  } else if (!ok) {
    fprintf(stderr, "bench-deadline: failed; folder kept: %s\n", b->dir);
  }
  free(b->late);
  free(b->intake_lat_us);
  free(b);
  return ok ? 0 : 1;
}
