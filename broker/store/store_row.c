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
  snprintf(out, cap, "%s-%06lld", prefix, (long long)id);
}
