/* mashd: the broker daemon. main only wires modules together: config, keys,
 * seal, store, storage thread, ZAP, sockets, router, signals. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>
#include <zmq.h>

#include "version.h"
#include "codec.h"
#include "clock.h"
#include "config.h"
#include "deadline.h"
#include "enquiry.h"
#include "errbuf.h"
#include "esclog.h"
#include "esclog_feed.h"
#include "keys.h"
#include "log.h"
#include "paths.h"
#include "restart.h"
#include "router.h"
#include "seal.h"
#include "settings.h"
#include "storage.h"
#include "store.h"
#include "trustwatch.h"
#include "zap.h"

typedef struct mashd {
  uv_loop_t loop;
  uv_signal_t sigint, sigterm, sighup;
  const char *config_path;  /* --config FILE, re-read on SIGHUP; NULL if none */
  mashd_config_t *file_cfg; /* what the file said at start (before flags) */
  mashd_config_t *cfg;      /* the settings in force (file and flags) */
  int flag_log_level;       /* given on the command line: a reload keeps it */
  int flag_log_format;
  mash_router_t *router;
  mash_storage_t *storage;
  mash_trustwatch_t *trustwatch;   /* the trust list in force, reloaded on change */
  mash_trust_t **trust;            /* where the list goes back at close (main frees it) */
  mash_enquiry_env_t *env;         /* the storage thread's view of the trust list */
  const mash_trust_t *fresh_trust; /* a reloaded list on its way to env */
  int stopping;
  int signals; /* the signal handles are initialised */
  int exit_code;
  mashd_restart_t *restart; /* reconnecting in place (PostgreSQL) */
} mashd_t;

static void s_usage(FILE *f) {
  fprintf(f,
          "usage: mashd [options]\n"
          "\n"
          "The mash broker: receives agency notifications over CURVE-encrypted ZeroMQ,\n"
          "stores them durably before acknowledging, and delivers contacts to the hub desk.\n"
          "\n"
          "  -c, --config FILE     ini file with a [mashd] section (keys as the long options)\n"
          "  -e, --endpoint EP     where to listen (default tcp://127.0.0.1:7400)\n"
          "  -d, --data DIR        data folder: mashd.db, escalations.log (default var/mashd)\n"
          "      --data-key FILE   the data key sealing the store (made on first start if\n"
          "                        missing; default DATA/data.key; keep it apart from the\n"
          "                        data folder, e.g. a systemd credential)\n"
          "      --store KIND      sqlite (default: DATA/mashd.db) or postgresql\n"
          "      --store-url URL   postgresql: a libpq connection string, e.g.\n"
          "                        'host=/run/postgresql dbname=mash' (see the README)\n"
          "  -t, --trust DIR       trust list: the clients' .pub files (default certs/trusted)\n"
          "  -k, --key FILE        the broker's secret key file (default certs/mashd.secret)\n"
          "      --heartbeat-ms N  heartbeat interval (default 2000)\n"
          "      --stats-seconds N log the counters every N seconds (default 300; 0: only\n"
          "                        at shutdown)\n"
          "      --clock-rate N    run deadlines N times faster (rehearsals, the demo; default 1)\n"
          "      --clock-start T   rehearsals: the clock reads T (UTC, 2026-03-02T09:00:00Z)\n"
          "                        now, never earlier than anything already stored; later\n"
          "                        starts continue from the saved clock unless given again\n"
          "      --log-level L     debug, info, warn or error (default info)\n"
          "      --log-format F    text or json (JSON lines for log collectors; default text)\n"
          "      --log-file FILE   append the log to FILE instead of standard error; SIGHUP\n"
          "                        reopens it (after logrotate moves it)\n"
          "      --accept-id-loss  start although the store is behind its id mark\n"
          "                        (DATA/mashd.db.ids and its copy DATA/.mashd.db.ids):\n"
          "                        receipted contacts, enquiries or\n"
          "                        requests are missing because mashd.db-wal was deleted or\n"
          "                        damaged. Use only when no backup holds them: mashd goes\n"
          "                        on without them and issues new ids above every id ever\n"
          "                        issued, so none is reused (also rebuilds a damaged mark)\n"
          "  -h, --help            this text\n"
          "\n"
          "On start mashd proves that an unknown CURVE key is refused, then prints\n"
          "'mashd: ready on EP' on standard output, only once its store has been checked\n"
          "(ids against the id mark, the data key, contacts that fail to open) and has\n"
          "written to disk; otherwise it exits non-zero, saying why. SIGINT or SIGTERM\n"
          "stop it cleanly; SIGHUP re-reads the --config file and applies what can change\n"
          "while running (log level and format, the escalation ladders), reopens the\n"
          "--log-file, and names any change that needs a restart. SIGHUP, or any change of\n"
          "the trust folder, also reloads the trust list: a key removed or on\n"
          "TRUST/revoked (mashctl keys revoke) is refused from its next message, even on a\n"
          "connection opened before.\n");
}

