/* bench-intake: how fast mashd takes in police notifications, against the raw
 * ceiling of the same transport.
 *
 * Responsible for: the command line (bench.c's option table), driving K
 * pipelined DEALER clients that each keep W notifications in flight until N
 * receipts have come back from a real mashd, then the same load against a
 * bare in-process ROUTER that acknowledges every frame, and printing both
 * with their ratio. The targets, keys and payload are intake_targets.c's
 * (intake_int.h); the hub desk and the --people index are intake_desk.c's.
 * Must not: be run by ctest (a benchmark is not a timed test), or leave mashd
 * running or the temporary folder behind on a normal exit.
 *
 * The message under load is agents/police/examples/dash-high.json mapped by
 * police_json_parse and encoded once; each client patches its own message id
 * (same length, so the encoding stays valid) before every send.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "bench.h"
#include "codec.h"
#include "intake_desk.h"
#include "intake_int.h"
#include "keys.h"
#include "settings.h"

#ifndef MASH_BENCH_EXAMPLE
#define MASH_BENCH_EXAMPLE "agents/police/examples/dash-high.json"
#endif

typedef enum { S_TARGET_MASHD, S_TARGET_RAW } s_target_t;

typedef struct s_result {
  int64_t t0_ns; /* the clock's start (CLOCK_MONOTONIC) */
  double seconds;
  double msgs_per_s;
  double p50_ms;
  double p99_ms;
  unsigned long replies;
  unsigned long failures;
} s_result_t;

/* What else a run measured, printed beside the table. */
typedef struct s_extra {
  double cpu_user, cpu_sys; /* mashd's, seconds; -1 when not read */
  int desk;                 /* a desk was connected: */
  unsigned long desk_contacts;
  double desk_seconds; /* from the clock's start to the last contact at the desk */
  char load_before[64], load_after[64];
} s_extra_t;

/* What one run sends where. */
typedef struct s_load {
  s_target_t target;
  const char *endpoint;
  const char *server_public;
  const uint8_t *payload; /* the encoded notification with INTAKE_ID_TEMPLATE as its id */
  size_t payload_len;
  size_t id_offset; /* of the id in payload */
} s_load_t;

typedef struct s_run s_run_t;

typedef struct s_client {
  s_run_t *run;
  unsigned index;
  mash_key_t key;
  unsigned long count;
  int64_t *sent_ns;
  double *lat_ms;
  unsigned long replies;
  unsigned long failures;
  int64_t end_ns;
  int failed; /* the client gave up: no reply in time, or a socket error */
  pthread_t thread;
} s_client_t;

struct s_run {
  const intake_opts_t *opts;
  const s_load_t *load;
  void *ctx;
  pthread_barrier_t start;
  pthread_mutex_t mu; /* guards finished; done_cv signals it */
  pthread_cond_t done_cv;
  unsigned finished;
  atomic_ulong progress;
  atomic_int first_failure_reported;
  s_client_t *clients;
};

