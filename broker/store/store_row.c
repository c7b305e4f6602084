/* store_row: sealing and row ids shared by every store implementation
 * (store/internal/store_row.h).
 *
 * Responsible for: binding each sealed blob to its row's id, the same way in
 * SQLite and PostgreSQL. Must not: hold state, touch a database, or log
 * content. Any thread.
 */
#include "store_row.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_row_seal(const mash_seal_t *seal, const uint8_t *in, size_t len, const char *aad,
                   uint8_t **out, size_t *out_len) {
  if (!seal || !aad || (!in && len > 0)) {
    return -EINVAL;
  }
  return mash_seal_encrypt(seal, in, len, (const uint8_t *)aad, strlen(aad), out, out_len);
}

int store_row_open(const mash_seal_t *seal, const uint8_t *b, size_t n, int is_null,
                   const char *aad, uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  if (is_null) {
    return 0;
  }
  if (!b || n == 0) {
    return -EBADMSG;
  }
  return mash_seal_decrypt(seal, b, n, (const uint8_t *)aad, strlen(aad), out, out_len);
}

void store_row_id(const char *prefix, int64_t id, char *out, size_t cap) {
  if (id < 0 || cap == 0) {
    snprintf(out, cap, "%s-%06lld", prefix, (long long)id);
    return;
  }
  /* By hand, as snprintf would write it: a person look-up names hundreds
   * of rows, and snprintf cost a third of opening each one's summary. */
  char digits[24];
  size_t n = 0, at = 0;
  uint64_t v = (uint64_t)id;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n < 6) {
    digits[n++] = '0';
  }
  for (const char *p = prefix; *p != '\0' && at + 1 < cap; p++) {
    out[at++] = *p;
  }
  if (at + 1 < cap) {
    out[at++] = '-';
  }
  while (n > 0 && at + 1 < cap) {
    out[at++] = digits[--n];
  }
  out[at] = '\0';
}

int64_t store_row_parse_id(const char *s, char prefix) {
  if (s == NULL || s[0] != prefix || s[1] != '-' || s[2] == '\0') {
    return 0;
  }
  int64_t v = 0;
  for (const char *c = s + 2; *c != '\0'; c++) {
    if (*c < '0' || *c > '9' || v > INT64_MAX / 10 - 10) {
      return 0;
    }
    v = v * 10 + (*c - '0');
  }
  return v;
}

void store_row_blind(mash_seal_ctx_t *ctx, const char *key, uint8_t out[STORE_ROW_KEY_BYTES]) {
  uint8_t md[32];
  mash_seal_ctx_blind(ctx, key, md);
  memcpy(out, md, STORE_ROW_KEY_BYTES);
}

#define S_FLAGS_MAX 64
#define S_FLAG_NAME_MAX 64

struct store_row_flags {
  struct {
    char name[S_FLAG_NAME_MAX];
    int64_t n;
  } flag[S_FLAGS_MAX];
  size_t n;
};

store_row_flags_t *store_row_flags_new(void) {
  return calloc(1, sizeof(store_row_flags_t));
}

void store_row_flags_add(store_row_flags_t *f, const char *list) {
  for (const char *p = list; p && *p != '\0';) {
    size_t len = strcspn(p, ",");
    char name[S_FLAG_NAME_MAX];
    snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), p);
    size_t i = 0;
    while (i < f->n && strcmp(f->flag[i].name, name) != 0) {
      i++;
    }
    if (i == f->n && f->n < S_FLAGS_MAX) {
      snprintf(f->flag[i].name, sizeof f->flag[i].name, "%s", name);
      f->flag[i].n = 0;
      f->n++;
    }
    if (i < f->n) {
      f->flag[i].n++;
    }
    p += len + (p[len] == ',');
  }
}

void store_row_flags_each(const store_row_flags_t *f, mash_store_count_cb cb, void *arg) {
  for (size_t i = 0; i < f->n; i++) {
    if (cb(f->flag[i].name, f->flag[i].n, arg)) {
      break;
    }
  }
}

void store_row_flags_destroy(store_row_flags_t **f_p) {
  if (f_p) {
    free(*f_p);
    *f_p = NULL;
  }
}

static int s_cmp_i64(const void *x, const void *y) {
  int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
  return a < b ? -1 : a > b;
}

/* Nearest-rank p-th percentile of n sorted values (0 when n is 0). */
static int64_t s_rank(const int64_t *v, size_t n, int p) {
  size_t rank = (p * n + 99) / 100; /* 1-based */
  return n ? v[rank ? rank - 1 : 0] : 0;
}

void store_row_percentiles(int64_t *v, size_t n, int64_t *p50, int64_t *p90) {
  if (n > 1) {
    qsort(v, n, sizeof *v, s_cmp_i64);
  }
  *p50 = s_rank(v, n, 50);
  *p90 = s_rank(v, n, 90);
}

void store_row_err_init(char **err, size_t *errlen, char *dummy, size_t dummy_len) {
  if (!*err || *errlen == 0) {
    *err = dummy;
    *errlen = dummy_len;
  }
  (*err)[0] = '\0';
}
