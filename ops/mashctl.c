/* mashctl: operations from the shell. verify checks the hash chain of the
 * escalation log and the log against the store (every stored step once, in
 * order) and says where it breaks; escalations prints the log (and
 * follows it with -f); stats reads the figures; status and overdue ask the
 * running mashd as the ops role. keys (keys_cmd.c) manages the trust list
 * and rekey (rekey_cmd.c) rotates the data key: the only commands that
 * write. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "ask.h"
#include "console.h"
#include "settings.h"
#include "version.h"
#include "clock.h"
#include "esclog.h"
#include "esclog_audit.h"
#include "keys_cmd.h"
#include "rekey_cmd.h"
#include "store.h"
#include "stats.h"

static void s_usage(FILE *f) {
  fprintf(f, "usage: mashctl [--data DIR] [--store-url URL] verify [LOG]\n"
             "       mashctl [--data DIR] escalations [-f]\n"
             "       mashctl [--data DIR] [--store-url URL] stats [--json]\n"
             "       mashctl [--endpoint EP --server-key FILE --key FILE] status\n"
             "       mashctl [--endpoint EP --server-key FILE --key FILE] overdue\n"
             "       mashctl [--trust DIR] keys list | revoke NAME | add FILE.pub\n"
             "       mashctl [--data DIR] [--store-url URL] [--data-key FILE] rekey NEW-KEY-FILE\n"
             "\n"
             "  verify         check the escalation log's hash chain (each line carries the\n"
             "                 SHA-256 of the line before; the head is kept in LOG.head), then\n"
             "                 the log against the store DIR/mashd.db (every stored step once,\n"
             "                 in order, nothing unstored; a log cut or deleted with its head\n"
             "                 is caught by the point the store saw it durable): prints 'ok:\n"
             "                 N entries' and exits 0, or names the first line that was edited,\n"
             "                 deleted or inserted, or the step missing, and exits 1\n"
             "  escalations    print the escalation log, one line per step; -f keeps following\n"
             "                 it like tail -f\n"
             "  stats          management information from the store: contacts by source,\n"
             "                 time to screen / pack / decision, agency reply times by agency\n"
             "                 and RAG (p50, p90), open and overdue enquiries, escalations by\n"
             "                 level, DASH completeness, consent recorded, contacts waiting\n"
             "                 for resolution, possible matches awaiting review,\n"
             "                 data-quality flags, oldest open item\n"
             "                 (--json for one JSON object)\n"
             "  status         ask the running mashd (as the ops role): uptime, store,\n"
             "                 every client of the trust list (connected, last seen, outbox,\n"
             "                 notifications refused and the fields at fault), backlogs\n"
             "  overdue        ask the running mashd: requests past their deadline by agency\n"
             "                 and escalation level, contacts past their screening deadline\n"
             "  keys list      the trust list: each principal, role, key prefix, trusted or\n"
             "                 revoked (and when)\n"
             "  keys revoke NAME  put NAME's key on the revocation list (TRUST/revoked, mode\n"
             "                 0600): mashd refuses it from its next message, even on an open\n"
             "                 connection, and across restarts, whatever the folder holds\n"
             "  keys add FILE  trust a public key file (mash-keygen's NAME.pub); refuses a\n"
             "                 secret key, a malformed or group/other-writable file, a revoked\n"
             "                 key, a name that already has a trusted key\n"
             "  rekey NEW      rotate the data key: write a new key to NEW (0600) and re-seal\n"
             "                 every sealed blob of DIR/mashd.db, and make every blind index\n"
             "                 again under NEW, in one transaction (stop mashd first); then\n"
             "                 start mashd with --data-key NEW and destroy the\n"
             "                 old key. Interrupted, it is run again with the same NEW.\n"
             "                 With --store-url, the PostgreSQL store (every mashd node\n"
             "                 stopped: an active node's lock refuses it)\n"
             "\n"
             "  --data DIR     mashd's data folder (default var/mashd); LOG defaults to\n"
             "                 DIR/escalations.log\n"
             "  --store-url URL  the store is PostgreSQL (store = postgresql): verify and\n"
             "                 stats read it at this libpq connection string, read-only (rekey\n"
             "                 writes it),\n"
             "                 instead of DIR/mashd.db (keep a password in ~/.pgpass, not\n"
             "                 in the URL). verify then checks this node's own log: steps\n"
             "                 another node logged after its last line are reported pending\n"
             "  --config FILE  ini file: [agent] (endpoint, server_key), then [mashctl]\n"
             "                 (data, data_key, store_url, trust, key, ...); options given\n"
             "                 override it\n"
             "  --trust DIR    mashd's trust folder (default certs/trusted)\n"
             "  --data-key FILE  the current data key (default DIR/data.key)\n"
             "  --endpoint EP, --server-key FILE   mashd (default tcp://127.0.0.1:7400,\n"
             "                 certs/mashd.pub)\n"
             "  --key FILE     an ops key (default certs/ops.secret; mash-keygen NAME\n"
             "                 --role ops, its .pub in mashd's trust list)\n"
             "  --timeout-ms N how long status and overdue wait for mashd (default 5000)\n"
             "  -h, --help     this text\n");
}

/* The chain, then the log against the store. A log that does not exist is
 * judged by the store alone (deleted, or no step ever stored). */
