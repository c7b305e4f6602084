/* mash-police: the police adapter. Translates police JSON notifications
 * (police_json.c) into mash.v1 notifications and sends them through the agent
 * runtime: `submit FILE...` once, or `run` watching a spool folder. Every
 * file ends up accepted, or rejected with an error file beside it: nothing
 * is dropped silently. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "agent.h"
#include "log.h"
#include "police_json.h"
#include "spool.h"
#include "uuid.h"

typedef struct police {
  uv_loop_t loop;
  agent_t *agent;
  uv_signal_t sigint, sigterm;
  uv_timer_t deadline;
  spool_t *spool; /* run mode */
  int submit_mode;
  size_t waiting; /* submit mode: receipts still expected */
  int failures;
  int timed_out;
  int timeout_s;
} police_t;

static void s_usage(FILE *f) {
  fprintf(f,
          "usage: mash-police [options] submit FILE...\n"
          "       mash-police [options] run [--spool DIR]\n"
          "\n"
          "The police adapter: sends police notifications (JSON, format in\n"
          "agents/police/README.md) to the mash broker over CURVE.\n"
          "\n"
          "  submit FILE...   send each file, wait for every receipt, print it, exit\n"
          "                   (0 all accepted, 1 some refused, 3 timed out)\n"
          "  run              watch the spool folder: each FILE.json dropped in it is sent\n"
          "                   and moved to accepted/ or rejected/ (with FILE.json.error)\n"
          "\n"
          "  --spool DIR          spool folder for run (default var/police/spool)\n"
          "  --timeout SECONDS    submit: how long to wait for receipts (default 60)\n"
          "%s",
          AGENT_COMMON_HELP);
}

static int s_read_file(const char *path, char **out, size_t *len, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "cannot open: %s", strerror(errno));
    return -1;
  }
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t r;
  while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap) {
      if (cap >= 4u * 1024 * 1024) {
        snprintf(err, errlen, "larger than 4 MiB: not a notification");
        free(buf);
        fclose(f);
        return -1;
      }
      cap *= 2;
      char *nb = realloc(buf, cap);
      if (!nb) {
        free(buf);
        buf = NULL;
      }
      buf = nb;
    }
  }
  fclose(f);
  if (!buf) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  *out = buf;
  *len = n;
  return 0;
}

/* Parse a file and submit it; returns 0 when durable in the outbox, -1 with
 * the reasons in errs (or err) otherwise. */
static int s_submit_file(police_t *p, const char *path, const char *label, mash_errors_t *errs,
                         char *msgid) {
  char *text = NULL;
  size_t len = 0;
  char err[256];
  if (s_read_file(path, &text, &len, err, sizeof err) != 0) {
    mash_errors_add(errs, "file", "%s", err);
    return -1;
  }
  Mash__V1__Notification *n = police_json_parse(text, len, errs);
  int rc = -1;
  if (n) {
    Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
    env.body_case = MASH__V1__ENVELOPE__BODY_NOTIFICATION;
    env.notification = n;
    char id[MASH_UUID_LEN + 1];
    /* The same file content is the same message: resubmitting never duplicates. */
    mash_uuid_from_content(text, len, id);
    rc = agent_submit(p->agent, &env, label, id, msgid);
    if (rc != 0) {
      mash_errors_add(errs, "outbox", "cannot store for sending (%d)", rc);
      rc = -1;
    }
    police_json_free(n);
  }
  free(text);
  return rc;
}

static void s_print_errors(const char *label, const mash_errors_t *errs) {
  for (size_t i = 0; i < errs->count; i++) {
    printf("%s: refused: %s: %s\n", label, errs->items[i].field, errs->items[i].message);
  }
  if (errs->dropped) {
    printf("%s: ... and %zu more problem(s)\n", label, errs->dropped);
  }
}

static void s_close_all(police_t *p) {
  if (!uv_is_closing((uv_handle_t *)&p->sigint)) {
    uv_close((uv_handle_t *)&p->sigint, NULL);
    uv_close((uv_handle_t *)&p->sigterm, NULL);
    uv_close((uv_handle_t *)&p->deadline, NULL);
    spool_close(p->spool);
    p->spool = NULL;
    agent_close(p->agent, NULL, NULL);
  }
}

static void s_receipt_cb(agent_t *a, const char *message_id, const char *label,
                         const Mash__V1__Envelope *env, void *arg) {
  (void)a;
  (void)message_id;
  police_t *p = arg;
  const char *contact;
  char detail[600] = "";
  int ok = 0;
  if (env->body_case == MASH__V1__ENVELOPE__BODY_RECEIPT) {
    const Mash__V1__Receipt *r = env->receipt;
    contact = r->contact_id;
    ok = r->status != MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED;
    if (ok) {
      snprintf(detail, sizeof detail, "%s %s",
               r->status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE
                   ? "already received as"
                   : "accepted as",
               contact);
    } else {
      size_t off = 0;
      off += (size_t)snprintf(detail, sizeof detail, "refused by the broker:");
      for (size_t i = 0; i < r->n_errors && off < sizeof detail; i++) {
        int w = snprintf(detail + off, sizeof detail - off, " %s: %s;", r->errors[i]->field,
                         r->errors[i]->message);
        off += w > 0 ? (size_t)w : 0;
      }
    }
  } else {
    snprintf(detail, sizeof detail, "refused by the broker: %s", env->error->message);
  }
  if (p->submit_mode) {
    printf("%s: %s\n", label[0] ? label : message_id, detail);
    fflush(stdout);
    p->failures += !ok;
    if (p->waiting > 0 && --p->waiting == 0) {
      s_close_all(p);
    }
  } else {
    spool_settle(p->spool, label, ok, detail);
  }
}