/* A ladder's check, its error naming which ladder. */
static int s_check_ladder(const char *which, const mash_ladder_t *l, char *err, size_t errlen) {
  char why[512];
  if (mash_ladder_check(l, why, sizeof why) == 0) {
    return 0;
  }
  snprintf(err, errlen, "%s ladder: %s", which, why);
  return -1;
}

static void s_closed_cb(void *arg) {
  (void)arg;
}

static void s_stop(mashd_t *d) {
  if (d->stopping) {
    return;
  }
  d->stopping = 1;
  if (d->signals) {
    uv_close((uv_handle_t *)&d->sigint, NULL);
    uv_close((uv_handle_t *)&d->sigterm, NULL);
    uv_close((uv_handle_t *)&d->sighup, NULL);
  }
  mash_trustwatch_close(d->trustwatch, d->trust);
  d->trustwatch = NULL;
  if (d->router) {
    mash_router_close(d->router, s_closed_cb, NULL);
  }
  mash_storage_close(d->storage, s_closed_cb, NULL);
}

static void s_signal_cb(uv_signal_t *h, int signum) {
  mashd_t *d = h->data;
  mash_info("signal %d: stopping", signum);
  s_stop(d);
}

/* The three ladders as a file gives them, handed to the storage thread. */
typedef struct s_ladders {
  mashd_config_t *into;
  const mashd_config_t *from;
} s_ladders_t;

/* Runs on the storage thread while the loop thread waits (run_sync): the
 * only two threads that read the ladders are then both here, so the copy
 * can never be seen half made. */
static int s_swap_ladders_fn(mash_store_t *store, void *arg) {
  (void)store;
  s_ladders_t *l = arg;
  l->into->ladder = l->from->ladder;
  l->into->screening_ladder = l->from->screening_ladder;
  l->into->decision_ladder = l->from->decision_ladder;
  return 0;
}

/* SIGHUP's part for the ladders: a changed ladder that passes its checks is
 * put in force (each duty's next step is worked out with it from now on;
 * steps already armed keep their instant); names what changed into
 * `reloaded`, or says why nothing did. */
static void s_reload_ladders(mashd_t *d, const mashd_config_t *fresh, char *reloaded, size_t len) {
  const mashd_config_t *now = d->cfg;
  const char *names[3] = {"escalation ladder", "screening ladder", "decision ladder"};
  int differs[3] = {
      memcmp(&fresh->ladder, &now->ladder, sizeof now->ladder) != 0,
      memcmp(&fresh->screening_ladder, &now->screening_ladder, sizeof now->screening_ladder) != 0,
      memcmp(&fresh->decision_ladder, &now->decision_ladder, sizeof now->decision_ladder) != 0};
  if (!differs[0] && !differs[1] && !differs[2]) {
    return;
  }
  char err[2048];
  if (mash_ladder_check(&fresh->ladder, err, sizeof err) != 0 ||
      s_check_ladder("screening", &fresh->screening_ladder, err, sizeof err) != 0 ||
      s_check_ladder("decision", &fresh->decision_ladder, err, sizeof err) != 0) {
    mash_warn("SIGHUP: %s; the ladders in force are unchanged", err);
    return;
  }
  if (d->storage == NULL) {
    return;
  }
  s_ladders_t l = {.into = d->cfg, .from = fresh};
  if (mash_storage_run_sync(d->storage, s_swap_ladders_fn, &l) != 0) {
    mash_warn("SIGHUP: the storage thread is stopping; the ladders in force are unchanged");
    return;
  }
  s_ladders_t base = {.into = d->file_cfg, .from = fresh};
  s_swap_ladders_fn(NULL, &base); /* the file's baseline, loop thread only */
  size_t n = 0;
  for (int i = 0; i < 3; i++) {
    if (differs[i] && n < len) {
      n += (size_t)snprintf(reloaded + n, len - n, "%s%s", n ? ", " : "", names[i]);
    }
  }
}

