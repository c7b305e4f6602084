/* resolve_review: the hub desk's review of a possible match: confirm
 * merges the new record into its candidate, reject leaves them apart.
 * Must not: merge two people of one notification. Storage thread only.
 */
#include "resolve_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "intake.h"

/* ---------------------------------------------------------------- review */

/* The address key of a serialized Person (NULL when it has none). */
static const char *s_record_address(const uint8_t *rec, size_t len, char *buf, size_t buflen) {
  Mash__V1__Person *p = mash__v1__person__unpack(NULL, len, rec);
  if (p == NULL) {
    return NULL;
  }
  mash_match_person_t mp;
  mash_match_person_from_pb(&mp, p);
  mash__v1__person__free_unpacked(p, NULL);
  return mash_resolve_address_key(&mp, buf, buflen);
}

/* Merge the match's new record into its candidate. Any failure here is the
 * store's: -ENOENT from a lookup means the store lost a record. */
static int s_confirm(mash_store_t *store, const mash_match_row_t *m, const char *by,
                     int64_t at_ms) {
  mash_person_row_t from, into;
  memset(&into, 0, sizeof into);
  int rc = mash_store_person_get(store, m->person_id, &from);
  if (rc == 0) {
    rc = mash_store_person_get(store, m->candidate_id, &into);
  }
  if (rc == 0 && strcmp(from.person_id, into.person_id) != 0) {
    /* Two people of one notification are two people, whatever the desk says. */
    rc = mash_store_person_together(store, from.person_id, into.person_id);
    rc = rc == 1 ? -EPERM : rc;
  }
  if (rc == 0 && strcmp(from.person_id, into.person_id) != 0) {
    Mash__V1__Person *pf = mash__v1__person__unpack(NULL, from.len, from.record);
    Mash__V1__Person *pi = mash__v1__person__unpack(NULL, into.len, into.record);
    uint8_t *rec = NULL;
    size_t rec_len = 0;
    /* The desk says they are one child: the merged record's spelling
     * of the given name is one of theirs. */
    rc = pf && pi
             ? resolve_record(pf, pi,
                              RESOLVE_RECORD_IDS | RESOLVE_RECORD_SPELLING | RESOLVE_RECORD_MERGED,
                              &rec, &rec_len)
             : -EBADMSG;
    if (rc == 0) {
      /* The merged record lives where the newer one said. */
      char addr[MASH_RESOLVE_ADDRESS_KEY_SIZE];
      rc =
          mash_store_person_put(store, into.person_id, rec, rec_len, from.is_child || into.is_child,
                                s_record_address(rec, rec_len, addr, sizeof addr), at_ms);
    }
    free(rec);
    if (rc == 0) {
      /* One record fewer: the merged one's names are counted no more. */
      mash_match_person_t gone;
      mash_match_person_from_pb(&gone, pf);
      rc = resolve_terms_add(store, &gone, -1);
    }
    if (pf) {
      mash__v1__person__free_unpacked(pf, NULL);
    }
    if (pi) {
      mash__v1__person__free_unpacked(pi, NULL);
    }
    char note[2 * MASH_PERSON_ID_LEN + MASH_PRINCIPAL_LEN + 32];
    snprintf(note, sizeof note, "; confirmed %s by %s", m->match_id, by);
    rc = rc ? rc : mash_store_person_merge(store, from.person_id, into.person_id, note, at_ms);
  }
  free(from.record);
  free(into.record);
  return rc == -ENOENT ? -EIO : rc;
}

int mash_resolve_decide(mash_store_t *store, const char *match_id, int confirm, const char *by,
                        const uint8_t *decision, size_t len, int64_t at_ms) {
  mash_match_row_t m;
  int rc = mash_store_match_get(store, match_id, &m);
  if (rc != 0) {
    return rc;
  }
  if (m.state != MASH_MATCH_OPEN) {
    return -EALREADY;
  }
  if (confirm) {
    rc = s_confirm(store, &m, by ? by : "", at_ms);
  }
  if (rc == 0) {
    rc = mash_store_match_decide(store, match_id,
                                 confirm ? MASH_MATCH_CONFIRMED : MASH_MATCH_REJECTED, by, decision,
                                 len, at_ms);
    rc = rc == -ENOENT ? -EIO : rc;
  }
  return rc;
}
