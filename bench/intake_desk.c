/* intake_desk: bench-intake's hub desk and its pre-populated person index.
 *
 * Responsible for: a hub-role DEALER client on its own thread that
 * acknowledges whatever mashd delivers and notes when each distinct contact
 * arrived; copying a person index kept by bench-resolve into mashd's data
 * folder. Must not: be run by ctest, print child data (it reads contact ids
 * only), or leave its thread running after intake_desk_destroy.
 */
#include "intake_desk.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "bench.h"
#include "codec.h"

struct intake_desk {
  void *sock;
  pthread_t thread;
  atomic_int stop;
  pthread_mutex_t mu; /* guards what follows; cv signals a new contact */
  pthread_cond_t cv;
  unsigned long received; /* distinct contacts */
  int64_t last_ns;
  uint8_t *seen; /* one byte per contact number: seen once */
  size_t seen_len;
};

static int s_send_env(void *sock, Mash__V1__Envelope *env, const char *id) {
  mash_envelope_init(env, id, 1);
  uint8_t *buf = NULL;
  size_t len = 0;
  if (mash_codec_encode(env, &buf, &len) != 0) {
    return -1;
  }
  int rc = zmq_send(sock, buf, len, 0) < 0 ? -1 : 0;
  free(buf);
  return rc;
}

/* A contact id's number ("MASH-000123" is 123), or 0 when it has none. */
static size_t s_contact_number(const char *id) {
  const char *p = id ? strrchr(id, '-') : NULL;
  return p ? (size_t)strtoull(p + 1, NULL, 10) : 0;
}

/* Count a contact the first time its id is seen (mashd may deliver one
 * again when an acknowledgement is slow). */
static void s_note_contact(intake_desk_t *d, const char *contact_id) {
  size_t k = s_contact_number(contact_id);
  pthread_mutex_lock(&d->mu);
  if (k >= d->seen_len) {
    size_t len = d->seen_len ? d->seen_len : 1 << 16;
    while (len <= k) {
      len *= 2;
    }
    uint8_t *grown = realloc(d->seen, len);
    if (grown) {
      memset(grown + d->seen_len, 0, len - d->seen_len);
      d->seen = grown;
      d->seen_len = len;
    }
  }
  if (k < d->seen_len && !d->seen[k]) {
    d->seen[k] = 1;
    d->received++;
    d->last_ns = bench_now_ns();
    pthread_cond_broadcast(&d->cv);
  }
  pthread_mutex_unlock(&d->mu);
}

static void *s_desk_main(void *arg) {
  intake_desk_t *d = arg;
  unsigned long seq = 0;
  zmq_msg_t m;
  zmq_msg_init(&m);
  while (!atomic_load(&d->stop)) {
    if (zmq_msg_recv(&m, d->sock, 0) < 0) {
      continue; /* the receive timeout: look at stop again */
    }
    mash_errors_t errs;
    memset(&errs, 0, sizeof errs);
    Mash__V1__Envelope *env = mash_codec_decode(zmq_msg_data(&m), zmq_msg_size(&m), &errs);
    if (!env) {
      continue;
    }
    if (env->body_case == MASH__V1__ENVELOPE__BODY_CONTACT) {
      s_note_contact(d, env->contact->contact_id);
    }
    if (env->body_case != MASH__V1__ENVELOPE__BODY_RECEIPT &&
        env->body_case != MASH__V1__ENVELOPE__BODY_HEARTBEAT && env->message_id) {
      /* Acknowledged as mash-hub's runtime does: mashd then marks it
       * delivered and sends the next. */
      Mash__V1__Envelope ack = MASH__V1__ENVELOPE__INIT;
      Mash__V1__Receipt r = MASH__V1__RECEIPT__INIT;
      r.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED;
      ack.correlation_id = env->message_id;
      ack.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
      ack.receipt = &r;
      char id[48];
      snprintf(id, sizeof id, "bench-desk-%lu", ++seq);
      s_send_env(d->sock, &ack, id);
    }
    mash_codec_free(env);
  }
  zmq_msg_close(&m);
  return NULL;
}