/* The store, read-only: PostgreSQL at url when given, else DATA/mashd.db
 * (named in name). NULL with err. */
static mash_store_t *s_open_store(const char *data, const char *url, char *name, size_t namelen,
                                  char *err, size_t errlen) {
  if (url && url[0]) {
    snprintf(name, namelen, "the PostgreSQL store");
    return mash_store_postgres_open_readonly(url, err, errlen);
  }
  snprintf(name, namelen, "%s/mashd.db", data);
  return mash_store_sqlite_open_readonly(name, err, errlen);
}

static int s_verify(const char *path, const char *data, const char *url) {
  size_t bad = 0;
  char err[512] = "";
  int missing = access(path, F_OK) != 0;
  int rc = missing ? 0 : mash_esclog_verify(path, &bad, err, sizeof err);
  if (rc != 0) {
    if (bad > 0) {
      printf("BROKEN: %s: the chain breaks at line %zu: %s\n", path, bad, err);
    } else {
      printf("cannot verify %s: %s\n", path, err);
    }
    return 1;
  }
  char db[1100];
  mash_store_t *store = s_open_store(data, url, db, sizeof db, err, sizeof err);
  if (!store) {
    printf("cannot check %s against the store: %s\n", path, err);
    return 1;
  }
  mash_esclog_audit_t a;
  /* On PostgreSQL each node keeps its own log: the store's mark may be
   * another node's (esclog_audit.h). */
  rc = url && url[0] ? mash_esclog_audit_node(path, store, &a, err, sizeof err)
                     : mash_esclog_audit(path, store, &a, err, sizeof err);
  mash_store_destroy(&store);
  if (rc < 0) {
    printf("cannot check %s against the store %s: %s\n", path, db, err);
    return 1;
  }
  if (rc > 0) {
    printf("BROKEN: %s does not agree with the store %s: %s\n", path, db, err);
    return 1;
  }
  if (missing && a.pending == 0) {
    printf("ok: %s does not exist yet and the store holds no step\n", path);
    return 0;
  }
  if (missing) {
    /* The store's mark says no step was ever durable in a log: a log never
     * written and one deleted before its first sync look the same. */
    printf("ok: %s does not exist yet; the store holds %llu step(s) and records none as "
           "written to a log, so mashd writes them all when it runs (a log deleted before "
           "mashd first synced it cannot be told from one not written yet)\n",
           path, (unsigned long long)a.pending);
    return 0;
  }
  printf("ok: %s holds %zu entries and its chain is intact; it agrees with the store: each "
         "of the %llu step(s) stored is in it once, in order",
         path, a.lines, (unsigned long long)a.matched);
  if (a.legacy_lines) {
    printf(" (and %zu line(s) from before sequence numbers, not checked against it)",
           a.legacy_lines);
  }
  if (a.pending) {
    printf("; %llu step(s) stored since are not appended yet (mashd appends them)",
           (unsigned long long)a.pending);
  }
  printf("\n");
  return 0;
}

static const char *s_str(json_t *j, const char *key) {
  const char *v = json_string_value(json_object_get(j, key));
  return v ? v : "";
}