static void s_usage(FILE *f) {
  fprintf(f,
          "usage: bench-intake [options]\n"
          "\n"
          "Measures mashd's intake: K clients, each with its own CURVE key and DEALER\n"
          "socket, keep W police notifications in flight until N receipts (accepted,\n"
          "sent by mashd only after the storage thread committed) have come back. Then\n"
          "the same load against a bare CURVE ROUTER in this process that acknowledges\n"
          "every frame: the transport's ceiling. Prints msgs/s, receipt latency p50/p99\n"
          "and the ratio mashd/raw. Keys, trust list, database and sockets live in a\n"
          "temporary folder that is removed at the end.\n"
          "\n"
          "  -n, --count N          notifications in total (default 20000)\n"
          "  -c, --clients K        client threads (default 4, at most %d)\n"
          "  -w, --window W         messages in flight per client (default 256)\n"
          "      --mashd PATH       the mashd to start (default: ../broker/mashd next\n"
          "                         to this program in the build tree)\n"
          "      --example FILE     police JSON to send (default %s)\n"
          "      --dir DIR          create the temporary folder in DIR (default $TMPDIR\n"
          "                         or /tmp): put it on the disk you want to measure\n"
          "      --tcp              tcp://127.0.0.1 with an ephemeral port (default ipc://)\n"
          "      --log-level L      mashd's log level (default info, as deployed)\n"
          "      --store-url URL    mashd's store on PostgreSQL at this libpq connection\n"
          "                         string (an empty database; default SQLite in the folder)\n"
          "      --timeout MS       give up when no reply comes for MS, or mashd is not\n"
          "                         ready in MS (at least 20000; default 30000)\n"
          "      --desk             connect a hub desk that acknowledges every contact\n"
          "                         mashd delivers, and report when the last of the N\n"
          "                         reached it (resolved and queued for the desk)\n"
          "      --people DIR       start mashd on the person index in DIR, a folder\n"
          "                         kept by bench-resolve --keep (copied, not changed);\n"
          "                         the burst of issue 14: --people DIR --desk -n 10000\n"
          "                         -c 1 -w 10000\n"
          "      --json             also print the results as one JSON line\n"
          "      --keep             keep the temporary folder (mashd.log, mashd.db)\n"
          "  -q, --quiet            no progress on standard error\n"
          "  -h, --help             this text\n"
          "\n"
          "Exit status: 0 when every notification was accepted and stored, 1 otherwise,\n"
          "2 on bad usage.\n",
          INTAKE_MAX_CLIENTS, MASH_BENCH_EXAMPLE);
}

/* ------------------------------------------------------------ clients */

/* Count a failure; the first one of the run is printed ("WHAT: DETAIL"). */
static void s_fail(s_client_t *c, const char *what, const char *detail) {
  c->failures++;
  int expected = 0;
  if (atomic_compare_exchange_strong(&c->run->first_failure_reported, &expected, 1)) {
    fprintf(stderr, "bench-intake: client %u: %s: %s\n", c->index, what, detail);
  }
}

static int s_send(void *sock, const uint8_t *buf, size_t len) {
  while (zmq_send(sock, buf, len, 0) < 0) {
    if (zmq_errno() != EINTR) {
      return -1;
    }
  }
  return 0;
}

/* Write "bench-KK-SSSSSSSSSS" (INTAKE_ID_LEN bytes, no NUL) for client k and
 * sequence number seq (both below their field's width: see the option limits). */
static void s_format_id(char *out, unsigned k, unsigned long seq) {
  memcpy(out, "bench-", 6);
  out[6] = (char)('0' + k / 10 % 10);
  out[7] = (char)('0' + k % 10);
  out[8] = '-';
  for (int i = INTAKE_ID_LEN - 1; i >= 9; i--) {
    out[i] = (char)('0' + seq % 10);
    seq /= 10;
  }
}

/* A heartbeat (mashd) or a frame numbered UINT64_MAX (raw), answered before
 * the clock starts: the CURVE handshake and ZAP are not part of the run. */
static int s_warm_up(s_client_t *c, void *sock, uint8_t *buf) {
  s_run_t *run = c->run;
  if (run->load->target == S_TARGET_MASHD) {
    Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
    Mash__V1__Heartbeat hb = MASH__V1__HEARTBEAT__INIT;
    hb.agent = (char *)"bench-intake";
    mash_envelope_init(&env, "bench-warm-up", 1);
    env.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
    env.heartbeat = &hb;
    uint8_t *hbuf = NULL;
    size_t hlen = 0;
    if (mash_codec_encode(&env, &hbuf, &hlen) != 0) {
      return -1;
    }
    int rc = s_send(sock, hbuf, hlen);
    free(hbuf);
    if (rc != 0) {
      return -1;
    }
  } else {
    uint64_t seq = UINT64_MAX;
    memcpy(buf, &seq, sizeof seq);
    if (s_send(sock, buf, run->load->payload_len) != 0) {
      return -1;
    }
  }
  zmq_msg_t m;
  zmq_msg_init(&m);
  int rc = zmq_msg_recv(&m, sock, 0);
  zmq_msg_close(&m);
  return rc < 0 ? -1 : 0;
}

/* Which of our messages a reply answers: its sequence number, or -1. Counts
 * a reply that is not an accepted receipt as a failure. */
