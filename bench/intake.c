/* bench-intake: how fast mashd takes in police notifications, against the raw
 * ceiling of the same transport.
 *
 * Responsible for: generating CURVE keys and a trust list into a temporary
 * folder, starting a real mashd (posix_spawn) and waiting for its ready line,
 * driving K pipelined DEALER clients that each keep W notifications in flight
 * until N receipts have come back, then the same load against a bare in-process
 * ROUTER that acknowledges every frame, and printing both with their ratio.
 * Must not: be run by ctest (a benchmark is not a timed test), or leave mashd
 * running or the temporary folder behind on a normal exit.
 *
 * The message under load is agents/police/examples/dash-high.json mapped by
 * police_json_parse and encoded once; each client patches its own message id
 * (same length, so the encoding stays valid) before every send.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "bench.h"
#include "codec.h"
#include "keys.h"
#include "police_json.h"
#include "store.h"
#include "settings.h"

extern char **environ;

#ifndef MASH_BENCH_EXAMPLE
#define MASH_BENCH_EXAMPLE "agents/police/examples/dash-high.json"
#endif

#define S_ID_LEN 19 /* "bench-KK-SSSSSSSSSS" */
#define S_ID_TEMPLATE "bench-ZZ-ZZZZZZZZZZ"
#define S_MAX_CLIENTS 64
#define S_READY_PREFIX "mashd: ready on "

typedef enum { S_TARGET_MASHD, S_TARGET_RAW } s_target_t;

typedef struct s_opts {
  unsigned long count;
  unsigned clients;
  unsigned window;
  int timeout_ms;
  const char *mashd;
  const char *example;
  const char *parent_dir;
  const char *log_level;
  int tcp;
  int json;
  int keep;
  int quiet;
} s_opts_t;

typedef struct s_result {
  double seconds;
  double msgs_per_s;
  double p50_ms;
  double p99_ms;
  unsigned long replies;
  unsigned long failures;
} s_result_t;

/* What one run sends where. */
typedef struct s_load {
  s_target_t target;
  const char *endpoint;
  const char *server_public;
  const uint8_t *payload; /* the encoded notification with S_ID_TEMPLATE as its id */
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
  const s_opts_t *opts;
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
          "      --timeout MS       give up when no reply comes for MS (default 30000)\n"
          "      --json             also print the results as one JSON line\n"
          "      --keep             keep the temporary folder (mashd.log, mashd.db)\n"
          "  -q, --quiet            no progress on standard error\n"
          "  -h, --help             this text\n"
          "\n"
          "Exit status: 0 when every notification was accepted and stored, 1 otherwise,\n"
          "2 on bad usage.\n",
          S_MAX_CLIENTS, MASH_BENCH_EXAMPLE);
}

/* ------------------------------------------------------------ files */

static int s_read_file(const char *path, char **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    return -1;
  }
  size_t cap = 64 * 1024, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    size_t r = fread(buf + n, 1, cap - n, f);
    n += r;
    if (r == 0 || n == cap) {
      break;
    }
  }
  int bad = !buf || ferror(f) || n == cap;
  fclose(f);
  if (bad) {
    free(buf);
    return -1;
  }
  *out = buf;
  *len = n;
  return 0;
}

static int s_write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) {
    return -1;
  }
  int rc = fputs(text, f) < 0 ? -1 : 0;
  if (fclose(f) != 0) {
    rc = -1;
  }
  return rc;
}

/* Remove a folder and everything in it (the temporary folder: a few levels). */
static void s_remove_tree(const char *path) {
  DIR *d = opendir(path);
  if (d) {
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
        continue;
      }
      char child[PATH_MAX];
      snprintf(child, sizeof child, "%s/%s", path, de->d_name);
      struct stat st;
      if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
        s_remove_tree(child);
      } else {
        unlink(child);
      }
    }
    closedir(d);
  }
  rmdir(path);
}

/* ------------------------------------------------------------ keys */

/* The broker's key pair, and one agency key per client: police, police2, ...
 * Every client's .pub in trusted/ says agency = police, because the broker
 * takes police detail only from principals of the police agency. */
