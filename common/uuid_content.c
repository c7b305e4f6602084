/* uuid_content: name-based UUIDs from content (SHA-256), for idempotent
 * submission of the same record. Must not: be used where ids must be
 * unpredictable. */
#include <openssl/sha.h>
#include <stdint.h>

#include "uuid.h"

void mash_uuid_from_content(const void *data, size_t len, char out[MASH_UUID_LEN + 1]) {
  static const char hex[] = "0123456789abcdef";
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(data, len, d);
  d[6] = (unsigned char)((d[6] & 0x0Fu) | 0x80u); /* version 8: custom */
  d[8] = (unsigned char)((d[8] & 0x3Fu) | 0x80u);
  size_t o = 0;
  for (size_t i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out[o++] = '-';
    }
    out[o++] = hex[d[i] >> 4];
    out[o++] = hex[d[i] & 0x0Fu];
  }
  out[o] = '\0';
}