static void s_print_line(const char *line) {
  json_error_t jerr;
  json_t *j = json_loads(line, 0, &jerr);
  if (!j) {
    printf("(unreadable line) %s", line);
    return;
  }
  char at[32];
  mash_clock_format((int64_t)json_integer_value(json_object_get(j, "at_ms")), at, sizeof at);
  /* The hub's own duties (screening, decision) name no request or agency. */
  const char *duty = s_str(j, "duty");
  if (duty[0]) {
    printf("%s  level %lld %-16s %s %s duty=%s\n", at,
           (long long)json_integer_value(json_object_get(j, "level")), s_str(j, "step"),
           s_str(j, "contact_id"), s_str(j, "enquiry_id"), duty);
  } else {
    printf("%s  level %lld %-16s %s %s %s agency=%s\n", at,
           (long long)json_integer_value(json_object_get(j, "level")), s_str(j, "step"),
           s_str(j, "enquiry_id"), s_str(j, "request_id"), s_str(j, "contact_id"),
           s_str(j, "agency"));
  }
  json_decref(j);
}

static int s_escalations(const char *path, int follow) {
  FILE *f = fopen(path, "r");
  if (!f && !follow) {
    printf("no escalations yet (%s does not exist)\n", path);
    return 0;
  }
  char line[8192];
  for (;;) {
    while (f && fgets(line, sizeof line, f)) {
      s_print_line(line);
    }
    fflush(stdout);
    if (!follow) {
      break;
    }
    /* Following a file: wait for it to grow, as tail -f does. */
    sleep(1);
    if (!f) {
      f = fopen(path, "r");
    } else {
      clearerr(f);
    }
  }
  if (f) {
    fclose(f);
  }
  return 0;
}

/* "Now" is the broker's clock: read its origin when it runs accelerated. */
static int64_t s_broker_now(const char *data) {
  char path[1100];
  snprintf(path, sizeof path, "%s/clock", data);
  mash_clock_t c;
  if (mash_clock_load(path, &c) == 0) {
    return mash_clock_read(&c);
  }
  return mash_clock_now_ms();
}

static int s_stats(const char *data, const char *url, int json) {
  char path[1100], err[512];
  mash_store_t *store = s_open_store(data, url, path, sizeof path, err, sizeof err);
  json_t *s = store ? mash_stats_of_store(store, path, s_broker_now(data), err, sizeof err) : NULL;
  mash_store_destroy(&store);
  if (!s) {
    fprintf(stderr, "mashctl: %s\n", err);
    return 1;
  }
  if (json) {
    char *text = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
    printf("%s\n", text ? text : "{}");
    free(text);
  } else {
    mash_stats_print(s);
  }
  json_decref(s);
  return 0;
}

static void s_age_of(int64_t now, int64_t at, char *out, size_t cap) {
  ops_age(now - at, out, cap);
}

/* The broker's report as of now (malloc'd), or NULL having said why. */
static ops_model_t *s_ask_now(const agent_config_t *cfg, int timeout_ms) {
  ops_model_t *m = calloc(1, sizeof *m);
  char err[512];
  if (!m || ops_ask(cfg->endpoint, cfg->server_key, cfg->key, 0, 0, timeout_ms, m, err,
                    sizeof err) != 0) {
    fprintf(stderr, "mashctl: %s\n", m ? err : "out of memory");
    free(m);
    return NULL;
  }
  return m;
}

