/* store_logic: the engine-independent steps of store operations
 * (store/internal/store_logic.h), shared by the SQLite and PostgreSQL
 * implementations.
 *
 * Responsible for: argument and id checks, sealing before a write, the
 * order of an intake (and the replacement of a quarantined record by its
 * resend), and wiping opened content once a callback has seen it, written
 * once for every engine. Must not: run SQL (each engine's callbacks do),
 * hold state, or log content. Runs on the thread using the
 * store (the storage thread in mashd).
 */
#include "store_logic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "store_row.h"

int64_t store_logic_lookup(void *row, size_t size, const char *id, char prefix) {
  memset(row, 0, size);
  return store_row_parse_id(id, prefix);
}

int store_logic_pair(const char *a, const char *b, int64_t *ia, int64_t *ib) {
  *ia = store_row_parse_id(a, 'P');
  *ib = store_row_parse_id(b, 'P');
  return *ia <= 0 || *ib <= 0 ? -EINVAL : 0;
}

static int s_id_cmp(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

size_t store_logic_unique_ids(int64_t *ids, size_t n) {
  if (n > 1) {
    qsort(ids, n, sizeof *ids, s_id_cmp);
  }
  size_t unique = 0;
  for (size_t i = 0; i < n; i++) {
    if (i == 0 || ids[i] != ids[i - 1]) {
      ids[unique++] = ids[i];
    }
  }
  return unique;
}

int store_logic_person_cb(const char *person_id, int has_cb, int64_t *id) {
  *id = store_row_parse_id(person_id, 'P');
  return *id <= 0 || !has_cb ? -EINVAL : 0;
}

int store_logic_decision(mash_store_t *s, store_logic_seal_fn seal, const char *match_id, int state,
                         const uint8_t *decision, size_t len, int64_t *id, uint8_t **sealed,
                         size_t *sealed_len) {
  *sealed = NULL;
  *sealed_len = 0;
  *id = store_row_parse_id(match_id, 'M');
  if (*id <= 0 || (state != MASH_MATCH_CONFIRMED && state != MASH_MATCH_REJECTED)) {
    return -EINVAL;
  }
  /* The decision (who, why, in the worker's words) is sealed: free text. */
  return decision != NULL ? seal(s, decision, len, match_id, sealed, sealed_len) : 0;
}

int store_logic_find(mash_store_t *s, const char *principal, const char *message_id,
                     char contact_id[MASH_CONTACT_ID_LEN],
                     int (*find)(mash_store_t *, const char *, const char *,
                                 char[MASH_CONTACT_ID_LEN])) {
  if (!principal || !message_id) {
    return -EINVAL;
  }
  int rc = find(s, principal, message_id, contact_id);
  return rc == 1 ? 0 : rc == 0 ? -ENOENT : rc;
}

/* A resend of a contact whose sealed record no longer opens (quarantined)
 * replaces the record from the resent payload, once: after it the record
 * opens, and a further resend is a duplicate again. Without this the desk
 * would never get that contact, since the agency's resend was answered
 * "duplicate". The id, duties and receipt stay those of the first intake. */
static int s_replace_quarantined(mash_store_t *s, mash_intake_t *in,
                                 const store_intake_ops_t *ops) {
  int rc = ops->opens(s, in->contact_id);
  if (rc != -EBADMSG) {
    return rc; /* it opens (a plain duplicate), or the store failed */
  }
  uint8_t *blob = NULL;
  size_t blob_len = 0;
  rc = ops->seal(s, in->contact, in->contact_len, in->contact_id, &blob, &blob_len);
  if (rc < 0) {
    return rc;
  }
  if (blob_len > (size_t)INT32_MAX) {
    free(blob);
    return -EMSGSIZE;
  }
  rc = ops->replace(s, in, blob, blob_len);
  free(blob);
  if (rc == 0) {
    in->status = MASH_INTAKE_REPLACED;
  }
  return rc;
}

/* The id is chosen before the insert so that the blob can be sealed with
 * its contact id as associated data and written once: the row never holds
 * a placeholder or plaintext. One writer (the storage thread, in its
 * transaction) means the engine's next id is the id the row gets. */
int store_logic_intake(mash_store_t *s, mash_intake_t *in, const store_intake_ops_t *ops) {
  if (!in || !in->principal || !in->message_id || (!in->contact && in->contact_len > 0)) {
    return -EINVAL;
  }
  int rc = ops->find(s, in->principal, in->message_id, in->contact_id);
  if (rc < 0) {
    return rc;
  }
  if (rc == 1) {
    in->status = MASH_INTAKE_DUPLICATE;
    return s_replace_quarantined(s, in, ops);
  }
  int64_t id = 0;
  rc = ops->next_id(s, &id);
  if (rc < 0) {
    return rc;
  }
  char contact_id[MASH_CONTACT_ID_LEN];
  store_row_id("MASH", id, contact_id, sizeof contact_id);
  uint8_t *blob = NULL;
  size_t blob_len = 0;
  rc = ops->seal(s, in->contact, in->contact_len, contact_id, &blob, &blob_len);
  if (rc < 0) {
    return rc;
  }
  if (blob_len > (size_t)INT32_MAX) {
    free(blob);
    return -EMSGSIZE;
  }
  rc = ops->insert(s, id, contact_id, in, blob, blob_len);
  free(blob);
  if (rc < 0) {
    return rc;
  }
  /* The screening duty, in the same transaction as the contact. */
  in->screening_duty = 0;
  if (in->screening_due_at_ms != 0) {
    rc = mash_store_duty_open(s, MASH_DUTY_SCREENING, contact_id, 0, in->received_at_ms,
                              in->screening_due_at_ms, in->screening_next_at_ms,
                              &in->screening_duty);
    if (rc < 0) {
      return rc;
    }
  }
  memcpy(in->contact_id, contact_id, sizeof contact_id);
  in->status = MASH_INTAKE_NEW;
  return 0;
}

int store_logic_request_emit(mash_request_row_t *row, mash_store_request_cb cb, void *arg) {
  int stop = cb(row, arg);
  if (row->response) {
    OPENSSL_cleanse(row->response, row->len);
    free(row->response);
    row->response = NULL;
  }
  return stop;
}

int store_logic_outbox_emit(const char *message_id, const char *target, uint8_t *frame, size_t len,
                            mash_store_outbox_cb cb, void *arg) {
  int stop = cb(message_id, target, frame, len, arg);
  if (frame) {
    OPENSSL_cleanse(frame, len);
  }
  free(frame);
  return stop;
}

int store_logic_migrate_target(int target, int newest, char *err, size_t errlen) {
  if (target < 0 || target > newest) {
    snprintf(err, errlen, "no schema version %d (this store knows 0 to %d)", target, newest);
    return -EINVAL;
  }
  return 0;
}

int store_logic_reindex_blob(const mash_store_reindex_t *how, int open_rc, uint8_t *plain,
                             size_t plen, const char *ref, const char *aad,
                             mash_store_index_texts_t *t, char *err, size_t errlen) {
  int rc = open_rc;
  if (rc == 0) {
    rc = ref ? how->mention_cb(plain, plen, ref, t, how->arg)
             : how->record_cb(plain, plen, t, how->arg);
  }
  if (plain) {
    OPENSSL_cleanse(plain, plen);
  }
  free(plain);
  if (ref ? rc < 0 : rc != 0) {
    snprintf(err, errlen, "%s %s cannot be indexed (%s); nothing was changed",
             ref ? "a person of" : "the record of", aad, strerror(-rc));
  }
  return rc;
}

int store_logic_keys(mash_store_t *s, mash_seal_ctx_t *ctx, const char *const *keys, size_t n,
                     bool skip_empty, store_logic_key_fn fn, void *arg) {
  for (size_t i = 0; i < n; i++) {
    if (skip_empty && (keys[i] == NULL || keys[i][0] == '\0')) {
      continue;
    }
    uint8_t blind[STORE_ROW_KEY_BYTES];
    store_row_blind(ctx, keys[i], blind);
    int rc = fn(s, blind, i, arg);
    if (rc != 0) {
      return rc;
    }
  }
  return 0;
}

/* The engine's statement for one key and what it is bound with beside the
 * key's blind index (add_keys: the person; term_add: the delta; term
 * counts: where the count goes). */
typedef struct s_key_step {
  int (*put)(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES], int64_t id);
  int (*get)(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES], int64_t *count);
  int (*add)(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES], int delta);
  int64_t id;
  int64_t *counts;
  int delta;
} s_key_step_t;

