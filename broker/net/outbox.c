/* outbox: what mashd sends until acknowledged (see outbox.h).
 *
 * Responsible for: one array of entries, contacts first (in contact order,
 * so the desk's receipt finds its contact by binary search) and the other
 * messages after them (few, found by a scan); the backoff of each entry by
 * the one retry policy; acknowledged entries removed in bulk, so that a run
 * of acknowledgements costs no quadratic moves.
 * Must not: touch the store or a socket (the send callback does), block,
 * or log child data. Loop thread only.
 */
#include "outbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "log.h"

#define S_ID_LEN (MASH_MAX_ID_LEN + 1)
#define S_TARGET_LEN 64
#define S_MAX_BLOCKED 8 /* targets refused within one pump */

struct mash_outbox_entry {
  mash_outbox_kind_t kind;
  char message_id[S_ID_LEN];
  char target[S_TARGET_LEN];
  const char *contact_id; /* into message_id, past the prefix; "" for messages */
  uint8_t *frame;
  size_t len;
  int64_t next_at;
  unsigned attempts;
  int acking; /* an acknowledgement is being stored */
  int done;   /* acknowledged: freed at the next compaction */
};

struct mash_outbox {
  mash_retry_t policy;
  unsigned burst;
  mash_outbox_entry_t **e; /* [0, ncontacts) contacts in order, then messages */
  size_t n, cap, ncontacts, ndone;
  mash_outbox_stats_t stats;
};

mash_outbox_t *mash_outbox_new(const mash_retry_t *policy, unsigned burst) {
  mash_outbox_t *ob = calloc(1, sizeof *ob);
  if (!ob) {
    return NULL;
  }
  ob->policy = *policy;
  ob->burst = burst ? burst : 512;
  return ob;
}

static void s_entry_free(mash_outbox_entry_t *e) {
  if (e) {
    free(e->frame);
    free(e);
  }
}

void mash_outbox_destroy(mash_outbox_t **ob_p) {
  mash_outbox_t *ob = ob_p ? *ob_p : NULL;
  if (!ob) {
    return;
  }
  for (size_t i = 0; i < ob->n; i++) {
    s_entry_free(ob->e[i]);
  }
  free(ob->e);
  free(ob);
  *ob_p = NULL;
}

/* Contact ids in the order they were made: "MASH-000009" before
 * "MASH-0000010" (shorter first, then by text). */
static int s_id_cmp(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  return la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
}

