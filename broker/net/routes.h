/* routes: where each authenticated principal is reachable on the ROUTER
 * socket (principal -> routing id), one route per connection.
 *
 * A principal may hold several connections (a long-lived adapter and a
 * one-shot `submit` with the same key): messages go to the route heard from
 * last, and when one connection goes away the others remain. The table is
 * bounded (MASH_ROUTES_MAX); when full, the route heard from longest ago is
 * forgotten. Responsible for: the table only. Must not: send, or trust
 * anything but the principal ZAP authenticated. Loop thread only.
 */
#ifndef MASH_ROUTES_H
#define MASH_ROUTES_H

#include <stddef.h>
#include <stdint.h>

#define MASH_ROUTES_MAX 1024
#define MASH_ROUTE_MAX_RID 256

typedef struct mash_routes mash_routes_t;

/* One route: a plain value the caller reads (never keeps: it moves when the
 * table changes). */
typedef struct mash_route {
  char principal[64];
  char role[16];
  uint8_t rid[MASH_ROUTE_MAX_RID];
  size_t rid_len;
  uint64_t last_seen;
} mash_route_t;

/* An empty table, or NULL on ENOMEM. */
mash_routes_t *mash_routes_new(void);

/* Accepts NULL; nulls *rt_p. */
void mash_routes_destroy(mash_routes_t **rt_p);

/* A message from principal (of role) came on routing id rid. Returns 1 when
 * this is a new route (a connection not seen before: what waits for the
 * principal is due now), 0 when known, negative when not recorded (a
 * routing id empty or longer than MASH_ROUTE_MAX_RID: -EINVAL; -ENOMEM). */
int mash_routes_seen(mash_routes_t *rt, const char *principal, const char *role, const uint8_t *rid,
                     size_t rid_len);

/* The latest route to target: a principal, or "@hub" for the hub desk heard
 * from last (any principal of role hub). NULL when none. */
const mash_route_t *mash_routes_find(const mash_routes_t *rt, const char *target);

/* Forget a route (its connection is gone). r comes from mash_routes_find. */
void mash_routes_drop(mash_routes_t *rt, const mash_route_t *r);

/* Routes known. */
size_t mash_routes_count(const mash_routes_t *rt);

#endif