static int s_put_cb(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES], size_t i,
                    void *arg) {
  (void)i;
  const s_key_step_t *k = arg;
  return k->put(s, blind, k->id);
}

static int s_get_cb(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES], size_t i,
                    void *arg) {
  const s_key_step_t *k = arg;
  return k->get(s, blind, &k->counts[i]);
}

static int s_add_cb(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES], size_t i,
                    void *arg) {
  (void)i;
  const s_key_step_t *k = arg;
  return k->add(s, blind, k->delta);
}

int store_logic_add_keys(mash_store_t *s, mash_seal_ctx_t *ctx, const char *person_id,
                         const char *const *keys, size_t n,
                         int (*put)(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES],
                                    int64_t id)) {
  s_key_step_t k = {.put = put, .id = store_row_parse_id(person_id, 'P')};
  if (k.id <= 0 || (n > 0 && keys == NULL)) {
    return -EINVAL;
  }
  /* Every key is stored, an empty one too (it blinds like any other). */
  return store_logic_keys(s, ctx, keys, n, false, s_put_cb, &k);
}

int store_logic_term_counts(mash_store_t *s, mash_seal_ctx_t *ctx, const char *const *keys,
                            size_t n, int64_t *counts,
                            int (*get)(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES],
                                       int64_t *count)) {
  if (n > 0 && (keys == NULL || counts == NULL)) {
    return -EINVAL;
  }
  if (n > 0) {
    memset(counts, 0, n * sizeof *counts);
  }
  s_key_step_t k = {.get = get, .counts = counts};
  return store_logic_keys(s, ctx, keys, n, true, s_get_cb, &k);
}