/* Runs on the storage thread while the loop waits (run_sync), as for the
 * ladders: the transactions read the trust list through the environment. */
static int s_swap_trust_fn(mash_store_t *store, void *arg) {
  (void)store;
  mashd_t *d = arg;
  d->env->trust = d->fresh_trust;
  return 0;
}

/* mash_trustwatch_apply_fn: a reloaded trust list in force everywhere. */
static int s_apply_trust(const mash_trust_t *fresh, void *arg) {
  mashd_t *d = arg;
  d->fresh_trust = fresh;
  if (mash_storage_run_sync(d->storage, s_swap_trust_fn, d) != 0) {
    return -1;
  }
  mash_router_set_trust(d->router, fresh);
  return 0;
}

/* The log file is reopened under the name in force at start (a new name
 * needs a restart, like the other paths): after logrotate moves it, the
 * lines that follow go to a new file of the same name. Writes "; log file
 * reopened" into SAID when it was. */
static void s_reopen_log(const mashd_t *d, char *said, size_t len) {
  said[0] = '\0';
  if (d->cfg->log_file[0] == '\0') {
    return;
  }
  char why[1200];
  if (mash_log_open_file(d->cfg->log_file, why, sizeof why) == 0) {
    snprintf(said, len, "; log file reopened");
  } else {
    mash_warn("SIGHUP: %s; still logging to the file open before", why);
  }
}

/* SIGHUP: re-read the configuration file. What the loop can change safely
 * (the log level and format) is applied at once; every other setting that
 * differs is named as needing a restart, so an operator is never left
 * believing a change took effect. It never stops the broker. */
static void s_reload_cb(uv_signal_t *h, int signum) {
  mashd_t *d = h->data;
  (void)signum;
  char reopened[64];
  s_reopen_log(d, reopened, sizeof reopened);
  if (d->trustwatch) {
    mash_trustwatch_reload(d->trustwatch, "SIGHUP");
  }
  if (d->config_path == NULL) {
    mash_info("SIGHUP: no --config file was given; nothing to reload%s", reopened);
    return;
  }
  mashd_config_t *fresh = malloc(sizeof *fresh);
  char err[2048];
  if (fresh == NULL) {
    mash_warn("SIGHUP: out of memory; configuration unchanged");
    return;
  }
  mashd_config_defaults(fresh);
  if (mashd_config_load(fresh, d->config_path, err, sizeof err) != 0) {
    mash_warn("SIGHUP: %s; configuration unchanged", err);
    free(fresh);
    return;
  }
  mashd_config_t *now = d->file_cfg;
  char reloaded[128] = "";
  s_reload_ladders(d, fresh, reloaded, sizeof reloaded);
  if (!d->flag_log_level) {
    mash_log_set_level(fresh->log_level);
  }
  if (!d->flag_log_format) {
    mash_log_set_format(fresh->log_format);
  }
  char restart[512] = "";
  size_t n = 0;
  struct {
    const char *name;
    int differs;
  } checks[] = {
      {"endpoint", strcmp(fresh->endpoint, now->endpoint) != 0},
      {"data", strcmp(fresh->data_dir, now->data_dir) != 0},
      {"data_key", strcmp(fresh->data_key, now->data_key) != 0},
      {"store", fresh->store_postgres != now->store_postgres ||
                    strcmp(fresh->store_url, now->store_url) != 0 ||
                    fresh->summary_cache_mb != now->summary_cache_mb},
      {"trust", strcmp(fresh->trust_dir, now->trust_dir) != 0},
      {"key", strcmp(fresh->key_file, now->key_file) != 0},
      {"heartbeat_ms", fresh->heartbeat_ms != now->heartbeat_ms},
      {"stats_seconds", fresh->stats_seconds != now->stats_seconds},
      {"log_file", strcmp(fresh->log_file, now->log_file) != 0},
      {"screening_minutes", fresh->screening_ms != now->screening_ms},
      {"calendar", strcmp(fresh->timezone, now->timezone) != 0 ||
                       strcmp(fresh->hours, now->hours) != 0 ||
                       strcmp(fresh->holidays, now->holidays) != 0},
      {"deadline windows", memcmp(&fresh->policy, &now->policy, sizeof now->policy) != 0},
      {"matching", memcmp(&fresh->matching, &now->matching, sizeof now->matching) != 0},
  };
  for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
    if (checks[i].differs && n < sizeof restart) {
      n += (size_t)snprintf(restart + n, sizeof restart - n, "%s%s", n ? ", " : "", checks[i].name);
    }
  }
  mash_info("SIGHUP: %s re-read; log level %s, format %s in force%s%s%s%s%s", d->config_path,
            mash_log_level_name(d->flag_log_level ? d->cfg->log_level : fresh->log_level),
            (d->flag_log_format ? d->cfg->log_format : fresh->log_format) == MASH_LOG_JSON ? "json"
                                                                                           : "text",
            reopened, reloaded[0] ? "; reloaded: " : "", reloaded,
            n ? "; changed but applied only at restart: " : "", restart);
  free(fresh);
}

