/* store_summary: the person comparison summaries a look-up reads, the same
 * on every engine (store_logic.h).
 *
 * Responsible for: sealing a person's comparison summary bound to the
 * person's id (so a summary moved onto another person fails to open),
 * opening the summaries one statement of a look-up returned into one
 * reused buffer, and handing them to the look-up's callback in id order
 * between the records of the people without one. Must not: talk to a
 * database, read a summary's content (it is the matcher's, match.h), or be
 * used outside the store implementations and their tests. Runs on the
 * thread using the store (the storage thread in mashd).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "store_logic.h"
#include "store_row.h"

/* A summary's associated data: the person's id and a suffix no record's
 * has, so a summary cannot be read as a record or a record as a summary. */
#define S_AAD_SUFFIX "/summary"
#define S_AAD_SIZE (MASH_PERSON_ID_LEN + sizeof S_AAD_SUFFIX)

static size_t s_aad(int64_t id, char out[S_AAD_SIZE]) {
  store_row_id("P", id, out, MASH_PERSON_ID_LEN);
  size_t len = strlen(out);
  memcpy(out + len, S_AAD_SUFFIX, sizeof S_AAD_SUFFIX);
  return len + sizeof S_AAD_SUFFIX - 1;
}

int store_logic_summary_seal(mash_seal_ctx_t *ctx, const char *person_id, const uint8_t *summary,
                             size_t len, int64_t *id_out, uint8_t **sealed, size_t *sealed_len) {
  int64_t id = store_row_parse_id(person_id, 'P');
  *id_out = id;
  if (id <= 0) {
    return -ENOENT;
  }
  if (summary == NULL || len == 0 || len > MASH_PERSON_SUMMARY_MAX) {
    return -EINVAL;
  }
  char aad[S_AAD_SIZE];
  size_t aad_len = s_aad(id, aad);
  return mash_seal_ctx_encrypt(ctx, summary, len, (const uint8_t *)aad, aad_len, sealed,
                               sealed_len);
}

int store_logic_summary_open(mash_seal_ctx_t *ctx, int64_t id, const void *sealed, size_t len,
                             uint8_t **plain, size_t *plen) {
  if (sealed == NULL || len == 0) {
    return -EBADMSG; /* the column is NOT NULL: a summary is never empty */
  }
  char aad[S_AAD_SIZE];
  size_t aad_len = s_aad(id, aad);
  return mash_seal_ctx_decrypt(ctx, sealed, len, (const uint8_t *)aad, aad_len, plain, plen);
}

int store_logic_person_no_cache(mash_store_t *s, mash_store_person_cache_t *out) {
  (void)s;
  memset(out, 0, sizeof *out);
  return -ENOSYS;
}

void store_logic_sums_init(store_logic_sums_t *sums, mash_store_person_cb cb, void *arg) {
  memset(sums, 0, sizeof *sums);
  sums->cb = cb;
  sums->arg = arg;
}

void store_logic_sums_reset(store_logic_sums_t *sums) {
  if (sums->used > 0) {
    OPENSSL_cleanse(sums->buf, sums->used);
  }
  sums->n = sums->next = sums->used = 0;
}

void store_logic_sums_free(store_logic_sums_t *sums) {
  store_logic_sums_reset(sums);
  free(sums->buf);
  sums->buf = NULL;
  sums->cap = 0;
}

/* Keep one opened summary in the chunk's buffer. 0, -E2BIG or -ENOMEM. */
static int s_keep(store_logic_sums_t *sums, int64_t id, int is_child, const uint8_t *plain,
                  size_t plen) {
  if (sums->n >= STORE_LOGIC_SUMS_MAX) {
    return -E2BIG; /* the engine asked for more than a chunk */
  }
  if (sums->cap - sums->used < plen) {
    size_t cap = sums->cap ? sums->cap : 8192;
    while (cap - sums->used < plen) {
      cap *= 2;
    }
    uint8_t *buf = malloc(cap);
    if (buf == NULL) {
      return -ENOMEM;
    }
    if (sums->used > 0) {
      memcpy(buf, sums->buf, sums->used);
      OPENSSL_cleanse(sums->buf, sums->used);
    }
    free(sums->buf);
    sums->buf = buf;
    sums->cap = cap;
  }
  memcpy(sums->buf + sums->used, plain, plen);
  store_logic_sum_t *row = &sums->row[sums->n++];
  row->id = id;
  row->is_child = is_child;
  row->off = sums->used;
  row->len = plen;
  sums->used += plen;
  return 0;
}

