/* bench-intake's targets: what the load is sent to, and what they need.
 *
 * Responsible for: the temporary folder's files, the CURVE keys and trust
 * list (with a hub desk's key for --desk), the encoded payload with its
 * placeholder id, starting a real mashd (posix_spawn, waiting for its ready
 * line; its store in the folder or on PostgreSQL) and stopping it, reading
 * its CPU time, counting what it stored through a read-only store, and the
 * raw ROUTER that acknowledges every frame (the transport's ceiling). Must
 * not: leave mashd running, or read the broker's tables but through the
 * store interface. Called from bench-intake's main thread; the raw server
 * runs on its own thread.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
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
#include "intake_int.h"
#include "keys.h"
#include "police_json.h"
#include "store.h"

extern char **environ;

#define S_READY_PREFIX "mashd: ready on "

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
void intake_remove_tree(const char *path) {
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
        intake_remove_tree(child);
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
static int s_trust(const char *trusted, const char *name, const char *role, const char *agency,
                   const mash_key_t *key) {
  char path[PATH_MAX + 64], text[256];
  snprintf(path, sizeof path, "%s/%s.pub", trusted, name);
  snprintf(text, sizeof text, "principal = %s\nrole = %s\n%s%s%spublic-key = %s\n", name, role,
           agency ? "agency = " : "", agency ? agency : "", agency ? "\n" : "", key->public_key);
  if (s_write_file(path, text) != 0) {
    fprintf(stderr, "bench-intake: cannot write %s: %s\n", path, strerror(errno));
    return -1;
  }
  return 0;
}

/* hub: when not NULL, a hub desk's key too (trusted with the hub role). */
int intake_make_keys(const char *dir, unsigned clients, mash_key_t *broker, mash_key_t *keys,
                     mash_key_t *hub) {
  char certs[PATH_MAX], trusted[PATH_MAX], err[512] = "";
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
    if (s_trust(trusted, name, "agency", "police", &keys[i]) != 0) {
      return -1;
    }
  }
  if (hub && (mash_key_generate(certs, "hub", "hub", 0, hub, err, sizeof err) != 0 ||
              s_trust(trusted, "hub", "hub", NULL, hub) != 0)) {
    fprintf(stderr, "bench-intake: the desk's key: %s\n", err);
    return -1;
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
int intake_make_payload(const char *example, uint8_t **out, size_t *out_len, size_t *id_offset) {
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
  mash_envelope_init(&env, INTAKE_ID_TEMPLATE, (int64_t)ts.tv_sec * 1000);
  env.body_case = MASH__V1__ENVELOPE__BODY_NOTIFICATION;
  env.notification = n;
  int rc = mash_codec_encode(&env, out, out_len);
  police_json_free(n);
  if (rc != 0) {
    fprintf(stderr, "bench-intake: cannot encode the notification (%d)\n", rc);
    return -1;
  }
  size_t at = s_find(*out, *out_len, INTAKE_ID_TEMPLATE, INTAKE_ID_LEN, 0);
  if (at == SIZE_MAX ||
      s_find(*out, *out_len, INTAKE_ID_TEMPLATE, INTAKE_ID_LEN, at + 1) != SIZE_MAX) {
    fprintf(stderr, "bench-intake: the message id placeholder is not unique in the payload\n");
    free(*out);
    return -1;
  }
  *id_offset = at;
  return 0;
}

/* The size of a typical accepted receipt, so that the raw server answers
 * with as many bytes as mashd does. */
size_t intake_receipt_size(void) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Receipt rec = MASH__V1__RECEIPT__INIT;
  rec.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED;
  rec.contact_id = (char *)"MASH-000001";
  mash_envelope_init(&env, "00000000-0000-4000-8000-000000000000", 1700000000000);
  env.correlation_id = (char *)INTAKE_ID_TEMPLATE;
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

void intake_default_mashd(char *out, size_t len) {
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

void intake_log_tail(const char *dir) {
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
static int s_mashd_wait_ready(intake_mashd_t *m, int timeout_ms) {
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

int intake_mashd_start(intake_mashd_t *m, const char *mashd, const char *dir,
                       const intake_opts_t *o) {
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
      (char *)mashd, "--endpoint",         ep,   "--data", data, "--trust", trust, "--key", key,
      "--log-level", (char *)o->log_level, NULL, NULL,     NULL, NULL,      NULL};
  if (o->store_url) { /* the store on PostgreSQL, behind the same interface */
    char **tail = &argv[sizeof argv / sizeof argv[0] - 5];
    tail[0] = "--store", tail[1] = "postgresql", tail[2] = "--store-url";
    tail[3] = (char *)o->store_url;
  }
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
  /* At least 20 s; longer with --timeout (mashd under valgrind starts slowly). */
  if (s_mashd_wait_ready(m, o->timeout_ms > 20000 ? o->timeout_ms : 20000) != 0) {
    intake_log_tail(dir);
    return -1;
  }
  return 0;
}

/* SIGTERM, then wait (SIGCHLD is blocked in every thread; sigtimedwait
 * wakes on it) up to 15 s before SIGKILL. Returns mashd's exit status, or -1
 * when it had to be killed or died of a signal. */
int intake_mashd_stop(intake_mashd_t *m) {
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

/* mashd's CPU so far (user and system, seconds), from /proc/PID/stat;
 * -1 when it cannot be read. Read just before SIGTERM: what the run cost,
 * with start-up, but not the stop. */
int intake_proc_cpu(pid_t pid, double *user_s, double *sys_s) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) {
    return -1;
  }
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  const char *p = strrchr(buf, ')'); /* after the command name */
  unsigned long long ut = 0, st = 0;
  if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2) {
    return -1;
  }
  long hz = sysconf(_SC_CLK_TCK);
  *user_s = (double)ut / (double)(hz > 0 ? hz : 100);
  *sys_s = (double)st / (double)(hz > 0 ? hz : 100);
  return 0;
}

/* Through the store's statistics on a read-only store: the benchmark, like
 * every program but mashd, never reads the broker's tables itself. */
long long intake_count_contacts(const char *dir, const char *store_url) {
  char path[PATH_MAX], err[256];
  snprintf(path, sizeof path, "%s/mashd/mashd.db", dir);
  mash_store_t *store = store_url ? mash_store_postgres_open_readonly(store_url, err, sizeof err)
                                  : mash_store_sqlite_open_readonly(path, err, sizeof err);
  if (!store) {
    return -1;
  }
  mash_store_stats_t t;
  long long n = mash_store_stats_summary(store, 0, &t) == 0 ? (long long)t.contacts : -1;
  mash_store_destroy(&store);
  return n;
}

/* ------------------------------------------------------------ raw server */

/* Answer every frame with ack_len bytes whose first eight are the frame's
 * first eight (the client's sequence number). Ends when the context is shut
 * down (ETERM). */
static void *s_raw_server_main(void *arg) {
  intake_raw_t *s = arg;
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

int intake_raw_start(intake_raw_t *s, const char *dir, int tcp, size_t ack_len) {
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

void intake_raw_stop(intake_raw_t *s) {
  zmq_ctx_shutdown(s->ctx);
  pthread_join(s->thread, NULL);
  zmq_ctx_term(s->ctx);
}