static int s_make_keys(const char *dir, unsigned clients, mash_key_t *broker, mash_key_t *keys) {
  char certs[PATH_MAX], trusted[PATH_MAX], err[512];
  snprintf(certs, sizeof certs, "%s/certs", dir);
  snprintf(trusted, sizeof trusted, "%s/trusted", dir);
  if (mkdir(certs, 0700) != 0 || mkdir(trusted, 0700) != 0) {
    fprintf(stderr, "bench-intake: cannot create %s/{certs,trusted}: %s\n", dir, strerror(errno));
    return -1;
  }
  if (mash_key_generate(certs, "mashd", "broker", 0, broker, err, sizeof err) != 0) {
    fprintf(stderr, "bench-intake: %s\n", err);
    return -1;
  }
  for (unsigned i = 0; i < clients; i++) {
    char name[32];
    if (i == 0) {
      snprintf(name, sizeof name, "police");
    } else {
      snprintf(name, sizeof name, "police%u", i + 1);
    }
    if (mash_key_generate(certs, name, "agency", 0, &keys[i], err, sizeof err) != 0) {
      fprintf(stderr, "bench-intake: %s\n", err);
      return -1;
    }
    char path[PATH_MAX + 64], text[256];
    snprintf(path, sizeof path, "%s/%s.pub", trusted, name);
    snprintf(text, sizeof text, "principal = %s\nrole = agency\nagency = police\npublic-key = %s\n",
             name, keys[i].public_key);
    if (s_write_file(path, text) != 0) {
      fprintf(stderr, "bench-intake: cannot write %s: %s\n", path, strerror(errno));
      return -1;
    }
  }
  return 0;
}

/* ------------------------------------------------------------ payloads */

static size_t s_find(const uint8_t *hay, size_t n, const char *needle, size_t m, size_t from) {
  for (size_t i = from; i + m <= n; i++) {
    if (memcmp(hay + i, needle, m) == 0) {
      return i;
    }
  }
  return SIZE_MAX;
}

/* Encode the example once, with a placeholder id whose offset the clients
 * patch. Returns 0 or -1 with a message printed. */
static int s_make_payload(const char *example, uint8_t **out, size_t *out_len, size_t *id_offset) {
  char *text = NULL;
  size_t len = 0;
  if (s_read_file(example, &text, &len) != 0) {
    fprintf(stderr, "bench-intake: cannot read %s (use --example)\n", example);
    return -1;
  }
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Notification *n = police_json_parse(text, len, &errs);
  free(text);
  if (!n) {
    fprintf(stderr, "bench-intake: %s: %s: %s\n", example, errs.count ? errs.items[0].field : "?",
            errs.count ? errs.items[0].message : "invalid");
    return -1;
  }
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  mash_envelope_init(&env, S_ID_TEMPLATE, (int64_t)ts.tv_sec * 1000);
  env.body_case = MASH__V1__ENVELOPE__BODY_NOTIFICATION;
  env.notification = n;
  int rc = mash_codec_encode(&env, out, out_len);
  police_json_free(n);
  if (rc != 0) {
    fprintf(stderr, "bench-intake: cannot encode the notification (%d)\n", rc);
    return -1;
  }
  size_t at = s_find(*out, *out_len, S_ID_TEMPLATE, S_ID_LEN, 0);
  if (at == SIZE_MAX || s_find(*out, *out_len, S_ID_TEMPLATE, S_ID_LEN, at + 1) != SIZE_MAX) {
    fprintf(stderr, "bench-intake: the message id placeholder is not unique in the payload\n");
    free(*out);
    return -1;
  }
  *id_offset = at;
  return 0;
}

/* The size of a typical accepted receipt, so that the raw server answers
 * with as many bytes as mashd does. */
static size_t s_receipt_size(void) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Receipt rec = MASH__V1__RECEIPT__INIT;
  rec.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED;
  rec.contact_id = (char *)"MASH-000001";
  mash_envelope_init(&env, "00000000-0000-4000-8000-000000000000", 1700000000000);
  env.correlation_id = (char *)S_ID_TEMPLATE;
  env.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
  env.receipt = &rec;
  uint8_t *buf = NULL;
  size_t len = 0;
  if (mash_codec_encode(&env, &buf, &len) != 0) {
    return 64;
  }
  free(buf);
  return len < sizeof(uint64_t) ? sizeof(uint64_t) : len;
}