static int s_status(const agent_config_t *cfg, int timeout_ms) {
  char age[48], at[40];
  ops_model_t *m = s_ask_now(cfg, timeout_ms);
  if (!m) {
    return 1;
  }
  s_age_of(m->now_ms, m->started_at_ms, age, sizeof age);
  mash_clock_format(m->now_ms, at, sizeof at);
  printf("mashd at %s: up %s; store %s; broker time %s\n", cfg->endpoint, age,
         m->store_ok ? "ok" : "FAILING", at);
  printf("clients:\n");
  for (size_t i = 0; i < m->n_agencies; i++) {
    const ops_agency_t *a = &m->agencies[i];
    if (a->last_seen_ms > 0) {
      s_age_of(m->now_ms, a->last_seen_ms, age, sizeof age);
    }
    printf("  %-16s %-7s %-13s last seen %-14s outbox %lld", a->principal, a->role,
           a->connected ? "connected" : "NOT CONNECTED", a->last_seen_ms > 0 ? age : "never",
           (long long)a->outbox_depth);
    if (a->rejected > 0) {
      printf("  refused %lld: %s", (long long)a->rejected, a->reject_fields);
    }
    printf("\n");
  }
  printf("open work:");
  for (size_t i = 0; i < m->n_open; i++) {
    s_age_of(0, -m->open[i].oldest_age_ms, age, sizeof age);
    printf(" %s %lld%s%s%s", ops_rag_label(m->open[i].rag), (long long)m->open[i].count,
           m->open[i].count ? " (oldest " : "", m->open[i].count ? age : "",
           m->open[i].count ? ")" : "");
  }
  printf("\nbacklogs: open enquiries %lld, overdue requests %lld, possible matches %lld, "
         "waiting for resolution %lld\n",
         (long long)m->open_enquiries, (long long)m->overdue_requests,
         (long long)m->possible_match_backlog, (long long)m->resolution_backlog);
  printf("outbox:");
  for (size_t i = 0; i < m->n_outbox; i++) {
    printf(" %s=%lld", m->outbox[i].name, (long long)m->outbox[i].value);
  }
  printf("\n");
  for (size_t i = 0; i < m->n_counters; i++) {
    const ops_count_t *c = &m->counters[i];
    if (strcmp(c->name, "quarantined") == 0) {
      /* Always shown: "0" is the news that nothing was set aside. */
      printf("quarantined contacts: %lld%s\n", (long long)c->value,
             c->value > 0 ? " (their sealed records do not open: not delivered; mashd's log "
                            "names each one and why)"
                          : "");
    } else if (strcmp(c->name, "replaced") == 0 && c->value > 0) {
      printf("quarantined contacts replaced by the agency's resend: %lld (delivered anew)\n",
             (long long)c->value);
    } else if (strcmp(c->name, "store_reconnects") == 0 && c->value > 0) {
      printf("store reconnections: %lld (the database's session was lost and mashd reconnected "
             "in place; its log says when and how long it took)\n",
             (long long)c->value);
    } else if (strcmp(c->name, "throttled") == 0 && c->value > 0) {
      printf("commands held back: %lld (a client had too many refused)\n", (long long)c->value);
    }
  }
  free(m);
  return 0;
}

static int s_overdue(const agent_config_t *cfg, int timeout_ms) {
  char age[48], at[40];
  ops_model_t *m = s_ask_now(cfg, timeout_ms);
  if (!m) {
    return 1;
  }
  int64_t n = 0;
  printf("requests overdue: %lld\n", (long long)m->overdue_requests);
  for (size_t i = 0; i < m->n_overdue; i++) {
    printf("  %-16s level %u  %lld\n", m->overdue[i].agency, m->overdue[i].level,
           (long long)m->overdue[i].count);
  }
  for (size_t i = 0; i < m->n_due; i++) {
    n += m->due[i].due_at_ms <= m->now_ms;
  }
  printf("contacts past their screening deadline: %lld%s\n", (long long)n,
         m->awaiting_screening > (int64_t)m->n_due ? " (of the earliest awaiting screening)" : "");
  for (size_t i = 0; i < m->n_due; i++) {
    if (m->due[i].due_at_ms <= m->now_ms) {
      s_age_of(m->now_ms, m->due[i].due_at_ms, age, sizeof age);
      mash_clock_format(m->due[i].due_at_ms, at, sizeof at);
      printf("  %-14s due %s, overdue by %s\n", m->due[i].contact_id, at, age);
    }
  }
  free(m);
  return 0;
}

typedef struct s_ctl {
  char data[1024];
  char data_key[1024];  /* empty: DATA/data.key */
  char store_url[1024]; /* PostgreSQL (verify, stats); empty: DATA/mashd.db */
  char trust[1024];
  int timeout_ms;
} s_ctl_t;

static int s_ctl_set(const char *key, const char *value, void *arg) {
  s_ctl_t *o = arg;
  long v;
  if (strcmp(key, "data") == 0) {
    return mash_settings_text(o->data, sizeof o->data, value);
  }
  if (strcmp(key, "data_key") == 0) {
    return mash_settings_text(o->data_key, sizeof o->data_key, value);
  }
  if (strcmp(key, "store_url") == 0) {
    return mash_settings_text(o->store_url, sizeof o->store_url, value);
  }
  if (strcmp(key, "trust") == 0) {
    return mash_settings_text(o->trust, sizeof o->trust, value);
  }
  if (strcmp(key, "timeout_ms") == 0 && mash_settings_long(value, 100, 600000, &v) == 0) {
    o->timeout_ms = (int)v;
    return 0;
  }
  return -1;
}

