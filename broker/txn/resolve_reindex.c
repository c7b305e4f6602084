/* resolve_reindex: what the broker's blind indexes are made from, for a key
 * rotation (mashctl rekey) that re-derives them under the new key.
 *
 * Responsible for: turning a person record, or one person of a stored
 * contact (a mention that was linked to a record), into the plain texts the
 * store keeps only as blind indexes: the person keys (mash_resolve_person_keys,
 * exactly as resolution indexes them), the current address key, and the
 * name terms counted per record (resolve_terms_add). Must not: write to the
 * store, keep or log any text it makes (the store blinds and wipes them).
 * Any thread: pure functions of the bytes given.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "resolve.h"

_Static_assert(MASH_RESOLVE_MAX_KEYS <= MASH_STORE_INDEX_KEYS, "person keys fit");
_Static_assert(sizeof(((mash_resolve_keys_t *)0)->text[0]) <= MASH_STORE_INDEX_TEXT,
               "a person key fits");
_Static_assert(MASH_RESOLVE_ADDRESS_KEY_SIZE <= MASH_STORE_INDEX_TEXT, "an address key fits");
_Static_assert(MASH_MATCH_TERM_KEY_SIZE <= MASH_STORE_INDEX_TEXT, "a term key fits");

static void s_keys(const mash_match_person_t *mp, mash_store_index_texts_t *out) {
  mash_resolve_keys_t k;
  mash_resolve_person_keys(mp, &k);
  for (size_t i = 0; i < k.n && out->n_keys < MASH_STORE_INDEX_KEYS; i++) {
    snprintf(out->keys[out->n_keys++], MASH_STORE_INDEX_TEXT, "%s", k.text[i]);
  }
}

static int s_record_cb(const uint8_t *record, size_t len, mash_store_index_texts_t *out,
                       void *arg) {
  (void)arg;
  memset(out, 0, sizeof *out);
  Mash__V1__Person *p = mash__v1__person__unpack(NULL, len, record);
  if (p == NULL) {
    return -EBADMSG;
  }
  mash_match_person_t mp;
  mash_match_person_from_pb(&mp, p);
  mash__v1__person__free_unpacked(p, NULL);
  /* A record knows its own other spellings; the keys it was indexed under
   * came from mentions (added below, from each linked contact). Indexing
   * the record's own spellings too finds it at least as well as before. */
  s_keys(&mp, out);
  char addr[MASH_RESOLVE_ADDRESS_KEY_SIZE];
  if (mash_resolve_address_key(&mp, addr, sizeof addr) != NULL) {
    snprintf(out->address, sizeof out->address, "%s", addr);
  }
  char f[MASH_MATCH_TERM_KEY_SIZE], sn[MASH_MATCH_TERM_KEY_SIZE];
  mash_match_term_keys(&mp, f, sn);
  snprintf(out->terms[out->n_terms++], MASH_STORE_INDEX_TEXT, "%s", MASH_MATCH_TERM_TOTAL);
  snprintf(out->terms[out->n_terms++], MASH_STORE_INDEX_TEXT, "%s", f);
  snprintf(out->terms[out->n_terms++], MASH_STORE_INDEX_TEXT, "%s", sn);
  memset(&mp, 0, sizeof mp);
  return 0;
}

static const Mash__V1__Person *s_find_ref(const Mash__V1__Notification *n, const char *ref) {
  for (size_t i = 0; i < n->n_children; i++) {
    if (n->children[i] && strcmp(n->children[i]->ref, ref) == 0) {
      return n->children[i];
    }
  }
  for (size_t i = 0; i < n->n_adults; i++) {
    if (n->adults[i] && strcmp(n->adults[i]->ref, ref) == 0) {
      return n->adults[i];
    }
  }
  return NULL;
}

static int s_mention_cb(const uint8_t *contact, size_t len, const char *ref,
                        mash_store_index_texts_t *out, void *arg) {
  (void)arg;
  memset(out, 0, sizeof *out);
  Mash__V1__Contact *c = mash__v1__contact__unpack(NULL, len, contact);
  if (c == NULL) {
    return -EBADMSG;
  }
  const Mash__V1__Person *pb = c->notification ? s_find_ref(c->notification, ref) : NULL;
  int rc = 1;
  if (pb != NULL) {
    mash_match_person_t mp;
    mash_match_person_from_pb(&mp, pb);
    /* As resolution keys a mention (resolve.c, s_collect_people). */
    mp.n_other_forenames = 0;
    s_keys(&mp, out);
    memset(&mp, 0, sizeof mp);
    rc = 0;
  }
  mash__v1__contact__free_unpacked(c, NULL);
  return rc;
}

void mash_resolve_reindex_init(mash_store_reindex_t *r) {
  memset(r, 0, sizeof *r);
  r->record_cb = s_record_cb;
  r->mention_cb = s_mention_cb;
}