int store_logic_term_add(mash_store_t *s, mash_seal_ctx_t *ctx, const char *const *keys, size_t n,
                         int delta,
                         int (*add)(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES],
                                    int delta)) {
  if (n > 0 && keys == NULL) {
    return -EINVAL;
  }
  s_key_step_t k = {.add = add, .delta = delta};
  return store_logic_keys(s, ctx, keys, n, true, s_add_cb, &k);
}

/* The ids gathered so far by a look-up. */
typedef struct s_gather {
  store_logic_people_fn people;
  int64_t *ids;
  size_t n;
} s_gather_t;

static int s_gather_cb(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES], size_t i,
                       void *arg) {
  (void)i;
  s_gather_t *g = arg;
  size_t cap = STORE_LOGIC_FIND_MAX - g->n, rows = 0;
  int rc = g->people(s, blind, g->ids + g->n, cap, &rows);
  if (rc == 0 && rows <= STORE_LOGIC_KEY_TOO_COMMON) { /* else: forget this key's people */
    g->n += rows < cap ? rows : cap;
  }
  return rc;
}

int store_logic_person_find(mash_store_t *s, mash_seal_ctx_t *ctx, store_sumcache_t *cache,
                            const char *const *keys, size_t n, mash_store_person_cb cb,
                            void *cb_arg, store_logic_people_fn people,
                            store_logic_chunk_fn chunk) {
  if ((n > 0 && keys == NULL) || cb == NULL) {
    return -EINVAL;
  }
  s_gather_t g = {.people = people, .ids = malloc(STORE_LOGIC_FIND_MAX * sizeof *g.ids)};
  if (g.ids == NULL) {
    return -ENOMEM;
  }
  int rc = store_logic_keys(s, ctx, keys, n, false, s_gather_cb, &g);
  size_t unique = rc == 0 ? store_logic_unique_ids(g.ids, g.n) : 0;
  store_logic_sums_t sums;
  store_logic_sums_init(&sums, cb, cb_arg);
  sums.cache = cache;
  for (size_t at = 0; rc == 0 && at < unique; at += STORE_LOGIC_SUMS_MAX) {
    size_t left = unique - at;
    rc = chunk(s, g.ids + at, left < STORE_LOGIC_SUMS_MAX ? left : STORE_LOGIC_SUMS_MAX, &sums);
    if (rc > 0) { /* the callback stopped */
      rc = 0;
      break;
    }
  }
  store_logic_sums_free(&sums);
  free(g.ids);
  return rc;
}

int store_logic_person_put(mash_store_t *s, mash_seal_ctx_t *ctx,
                           char person_id[MASH_PERSON_ID_LEN], const uint8_t *record, size_t len,
                           int is_child, const char *address_key, int64_t at_ms,
                           const store_logic_put_ops_t *ops) {
  if (person_id == NULL || record == NULL) {
    return -EINVAL;
  }
  int64_t id = 0;
  bool create = person_id[0] == '\0';
  if (create) {
    int rc = ops->next_id(s, &id);
    if (rc != 0) {
      return rc;
    }
    store_row_id("P", id, person_id, MASH_PERSON_ID_LEN);
  } else if ((id = store_row_parse_id(person_id, 'P')) <= 0) {
    return -ENOENT;
  }
  uint8_t *sealed = NULL;
  size_t sealed_len = 0;
  int rc = ops->seal(s, record, len, person_id, &sealed, &sealed_len);
  if (rc != 0) {
    return rc;
  }
  uint8_t addr[STORE_ROW_KEY_BYTES];
  bool has_addr = address_key != NULL && address_key[0] != '\0';
  if (has_addr) {
    store_row_blind(ctx, address_key, addr);
  }
  int64_t changed = 0;
  rc = ops->write(s, create, id, at_ms, is_child ? 1 : 0, has_addr ? addr : NULL, sealed,
                  sealed_len, &changed);
  free(sealed);
  if (rc == 0 && !create && changed == 0) {
    rc = -ENOENT;
  }
  return rc == 0 && !create ? ops->summary_drop(s, id) : rc;
}

int store_logic_match_insert(mash_store_t *s, const mash_match_row_t *m, const char *why,
                             int64_t at_ms, char match_id[MASH_PERSON_ID_LEN],
                             int (*next_id)(mash_store_t *s, int64_t *id),
                             int (*insert)(mash_store_t *s, const store_logic_match_t *row)) {
  store_logic_match_t row = {.m = m, .why = why ? why : "", .at_ms = at_ms};
  if (store_logic_pair(m ? m->person_id : NULL, m ? m->candidate_id : NULL, &row.person,
                       &row.candidate) != 0) {
    return -EINVAL;
  }
  int rc = next_id(s, &row.id);
  rc = rc ? rc : insert(s, &row);
  if (rc == 0) {
    store_row_id("M", row.id, match_id, MASH_PERSON_ID_LEN);
  }
  return rc;
}
