/* clock: wall-clock time in milliseconds since the Unix epoch (UTC). */
#ifndef MASH_CLOCK_H
#define MASH_CLOCK_H

#include <stdint.h>

int64_t mash_clock_now_ms(void);

/* Format ms as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void mash_clock_format(int64_t ms, char *out, unsigned long outlen);

/* Parse "YYYY-MM-DDTHH:MM:SSZ" (or with .sss or a +HH:MM offset) into ms.
 * Returns 0 or -EINVAL. */
int mash_clock_parse(const char *s, int64_t *ms);

#endif
