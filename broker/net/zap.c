/* zap: the ZAP handler and the proof that it is enforced. Responsible for:
 * mapping a CURVE public key to a principal, refusing every other key, and
 * the start-up self-test. Must not: trust anything a client says about
 * itself; log keys in full. */
#include "zap.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

void *mash_zap_bind(void *ctx, char *err, size_t errlen) {
  void *zap = zmq_socket(ctx, ZMQ_REP);
  int linger = 0;
  if (!zap) {
    snprintf(err, errlen, "ZAP socket: %s", zmq_strerror(zmq_errno()));
    return NULL;
  }
  zmq_setsockopt(zap, ZMQ_LINGER, &linger, sizeof linger);
  if (zmq_bind(zap, MASH_ZAP_ENDPOINT) != 0) {
    snprintf(err, errlen, "ZAP bind %s: %s", MASH_ZAP_ENDPOINT, zmq_strerror(zmq_errno()));
    zmq_close(zap);
    return NULL;
  }
  return zap;
}

static int s_frame_is(zmq_msg_t *m, const char *s) {
  size_t n = strlen(s);
  return zmq_msg_size(m) == n && memcmp(zmq_msg_data(m), s, n) == 0;
}

/* key: the Z85 public key of an allowed client, sent back as the ZAP
 * metadata property MASH_ZAP_KEY_PROPERTY (RFC 27: name length, name, value
 * length big-endian, value), so that every message of the connection
 * carries the key it was authenticated with. */
static void s_reply(void *zap, zmq_msg_t *request_id, const char *code, const char *text,
                    const char *user, const char *key) {
  uint8_t meta[1 + sizeof MASH_ZAP_KEY_PROPERTY + 4 + MASH_Z85_KEY_LEN];
  size_t mlen = 0;
  if (key) {
    size_t nlen = strlen(MASH_ZAP_KEY_PROPERTY), vlen = strlen(key);
    meta[mlen++] = (uint8_t)nlen;
    memcpy(meta + mlen, MASH_ZAP_KEY_PROPERTY, nlen);
    mlen += nlen;
    meta[mlen++] = 0;
    meta[mlen++] = 0;
    meta[mlen++] = 0;
    meta[mlen++] = (uint8_t)vlen;
    memcpy(meta + mlen, key, vlen);
    mlen += vlen;
  }
  zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
  zmq_send(zap, request_id ? zmq_msg_data(request_id) : "",
           request_id ? zmq_msg_size(request_id) : 0, ZMQ_SNDMORE);
  zmq_send(zap, code, strlen(code), ZMQ_SNDMORE);
  zmq_send(zap, text, strlen(text), ZMQ_SNDMORE);
  zmq_send(zap, user, strlen(user), ZMQ_SNDMORE);
  zmq_send(zap, meta, mlen, 0);
}

void mash_zap_answer(void *zap, zmq_msg_t *parts, size_t nparts, const mash_trust_t *trust,
                     mash_zap_stats_t *stats) {
  /* version, request id, domain, address, routing id, mechanism, credentials */
  if (nparts < 6 || !s_frame_is(&parts[0], "1.0")) {
    stats->malformed++;
    mash_warn_limited("ZAP: malformed request (%zu frames)", nparts);
    s_reply(zap, nparts > 1 ? &parts[1] : NULL, "500", "malformed request", "", NULL);
    return;
  }
  if (!s_frame_is(&parts[2], MASH_ZAP_DOMAIN)) {
    stats->denied++;
    mash_warn_limited("ZAP: denied a connection outside the mash domain");
    s_reply(zap, &parts[1], "400", "wrong domain", "", NULL);
    return;
  }
  if (!s_frame_is(&parts[5], "CURVE") || nparts < 7 || zmq_msg_size(&parts[6]) != 32) {
    stats->denied++;
    mash_warn_limited("ZAP: denied a connection without a CURVE key");
    s_reply(zap, &parts[1], "400", "CURVE required", "", NULL);
    return;
  }
  char z85[MASH_Z85_KEY_LEN + 1];
  zmq_z85_encode(z85, (const uint8_t *)zmq_msg_data(&parts[6]), 32);
  const mash_key_t *k = mash_trust_find_key(trust, z85);
  if (!k && mash_trust_is_revoked(trust, z85)) {
    stats->denied++;
    mash_warn_limited("ZAP: denied a revoked key %.8s...", z85);
    s_reply(zap, &parts[1], "400", "revoked key", "", NULL);
    return;
  }
  if (!k) {
    stats->denied++;
    mash_warn_limited("ZAP: denied unknown key %.8s...", z85);
    s_reply(zap, &parts[1], "400", "unknown key", "", NULL);
    return;
  }
  stats->allowed++;
  mash_debug("ZAP: allowed %s (%s)", k->principal, k->role);
  s_reply(zap, &parts[1], "200", "OK", k->principal, k->public_key);
}

