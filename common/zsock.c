/* zsock: ZeroMQ on libuv. Responsible for: turning ZMQ_FD readiness into
 * callbacks per message without stalls (edge-triggered fd), bounded work per
 * loop turn, non-blocking sends. Must not: interpret payloads. */
#include "zsock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "keys.h"
#include "log.h"

struct mash_zsock {
  uv_loop_t *loop;
  void *sock;
  unsigned budget;
  mash_zsock_recv_cb cb;
  void *arg;
  uv_poll_t poll;
  uv_idle_t idle;
  int handles_open;
  int closing;
  int in_drain;
  unsigned long dropped;
  void (*close_cb)(void *arg);
  void *close_arg;
};

/* Receive one multipart message; returns 1 when one was handled, 0 when none
 * was pending. */
static int s_recv_one(mash_zsock_t *zs) {
  zmq_msg_t parts[MASH_ZSOCK_MAX_PARTS];
  size_t n = 0;
  int more = 1, overflow = 0;
  while (more) {
    zmq_msg_t tmp;
    zmq_msg_t *m = n < MASH_ZSOCK_MAX_PARTS ? &parts[n] : &tmp;
    zmq_msg_init(m);
    if (zmq_msg_recv(m, zs->sock, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close(m);
      if (n == 0) {
        return 0;
      }
      break; /* cannot happen mid-message: parts arrive atomically */
    }
    more = zmq_msg_more(m);
    if (m == &tmp) {
      overflow = 1;
      zmq_msg_close(m);
    } else {
      n++;
    }
  }
  if (overflow) {
    zs->dropped++;
    mash_warn("dropped a message with more than %d parts", MASH_ZSOCK_MAX_PARTS);
  } else {
    zs->cb(zs, parts, n, zs->arg);
  }
  for (size_t i = 0; i < n; i++) {
    zmq_msg_close(&parts[i]);
  }
  return 1;
}

static void s_idle_cb(uv_idle_t *h);

static void s_drain(mash_zsock_t *zs) {
  if (zs->in_drain || zs->closing) {
    return;
  }
  zs->in_drain = 1;
  unsigned done = 0;
  int more = 1;
  /* Receive until the socket says EAGAIN: that also processes libzmq's
   * pending commands, so the edge-triggered fd fires again for anything
   * that arrives later. */
  while (!zs->closing && done < zs->budget && (more = s_recv_one(zs))) {
    done++;
  }
  zs->in_drain = 0;
  if (zs->closing) {
    return;
  }
  if (more && done == zs->budget) {
    /* Budget spent with input maybe pending: continue on the next turn. */
    uv_idle_start(&zs->idle, s_idle_cb);
  } else {
    uv_idle_stop(&zs->idle);
  }
}

static void s_poll_cb(uv_poll_t *h, int status, int events) {
  (void)status;
  (void)events;
  s_drain(h->data);
}

static void s_idle_cb(uv_idle_t *h) {
  s_drain(h->data);
}

mash_zsock_t *mash_zsock_new(uv_loop_t *loop, void *sock, unsigned budget, mash_zsock_recv_cb cb,
                             void *arg) {
  int fd = -1;
  size_t len = sizeof fd;
  if (zmq_getsockopt(sock, ZMQ_FD, &fd, &len) != 0) {
    return NULL;
  }
  mash_zsock_t *zs = calloc(1, sizeof *zs);
  if (!zs) {
    return NULL;
  }
  zs->loop = loop;
  zs->sock = sock;
  zs->budget = budget ? budget : 64;
  zs->cb = cb;
  zs->arg = arg;
  if (uv_poll_init(loop, &zs->poll, fd) != 0) {
    free(zs);
    return NULL;
  }
  uv_idle_init(loop, &zs->idle);
  zs->poll.data = zs;
  zs->idle.data = zs;
  zs->handles_open = 2;
  uv_poll_start(&zs->poll, UV_READABLE, s_poll_cb);
  /* Messages may already be queued: the edge has passed. Look on the next turn. */
  uv_idle_start(&zs->idle, s_idle_cb);
  return zs;
}

int mash_zsock_send(mash_zsock_t *zs, const void *const *bufs, const size_t *lens, size_t n) {
  if (zs->closing) {
    return -ECANCELED;
  }
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    int flags = ZMQ_DONTWAIT | (i + 1 < n ? ZMQ_SNDMORE : 0);
    if (zmq_send(zs->sock, bufs[i], lens[i], flags) < 0) {
      rc = -zmq_errno();
      break; /* the first frame failing means nothing was queued */
    }
  }
  /* A send can consume the fd's edge for pending input: drain on the next
   * turn (cheaper than asking ZMQ_EVENTS after every send). */
  if (!zs->in_drain) {
    uv_idle_start(&zs->idle, s_idle_cb);
  }
  return rc;
}

