/* trustwatch: reloading the trust list while mashd runs. Responsible for:
 * noticing a change of the trust folder (fs_event, settled by a timer),
 * reloading on SIGHUP, handing a list that loads to the owner and freeing
 * the one it replaces. Must not: decide who is trusted (keys.c), put a list
 * in force itself (the owner's apply does), or log keys in full. Loop
 * thread only. */
#include "trustwatch.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

#define SETTLE_MS_DEFAULT 200

struct mash_trustwatch {
  uv_loop_t *loop;
  uv_fs_event_t event;
  uv_timer_t timer;
  int watching; /* the fs_event handle is initialised */
  int handles;  /* handles not yet closed */
  unsigned settle_ms;
  char *dir;
  mash_trust_t *trust;
  mash_trustwatch_apply_fn apply;
  void *arg;
};

/* 1 when both lists trust the same keys and revoke the same keys. */
static int s_same(const mash_trust_t *a, const mash_trust_t *b) {
  if (mash_trust_count(a) != mash_trust_count(b) ||
      mash_trust_revoked_count(a) != mash_trust_revoked_count(b)) {
    return 0;
  }
  for (size_t i = 0; i < mash_trust_count(a); i++) {
    const mash_key_t *k = mash_trust_at(a, i);
    const mash_key_t *o = mash_trust_find_key(b, k->public_key);
    if (!o || strcmp(o->principal, k->principal) != 0 || strcmp(o->role, k->role) != 0 ||
        strcmp(o->agency, k->agency) != 0) {
      return 0;
    }
  }
  for (size_t i = 0; i < mash_trust_revoked_count(a); i++) {
    if (!mash_trust_is_revoked(b, mash_trust_revoked_at(a, i)->public_key)) {
      return 0;
    }
  }
  return 1;
}

int mash_trustwatch_reload(mash_trustwatch_t *w, const char *why) {
  char err[2048];
  mash_trust_t *fresh = mash_trust_load(w->dir, err, sizeof err);
  if (!fresh) {
    mash_warn("%s: trust list not reloaded: %s; the list in force is unchanged", why, err);
    return -1;
  }
  if (s_same(fresh, w->trust)) {
    mash_trust_destroy(&fresh);
    mash_debug("%s: trust list %s unchanged", why, w->dir);
    return 0;
  }
  if (w->apply(fresh, w->arg) != 0) {
    mash_warn("%s: the reloaded trust list could not be put in force (stopping?)", why);
    mash_trust_destroy(&fresh);
    return -1;
  }
  for (size_t i = 0; i < mash_trust_count(fresh); i++) {
    const mash_key_t *k = mash_trust_at(fresh, i);
    if (!mash_trust_find_key(w->trust, k->public_key)) {
      mash_info("trust list: %s (%s) trusted with key %.8s...", k->principal, k->role,
                k->public_key);
    }
  }
  mash_info("%s: trust list %s reloaded: %zu principal(s), %zu key(s) revoked", why, w->dir,
            mash_trust_count(fresh), mash_trust_revoked_count(fresh));
  mash_trust_destroy(&w->trust);
  w->trust = fresh;
  return 0;
}

static void s_settled_cb(uv_timer_t *t) {
  mash_trustwatch_t *w = t->data;
  mash_trustwatch_reload(w, "trust folder changed");
}

static void s_event_cb(uv_fs_event_t *h, const char *filename, int events, int status) {
  mash_trustwatch_t *w = h->data;
  (void)filename;
  (void)events;
  if (status < 0) {
    mash_warn("trust folder %s: watch failed (%s); SIGHUP still reloads it", w->dir,
              uv_strerror(status));
    return;
  }
  /* Editors and mashctl write a file in steps: wait until it settles. */
  uv_timer_start(&w->timer, s_settled_cb, w->settle_ms, 0);
}

mash_trustwatch_t *mash_trustwatch_new(uv_loop_t *loop, const char *dir, mash_trust_t **trust,
                                       unsigned settle_ms, mash_trustwatch_apply_fn apply,
                                       void *arg) {
  mash_trustwatch_t *w = calloc(1, sizeof *w);
  if (!w || !(w->dir = strdup(dir))) {
    free(w);
    return NULL;
  }
  w->loop = loop;
  w->settle_ms = settle_ms ? settle_ms : SETTLE_MS_DEFAULT;
  w->apply = apply;
  w->arg = arg;
  w->trust = *trust;
  *trust = NULL;
  uv_timer_init(loop, &w->timer);
  w->timer.data = w;
  w->handles = 1;
  int rc = uv_fs_event_init(loop, &w->event);
  if (rc == 0) {
    w->event.data = w;
    w->watching = 1;
    w->handles++;
    rc = uv_fs_event_start(&w->event, s_event_cb, dir, 0);
  }
  if (rc != 0) {
    mash_warn("trust folder %s: cannot watch it (%s); SIGHUP reloads it", dir, uv_strerror(rc));
  }
  return w;
}

const mash_trust_t *mash_trustwatch_current(const mash_trustwatch_t *w) {
  return w->trust;
}

static void s_closed(uv_handle_t *h) {
  mash_trustwatch_t *w = h->data;
  if (--w->handles > 0) {
    return;
  }
  free(w->dir);
  free(w);
}

void mash_trustwatch_close(mash_trustwatch_t *w, mash_trust_t **trust) {
  if (!w) {
    return;
  }
  *trust = w->trust;
  w->trust = NULL;
  uv_timer_stop(&w->timer);
  uv_close((uv_handle_t *)&w->timer, s_closed);
  if (w->watching) {
    uv_fs_event_stop(&w->event);
    uv_close((uv_handle_t *)&w->event, s_closed);
  }
}