/* The data key must open what the store holds: a broker started with
 * another key (a copied data folder, a key restored from the wrong backup)
 * would otherwise say ready, then fail on every stored contact and seal new
 * ones with a second key. The first contacts are tried: one that opens
 * proves the key; a damaged one alone does not condemn it (start-up
 * quarantines that contact, naming it); none opening does. */
static int s_check_data_key(mash_store_t *store, const char *db_path) {
  int64_t n = 0;
  if (mash_store_count_contacts(store, &n) != 0 || n == 0) {
    return 0;
  }
  int failed = 0, first_rc = 0;
  char first[MASH_CONTACT_ID_LEN] = "";
  for (int i = 1; i <= 16; i++) {
    char id[MASH_CONTACT_ID_LEN];
    snprintf(id, sizeof id, "MASH-%06d", i);
    mash_contact_row_t row;
    int rc = mash_store_contact_get(store, id, &row);
    free(row.blob);
    if (rc == 0) {
      return 0;
    }
    if (rc != -ENOENT && failed++ == 0) {
      first_rc = rc;
      snprintf(first, sizeof first, "%s", id);
    }
  }
  if (failed == 0) {
    return 0;
  }
  fprintf(stderr,
          "mashd: the data key does not open %s (contact %s: %s; none of the first %d "
          "opens); was it sealed with another data key? Start mashd with the key it was made "
          "with (--data-key)\n",
          db_path, first,
          first_rc == -EBADMSG ? "authentication tag mismatch" : mash_strerror(first_rc), failed);
  return -1;
}

/* The escalation log against the store, then its own thread, which appends
 * from the store whatever was committed and not yet logged (a crash
 * between commit and append). A log ending before the point the store saw
 * it durable was cut or deleted: refuse to start rather than write a new
 * log over the loss (mashctl verify says the same). */
/* The storage thread's last commit is done: the escalation log's feed makes
 * its last pass, and how far the log is then durable goes into the store, so
 * a log deleted (with its head file) after a clean stop is caught by
 * mashctl verify and at the next start, even when no escalation ran after
 * the log caught up. */
static void s_mark_log_at_stop(mash_store_t *store, void *arg) {
  mash_esclog_feed_t *feed = arg;
  if (!feed) {
    return;
  }
  mash_esclog_feed_stop(feed);
  int rc = mash_store_esclog_mark(store, mash_esclog_feed_durable_seq(feed));
  if (rc != 0 && rc != -ENOSYS) {
    mash_warn("cannot record how far the escalation log is durable: %s", mash_strerror(rc));
  }
}

/* per_node (PostgreSQL): each node keeps its own log in its DATA; a node
 * taking over whose log ends before the store's mark (another node logged
 * those steps) appends them from the store rather than refusing. */