static long s_reply_seq(s_client_t *c, zmq_msg_t *m) {
  const uint8_t *data = zmq_msg_data(m);
  size_t len = zmq_msg_size(m);
  if (c->run->load->target == S_TARGET_RAW) {
    uint64_t seq;
    if (len < sizeof seq) {
      return -1;
    }
    memcpy(&seq, data, sizeof seq);
    return seq < c->count ? (long)seq : -1;
  }
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Envelope *env = mash_codec_decode(data, len, &errs);
  if (!env) {
    s_fail(c, "undecodable reply", errs.count ? errs.items[0].message : "?");
    return -1;
  }
  long seq = -1;
  const char *corr = env->correlation_id ? env->correlation_id : "";
  unsigned long v = 0;
  if (strlen(corr) == INTAKE_ID_LEN && mash_settings_ulong(corr + 9, 0, ULONG_MAX, &v) == 0 &&
      v < c->count) {
    seq = (long)v;
  }
  if (env->body_case == MASH__V1__ENVELOPE__BODY_RECEIPT) {
    if (env->receipt->status != MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED) {
      const char *why = env->receipt->n_errors ? env->receipt->errors[0]->message
                        : env->receipt->status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE
                            ? "duplicate"
                            : "not accepted";
      s_fail(c, "receipt not accepted", why);
    }
  } else if (env->body_case == MASH__V1__ENVELOPE__BODY_ERROR) {
    s_fail(c, "error reply", env->error->message ? env->error->message : "?");
  } else {
    s_fail(c, "unexpected reply", "not a receipt or an error");
  }
  mash_codec_free(env);
  return seq;
}

static void *s_client_main(void *arg) {
  s_client_t *c = arg;
  s_run_t *run = c->run;
  const intake_opts_t *o = run->opts;
  uint8_t *buf = malloc(run->load->payload_len);
  void *sock = zmq_socket(run->ctx, ZMQ_DEALER);
  int ok = buf && sock;
  if (ok) {
    memcpy(buf, run->load->payload, run->load->payload_len);
    int zero = 0, hwm = (int)o->window * 2 + 16;
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &o->timeout_ms, sizeof o->timeout_ms);
    zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, run->load->server_public, MASH_Z85_KEY_LEN);
    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, c->key.public_key, MASH_Z85_KEY_LEN);
    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, c->key.secret_key, MASH_Z85_KEY_LEN);
    ok = zmq_connect(sock, run->load->endpoint) == 0 && s_warm_up(c, sock, buf) == 0;
  }
  if (!ok) {
    c->failed = 1;
    s_fail(c, "cannot connect or no answer to the warm-up", zmq_strerror(zmq_errno()));
  }
  /* Everyone, failed or not, meets here: the main thread starts the clock. */
  pthread_barrier_wait(&run->start);

  unsigned long sent = 0;
  zmq_msg_t m;
  zmq_msg_init(&m);
  while (!c->failed && c->replies < c->count) {
    while (sent < c->count && sent - c->replies < o->window) {
      if (run->load->target == S_TARGET_MASHD) {
        s_format_id((char *)buf + run->load->id_offset, c->index, sent);
      } else {
        uint64_t seq = sent;
        memcpy(buf, &seq, sizeof seq);
      }
      c->sent_ns[sent] = bench_now_ns();
      if (s_send(sock, buf, run->load->payload_len) != 0) {
        c->failed = 1;
        s_fail(c, "send failed", zmq_strerror(zmq_errno()));
        break;
      }
      sent++;
    }
    if (c->failed) {
      break;
    }
    if (zmq_msg_recv(&m, sock, 0) < 0) {
      if (zmq_errno() == EINTR) {
        continue;
      }
      c->failed = 1;
      s_fail(c, "no reply (see --timeout)", zmq_strerror(zmq_errno()));
      break;
    }
    long seq = s_reply_seq(c, &m);
    if (seq < 0 || c->sent_ns[seq] == 0) {
      continue; /* not one of ours, or answered twice */
    }
    c->lat_ms[c->replies++] = (double)(bench_now_ns() - c->sent_ns[seq]) / 1e6;
    c->sent_ns[seq] = 0;
    atomic_fetch_add_explicit(&run->progress, 1, memory_order_relaxed);
  }
  c->end_ns = bench_now_ns();
  zmq_msg_close(&m);
  if (sock) {
    zmq_close(sock);
  }
  free(buf);
  pthread_mutex_lock(&run->mu);
  run->finished++;
  pthread_cond_signal(&run->done_cv);
  pthread_mutex_unlock(&run->mu);
  return NULL;
}

