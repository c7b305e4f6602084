/* zsock: a ZeroMQ socket driven by a libuv loop (DESIGN.md §5).
 *
 * ZMQ_FD is edge-triggered: after every wake-up and after every send we read
 * ZMQ_EVENTS and drain until nothing is pending, at most `budget` messages
 * per loop turn; the rest is picked up by an idle handle on the next turn, so
 * nothing stalls and no socket starves the loop. Knows frames, not protobuf.
 * Loop thread only.
 */
#ifndef MASH_ZSOCK_H
#define MASH_ZSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include <zmq.h>

#include "keys.h"

#define MASH_ZSOCK_MAX_PARTS 8

typedef struct mash_zsock mash_zsock_t;

/* One multipart message. parts are valid only during the call; messages with
 * more than MASH_ZSOCK_MAX_PARTS parts are dropped and counted. The callback
 * may call mash_zsock_send and mash_zsock_close. */
typedef void (*mash_zsock_recv_cb)(mash_zsock_t *zs, zmq_msg_t *parts, size_t nparts, void *arg);

/* A DEALER socket of ctx, connected to `endpoint` as a CURVE client of the
 * server's public key with this process's key pair `own`: linger 0, frames at most max_frame bytes,
 * no receive high-water mark (see zsock.c: libzmq aborts a client stalled at it),
 * sends only over a completed connection (ZMQ_IMMEDIATE), reconnecting from 100 ms up to 5 s, and
 * ZMTP heartbeats every heartbeat_ms (ttl three of them) when heartbeat_ms > 0. Every long-lived
 * client of the broker (the agent runtime, the ops console) makes its socket here, watched on
 * `loop` like mash_zsock_new (budget, cb, arg). Returns it, or NULL with the reason in err. */
mash_zsock_t *mash_zsock_client_new(uv_loop_t *loop, void *ctx, const char *endpoint,
                                    const mash_key_t *server, const mash_key_t *own,
                                    int64_t max_frame, int heartbeat_ms, unsigned budget,
                                    mash_zsock_recv_cb cb, void *arg, char *err, size_t errlen);

/* Wrap `sock` (ownership moves: closed by mash_zsock_close). Returns NULL on
 * failure, leaving sock open. */
mash_zsock_t *mash_zsock_new(uv_loop_t *loop, void *sock, unsigned budget, mash_zsock_recv_cb cb,
                             void *arg);

/* Send n frames without blocking. Returns 0, or a negative errno: -EAGAIN when
 * the peer's queue is full or no peer is connected, -EHOSTUNREACH when a ROUTER
 * (with ZMQ_ROUTER_MANDATORY) does not know the routing id. */
int mash_zsock_send(mash_zsock_t *zs, const void *const *bufs, const size_t *lens, size_t n);

void *mash_zsock_socket(mash_zsock_t *zs);

/* Messages dropped for having too many parts. */
unsigned long mash_zsock_dropped(const mash_zsock_t *zs);

/* Stop, close the ZeroMQ socket (linger as set on it), close the handles;
 * close_cb(arg) runs once they are closed and zs is freed. Accepts NULL zs. */
void mash_zsock_close(mash_zsock_t *zs, void (*close_cb)(void *arg), void *arg);

#endif