/* ------------------------------------------------------------ mashd */

typedef struct s_mashd {
  pid_t pid;
  int out_fd; /* its standard output, read until the ready line */
  char endpoint[256];
} s_mashd_t;

static void s_default_mashd(char *out, size_t len) {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    snprintf(out, len, "mashd");
    return;
  }
  self[n] = '\0';
  char *slash = strrchr(self, '/');
  if (slash) {
    *slash = '\0';
  }
  if (snprintf(out, len, "%s/../broker/mashd", self) >= (int)len) {
    snprintf(out, len, "mashd");
  }
}

static void s_log_tail(const char *dir) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/mashd.log", dir);
  char *text = NULL;
  size_t len = 0;
  if (s_read_file(path, &text, &len) != 0) {
    return;
  }
  size_t from = len > 2000 ? len - 2000 : 0;
  fprintf(stderr, "----- %s (end)\n%.*s\n", path, (int)(len - from), text + from);
  free(text);
}

/* Wait for "mashd: ready on EP" on mashd's standard output, at most
 * timeout_ms. Reads the pipe as it comes: no fixed sleeps. */
static int s_mashd_wait_ready(s_mashd_t *m, int timeout_ms) {
  char buf[1024];
  size_t n = 0;
  int64_t deadline = bench_now_ns() + (int64_t)timeout_ms * 1000000;
  for (;;) {
    char *nl;
    while ((nl = memchr(buf, '\n', n)) != NULL) {
      *nl = '\0';
      if (strncmp(buf, S_READY_PREFIX, strlen(S_READY_PREFIX)) == 0) {
        const char *ep = buf + strlen(S_READY_PREFIX);
        if (strlen(ep) >= sizeof m->endpoint) {
          fprintf(stderr, "bench-intake: mashd's endpoint is too long\n");
          return -1;
        }
        memcpy(m->endpoint, ep, strlen(ep) + 1);
        return 0;
      }
      size_t used = (size_t)(nl - buf) + 1;
      memmove(buf, nl + 1, n - used);
      n -= used;
    }
    if (n == sizeof buf) {
      n = 0; /* a very long line that is not ours: forget it */
    }
    int64_t left_ms = (deadline - bench_now_ns()) / 1000000;
    if (left_ms <= 0) {
      fprintf(stderr, "bench-intake: mashd not ready after %d ms\n", timeout_ms);
      return -1;
    }
    struct pollfd pfd = {.fd = m->out_fd, .events = POLLIN};
    int rc = poll(&pfd, 1, (int)left_ms);
    if (rc < 0 && errno != EINTR) {
      return -1;
    }
    if (rc <= 0) {
      continue;
    }
    ssize_t r = read(m->out_fd, buf + n, sizeof buf - n);
    if (r == 0) {
      fprintf(stderr, "bench-intake: mashd exited before it was ready\n");
      return -1;
    }
    if (r < 0 && errno != EINTR) {
      return -1;
    }
    if (r > 0) {
      n += (size_t)r;
    }
  }
}

static int s_mashd_start(s_mashd_t *m, const char *mashd, const char *dir, const s_opts_t *o) {
  char ep[PATH_MAX], data[PATH_MAX], trust[PATH_MAX], key[PATH_MAX], log[PATH_MAX];
  if (o->tcp) {
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:*");
  } else {
    snprintf(ep, sizeof ep, "ipc://%s/mashd.sock", dir);
  }
  snprintf(data, sizeof data, "%s/mashd", dir);
  snprintf(trust, sizeof trust, "%s/trusted", dir);
  snprintf(key, sizeof key, "%s/certs/mashd.secret", dir);
  snprintf(log, sizeof log, "%s/mashd.log", dir);
  char *argv[] = {
      (char *)mashd, "--endpoint",         ep,  "--data", data, "--trust", trust, "--key", key,
      "--log-level", (char *)o->log_level, NULL};
  int fds[2];
  if (pipe(fds) != 0) {
    return -1;
  }
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1); /* dup2 clears FD_CLOEXEC */
  posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  /* We block SIGCHLD to wait for mashd with sigtimedwait; mashd must not
   * inherit that mask. */
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  int rc = posix_spawn(&m->pid, mashd, &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    fprintf(stderr, "bench-intake: cannot start %s: %s (use --mashd)\n", mashd, strerror(rc));
    close(fds[0]);
    m->pid = 0;
    return -1;
  }
  m->out_fd = fds[0];
  if (s_mashd_wait_ready(m, 20000) != 0) {
    s_log_tail(dir);
    return -1;
  }
  return 0;
}