int main(int argc, char **argv) {
  if (mash_version_check(argc, argv, "mashctl")) {
    return 0;
  }
  enum { O_TIMEOUT = 256, O_TRUST, O_DATA_KEY, O_STORE_URL };
  static const struct option opts[] = {{"data", required_argument, 0, 'd'},
                                       {"follow", no_argument, 0, 'f'},
                                       {"json", no_argument, 0, 'j'},
                                       {"config", required_argument, 0, 'c'},
                                       {"endpoint", required_argument, 0, 0},
                                       {"server-key", required_argument, 0, 0},
                                       {"key", required_argument, 0, 0},
                                       {"log-level", required_argument, 0, 0},
                                       {"timeout-ms", required_argument, 0, O_TIMEOUT},
                                       {"trust", required_argument, 0, O_TRUST},
                                       {"data-key", required_argument, 0, O_DATA_KEY},
                                       {"store-url", required_argument, 0, O_STORE_URL},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  s_ctl_t o;
  memset(&o, 0, sizeof o);
  snprintf(o.data, sizeof o.data, "var/mashd");
  snprintf(o.trust, sizeof o.trust, "certs/trusted");
  o.timeout_ms = 5000;
  agent_config_t cfg;
  agent_config_defaults(&cfg, "mashctl", "ops");
  char err[1024];
  if (agent_config_args(&cfg, argc, argv, "mashctl", s_ctl_set, &o, err, sizeof err) != 0) {
    fprintf(stderr, "mashctl: %s\n", err);
    return 2;
  }
  int follow = 0, json = 0, c, idx;
  while ((c = getopt_long(argc, argv, "c:d:fjh", opts, &idx)) != -1) {
    if (c == 'c') {
      continue; /* read above */
    } else if (c == 0) {
      if (agent_config_option(&cfg, opts[idx].name, optarg, err, sizeof err) <= 0) {
        fprintf(stderr, "mashctl: bad value for --%s: '%s'\n", opts[idx].name, optarg);
        return 2;
      }
    } else if (c == O_TIMEOUT) {
      if (s_ctl_set("timeout_ms", optarg, &o) != 0) {
        fprintf(stderr, "mashctl: --timeout-ms wants milliseconds (100 to 600000)\n");
        return 2;
      }
    } else if (c == O_STORE_URL) {
      if (s_ctl_set("store_url", optarg, &o) != 0) {
        fprintf(stderr, "mashctl: --store-url is too long\n");
        return 2;
      }
    } else if (c == O_TRUST || c == O_DATA_KEY) {
      s_ctl_set(c == O_TRUST ? "trust" : "data_key", optarg, &o);
    } else if (c == 'd') {
      snprintf(o.data, sizeof o.data, "%s", optarg);
    } else if (c == 'f') {
      follow = 1;
    } else if (c == 'j') {
      json = 1;
    } else if (c == 'h') {
      s_usage(stdout);
      return 0;
    } else {
      s_usage(stderr);
      return 2;
    }
  }
  const char *data = o.data;
  if (optind >= argc) {
    fprintf(stderr, "mashctl: say verify, escalations, stats, status, overdue, keys or rekey\n\n");
    s_usage(stderr);
    return 2;
  }
  char path[1100];
  snprintf(path, sizeof path, "%s/escalations.log", data);
  const char *cmd = argv[optind];
  if (strcmp(cmd, "verify") == 0) {
    return s_verify(optind + 1 < argc ? argv[optind + 1] : path, data, o.store_url);
  }
  if (strcmp(cmd, "escalations") == 0) {
    return s_escalations(path, follow);
  }
  if (strcmp(cmd, "stats") == 0) {
    return s_stats(data, o.store_url, json);
  }
  if (strcmp(cmd, "status") == 0) {
    return s_status(&cfg, o.timeout_ms);
  }
  if (strcmp(cmd, "overdue") == 0) {
    return s_overdue(&cfg, o.timeout_ms);
  }
  if (strcmp(cmd, "keys") == 0) {
    return mashctl_keys(o.trust, argc - optind - 1, argv + optind + 1);
  }
  if (strcmp(cmd, "rekey") == 0) {
    if (argc - optind != 2) {
      fprintf(stderr, "mashctl rekey: say where to write the new key: mashctl rekey NEW-KEY\n");
      return 2;
    }
    char key[1100];
    snprintf(key, sizeof key, "%s", o.data_key);
    if (!key[0]) {
      snprintf(key, sizeof key, "%s/data.key", data);
    }
    return mashctl_rekey(data, o.store_url, key, argv[optind + 1]);
  }
  fprintf(stderr, "mashctl: unknown command '%s'\n\n", cmd);
  s_usage(stderr);
  return 2;
}
