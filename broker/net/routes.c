/* routes: principal -> routing id on the broker's ROUTER socket (see
 * routes.h). Responsible for: the bounded table. Must not: send or log
 * child data. Loop thread only.
 */
#include "routes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mash_routes {
  mash_route_t *r;
  size_t n, cap;
  uint64_t seq;
};

mash_routes_t *mash_routes_new(void) {
  return calloc(1, sizeof(mash_routes_t));
}

void mash_routes_destroy(mash_routes_t **rt_p) {
  mash_routes_t *rt = rt_p ? *rt_p : NULL;
  if (!rt) {
    return;
  }
  free(rt->r);
  free(rt);
  *rt_p = NULL;
}

int mash_routes_seen(mash_routes_t *rt, const char *principal, const char *role, const uint8_t *rid,
                     size_t rid_len) {
  if (rid_len == 0 || rid_len > MASH_ROUTE_MAX_RID) {
    return -EINVAL;
  }
  mash_route_t *r = NULL;
  for (size_t i = 0; i < rt->n; i++) {
    if (rt->r[i].rid_len == rid_len && memcmp(rt->r[i].rid, rid, rid_len) == 0) {
      r = &rt->r[i];
      break;
    }
  }
  if (r && strcmp(r->principal, principal) != 0) {
    r = NULL; /* a routing id reused by another principal: a new route */
  }
  int fresh = r == NULL;
  if (!r) {
    if (rt->n == MASH_ROUTES_MAX) {
      /* Forget the route heard from longest ago. */
      size_t oldest = 0;
      for (size_t i = 1; i < rt->n; i++) {
        if (rt->r[i].last_seen < rt->r[oldest].last_seen) {
          oldest = i;
        }
      }
      rt->r[oldest] = rt->r[--rt->n];
    }
    if (rt->n == rt->cap) {
      size_t cap = rt->cap ? rt->cap * 2 : 16;
      mash_route_t *nr = realloc(rt->r, cap * sizeof *nr);
      if (!nr) {
        return -ENOMEM;
      }
      rt->r = nr;
      rt->cap = cap;
    }
    r = &rt->r[rt->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->principal, sizeof r->principal, "%s", principal);
    snprintf(r->role, sizeof r->role, "%s", role);
    memcpy(r->rid, rid, rid_len);
    r->rid_len = rid_len;
  }
  r->last_seen = ++rt->seq;
  return fresh;
}

const mash_route_t *mash_routes_find(const mash_routes_t *rt, const char *target) {
  int hub = strcmp(target, "@hub") == 0;
  const mash_route_t *best = NULL;
  for (size_t i = 0; i < rt->n; i++) {
    const mash_route_t *r = &rt->r[i];
    int match = hub ? strcmp(r->role, "hub") == 0 : strcmp(r->principal, target) == 0;
    if (match && (!best || r->last_seen > best->last_seen)) {
      best = r;
    }
  }
  return best;
}

void mash_routes_drop(mash_routes_t *rt, const mash_route_t *r) {
  size_t i = (size_t)(r - rt->r);
  if (i < rt->n) {
    rt->r[i] = rt->r[--rt->n];
  }
}

size_t mash_routes_count(const mash_routes_t *rt) {
  return rt->n;
}