static int s_start_esclog(mash_store_t *store, mash_esclog_t **log, const char *store_name,
                          const char *log_path, int per_node, mash_esclog_feed_t **feed) {
  mash_store_esclog_state_t es;
  if (mash_store_esclog_state(store, &es) != 0) {
    fprintf(stderr, "mashd: cannot read the escalation log's mark in the store\n");
    return -1;
  }
  uint64_t at = mash_esclog_last_seq(*log);
  if (at < es.legacy_seq) {
    at = es.legacy_seq;
  }
  if (at < es.appended_seq && per_node) {
    mash_info("escalation log %s ends at step %llu; another node logged up to step %llu: "
              "this node's log catches up from the store",
              log_path, (unsigned long long)at, (unsigned long long)es.appended_seq);
  } else if (at < es.appended_seq) {
    fprintf(stderr,
            "mashd: escalation log %s ends at step %llu, but the store records it durable up "
            "to step %llu: lines were cut off or the log was deleted with its head file "
            "(mashctl verify); restore it from a backup\n",
            log_path, (unsigned long long)at, (unsigned long long)es.appended_seq);
    return -1;
  }
  if (es.last_seq > at) {
    mash_info("escalation log: %llu stored step(s) after step %llu not yet logged: appending "
              "them from the store",
              (unsigned long long)(es.last_seq - at), (unsigned long long)at);
  }
  /* The feed reads through a reader of its own (SQLite: the file
   * read-only; PostgreSQL: another session). */
  mash_esclog_feed_config_t fc = {
      .log_path = log_path, .store = store, .db_path = store_name, .legacy_seq = es.legacy_seq};
  *feed = mash_esclog_feed_new(log, &fc);
  if (!*feed) {
    fprintf(stderr, "mashd: cannot start the escalation log's thread\n");
    return -1;
  }
  return 0;
}

static void s_fatal_cb(void *arg, int rc) {
  mashd_t *d = arg;
  if (mashd_on_store_failure(d->cfg->store_postgres, rc) == MASHD_RECONNECT) {
    char why[96];
    snprintf(why, sizeof why, "the store's session is lost (%s)", mash_strerror(rc));
    mashd_restart_in_place(d->restart, why);
  }
  mash_error("storage failed (%s): stopping; nothing unstored was acknowledged", mash_strerror(rc));
  d->exit_code = 1;
  s_stop(d);
}

/* The injected clock. At rate 1 it is the wall clock. An accelerated clock
 * (rehearsals, the demo, tests) keeps its origin in DATA/clock, so that
 * across a restart it reads what it would have read had the broker never
 * stopped: time spent down counts, accelerated, and what fell due meanwhile
 * fires on start. A new rate starts a new origin, never before `latest`.
 * A start time (rehearsals: "it is March") sets the origin to it, or to
 * `latest` when that is later, at any rate; the clock then continues from
 * the file until a new start or rate is given. */
static int s_clock_setup(mash_clock_t *c, const char *path, double rate, int64_t start,
                         int64_t latest, char *err, size_t errlen) {
  mash_clock_t saved;
  int have_saved = mash_clock_load(path, &saved) == 0;
  if (rate <= 1.0 && start == 0 && !(have_saved && saved.rate == 1.0)) {
    mash_clock_init(c, 1.0, 0);
    unlink(path);
    return 0;
  }
  if (start != 0) {
    mash_clock_init(c, rate, 0);
    c->virtual_origin_ms = start > latest ? start : latest;
  } else if (have_saved && saved.rate == rate) {
    *c = saved; /* the same rehearsal continues */
  } else {
    mash_clock_init(c, rate, latest);
  }
  if ((start != 0 || !have_saved || saved.rate != rate) &&
      mash_clock_save(path, c, err, errlen) != 0) {
    return -1;
  }
  char now[32];
  mash_clock_format(mash_clock_read(c), now, sizeof now);
  mash_info("clock runs %.0f times faster than real time; it reads %s", rate, now);
  return 0;
}