/* Run the load against one target. Returns 0 when every message was
 * answered (check failures for what the answers said), -1 otherwise. */
static int s_run(const intake_opts_t *o, const s_load_t *load, const mash_key_t *keys,
                 s_result_t *res) {
  s_run_t run;
  memset(&run, 0, sizeof run);
  run.opts = o;
  run.load = load;
  atomic_init(&run.progress, 0);
  atomic_init(&run.first_failure_reported, 0);
  run.ctx = zmq_ctx_new();
  run.clients = calloc(o->clients, sizeof *run.clients);
  double *all = calloc(o->count, sizeof *all);
  int rc = -1;
  if (!run.ctx || !run.clients || !all) {
    goto out;
  }
  for (unsigned i = 0; i < o->clients; i++) {
    s_client_t *c = &run.clients[i];
    c->run = &run;
    c->index = i;
    c->key = keys[i];
    c->count = o->count / o->clients + (i < o->count % o->clients);
    c->sent_ns = calloc(c->count ? c->count : 1, sizeof *c->sent_ns);
    c->lat_ms = calloc(c->count ? c->count : 1, sizeof *c->lat_ms);
    if (!c->sent_ns || !c->lat_ms) {
      goto out;
    }
  }
  pthread_barrier_init(&run.start, NULL, o->clients + 1);
  pthread_mutex_init(&run.mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&run.done_cv, &ca);
  pthread_condattr_destroy(&ca);
  for (unsigned i = 0; i < o->clients; i++) {
    if (pthread_create(&run.clients[i].thread, NULL, s_client_main, &run.clients[i]) != 0) {
      fprintf(stderr, "bench-intake: cannot start client threads\n");
      abort(); /* the barrier would never open */
    }
  }
  pthread_barrier_wait(&run.start);
  int64_t t0 = bench_now_ns();
  const char *name = load->target == S_TARGET_MASHD ? "mashd" : "raw";

  /* Progress every two seconds while the clients work; a client ends on
   * its last reply or after --timeout without one. */
  pthread_mutex_lock(&run.mu);
  while (run.finished < o->clients) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += 2;
    if (pthread_cond_timedwait(&run.done_cv, &run.mu, &until) == ETIMEDOUT && !o->quiet) {
      unsigned long done = atomic_load(&run.progress);
      double secs = (double)(bench_now_ns() - t0) / 1e9;
      fprintf(stderr, "bench-intake: %s: %lu/%lu replies, %.0f msgs/s so far\n", name, done,
              o->count, (double)done / secs);
    }
  }
  pthread_mutex_unlock(&run.mu);
  for (unsigned i = 0; i < o->clients; i++) {
    pthread_join(run.clients[i].thread, NULL);
  }
  pthread_barrier_destroy(&run.start);
  pthread_cond_destroy(&run.done_cv);
  pthread_mutex_destroy(&run.mu);

  int64_t t1 = t0;
  size_t n = 0;
  int all_answered = 1;
  memset(res, 0, sizeof *res);
  res->t0_ns = t0;
  for (unsigned i = 0; i < o->clients; i++) {
    s_client_t *c = &run.clients[i];
    if (c->end_ns > t1) {
      t1 = c->end_ns;
    }
    memcpy(all + n, c->lat_ms, c->replies * sizeof *all);
    n += c->replies;
    res->failures += c->failures;
    if (c->failed || c->replies != c->count) {
      all_answered = 0;
    }
  }
  bench_sort(all, n);
  res->replies = n;
  res->seconds = (double)(t1 - t0) / 1e9;
  res->msgs_per_s = res->seconds > 0 ? (double)n / res->seconds : 0;
  res->p50_ms = bench_rank(all, n, 0.50);
  res->p99_ms = bench_rank(all, n, 0.99);
  rc = all_answered ? 0 : -1;
out:
  for (unsigned i = 0; run.clients && i < o->clients; i++) {
    free(run.clients[i].sent_ns);
    free(run.clients[i].lat_ms);
  }
  free(run.clients);
  free(all);
  if (run.ctx) {
    zmq_ctx_term(run.ctx);
  }
  return rc;
}

