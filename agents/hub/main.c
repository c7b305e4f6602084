/* mash-hub: the hub staff desk. Receives contacts from the broker, stores
 * each in its local state before acknowledging it, and shows it: a readable
 * line each, or JSON lines with --json. `list` shows what is stored. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "agent.h"
#include "clock.h"
#include "hub_view.h"
#include "log.h"

typedef struct hub {
  uv_loop_t loop;
  agent_t *agent;
  uv_signal_t sigint, sigterm;
  int json;
  int closing;
} hub_t;

static void s_usage(FILE *f) {
  fprintf(f,
          "usage: mash-hub [options] run [--json]\n"
          "       mash-hub [options] list [--json]\n"
          "\n"
          "The hub staff desk. run: connect to the broker, receive contacts, store each\n"
          "locally before acknowledging it, and print it (one readable line, or one JSON\n"
          "object per line with --json). list: print the contacts stored locally.\n"
          "\n"
          "  --json               JSON lines instead of readable lines\n"
          "%s",
          AGENT_COMMON_HELP);
}

static const char s_schema[] = "CREATE TABLE IF NOT EXISTS hub_contacts ("
                               " contact_id TEXT PRIMARY KEY,"
                               " received_ms INTEGER NOT NULL,"
                               " contact BLOB NOT NULL)";

static int s_schema_ok(sqlite3 *db) {
  return sqlite3_exec(db, s_schema, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static void s_show(const Mash__V1__Contact *c, int json) {
  if (json) {
    json_t *o = hub_view_json(c);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (text) {
      printf("%s\n", text);
    }
    free(text);
    json_decref(o);
  } else {
    char line[1024];
    hub_view_line(c, line, sizeof line);
    printf("%s\n", line);
  }
  fflush(stdout);
}

static int s_message_cb(agent_t *a, const Mash__V1__Envelope *env, void *arg) {
  hub_t *h = arg;
  if (env->body_case != MASH__V1__ENVELOPE__BODY_CONTACT) {
    mash_warn("message %s of kind %d is not for the hub desk; acknowledged and ignored",
              env->message_id, (int)env->body_case);
    return 0;
  }
  const Mash__V1__Contact *c = env->contact;
  size_t len = mash__v1__contact__get_packed_size(c);
  uint8_t *buf = malloc(len ? len : 1);
  if (!buf) {
    return -1;
  }
  mash__v1__contact__pack(c, buf);
  sqlite3 *db = agent_store_db(agent_get_store(a));
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db,
                              "INSERT OR IGNORE INTO hub_contacts(contact_id, received_ms, contact)"
                              " VALUES (?, ?, ?)",
                              -1, &st, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, c->contact_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, mash_clock_now_ms());
    sqlite3_bind_blob(st, 3, buf, (int)len, SQLITE_STATIC);
    rc = sqlite3_step(st);
  }
  int fresh = rc == SQLITE_DONE && sqlite3_changes(db) == 1;
  sqlite3_finalize(st);
  free(buf);
  if (rc != SQLITE_DONE) {
    mash_error("cannot store contact %s: %s", c->contact_id, sqlite3_errmsg(db));
    return -1;
  }
  if (fresh) {
    s_show(c, h->json);
  }
  return 0;
}

static int s_list(sqlite3 *db, int json) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT contact FROM hub_contacts ORDER BY received_ms, contact_id",
                         -1, &st, NULL) != SQLITE_OK) {
    fprintf(stderr, "mash-hub: %s\n", sqlite3_errmsg(db));
    return 1;
  }
  int n = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    Mash__V1__Contact *c = mash__v1__contact__unpack(NULL, (size_t)sqlite3_column_bytes(st, 0),
                                                     sqlite3_column_blob(st, 0));
    if (c) {
      s_show(c, json);
      mash__v1__contact__free_unpacked(c, NULL);
      n++;
    }
  }
  sqlite3_finalize(st);
  if (!json) {
    fprintf(stderr, "%d contact(s)\n", n);
  }
  return 0;
}

static void s_close_all(hub_t *h) {
  if (h->closing) {
    return;
  }
  h->closing = 1;
  uv_close((uv_handle_t *)&h->sigint, NULL);
  uv_close((uv_handle_t *)&h->sigterm, NULL);
  agent_close(h->agent, NULL, NULL);
}

static void s_signal_cb(uv_signal_t *s, int signum) {
  mash_info("signal %d: stopping", signum);
  s_close_all(s->data);
}

static void s_link_cb(agent_t *a, int up, void *arg) {
  (void)a;
  (void)arg;
  fprintf(stderr, "mash-hub: %s\n", up ? "connected to the broker" : "broker not answering");
}

int main(int argc, char **argv) {
  static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                       {"endpoint", required_argument, 0, 0},
                                       {"server-key", required_argument, 0, 0},
                                       {"key", required_argument, 0, 0},
                                       {"state", required_argument, 0, 0},
                                       {"log-level", required_argument, 0, 0},
                                       {"json", no_argument, 0, 'j'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  hub_t h;
  memset(&h, 0, sizeof h);
  agent_config_t cfg;
  agent_config_defaults(&cfg, "mash-hub", "hub");
  char err[1024];
  int c, idx;
  for (int i = 1; i < argc - 1; i++) {
    if (strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-c") == 0) {
      if (agent_config_load(&cfg, argv[i + 1], "hub", NULL, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "mash-hub: %s\n", err);
        return 2;
      }
    }
  }
  /* Options may come before or after the command word (GNU getopt permutes). */
  while ((c = getopt_long(argc, argv, "c:h", opts, &idx)) != -1) {
    if (c == 0) {
      if (agent_config_option(&cfg, opts[idx].name, optarg, err, sizeof err) < 0) {
        fprintf(stderr, "mash-hub: %s\n", err);
        return 2;
      }
    } else if (c == 'j') {
      h.json = 1;
    } else if (c == 'h') {
      s_usage(stdout);
      return 0;
    } else if (c != 'c') {
      s_usage(stderr);
      return 2;
    }
  }
  const char *cmd = optind < argc ? argv[optind] : NULL;
  if (optind + 1 < argc) {
    fprintf(stderr, "mash-hub: unexpected argument '%s'\n", argv[optind + 1]);
    return 2;
  }
  if (!cmd || (strcmp(cmd, "run") != 0 && strcmp(cmd, "list") != 0)) {
    fprintf(stderr, "mash-hub: say run or list\n\n");
    s_usage(stderr);
    return 2;
  }
  mash_log_init("mash-hub", cfg.log_level);
  if (agent_dirs_for(cfg.state, err, sizeof err) != 0) {
    fprintf(stderr, "mash-hub: %s\n", err);
    return 1;
  }
  uv_loop_init(&h.loop);
  h.agent = agent_new(&h.loop, &cfg, err, sizeof err);
  if (!h.agent) {
    fprintf(stderr, "mash-hub: %s\n", err);
    uv_loop_close(&h.loop);
    return 1;
  }
  sqlite3 *db = agent_store_db(agent_get_store(h.agent));
  if (s_schema_ok(db) != 0) {
    fprintf(stderr, "mash-hub: state %s: %s\n", cfg.state, sqlite3_errmsg(db));
    return 1;
  }
  int rc = 0;
  if (strcmp(cmd, "list") == 0) {
    rc = s_list(db, h.json);
    agent_close(h.agent, NULL, NULL);
  } else {
    agent_set_handlers(h.agent, NULL, s_message_cb, s_link_cb, &h);
    uv_signal_init(&h.loop, &h.sigint);
    uv_signal_init(&h.loop, &h.sigterm);
    h.sigint.data = h.sigterm.data = &h;
    uv_signal_start(&h.sigint, s_signal_cb, SIGINT);
    uv_signal_start(&h.sigterm, s_signal_cb, SIGTERM);
    if (agent_start(h.agent, err, sizeof err) != 0) {
      fprintf(stderr, "mash-hub: %s\n", err);
      return 1;
    }
  }
  uv_run(&h.loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&h.loop) != 0) {
    mash_error("loop closed with open handles");
    rc = rc ? rc : 1;
  }
  return rc;
}