static int s_spool_submit_cb(const char *path, const char *name, mash_errors_t *errs, void *arg) {
  return s_submit_file(arg, path, name, errs, NULL);
}

static void s_signal_cb(uv_signal_t *h, int signum) {
  police_t *p = h->data;
  mash_info("signal %d: stopping (%zu message(s) kept in the outbox)", signum,
            agent_pending(p->agent));
  s_close_all(p);
}

static void s_deadline_cb(uv_timer_t *t) {
  police_t *p = t->data;
  fprintf(stderr,
          "mash-police: no receipt for %zu message(s) within %d s; they stay in the "
          "outbox and are resent next time\n",
          p->waiting, p->timeout_s);
  p->timed_out = 1;
  s_close_all(p);
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"config", required_argument, 0, 'c'},   {"endpoint", required_argument, 0, 0},
      {"server-key", required_argument, 0, 0}, {"key", required_argument, 0, 0},
      {"state", required_argument, 0, 0},      {"log-level", required_argument, 0, 0},
      {"spool", required_argument, 0, 's'},    {"timeout", required_argument, 0, 'T'},
      {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
  police_t p;
  memset(&p, 0, sizeof p);
  p.timeout_s = 60;
  agent_config_t cfg;
  agent_config_defaults(&cfg, "mash-police", "police");
  char spool_dir[1024] = "var/police/spool";
  char err[1024];
  int c, idx;
  for (int i = 1; i < argc - 1; i++) {
    if (strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-c") == 0) {
      if (agent_config_load(&cfg, argv[i + 1], "police", NULL, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "mash-police: %s\n", err);
        return 2;
      }
    }
  }
  while ((c = getopt_long(argc, argv, "c:h", opts, &idx)) != -1) {
    if (c == 0) {
      if (agent_config_option(&cfg, opts[idx].name, optarg, err, sizeof err) < 0) {
        fprintf(stderr, "mash-police: %s\n", err);
        return 2;
      }
    } else if (c == 's') {
      snprintf(spool_dir, sizeof spool_dir, "%s", optarg);
    } else if (c == 'T') {
      char *end;
      long t = strtol(optarg, &end, 10);
      if (*end || t < 1 || t > 86400) {
        fprintf(stderr, "mash-police: --timeout takes seconds from 1 to 86400\n");
        return 2;
      }
      p.timeout_s = (int)t;
    } else if (c == 'h') {
      s_usage(stdout);
      return 0;
    } else if (c != 'c') {
      s_usage(stderr);
      return 2;
    }
  }
  if (optind >= argc || (strcmp(argv[optind], "submit") != 0 && strcmp(argv[optind], "run") != 0)) {
    fprintf(stderr, "mash-police: say submit FILE... or run\n\n");
    s_usage(stderr);
    return 2;
  }
  p.submit_mode = strcmp(argv[optind], "submit") == 0;
  if (p.submit_mode && optind + 1 >= argc) {
    fprintf(stderr, "mash-police: submit needs at least one FILE\n");
    return 2;
  }
  mash_log_init("mash-police", cfg.log_level);
  if (agent_dirs_for(cfg.state, err, sizeof err) != 0) {
    fprintf(stderr, "mash-police: %s\n", err);
    return 1;
  }
  uv_loop_init(&p.loop);
  p.agent = agent_new(&p.loop, &cfg, err, sizeof err);
  if (!p.agent) {
    fprintf(stderr, "mash-police: %s\n", err);
    uv_loop_close(&p.loop);
    return 1;
  }
  agent_set_handlers(p.agent, s_receipt_cb, NULL, NULL, &p);
  uv_signal_init(&p.loop, &p.sigint);
  uv_signal_init(&p.loop, &p.sigterm);
  uv_timer_init(&p.loop, &p.deadline);
  p.sigint.data = p.sigterm.data = p.deadline.data = &p;
  uv_signal_start(&p.sigint, s_signal_cb, SIGINT);
  uv_signal_start(&p.sigterm, s_signal_cb, SIGTERM);
  if (agent_start(p.agent, err, sizeof err) != 0) {
    fprintf(stderr, "mash-police: %s\n", err);
    return 1;
  }
  if (p.submit_mode) {
    /* Receipts for entries left by an earlier run are awaited as well. */
    p.waiting = agent_pending(p.agent);
    for (int i = optind + 1; i < argc; i++) {
      mash_errors_t errs;
      memset(&errs, 0, sizeof errs);
      size_t before = agent_pending(p.agent);
      if (s_submit_file(&p, argv[i], argv[i], &errs, NULL) != 0) {
        s_print_errors(argv[i], &errs);
        p.failures++;
      } else {
        p.waiting += agent_pending(p.agent) - before;
      }
    }
    fflush(stdout);
    if (p.waiting == 0) {
      s_close_all(&p);
    } else {
      uv_timer_start(&p.deadline, s_deadline_cb, (uint64_t)p.timeout_s * 1000, 0);
    }
  } else {
    p.spool = spool_new(&p.loop, spool_dir, s_spool_submit_cb, &p, err, sizeof err);
    if (!p.spool) {
      fprintf(stderr, "mash-police: %s\n", err);
      return 1;
    }
    printf("mash-police: watching %s (drop FILE.json there)\n", spool_dir);
    fflush(stdout);
  }
  uv_run(&p.loop, UV_RUN_DEFAULT);
  int lc = uv_loop_close(&p.loop);
  if (lc != 0) {
    mash_error("loop closed with open handles");
  }
  return p.timed_out ? 3 : (p.failures ? 1 : 0);
}