/* ------------------------------------------------------------ main */

/* Print s as a JSON string (quotes, backslashes and control characters escaped). */
static void s_print_json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') {
      printf("\\%c", ch);
    } else if (ch < 0x20) {
      printf("\\u%04x", ch);
    } else {
      putchar(ch);
    }
  }
  putchar('"');
}

/* The load average (1, 5, 15 minutes) as /proc/loadavg says it. */
static void s_loadavg(char *out, size_t len) {
  snprintf(out, len, "?");
  FILE *f = fopen("/proc/loadavg", "r");
  if (f) {
    double a, b, c;
    if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3) {
      snprintf(out, len, "%.2f %.2f %.2f", a, b, c);
    }
    fclose(f);
  }
}

static void s_print_results(const intake_opts_t *o, size_t payload_len, const s_result_t *mashd,
                            const s_result_t *raw, const s_extra_t *ex, const char *disk_dir) {
  double ratio = raw->msgs_per_s > 0 ? mashd->msgs_per_s / raw->msgs_per_s : 0;
  printf("bench-intake: N=%lu clients=%u window=%u payload=%zu B transport=%s mashd-log=%s\n",
         o->count, o->clients, o->window, payload_len, o->tcp ? "tcp" : "ipc", o->log_level);
  printf("%-8s %12s %10s %10s %10s\n", "target", "msgs/s", "p50 ms", "p99 ms", "seconds");
  printf("%-8s %12.0f %10.2f %10.2f %10.2f\n", "mashd", mashd->msgs_per_s, mashd->p50_ms,
         mashd->p99_ms, mashd->seconds);
  printf("%-8s %12.0f %10.2f %10.2f %10.2f\n", "raw", raw->msgs_per_s, raw->p50_ms, raw->p99_ms,
         raw->seconds);
  printf("ratio mashd/raw: %.2f (issue 14's target >= 0.50)\n", ratio);
  double cpu = ex->cpu_user + ex->cpu_sys;
  if (ex->cpu_user >= 0) {
    printf("mashd CPU: user %.2f s + system %.2f s = %.1f us per notification (with start-up)\n",
           ex->cpu_user, ex->cpu_sys, cpu * 1e6 / (double)o->count);
  }
  if (ex->desk) {
    printf("burst: all %lu receipts in %.3f s; %lu of %lu contacts resolved and at the desk "
           "in %.3f s%s\n",
           mashd->replies, mashd->seconds, ex->desk_contacts, o->count, ex->desk_seconds,
           o->people ? " (index from --people)" : "");
  }
  printf("load average: %s before, %s after\n", ex->load_before, ex->load_after);
  if (o->json) {
    char date[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("{\"date\":\"%s\",\"n\":%lu,\"clients\":%u,\"window\":%u,\"payload_bytes\":%zu,"
           "\"transport\":\"%s\",\"mashd_log_level\":",
           date, o->count, o->clients, o->window, payload_len, o->tcp ? "tcp" : "ipc");
    s_print_json_string(o->log_level);
    printf(",\"dir\":");
    s_print_json_string(disk_dir);
    printf(",\"mashd\":{\"msgs_per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"seconds\":%.3f},"
           "\"raw\":{\"msgs_per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"seconds\":%.3f},"
           "\"ratio\":%.3f,\"mashd_cpu_s\":%.2f,\"desk_contacts\":%lu,\"desk_seconds\":%.3f,"
           "\"load_before\":\"%s\",\"load_after\":\"%s\"}\n",
           mashd->msgs_per_s, mashd->p50_ms, mashd->p99_ms, mashd->seconds, raw->msgs_per_s,
           raw->p50_ms, raw->p99_ms, raw->seconds, ratio, ex->cpu_user >= 0 ? cpu : -1.0,
           ex->desk_contacts, ex->desk_seconds, ex->load_before, ex->load_after);
  }
  fflush(stdout);
}

static int s_parse_args(int argc, char **argv, intake_opts_t *o) {
  const bench_opt_t opts[] = {
      BENCH_ULONG("count", 'n', &o->count, 1, 100000000),
      BENCH_UINT("clients", 'c', &o->clients, 1, INTAKE_MAX_CLIENTS),
      BENCH_UINT("window", 'w', &o->window, 1, 100000),
      BENCH_TEXT("mashd", 0, &o->mashd),
      BENCH_TEXT("example", 0, &o->example),
      BENCH_TEXT("dir", 0, &o->parent_dir),
      BENCH_FLAG("tcp", 0, &o->tcp),
      BENCH_TEXT("log-level", 0, &o->log_level),
      BENCH_TEXT("store-url", 0, &o->store_url),
      BENCH_INT("timeout", 0, &o->timeout_ms, 1, 3600000),
      BENCH_FLAG("desk", 0, &o->desk),
      BENCH_TEXT("people", 0, &o->people),
      BENCH_FLAG("json", 0, &o->json),
      BENCH_FLAG("keep", 0, &o->keep),
      BENCH_FLAG("quiet", 'q', &o->quiet),
  };
  return bench_parse("bench-intake", argc, argv, opts, sizeof opts / sizeof opts[0], s_usage);
}

int main(int argc, char **argv) {
  intake_opts_t o = {.count = 20000,
                     .clients = 4,
                     .window = 256,
                     .timeout_ms = 30000,
                     .example = MASH_BENCH_EXAMPLE,
                     .log_level = "info"};
  int prc = s_parse_args(argc, argv, &o);
  if (prc != 0) {
    return prc == 1 ? 0 : 2;
  }
  if (o.clients > o.count) {
    o.clients = (unsigned)o.count;
  }
  char mashd_path[PATH_MAX];
  if (o.mashd) {
    snprintf(mashd_path, sizeof mashd_path, "%s", o.mashd);
  } else {
    intake_default_mashd(mashd_path, sizeof mashd_path);
  }
  if (access(mashd_path, X_OK) != 0) {
    fprintf(stderr, "bench-intake: no mashd at %s (build it, or use --mashd)\n", mashd_path);
    return 2;
  }

  /* Block SIGCHLD everywhere (threads inherit the mask): intake_mashd_stop
   * waits for it with sigtimedwait. SIGPIPE: a dead mashd is an error
   * we report, not a reason to die. */
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &chld, NULL);
  signal(SIGPIPE, SIG_IGN);

  const char *parent = o.parent_dir ? o.parent_dir : getenv("TMPDIR");
  /* Short enough for every path built from it (and an ipc:// socket path
   * must fit in 108 bytes anyway). */
  char dir[1024];
  int dn = snprintf(dir, sizeof dir, "%s/mash-bench-XXXXXX", parent && parent[0] ? parent : "/tmp");
  if (dn < 0 || (size_t)dn >= sizeof dir) {
    fprintf(stderr, "bench-intake: --dir: path too long\n");
    return 2;
  }
  if (!mkdtemp(dir)) {
    fprintf(stderr, "bench-intake: cannot create a folder in %s: %s\n", parent, strerror(errno));
    return 1;
  }

  int rc = 1, mashd_started = 0;
  uint8_t *payload = NULL;
  size_t payload_len = 0, id_offset = 0;
  mash_key_t broker, keys[INTAKE_MAX_CLIENTS];
  intake_mashd_t mashd = {.pid = 0, .out_fd = -1};
  mash_key_t hub;
  intake_desk_t *desk = NULL;
  void *desk_ctx = NULL;
  s_result_t rm, rr;
  s_extra_t ex = {.cpu_user = -1, .cpu_sys = -1};
  memset(&rm, 0, sizeof rm);
  memset(&rr, 0, sizeof rr);
  s_loadavg(ex.load_before, sizeof ex.load_before);
  if (intake_make_keys(dir, o.clients, &broker, keys, o.desk ? &hub : NULL) != 0 ||
      intake_make_payload(o.example, &payload, &payload_len, &id_offset) != 0) {
    goto out;
  }
  size_t ack_len = intake_receipt_size();

  long long stored_before = 0;
  if (o.people) {
    char data[PATH_MAX];
    snprintf(data, sizeof data, "%s/mashd", dir);
    if (!o.quiet) {
      fprintf(stderr, "bench-intake: copying the index in %s\n", o.people);
    }
    if (intake_people_copy(o.people, data) != 0 ||
        (stored_before = intake_count_contacts(dir, o.store_url)) < 0) {
      fprintf(stderr, "bench-intake: %s is not a folder kept by bench-resolve --keep\n", o.people);
      goto out;
    }
  }

  /* mashd first, stopped before the raw run so that it takes no CPU then. */
  mashd_started = 1;
  if (intake_mashd_start(&mashd, mashd_path, dir, &o) != 0) {
    goto out;
  }
  if (o.desk) {
    desk_ctx = zmq_ctx_new();
    desk = desk_ctx
               ? intake_desk_start(desk_ctx, mashd.endpoint, broker.public_key, &hub, o.timeout_ms)
               : NULL;
    if (!desk) {
      goto out;
    }
  }
  if (!o.quiet) {
    fprintf(stderr, "bench-intake: mashd ready on %s; %lu notifications of %zu bytes\n",
            mashd.endpoint, o.count, payload_len);
  }
  s_load_t load = {.target = S_TARGET_MASHD,
                   .endpoint = mashd.endpoint,
                   .server_public = broker.public_key,
                   .payload = payload,
                   .payload_len = payload_len,
                   .id_offset = id_offset};
  int mrc = s_run(&o, &load, keys, &rm);
  int desk_short = 0;
  if (desk) {
    /* Every contact resolved and delivered, or none for --timeout. */
    int64_t last_ns = 0;
    ex.desk_contacts = intake_desk_wait(desk, o.count, o.timeout_ms, &last_ns);
    ex.desk_seconds = last_ns ? (double)(last_ns - rm.t0_ns) / 1e9 : 0;
    ex.desk = 1;
    desk_short = ex.desk_contacts < o.count;
  }
  if (intake_proc_cpu(mashd.pid, &ex.cpu_user, &ex.cpu_sys) != 0) {
    ex.cpu_user = ex.cpu_sys = -1;
  }
  intake_desk_destroy(&desk);
  int exit_status = intake_mashd_stop(&mashd);
  long long stored = intake_count_contacts(dir, o.store_url) - stored_before;
  int ok = mrc == 0 && rm.failures == 0;
  if (desk_short) {
    fprintf(stderr, "bench-intake: the desk received %lu contacts of %lu\n", ex.desk_contacts,
            o.count);
    ok = 0;
  }
  if (exit_status != 0) {
    fprintf(stderr, "bench-intake: mashd did not stop cleanly (status %d)\n", exit_status);
    ok = 0;
  }
  if (stored != (long long)o.count) {
    fprintf(stderr, "bench-intake: mashd stored %lld contacts, expected %lu\n", stored, o.count);
    ok = 0;
  }
  if (!ok) {
    intake_log_tail(dir);
  }

  intake_raw_t raw;
  if (intake_raw_start(&raw, dir, o.tcp, ack_len) != 0) {
    fprintf(stderr, "bench-intake: cannot start the raw server\n");
    goto out;
  }
  if (!o.quiet) {
    fprintf(stderr, "bench-intake: raw server on %s\n", raw.endpoint);
  }
  load.target = S_TARGET_RAW;
  load.endpoint = raw.endpoint;
  load.server_public = raw.key.public_key;
  int rrc = s_run(&o, &load, keys, &rr);
  intake_raw_stop(&raw);
  if (rrc != 0) {
    ok = 0;
  }
  s_loadavg(ex.load_after, sizeof ex.load_after);
  s_print_results(&o, payload_len, &rm, &rr, &ex, parent && parent[0] ? parent : "/tmp");
  rc = ok ? 0 : 1;
out:
  intake_desk_destroy(&desk);
  if (desk_ctx) {
    zmq_ctx_term(desk_ctx);
  }
  if (mashd.pid > 0) {
    intake_mashd_stop(&mashd);
  }
  free(payload);
  memset(keys, 0, sizeof keys);
  memset(&broker, 0, sizeof broker);
  /* On failure keep what explains it: mashd.log and the database. */
  if (o.keep || (rc != 0 && mashd_started)) {
    fprintf(stderr, "bench-intake: files kept in %s\n", dir);
  } else {
    intake_remove_tree(dir);
  }
  return rc;
}