/* SIGTERM, then wait (SIGCHLD is blocked in every thread; sigtimedwait
 * wakes on it) up to 15 s before SIGKILL. Returns mashd's exit status, or -1
 * when it had to be killed or died of a signal. */
static int s_mashd_stop(s_mashd_t *m) {
  if (m->pid <= 0) {
    return -1;
  }
  kill(m->pid, SIGTERM);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  int64_t deadline = bench_now_ns() + 15 * (int64_t)1000000000;
  int status = 0;
  for (;;) {
    pid_t r = waitpid(m->pid, &status, WNOHANG);
    if (r == m->pid) {
      break;
    }
    int64_t left = deadline - bench_now_ns();
    if (r < 0 || left <= 0) {
      fprintf(stderr, "bench-intake: mashd did not stop on SIGTERM: killing it\n");
      kill(m->pid, SIGKILL);
      waitpid(m->pid, &status, 0);
      status = -1;
      break;
    }
    struct timespec ts = {.tv_sec = left / 1000000000, .tv_nsec = left % 1000000000};
    sigtimedwait(&chld, NULL, &ts);
  }
  m->pid = 0;
  if (m->out_fd >= 0) {
    close(m->out_fd);
    m->out_fd = -1;
  }
  if (status == -1 || !WIFEXITED(status)) {
    return -1;
  }
  return WEXITSTATUS(status);
}

/* Through the store's statistics on a read-only store: the benchmark, like
 * every program but mashd, never reads the broker's tables itself. */
static long long s_count_contacts(const char *dir) {
  char path[PATH_MAX], err[256];
  snprintf(path, sizeof path, "%s/mashd/mashd.db", dir);
  mash_store_t *store = mash_store_sqlite_open_readonly(path, err, sizeof err);
  if (!store) {
    return -1;
  }
  mash_store_stats_t t;
  long long n = mash_store_stats_summary(store, 0, &t) == 0 ? (long long)t.contacts : -1;
  mash_store_destroy(&store);
  return n;
}

/* ------------------------------------------------------------ raw server */

typedef struct s_raw_server {
  void *ctx;
  void *sock;
  size_t ack_len;
  pthread_t thread;
  char endpoint[256];
  mash_key_t key;
} s_raw_server_t;

/* Answer every frame with ack_len bytes whose first eight are the frame's
 * first eight (the client's sequence number). Ends when the context is shut
 * down (ETERM). */
static void *s_raw_server_main(void *arg) {
  s_raw_server_t *s = arg;
  uint8_t *ack = calloc(1, s->ack_len);
  zmq_msg_t rid, body;
  zmq_msg_init(&rid);
  zmq_msg_init(&body);
  while (ack) {
    if (zmq_msg_recv(&rid, s->sock, 0) < 0) {
      if (zmq_errno() == EINTR) {
        continue;
      }
      break;
    }
    if (!zmq_msg_more(&rid) || zmq_msg_recv(&body, s->sock, 0) < 0) {
      continue;
    }
    while (zmq_msg_more(&body) && zmq_msg_recv(&body, s->sock, 0) >= 0) {
    }
    size_t n = zmq_msg_size(&body) < sizeof(uint64_t) ? zmq_msg_size(&body) : sizeof(uint64_t);
    memcpy(ack, zmq_msg_data(&body), n);
    if (zmq_msg_send(&rid, s->sock, ZMQ_SNDMORE) < 0 || zmq_send(s->sock, ack, s->ack_len, 0) < 0) {
      if (zmq_errno() == ETERM) {
        break;
      }
    }
  }
  zmq_msg_close(&rid);
  zmq_msg_close(&body);
  free(ack);
  zmq_close(s->sock);
  return NULL;
}