int store_logic_sums_add(store_logic_sums_t *sums, mash_seal_ctx_t *ctx, int64_t id, int is_child,
                         const void *sealed, size_t len) {
  if (sums->n >= STORE_LOGIC_SUMS_MAX) {
    return -E2BIG; /* the engine asked for more than a chunk */
  }
  uint8_t *plain = NULL;
  size_t plen = 0;
  int rc = store_logic_summary_open(ctx, id, sealed, len, &plain, &plen);
  if (rc != 0) {
    return rc;
  }
  rc = s_keep(sums, id, is_child, plain, plen);
  if (rc == 0) {
    store_sumcache_put(sums->cache, id, is_child, plain, plen);
  }
  OPENSSL_cleanse(plain, plen);
  free(plain);
  return rc;
}

int store_logic_sums_cached(store_logic_sums_t *sums, const int64_t *ids, size_t n, bool *found,
                            size_t *missing) {
  *missing = 0;
  for (size_t i = 0; i < n; i++) {
    int is_child = 0;
    const uint8_t *data = NULL;
    size_t len = 0;
    found[i] = store_sumcache_get(sums->cache, ids[i], &is_child, &data, &len);
    if (found[i]) {
      int rc = s_keep(sums, ids[i], is_child, data, len);
      if (rc != 0) {
        return rc;
      }
    } else {
      ++*missing;
    }
  }
  return 0;
}

void store_logic_sums_sort(store_logic_sums_t *sums) {
  /* Two sorted runs (the cached rows, then a statement's) of at most
   * STORE_LOGIC_SUMS_MAX: an insertion sort. */
  for (size_t i = 1; i < sums->n; i++) {
    store_logic_sum_t row = sums->row[i];
    size_t j = i;
    while (j > 0 && sums->row[j - 1].id > row.id) {
      sums->row[j] = sums->row[j - 1];
      j--;
    }
    sums->row[j] = row;
  }
}

size_t store_logic_sums_mark(const store_logic_sums_t *sums, const int64_t *ids, size_t n,
                             bool *found) {
  /* Both lists are sorted: one walk. */
  size_t j = 0, missing = 0;
  for (size_t i = 0; i < n; i++) {
    while (j < sums->n && sums->row[j].id < ids[i]) {
      j++;
    }
    found[i] = j < sums->n && sums->row[j].id == ids[i];
    missing += !found[i];
  }
  return missing;
}

int store_logic_sums_emit(store_logic_sums_t *sums, int64_t before) {
  while (sums->next < sums->n && sums->row[sums->next].id < before) {
    const store_logic_sum_t *s = &sums->row[sums->next++];
    mash_person_row_t row;
    memset(&row, 0, sizeof row);
    store_row_id("P", s->id, row.person_id, sizeof row.person_id);
    row.is_child = s->is_child;
    row.summary = sums->buf + s->off;
    row.summary_len = s->len;
    if (sums->cb(&row, sums->arg) != 0) {
      return 1;
    }
    free(row.record); /* a callback that took nothing leaves NULL */
  }
  return 0;
}

int store_logic_sums_record_cb(mash_person_row_t *row, void *arg) {
  store_logic_sums_t *sums = arg;
  if (store_logic_sums_emit(sums, store_row_parse_id(row->person_id, 'P')) != 0) {
    return 1;
  }
  return sums->cb(row, sums->arg);
}