/* Index of the first contact not ordered before contact_id. */
static size_t s_contact_lower(const mash_outbox_t *ob, const char *contact_id) {
  size_t lo = 0, hi = ob->ncontacts;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s_id_cmp(ob->e[mid]->contact_id, contact_id) < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

static int s_reserve(mash_outbox_t *ob) {
  if (ob->n < ob->cap) {
    return 0;
  }
  size_t cap = ob->cap ? ob->cap * 2 : 256;
  mash_outbox_entry_t **n = realloc(ob->e, cap * sizeof *n);
  if (!n) {
    return -ENOMEM;
  }
  ob->e = n;
  ob->cap = cap;
  return 0;
}

static void s_insert(mash_outbox_t *ob, size_t at, mash_outbox_entry_t *e) {
  memmove(ob->e + at + 1, ob->e + at, (ob->n - at) * sizeof *ob->e);
  ob->e[at] = e;
  ob->n++;
  ob->stats.pending++;
}

int mash_outbox_add_contact(mash_outbox_t *ob, const char *contact_id, const uint8_t *contact,
                            size_t len, int64_t sent_at_ms, int64_t now_ms) {
  size_t plen = strlen(MASH_OUTBOX_CONTACT_PREFIX);
  if (plen + strlen(contact_id) >= S_ID_LEN) {
    return -EINVAL;
  }
  /* Contacts usually come resolved in order: look from the end first. */
  size_t at = ob->ncontacts;
  if (at > 0 && s_id_cmp(ob->e[at - 1]->contact_id, contact_id) >= 0) {
    at = s_contact_lower(ob, contact_id);
    for (size_t i = at; i < ob->ncontacts && strcmp(ob->e[i]->contact_id, contact_id) == 0; i++) {
      if (!ob->e[i]->done) {
        return 0; /* already waiting */
      }
    }
  }
  mash_outbox_entry_t *e = calloc(1, sizeof *e);
  if (!e || s_reserve(ob) != 0) {
    free(e);
    return -ENOMEM;
  }
  e->kind = MASH_OUTBOX_CONTACT;
  snprintf(e->message_id, sizeof e->message_id, "%s%s", MASH_OUTBOX_CONTACT_PREFIX, contact_id);
  e->contact_id = e->message_id + plen;
  snprintf(e->target, sizeof e->target, "%s", MASH_OUTBOX_HUB);
  int rc = mash_codec_encode_contact_delivery(e->message_id, sent_at_ms, contact, len, contact_id,
                                              &e->frame, &e->len);
  if (rc != 0) {
    free(e);
    return rc;
  }
  e->next_at = now_ms;
  s_insert(ob, at, e);
  ob->ncontacts++;
  return 0;
}

int mash_outbox_add(mash_outbox_t *ob, const char *message_id, const char *target,
                    const uint8_t *frame, size_t len, int64_t now_ms) {
  if (mash_outbox_find(ob, message_id)) {
    return 0;
  }
  if (strlen(message_id) >= S_ID_LEN || strlen(target) >= S_TARGET_LEN) {
    return -EINVAL;
  }
  mash_outbox_entry_t *e = calloc(1, sizeof *e);
  uint8_t *f = e ? malloc(len ? len : 1) : NULL;
  if (!f || s_reserve(ob) != 0) {
    free(f);
    free(e);
    return -ENOMEM;
  }
  memcpy(f, frame, len);
  e->kind = MASH_OUTBOX_MESSAGE;
  snprintf(e->message_id, sizeof e->message_id, "%s", message_id);
  snprintf(e->target, sizeof e->target, "%s", target);
  e->contact_id = "";
  e->frame = f;
  e->len = len;
  e->next_at = now_ms;
  s_insert(ob, ob->n, e);
  return 0;
}

/* Free the acknowledged entries once they are a quarter of the queue. */
static void s_compact(mash_outbox_t *ob) {
  if (ob->ndone == 0 || ob->ndone * 4 < ob->n) {
    return;
  }
  size_t j = 0, contacts = 0;
  for (size_t i = 0; i < ob->n; i++) {
    mash_outbox_entry_t *e = ob->e[i];
    if (e->done) {
      s_entry_free(e);
      continue;
    }
    contacts += e->kind == MASH_OUTBOX_CONTACT;
    ob->e[j++] = e;
  }
  ob->n = j;
  ob->ncontacts = contacts;
  ob->ndone = 0;
}

static int s_blocked(char blocked[][S_TARGET_LEN], size_t nblocked, const char *target) {
  for (size_t i = 0; i < nblocked; i++) {
    if (strcmp(blocked[i], target) == 0) {
      return 1;
    }
  }
  return 0;
}

unsigned mash_outbox_pump(mash_outbox_t *ob, int64_t now_ms, mash_outbox_send_cb send_cb,
                          void *arg) {
  s_compact(ob);
  char blocked[S_MAX_BLOCKED][S_TARGET_LEN];
  size_t nblocked = 0;
  unsigned sent = 0;
  for (size_t i = 0; i < ob->n && sent < ob->burst; i++) {
    mash_outbox_entry_t *e = ob->e[i];
    if (e->done || e->acking || e->next_at > now_ms) {
      continue;
    }
    if (s_blocked(blocked, nblocked, e->target)) {
      if (e->kind == MASH_OUTBOX_CONTACT && i < ob->ncontacts) {
        i = ob->ncontacts - 1; /* every contact goes to the hub: skip them all */
      }
      continue;
    }
    if (send_cb(e->target, e->frame, e->len, arg) != 0) {
      if (nblocked == S_MAX_BLOCKED) {
        break; /* many addressees gone at once: the next pump goes on */
      }
      snprintf(blocked[nblocked++], S_TARGET_LEN, "%s", e->target);
      i--; /* look at this entry again: it skips the contacts if they are blocked */
      continue;
    }
    e->attempts++;
    e->next_at = mash_retry_next_at(&ob->policy, e->attempts, now_ms);
    if (mash_retry_warn_now(&ob->policy, e->attempts)) {
      mash_warn("%s: sent %u times without acknowledgement",
                e->kind == MASH_OUTBOX_CONTACT ? e->contact_id : e->message_id, e->attempts);
    }
    ob->stats.sent++;
    sent++;
  }
  return sent;
}

void mash_outbox_due_now(mash_outbox_t *ob, const char *principal, int is_hub, int64_t now_ms) {
  for (size_t i = 0; i < ob->n; i++) {
    mash_outbox_entry_t *e = ob->e[i];
    if (strcmp(e->target, principal) == 0 || (is_hub && strcmp(e->target, MASH_OUTBOX_HUB) == 0)) {
      e->next_at = now_ms;
    }
  }
}

mash_outbox_entry_t *mash_outbox_find(mash_outbox_t *ob, const char *message_id) {
  size_t plen = strlen(MASH_OUTBOX_CONTACT_PREFIX);
  if (strncmp(message_id, MASH_OUTBOX_CONTACT_PREFIX, plen) == 0) {
    const char *contact_id = message_id + plen;
    size_t at = s_contact_lower(ob, contact_id);
    /* A contact acknowledged and queued again (a restart's reload racing a
     * late receipt) sits beside its done twin: take the live one. */
    for (; at < ob->ncontacts && strcmp(ob->e[at]->contact_id, contact_id) == 0; at++) {
      if (!ob->e[at]->done) {
        return ob->e[at];
      }
    }
    return NULL;
  }
  for (size_t i = ob->ncontacts; i < ob->n; i++) {
    mash_outbox_entry_t *e = ob->e[i];
    if (!e->done && strcmp(e->message_id, message_id) == 0) {
      return e;
    }
  }
  return NULL;
}

mash_outbox_kind_t mash_outbox_entry_kind(const mash_outbox_entry_t *e) {
  return e->kind;
}

const char *mash_outbox_entry_id(const mash_outbox_entry_t *e) {
  return e->message_id;
}

const char *mash_outbox_entry_target(const mash_outbox_entry_t *e) {
  return e->target;
}

const char *mash_outbox_entry_contact_id(const mash_outbox_entry_t *e) {
  return e->contact_id;
}

unsigned mash_outbox_entry_attempts(const mash_outbox_entry_t *e) {
  return e->attempts;
}

int mash_outbox_entry_for(const mash_outbox_entry_t *e, const char *principal, const char *role) {
  if (strcmp(e->target, MASH_OUTBOX_HUB) == 0) {
    return strcmp(role, "hub") == 0;
  }
  return strcmp(e->target, principal) == 0;
}

int mash_outbox_ack_begin(mash_outbox_t *ob, mash_outbox_entry_t *e) {
  (void)ob;
  if (e->acking || e->done) {
    return -EALREADY;
  }
  e->acking = 1;
  return 0;
}

void mash_outbox_ack_end(mash_outbox_t *ob, mash_outbox_entry_t *e, int acked) {
  e->acking = 0;
  if (!acked || e->done) {
    return;
  }
  e->done = 1;
  ob->ndone++;
  ob->stats.acked++;
  ob->stats.pending--;
}

void mash_outbox_each_pending(const mash_outbox_t *ob, void (*cb)(const char *target, void *arg),
                              void *arg) {
  for (size_t i = 0; i < ob->n; i++) {
    if (!ob->e[i]->done) {
      cb(ob->e[i]->target, arg);
    }
  }
}

void mash_outbox_get_stats(const mash_outbox_t *ob, mash_outbox_stats_t *out) {
  *out = ob->stats;
}