void *mash_zsock_socket(mash_zsock_t *zs) {
  return zs->sock;
}

unsigned long mash_zsock_dropped(const mash_zsock_t *zs) {
  return zs->dropped;
}

static void s_close_cb(uv_handle_t *h) {
  mash_zsock_t *zs = h->data;
  if (--zs->handles_open == 0) {
    /* Close the socket (and its fd) only once libuv no longer watches it. */
    zmq_close(zs->sock);
    void (*cb)(void *) = zs->close_cb;
    void *arg = zs->close_arg;
    free(zs);
    if (cb) {
      cb(arg);
    }
  }
}

void mash_zsock_close(mash_zsock_t *zs, void (*close_cb)(void *arg), void *arg) {
  if (!zs) {
    if (close_cb) {
      close_cb(arg);
    }
    return;
  }
  if (zs->closing) {
    return;
  }
  zs->closing = 1;
  zs->close_cb = close_cb;
  zs->close_arg = arg;
  uv_poll_stop(&zs->poll);
  uv_idle_stop(&zs->idle);
  uv_close((uv_handle_t *)&zs->poll, s_close_cb);
  uv_close((uv_handle_t *)&zs->idle, s_close_cb);
}

static void *s_curve_client(void *ctx, const char *endpoint, const char *server_public,
                            const char *own_public, const char *own_secret, int64_t max_frame,
                            int heartbeat_ms, char *err, size_t errlen) {
  void *sock = zmq_socket(ctx, ZMQ_DEALER);
  int zero = 0, one = 1, ivl = 100, ivl_max = 5000, ttl = heartbeat_ms * 3;
  if (!sock) {
    snprintf(err, errlen, "socket: %s", zmq_strerror(zmq_errno()));
    return NULL;
  }
  zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(sock, ZMQ_IMMEDIATE, &one, sizeof one);
  zmq_setsockopt(sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
  zmq_setsockopt(sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
  zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame);
  /* No receive limit. At the limit libzmq stops reading the connection, so
   * it no longer answers the server's heartbeats either; the server then
   * drops it, and libzmq 4.3.4 aborts the client (stream_engine_base.cpp,
   * "!_io_error" or "_input_stopped") when its own heartbeat timer fires on
   * that connection. A client busy for a few seconds (an adapter on a slow
   * disk, a desk handed a backlog) then died with everything unread. What
   * the broker sends is bounded by the client's window (receipts) and the
   * broker's outbox (deliveries, resent with backoff). */
  zmq_setsockopt(sock, ZMQ_RCVHWM, &zero, sizeof zero);
  if (heartbeat_ms > 0) {
    zmq_setsockopt(sock, ZMQ_HEARTBEAT_IVL, &heartbeat_ms, sizeof heartbeat_ms);
    zmq_setsockopt(sock, ZMQ_HEARTBEAT_TIMEOUT, &ttl, sizeof ttl);
  }
  if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server_public, MASH_Z85_KEY_LEN) != 0 ||
      zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, own_public, MASH_Z85_KEY_LEN) != 0 ||
      zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, own_secret, MASH_Z85_KEY_LEN) != 0 ||
      zmq_connect(sock, endpoint) != 0) {
    snprintf(err, errlen, "cannot connect to %s: %s", endpoint, zmq_strerror(zmq_errno()));
    zmq_close(sock);
    return NULL;
  }
  return sock;
}

mash_zsock_t *mash_zsock_client_new(uv_loop_t *loop, void *ctx, const char *endpoint,
                                    const mash_key_t *server, const mash_key_t *own,
                                    int64_t max_frame, int heartbeat_ms, unsigned budget,
                                    mash_zsock_recv_cb cb, void *arg, char *err, size_t errlen) {
  void *sock = s_curve_client(ctx, endpoint, server->public_key, own->public_key, own->secret_key,
                              max_frame, heartbeat_ms, err, errlen);
  if (!sock) {
    return NULL;
  }
  mash_zsock_t *zs = mash_zsock_new(loop, sock, budget, cb, arg);
  if (!zs) {
    snprintf(err, errlen, "cannot watch the socket");
    zmq_close(sock);
  }
  return zs;
}
