/* clock: wall-clock time in milliseconds since the Unix epoch (UTC). */
#ifndef MASH_CLOCK_H
#define MASH_CLOCK_H

#include <stdint.h>

int64_t mash_clock_now_ms(void);

/* The broker's injected clock: deadlines and escalations read this, never the
 * wall clock directly. rate 1 is real time; rate N runs N times faster from
 * `origin` (for rehearsals, the demo and tests). A plain value: copy freely. */
typedef struct mash_clock {
  double rate;
  int64_t real_origin_ms;    /* wall-clock instant the rate applies from */
  int64_t virtual_origin_ms; /* what the clock read at real_origin_ms */
} mash_clock_t;

/* Start a clock reading max(now, not_before_ms) and running at `rate` (> 0).
 * not_before_ms keeps an accelerated clock from going back across restarts. */
void mash_clock_init(mash_clock_t *c, double rate, int64_t not_before_ms);

/* The clock's time, in ms since the epoch. */
int64_t mash_clock_read(const mash_clock_t *c);

/* The clock file of an accelerated clock ("RATE REAL_ORIGIN VIRTUAL_ORIGIN"):
 * mashd keeps its origin there across restarts and mashctl reads it to know
 * the broker's time. load: 0, -ENOENT when absent, -EINVAL when unreadable.
 * save: written to PATH.tmp, synced, renamed; 0 or -1 with err. */
int mash_clock_load(const char *path, mash_clock_t *c);
int mash_clock_save(const char *path, const mash_clock_t *c, char *err, unsigned long errlen);

/* Real milliseconds until the clock reads `at` (0 when it already has). */
uint64_t mash_clock_real_delay(const mash_clock_t *c, int64_t at);

/* Format ms as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void mash_clock_format(int64_t ms, char *out, unsigned long outlen);

/* Parse "YYYY-MM-DDTHH:MM:SSZ" (or with .sss or a +HH:MM offset) into ms.
 * Returns 0 or -EINVAL. */
int mash_clock_parse(const char *s, int64_t *ms);

#endif