intake_desk_t *intake_desk_start(void *ctx, const char *endpoint, const char *server_public,
                                 const mash_key_t *key, int timeout_ms) {
  intake_desk_t *d = calloc(1, sizeof *d);
  if (!d) {
    return NULL;
  }
  pthread_mutex_init(&d->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&d->cv, &ca);
  pthread_condattr_destroy(&ca);
  d->sock = zmq_socket(ctx, ZMQ_DEALER);
  if (!d->sock) {
    goto fail;
  }
  int zero = 0, poll_ms = 100, hwm = 200000;
  zmq_setsockopt(d->sock, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(d->sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
  zmq_setsockopt(d->sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
  zmq_setsockopt(d->sock, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
  zmq_setsockopt(d->sock, ZMQ_CURVE_SERVERKEY, server_public, MASH_Z85_KEY_LEN);
  zmq_setsockopt(d->sock, ZMQ_CURVE_PUBLICKEY, key->public_key, MASH_Z85_KEY_LEN);
  zmq_setsockopt(d->sock, ZMQ_CURVE_SECRETKEY, key->secret_key, MASH_Z85_KEY_LEN);
  if (zmq_connect(d->sock, endpoint) != 0) {
    goto fail;
  }
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Heartbeat hb = MASH__V1__HEARTBEAT__INIT;
  hb.agent = (char *)"bench-intake-desk";
  env.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
  env.heartbeat = &hb;
  zmq_msg_t m;
  zmq_msg_init(&m);
  int rc = s_send_env(d->sock, &env, "bench-desk-warm-up");
  rc = rc == 0 && zmq_msg_recv(&m, d->sock, 0) >= 0 ? 0 : -1;
  zmq_msg_close(&m);
  if (rc != 0) {
    fprintf(stderr, "bench-intake: the desk had no answer from mashd: %s\n",
            zmq_strerror(zmq_errno()));
    goto fail;
  }
  /* From now on a short receive timeout, so that the thread sees stop. */
  zmq_setsockopt(d->sock, ZMQ_RCVTIMEO, &poll_ms, sizeof poll_ms);
  if (pthread_create(&d->thread, NULL, s_desk_main, d) != 0) {
    goto fail;
  }
  return d;
fail:
  if (d->sock) {
    zmq_close(d->sock);
  }
  pthread_cond_destroy(&d->cv);
  pthread_mutex_destroy(&d->mu);
  free(d);
  return NULL;
}

unsigned long intake_desk_wait(intake_desk_t *d, unsigned long want, int idle_ms,
                               int64_t *last_ns) {
  pthread_mutex_lock(&d->mu);
  unsigned long seen = d->received;
  int64_t idle_since = bench_now_ns();
  while (d->received < want) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += 200 * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_cond_timedwait(&d->cv, &d->mu, &until);
    if (d->received != seen) {
      seen = d->received;
      idle_since = bench_now_ns();
    } else if (bench_now_ns() - idle_since > (int64_t)idle_ms * 1000000) {
      break;
    }
  }
  unsigned long n = d->received;
  *last_ns = d->last_ns;
  pthread_mutex_unlock(&d->mu);
  return n;
}

void intake_desk_destroy(intake_desk_t **self_p) {
  intake_desk_t *d = self_p ? *self_p : NULL;
  if (!d) {
    return;
  }
  atomic_store(&d->stop, 1);
  pthread_join(d->thread, NULL);
  zmq_close(d->sock);
  pthread_cond_destroy(&d->cv);
  pthread_mutex_destroy(&d->mu);
  free(d->seen);
  free(d);
  *self_p = NULL;
}

/* ------------------------------------------------------------ the index */

static int s_copy_file(const char *from, const char *to, int optional) {
  int in = open(from, O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    if (optional && errno == ENOENT) {
      return 0;
    }
    fprintf(stderr, "bench-intake: cannot read %s: %s\n", from, strerror(errno));
    return -1;
  }
  int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) {
    fprintf(stderr, "bench-intake: cannot write %s: %s\n", to, strerror(errno));
    close(in);
    return -1;
  }
  static char buf[1 << 20];
  int rc = 0;
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n == 0) {
      break;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      rc = -1;
      break;
    }
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(out, buf + off, (size_t)(n - off));
      if (w < 0 && errno == EINTR) {
        continue;
      }
      if (w <= 0) {
        rc = -1;
        break;
      }
      off += w;
    }
    if (rc != 0) {
      break;
    }
  }
  if (close(out) != 0) {
    rc = -1;
  }
  close(in);
  if (rc != 0) {
    fprintf(stderr, "bench-intake: cannot copy %s to %s: %s\n", from, to, strerror(errno));
  }
  return rc;
}

int intake_people_copy(const char *from_dir, const char *data_dir) {
  if (mkdir(data_dir, 0700) != 0 && errno != EEXIST) {
    fprintf(stderr, "bench-intake: cannot create %s: %s\n", data_dir, strerror(errno));
    return -1;
  }
  static const char *const files[][3] = {{"mash.db", "mashd.db", ""},
                                         {"mash.db-wal", "mashd.db-wal", "optional"},
                                         {"data.key", "data.key", ""}};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char from[PATH_MAX], to[PATH_MAX];
    snprintf(from, sizeof from, "%s/%s", from_dir, files[i][0]);
    snprintf(to, sizeof to, "%s/%s", data_dir, files[i][1]);
    if (s_copy_file(from, to, files[i][2][0] != '\0') != 0) {
      return -1;
    }
  }
  return 0;
}
