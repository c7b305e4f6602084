/* retry: one retry policy (exponential backoff with a ceiling and a warning
 * limit) for everything resent until acknowledged: the broker's outbox
 * (broker/net/outbox.c), the agent runtime's outbox and its reconnection
 * (agents/runtime/agent.c).
 *
 * Responsible for: when the next attempt is due. Must not: read a clock
 * (the caller passes `now`), log, or keep state: a policy is a plain value,
 * so it is tested with numbers alone. Any thread.
 */
#ifndef MASH_RETRY_H
#define MASH_RETRY_H

#include <stdint.h>

typedef struct mash_retry {
  int base_ms;         /* delay after the first attempt (> 0) */
  int max_ms;          /* ceiling on any delay */
  unsigned warn_after; /* attempts after which the caller warns once (0: never) */
} mash_retry_t;

/* A policy with base_ms, max_ms (a zero or negative value takes the default
 * given) and warn_after. */
mash_retry_t mash_retry_policy(int base_ms, int default_base_ms, int max_ms, int default_max_ms,
                               unsigned warn_after);

/* The delay after `attempts` attempts (attempts >= 1): base_ms doubled for
 * each attempt after the first, at most max_ms. attempts 0 gives 0. */
int64_t mash_retry_delay_ms(const mash_retry_t *p, unsigned attempts);

/* now + mash_retry_delay_ms(p, attempts). */
int64_t mash_retry_next_at(const mash_retry_t *p, unsigned attempts, int64_t now_ms);

/* 1 exactly when `attempts` reaches warn_after: warn once, not every time. */
int mash_retry_warn_now(const mash_retry_t *p, unsigned attempts);

#endif