int mash_zap_secure_server(void *sock, const mash_key_t *server_key, char *err, size_t errlen) {
  int one = 1;
  if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
      zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, server_key->secret_key, MASH_Z85_KEY_LEN) != 0 ||
      zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, MASH_ZAP_DOMAIN, strlen(MASH_ZAP_DOMAIN)) != 0 ||
      zmq_setsockopt(sock, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof one) != 0) {
    snprintf(err, errlen, "cannot secure the server socket: %s", zmq_strerror(zmq_errno()));
    return -1;
  }
  return 0;
}

/* Read one request from the REP socket and answer it. */
static void s_serve_one(void *zap, const mash_trust_t *trust, mash_zap_stats_t *stats) {
  zmq_msg_t parts[8];
  size_t n = 0;
  int more = 1;
  while (more) {
    zmq_msg_t tmp;
    zmq_msg_t *m = n < 8 ? &parts[n] : &tmp;
    zmq_msg_init(m);
    if (zmq_msg_recv(m, zap, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close(m);
      break;
    }
    more = zmq_msg_more(m);
    if (m == &tmp) {
      zmq_msg_close(m);
    } else {
      n++;
    }
  }
  if (n > 0) {
    mash_zap_answer(zap, parts, n, trust, stats);
  }
  for (size_t i = 0; i < n; i++) {
    zmq_msg_close(&parts[i]);
  }
}

int mash_zap_selftest(void *ctx, void *zap, const mash_trust_t *trust, const char *endpoint,
                      const char *server_public, int timeout_ms, mash_zap_stats_t *stats, char *err,
                      size_t errlen) {
  char pub[MASH_Z85_KEY_LEN + 1], sec[MASH_Z85_KEY_LEN + 1];
  void *probe = NULL, *mon = NULL;
  int rc = -1, linger = 0;
  if (zmq_curve_keypair(pub, sec) != 0 || !(probe = zmq_socket(ctx, ZMQ_DEALER))) {
    snprintf(err, errlen, "self-test: cannot create the probe: %s", zmq_strerror(zmq_errno()));
    goto out;
  }
  zmq_setsockopt(probe, ZMQ_LINGER, &linger, sizeof linger);
  zmq_setsockopt(probe, ZMQ_CURVE_SERVERKEY, server_public, MASH_Z85_KEY_LEN);
  zmq_setsockopt(probe, ZMQ_CURVE_PUBLICKEY, pub, MASH_Z85_KEY_LEN);
  zmq_setsockopt(probe, ZMQ_CURVE_SECRETKEY, sec, MASH_Z85_KEY_LEN);
  if (zmq_socket_monitor(probe, "inproc://mash-zap-selftest",
                         ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                             ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                             ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
      !(mon = zmq_socket(ctx, ZMQ_PAIR)) || zmq_connect(mon, "inproc://mash-zap-selftest") != 0 ||
      zmq_connect(probe, endpoint) != 0) {
    snprintf(err, errlen, "self-test: cannot connect the probe to %s: %s", endpoint,
             zmq_strerror(zmq_errno()));
    goto out;
  }
  zmq_setsockopt(mon, ZMQ_LINGER, &linger, sizeof linger);
  unsigned long denied_before = stats->denied;
  int64_t waited = 0;
  while (waited < timeout_ms) {
    zmq_pollitem_t items[] = {{zap, 0, ZMQ_POLLIN, 0}, {mon, 0, ZMQ_POLLIN, 0}};
    void *watch = zmq_stopwatch_start();
    if (zmq_poll(items, 2, 100) < 0) {
      snprintf(err, errlen, "self-test: poll: %s", zmq_strerror(zmq_errno()));
      zmq_stopwatch_stop(watch);
      goto out;
    }
    waited += (int64_t)(zmq_stopwatch_stop(watch) / 1000);
    if (items[0].revents & ZMQ_POLLIN) {
      s_serve_one(zap, trust, stats);
    }
    if (items[1].revents & ZMQ_POLLIN) {
      zmq_msg_t ev, addr;
      zmq_msg_init(&ev);
      zmq_msg_init(&addr);
      int got = zmq_msg_recv(&ev, mon, 0) >= 6 && zmq_msg_recv(&addr, mon, 0) >= 0;
      uint16_t event = 0;
      if (got) {
        memcpy(&event, zmq_msg_data(&ev), sizeof event);
      }
      zmq_msg_close(&ev);
      zmq_msg_close(&addr);
      if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
        snprintf(err, errlen,
                 "self-test: an unknown CURVE key was let in; ZAP is not enforced by this "
                 "libzmq, refusing to run");
        goto out;
      }
      if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH && stats->denied > denied_before) {
        rc = 0;
        goto out;
      }
    }
  }
  snprintf(err, errlen,
           "self-test: no proof within %d ms that an unknown key is refused at %s (is the "
           "endpoint reachable from this host?)",
           timeout_ms, endpoint);
out:
  if (probe) {
    zmq_socket_monitor(probe, NULL, 0);
    zmq_close(probe);
  }
  if (mon) {
    zmq_close(mon);
  }
  memset(sec, 0, sizeof sec);
  return rc;
}