int main(int argc, char **argv) {
  if (mash_version_check(argc, argv, "mashd")) {
    return 0;
  }
  static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                       {"endpoint", required_argument, 0, 'e'},
                                       {"data", required_argument, 0, 'd'},
                                       {"data-key", required_argument, 0, 'D'},
                                       {"store", required_argument, 0, 'P'},
                                       {"store-url", required_argument, 0, 'U'},
                                       {"trust", required_argument, 0, 't'},
                                       {"key", required_argument, 0, 'k'},
                                       {"heartbeat-ms", required_argument, 0, 'H'},
                                       {"stats-seconds", required_argument, 0, 'T'},
                                       {"log-level", required_argument, 0, 'L'},
                                       {"log-format", required_argument, 0, 'F'},
                                       {"log-file", required_argument, 0, 'O'},
                                       {"clock-rate", required_argument, 0, 'R'},
                                       {"clock-start", required_argument, 0, 'S'},
                                       {"accept-id-loss", no_argument, 0, 'A'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  static const char *const keys[128] = {
      ['e'] = "endpoint",   ['d'] = "data",         ['D'] = "data_key",      ['t'] = "trust",
      ['k'] = "key",        ['H'] = "heartbeat_ms", ['L'] = "log_level",     ['F'] = "log_format",
      ['R'] = "clock_rate", ['S'] = "clock_start",  ['T'] = "stats_seconds", ['O'] = "log_file",
      ['P'] = "store",      ['U'] = "store_url"};
  mashd_config_t cfg, file_cfg;
  mashd_config_defaults(&cfg);
  char err[2048];
  int c;
  const char *config_path = NULL;
  int flag_log_level = 0, flag_log_format = 0;
  mash_store_sqlite_opts_t store_opts;
  memset(&store_opts, 0, sizeof store_opts);
  /* The config file first, then flags over it. */
  for (int i = 1; i < argc - 1; i++) {
    if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) {
      config_path = argv[i + 1];
      if (mashd_config_load(&cfg, argv[i + 1], err, sizeof err) != 0) {
        fprintf(stderr, "mashd: %s\n", err);
        return 2;
      }
    }
  }
  file_cfg = cfg;
  while ((c = getopt_long(argc, argv, "c:e:d:t:k:h", opts, NULL)) != -1) {
    if (c == 'h') {
      s_usage(stdout);
      return 0;
    }
    if (c == 'c') {
      continue;
    }
    if (c == 'A') { /* a one-off decision: never read from the ini file */
      store_opts.accept_id_loss = 1;
      continue;
    }
    flag_log_level |= c == 'L';
    flag_log_format |= c == 'F';
    if (c < 0 || c >= 128 || !keys[c]) {
      s_usage(stderr);
      return 2;
    }
    if (mashd_config_set(&cfg, keys[c], optarg, err, sizeof err) != 0) {
      fprintf(stderr, "mashd: %s\n", err);
      return 2;
    }
  }
  if (optind != argc) {
    fprintf(stderr, "mashd: unexpected argument '%s'\n", argv[optind]);
    s_usage(stderr);
    return 2;
  }
  mash_log_init("mashd", cfg.log_level);
  mash_log_set_format(cfg.log_format);
  if (cfg.log_file[0] && mash_log_open_file(cfg.log_file, err, sizeof err) != 0) {
    fprintf(stderr, "mashd: %s\n", err);
    return 1;
  }
  /* Every resource is declared here and released at `out`, whatever failed. */
  int rc = 1;
  mash_calendar_t *calendar = NULL;
  mash_trust_t *trust = NULL;
  mash_seal_t *seal = NULL;
  mash_store_t *store = NULL;
  mash_esclog_t *esclog = NULL;
  mash_esclog_feed_t *esclog_feed = NULL;
  mash_pg_active_t *active = NULL;
  void *ctx = NULL, *zap = NULL, *sock = NULL;
  mash_key_t server_key;
  memset(&server_key, 0, sizeof server_key);
  mashd_t d;
  memset(&d, 0, sizeof d);
  d.config_path = config_path;
  d.file_cfg = &file_cfg;
  d.cfg = &cfg;
  d.flag_log_level = flag_log_level;
  d.flag_log_format = flag_log_format;
  d.restart = mashd_restart_new(argv);
  uv_loop_init(&d.loop);
  char path[1100];
  char bound[256] = "";
  mash_clock_t clock;
  mash_enquiry_env_t env;
  memset(&env, 0, sizeof env);
  calendar = mash_calendar_new(cfg.timezone, cfg.hours, cfg.holidays, err, sizeof err);
  if (!calendar || mash_deadline_policy_check(&cfg.policy, calendar, err, sizeof err) != 0 ||
      mash_ladder_check(&cfg.ladder, err, sizeof err) != 0 ||
      s_check_ladder("screening", &cfg.screening_ladder, err, sizeof err) != 0 ||
      s_check_ladder("decision", &cfg.decision_ladder, err, sizeof err) != 0) {
    fprintf(stderr, "mashd: deadlines: %s\n", err);
    rc = 2;
    goto out;
  }
  if (mash_match_policy_check(&cfg.matching) != 0) {
    fprintf(stderr, "mashd: matching: review (%.2f) must not be above auto_link (%.2f)\n",
            cfg.matching.review, cfg.matching.auto_link);
    rc = 2;
    goto out;
  }

  if (mash_key_load(cfg.key_file, &server_key, err, sizeof err) != 0) {
    fprintf(stderr, "mashd: broker key: %s\n", err);
    goto out;
  }
  if (server_key.secret_key[0] == '\0') {
    fprintf(stderr,
            "mashd: broker key %s: need the .secret file (mash-keygen mashd --role broker)\n",
            cfg.key_file);
    goto out;
  }
  trust = mash_trust_load(cfg.trust_dir, err, sizeof err);
  if (!trust) {
    fprintf(stderr, "mashd: %s\n", err);
    goto out;
  }
  mash_info("trust list %s: %zu principal(s)", cfg.trust_dir, mash_trust_count(trust));
  if (mash_mkdir_p(cfg.data_dir, err, sizeof err) != 0) {
    fprintf(stderr, "mashd: %s\n", err);
    goto out;
  }
  if (cfg.data_key[0] != '\0') {
    snprintf(path, sizeof path, "%s", cfg.data_key);
  } else {
    snprintf(path, sizeof path, "%s/data.key", cfg.data_dir);
  }
  seal = mash_seal_new(path, 1, err, sizeof err);
  if (!seal) {
    fprintf(stderr, "mashd: data key: %s\n", err);
    goto out;
  }
  store = mashd_store_open(&cfg, seal, &store_opts, d.restart, &active, path, sizeof path, err,
                           sizeof err);
  if (!store) {
    fprintf(stderr, "mashd: store: %s\n", err);
    goto out;
  }
  if (store_opts.note[0] != '\0') {
    mash_warn("store: %s", store_opts.note);
  }
  if (s_check_data_key(store, path) != 0) {
    goto out;
  }
  char store_name[sizeof path];
  snprintf(store_name, sizeof store_name, "%s", path);

  snprintf(path, sizeof path, "%s/escalations.log", cfg.data_dir);
  esclog = mash_esclog_open(path, err, sizeof err);
  if (!esclog) {
    fprintf(stderr, "mashd: escalation log: %s\n", err);
    goto out;
  }
  if (s_start_esclog(store, &esclog, store_name, path, cfg.store_postgres, &esclog_feed) != 0) {
    goto out;
  }
  int64_t latest = 0;
  if (mash_store_latest_instant(store, &latest) != 0) {
    fprintf(stderr, "mashd: cannot read the store\n");
    goto out;
  }
  snprintf(path, sizeof path, "%s/clock", cfg.data_dir);
  if (s_clock_setup(&clock, path, cfg.clock_rate, cfg.clock_start_ms, latest, err, sizeof err) !=
      0) {
    fprintf(stderr, "mashd: clock: %s\n", err);
    goto out;
  }
  env.policy = &cfg.policy;
  env.calendar = calendar;
  env.ladder = &cfg.ladder;
  env.screening_ladder = &cfg.screening_ladder;
  env.decision_ladder = &cfg.decision_ladder;
  env.esclog_feed = esclog_feed;

  d.storage = mash_storage_new(&d.loop, &store, 0, s_fatal_cb, &d);
  if (!d.storage) {
    fprintf(stderr, "mashd: cannot start the storage thread\n");
    goto out;
  }
  mash_storage_set_last(d.storage, s_mark_log_at_stop, esclog_feed);
  /* For tests that must find committed contacts still in the write-ahead
   * log (a lost -wal file): how long the storage thread waits idle before
   * it checkpoints. Not a setting for deployments. */
  unsigned long idle_ms = 0;
  const char *idle = getenv("MASH_TEST_CHECKPOINT_IDLE_MS");
  if (idle && mash_settings_ulong(idle, 1, 86400000, &idle_ms) == 0) {
    mash_storage_set_checkpoints(d.storage, (unsigned)idle_ms, 0);
  }

  ctx = zmq_ctx_new();
  zap = mash_zap_bind(ctx, err, sizeof err);
  sock = zap ? zmq_socket(ctx, ZMQ_ROUTER) : NULL;
  int one = 1, zero = 0, hwm = 100000;
  /* Frames over MASH_MAX_FRAME up to MASH_MAX_OVERSIZE_SEEN are read so
   * that they are answered, counted and logged (the codec refuses them);
   * CURVE's overhead is added because the limit applies to its envelope. */
  int64_t maxmsg = (int64_t)MASH_MAX_OVERSIZE_SEEN + MASH_CURVE_OVERHEAD;
  int hb_ttl = cfg.heartbeat_ms * 3;
  if (!sock || mash_zap_secure_server(sock, &server_key, err, sizeof err) != 0) {
    fprintf(stderr, "mashd: %s\n", err[0] ? err : zmq_strerror(zmq_errno()));
    goto out;
  }
  zmq_setsockopt(sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
  zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
  zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
  zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
  zmq_setsockopt(sock, ZMQ_HEARTBEAT_IVL, &cfg.heartbeat_ms, sizeof cfg.heartbeat_ms);
  zmq_setsockopt(sock, ZMQ_HEARTBEAT_TIMEOUT, &hb_ttl, sizeof hb_ttl);
  if (zmq_bind(sock, cfg.endpoint) != 0) {
    fprintf(stderr, "mashd: cannot listen on %s: %s\n", cfg.endpoint, zmq_strerror(zmq_errno()));
    goto out;
  }
  size_t blen = sizeof bound;
  zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, bound, &blen);
  mash_zap_stats_t probe_stats;
  memset(&probe_stats, 0, sizeof probe_stats);
  if (mash_zap_selftest(ctx, zap, trust, bound, server_key.public_key, 5000, &probe_stats, err,
                        sizeof err) != 0) {
    fprintf(stderr, "mashd: %s\n", err);
    goto out;
  }
  mash_info("self-test passed: an unknown CURVE key is refused");
  memset(server_key.secret_key, 0, sizeof server_key.secret_key);

  env.trust = trust;
  mash_router_config_t rcfg = {.heartbeat_ms = cfg.heartbeat_ms,
                               .stats_interval_ms = (int64_t)cfg.stats_seconds * 1000,
                               .screening_ms = cfg.screening_ms,
                               .clock = &clock,
                               .enquiry = &env,
                               .matching = cfg.matching,
                               .store_reconnects = mashd_restart_count(d.restart)};
  d.router = mash_router_new(&d.loop, sock, zap, trust, d.storage, &rcfg);
  sock = zap = NULL; /* the router owns them now (closed by it on failure) */
  if (!d.router) {
    fprintf(stderr, "mashd: cannot start the router (out of memory or handles)\n");
    goto out;
  }
  d.env = &env;
  d.trust = &trust;
  d.trustwatch = mash_trustwatch_new(&d.loop, cfg.trust_dir, &trust, 0, s_apply_trust, &d);
  if (!d.trustwatch) {
    fprintf(stderr, "mashd: cannot watch the trust list (out of memory)\n");
    goto out;
  }
  if (mash_router_load(d.router) != 0) {
    fprintf(stderr, "mashd: cannot load the outbox and open requests from the store\n");
    goto out;
  }
  uv_signal_init(&d.loop, &d.sigint);
  uv_signal_init(&d.loop, &d.sigterm);
  d.sigint.data = &d;
  d.sigterm.data = &d;
  uv_signal_start(&d.sigint, s_signal_cb, SIGINT);
  uv_signal_start(&d.sigterm, s_signal_cb, SIGTERM);
  uv_signal_init(&d.loop, &d.sighup);
  d.sighup.data = &d;
  uv_signal_start(&d.sighup, s_reload_cb, SIGHUP);
  d.signals = 1;
  signal(SIGPIPE, SIG_IGN);

  printf("mashd: ready on %s\n", bound);
  fflush(stdout);
  mash_info("ready on %s", bound);
  mashd_restart_served(d.restart);
  rc = 0;
out:
  memset(server_key.secret_key, 0, sizeof server_key.secret_key);
  if (rc != 0 && d.storage) {
    /* A start-up failure after the threads began: close what runs. */
    s_stop(&d);
  }
  uv_run(&d.loop, UV_RUN_DEFAULT);
  int lc = uv_loop_close(&d.loop);
  if (lc != 0) {
    mash_error("loop closed with handles still open (%s)", uv_strerror(lc));
  }
  if (sock) {
    zmq_close(sock);
  }
  if (zap) {
    zmq_close(zap);
  }
  if (ctx) {
    zmq_ctx_term(ctx);
  }
  /* After the storage thread stopped (s_mark_log_at_stop ran the feed's
   * last pass already when the storage thread was started). */
  mash_store_destroy(&store);
  mash_esclog_feed_destroy(&esclog_feed);
  mash_esclog_close(&esclog);
  /* Last: the lock is freed after the store's last commit. */
  mash_pg_active_release(&active);
  mash_trust_destroy(&trust);
  mash_calendar_destroy(&calendar);
  mash_seal_destroy(&seal);
  mashd_restart_destroy(&d.restart);
  if (rc == 0) {
    mash_info("stopped");
    rc = d.exit_code ? d.exit_code : (lc != 0);
  }
  return rc;
}
