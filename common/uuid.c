/* uuid: random (version 4) UUID strings.
 *
 * Responsible for: drawing 122 random bits from OpenSSL's CSPRNG and
 * formatting them as a lowercase RFC 9562 version 4 UUID. Must not: fall
 * back to a weaker generator (rand(), time) when RAND_bytes fails; the
 * caller gets -EIO instead, because message ids are de-duplication keys.
 */
#include "uuid.h"

#include <errno.h>
#include <stddef.h>

#include <openssl/rand.h>

int mash_uuid_new(char out[MASH_UUID_LEN + 1]) {
  static const char hex[] = "0123456789abcdef";
  unsigned char b[16];
  if (RAND_bytes(b, (int)sizeof b) != 1) {
    out[0] = '\0';
    return -EIO;
  }
  b[6] = (unsigned char)((b[6] & 0x0Fu) | 0x40u); /* version 4 */
  b[8] = (unsigned char)((b[8] & 0x3Fu) | 0x80u); /* variant 10xx */
  size_t o = 0;
  for (size_t i = 0; i < sizeof b; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out[o++] = '-';
    }
    out[o++] = hex[b[i] >> 4];
    out[o++] = hex[b[i] & 0x0Fu];
  }
  out[o] = '\0';
  return 0;
}