static int s_raw_server_start(s_raw_server_t *s, const char *dir, int tcp, size_t ack_len) {
  memset(s, 0, sizeof *s);
  s->ack_len = ack_len;
  if (zmq_curve_keypair(s->key.public_key, s->key.secret_key) != 0) {
    return -1;
  }
  /* Its own context, so its I/O thread is not the clients' (as mashd's is
   * its own process). */
  s->ctx = zmq_ctx_new();
  s->sock = s->ctx ? zmq_socket(s->ctx, ZMQ_ROUTER) : NULL;
  if (!s->sock) {
    return -1;
  }
  int one = 1, zero = 0, hwm = 100000;
  zmq_setsockopt(s->sock, ZMQ_CURVE_SERVER, &one, sizeof one);
  zmq_setsockopt(s->sock, ZMQ_CURVE_SECRETKEY, s->key.secret_key, MASH_Z85_KEY_LEN);
  zmq_setsockopt(s->sock, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(s->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
  zmq_setsockopt(s->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
  char ep[PATH_MAX];
  if (tcp) {
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:*");
  } else {
    snprintf(ep, sizeof ep, "ipc://%s/raw.sock", dir);
  }
  size_t len = sizeof s->endpoint;
  if (zmq_bind(s->sock, ep) != 0 ||
      zmq_getsockopt(s->sock, ZMQ_LAST_ENDPOINT, s->endpoint, &len) != 0) {
    fprintf(stderr, "bench-intake: raw server cannot listen on %s: %s\n", ep,
            zmq_strerror(zmq_errno()));
    zmq_close(s->sock);
    return -1;
  }
  if (pthread_create(&s->thread, NULL, s_raw_server_main, s) != 0) {
    zmq_close(s->sock);
    return -1;
  }
  return 0;
}

static void s_raw_server_stop(s_raw_server_t *s) {
  zmq_ctx_shutdown(s->ctx);
  pthread_join(s->thread, NULL);
  zmq_ctx_term(s->ctx);
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

/* Write "bench-KK-SSSSSSSSSS" (S_ID_LEN bytes, no NUL) for client k and
 * sequence number seq (both below their field's width: see the option limits). */
static void s_format_id(char *out, unsigned k, unsigned long seq) {
  memcpy(out, "bench-", 6);
  out[6] = (char)('0' + k / 10 % 10);
  out[7] = (char)('0' + k % 10);
  out[8] = '-';
  for (int i = S_ID_LEN - 1; i >= 9; i--) {
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
  if (strlen(corr) == S_ID_LEN && mash_settings_ulong(corr + 9, 0, ULONG_MAX, &v) == 0 &&
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
  const s_opts_t *o = run->opts;
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
static int s_run(const s_opts_t *o, const s_load_t *load, const mash_key_t *keys, s_result_t *res) {
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

static void s_print_results(const s_opts_t *o, size_t payload_len, const s_result_t *mashd,
                            const s_result_t *raw, const char *disk_dir) {
  double ratio = raw->msgs_per_s > 0 ? mashd->msgs_per_s / raw->msgs_per_s : 0;
  printf("bench-intake: N=%lu clients=%u window=%u payload=%zu B transport=%s mashd-log=%s\n",
         o->count, o->clients, o->window, payload_len, o->tcp ? "tcp" : "ipc", o->log_level);
  printf("%-8s %12s %10s %10s %10s\n", "target", "msgs/s", "p50 ms", "p99 ms", "seconds");
  printf("%-8s %12.0f %10.2f %10.2f %10.2f\n", "mashd", mashd->msgs_per_s, mashd->p50_ms,
         mashd->p99_ms, mashd->seconds);
  printf("%-8s %12.0f %10.2f %10.2f %10.2f\n", "raw", raw->msgs_per_s, raw->p50_ms, raw->p99_ms,
         raw->seconds);
  printf("ratio mashd/raw: %.2f (target >= 0.30, goal 0.50)\n", ratio);
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
           "\"ratio\":%.3f}\n",
           mashd->msgs_per_s, mashd->p50_ms, mashd->p99_ms, mashd->seconds, raw->msgs_per_s,
           raw->p50_ms, raw->p99_ms, raw->seconds, ratio);
  }
  fflush(stdout);
}

static int s_parse_args(int argc, char **argv, s_opts_t *o) {
  const bench_opt_t opts[] = {
      BENCH_ULONG("count", 'n', &o->count, 1, 100000000),
      BENCH_UINT("clients", 'c', &o->clients, 1, S_MAX_CLIENTS),
      BENCH_UINT("window", 'w', &o->window, 1, 100000),
      BENCH_TEXT("mashd", 0, &o->mashd),
      BENCH_TEXT("example", 0, &o->example),
      BENCH_TEXT("dir", 0, &o->parent_dir),
      BENCH_FLAG("tcp", 0, &o->tcp),
      BENCH_TEXT("log-level", 0, &o->log_level),
      BENCH_INT("timeout", 0, &o->timeout_ms, 1, 3600000),
      BENCH_FLAG("json", 0, &o->json),
      BENCH_FLAG("keep", 0, &o->keep),
      BENCH_FLAG("quiet", 'q', &o->quiet),
  };
  return bench_parse("bench-intake", argc, argv, opts, sizeof opts / sizeof opts[0], s_usage);
}

int main(int argc, char **argv) {
  s_opts_t o = {.count = 20000,
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
    s_default_mashd(mashd_path, sizeof mashd_path);
  }
  if (access(mashd_path, X_OK) != 0) {
    fprintf(stderr, "bench-intake: no mashd at %s (build it, or use --mashd)\n", mashd_path);
    return 2;
  }

  /* Block SIGCHLD everywhere (threads inherit the mask): s_mashd_stop
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
  mash_key_t broker, keys[S_MAX_CLIENTS];
  s_mashd_t mashd = {.pid = 0, .out_fd = -1};
  s_result_t rm, rr;
  memset(&rm, 0, sizeof rm);
  memset(&rr, 0, sizeof rr);
  if (s_make_keys(dir, o.clients, &broker, keys) != 0 ||
      s_make_payload(o.example, &payload, &payload_len, &id_offset) != 0) {
    goto out;
  }
  size_t ack_len = s_receipt_size();

  /* mashd first, stopped before the raw run so that it takes no CPU then. */
  mashd_started = 1;
  if (s_mashd_start(&mashd, mashd_path, dir, &o) != 0) {
    goto out;
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
  int exit_status = s_mashd_stop(&mashd);
  long long stored = s_count_contacts(dir);
  int ok = mrc == 0 && rm.failures == 0;
  if (exit_status != 0) {
    fprintf(stderr, "bench-intake: mashd did not stop cleanly (status %d)\n", exit_status);
    ok = 0;
  }
  if (stored != (long long)o.count) {
    fprintf(stderr, "bench-intake: mashd stored %lld contacts, expected %lu\n", stored, o.count);
    ok = 0;
  }
  if (!ok) {
    s_log_tail(dir);
  }

  s_raw_server_t raw;
  if (s_raw_server_start(&raw, dir, o.tcp, ack_len) != 0) {
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
  s_raw_server_stop(&raw);
  if (rrc != 0) {
    ok = 0;
  }
  s_print_results(&o, payload_len, &rm, &rr, parent && parent[0] ? parent : "/tmp");
  rc = ok ? 0 : 1;
out:
  if (mashd.pid > 0) {
    s_mashd_stop(&mashd);
  }
  free(payload);
  memset(keys, 0, sizeof keys);
  memset(&broker, 0, sizeof broker);
  /* On failure keep what explains it: mashd.log and the database. */
  if (o.keep || (rc != 0 && mashd_started)) {
    fprintf(stderr, "bench-intake: files kept in %s\n", dir);
  } else {
    s_remove_tree(dir);
  }
  return rc;
}
