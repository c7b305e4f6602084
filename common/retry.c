/* retry: exponential backoff with a ceiling (see retry.h). Pure: no clock,
 * no state, any thread. */
#include "retry.h"

mash_retry_t mash_retry_policy(int base_ms, int default_base_ms, int max_ms, int default_max_ms,
                               unsigned warn_after) {
  mash_retry_t p;
  p.base_ms = base_ms > 0 ? base_ms : default_base_ms;
  p.max_ms = max_ms > 0 ? max_ms : default_max_ms;
  p.warn_after = warn_after;
  return p;
}

int64_t mash_retry_delay_ms(const mash_retry_t *p, unsigned attempts) {
  if (attempts == 0) {
    return 0;
  }
  /* Doubling stops at 2^5: past that every base in use is at its ceiling,
   * and the shift can never overflow. */
  unsigned shift = attempts - 1 < 5 ? attempts - 1 : 5;
  int64_t d = (int64_t)p->base_ms << shift;
  return d > p->max_ms ? p->max_ms : d;
}

int64_t mash_retry_next_at(const mash_retry_t *p, unsigned attempts, int64_t now_ms) {
  return now_ms + mash_retry_delay_ms(p, attempts);
}

int mash_retry_warn_now(const mash_retry_t *p, unsigned attempts) {
  return p->warn_after != 0 && attempts == p->warn_after;
}
