/* router: mashd's loop-side core. Owns the ROUTER and ZAP sockets, decodes
 * and authorizes every message by the principal ZAP authenticated and the
 * role the message table (proto/messages.def) allows, hands the work to the
 * storage thread and answers only once it is durable, and delivers what the
 * broker sends (contacts, requests, escalations, packs) through one outbox
 * retried with backoff until acknowledged (outbox.h). Loop thread only.
 */
#ifndef MASH_ROUTER_H
#define MASH_ROUTER_H

#include <stdint.h>
#include <uv.h>

#include "clock.h"
#include "enquiry.h"
#include "keys.h"
#include "match.h"
#include "storage.h"

typedef struct mash_router mash_router_t;

typedef struct mash_router_config {
  int heartbeat_ms;
  int64_t screening_ms;
  unsigned recv_budget;              /* messages per loop turn per socket (default 256) */
  unsigned delivery_burst;           /* outbox frames sent per pump (default 512) */
  int delivery_base_ms;              /* first redelivery after (default 1000) */
  int delivery_max_ms;               /* backoff ceiling (default 30000); a warning at 10 sends */
  const mash_clock_t *clock;         /* the injected clock (borrowed) */
  const mash_enquiry_env_t *enquiry; /* windows, calendar, ladder, log (borrowed) */
  mash_match_policy_t matching;      /* person matching thresholds (zero: the defaults) */
  int64_t stats_interval_ms;         /* log the counters this often (0: only at close) */
  unsigned long store_reconnects;    /* reconnections in place before this start (ops) */
} mash_router_config_t;

/* sockets: router (bound, secured), zap (bound REP); ownership of both moves.
 * trust and storage are borrowed and must outlive the router. Returns NULL
 * on failure: both sockets are then closed, and any handle already made is
 * closing, so the caller runs the loop to its end before uv_loop_close. */
mash_router_t *mash_router_new(uv_loop_t *loop, void *router_sock, void *zap_sock,
                               const mash_trust_t *trust, mash_storage_t *storage,
                               const mash_router_config_t *cfg);

/* Load undelivered contacts and outbox messages, and the requests to watch
 * for escalation, from the store (start-up, before serving). Whatever fell
 * due while the broker was down fires at once. Returns 0 or negative. */
int mash_router_load(mash_router_t *r);

/* Put a reloaded trust list in force (borrowed; it must outlive the router
 * or the next call). New connections are authenticated against it, and a
 * message on a connection opened earlier is refused once its key is off it.
 * For each principal whose key was revoked, removed or replaced: its routes
 * are dropped and one line is logged naming it. The caller frees the old
 * list after this returns. */
void mash_router_set_trust(mash_router_t *r, const mash_trust_t *trust);

/* Close both sockets and the timer; close_cb(arg) runs when done and r freed. */
void mash_router_close(mash_router_t *r, void (*close_cb)(void *arg), void *arg);

#endif
