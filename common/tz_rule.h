/* tz_rule: the time-zone rule of the working calendar, a POSIX TZ string
 * ("GMT0BST,M3.5.0/1,M10.5.0") read and evaluated by hand.
 *
 * Responsible for: parsing the rule (see mash_calendar_new in deadline.h for
 * the accepted forms), whether daylight saving time is in force at an
 * instant, the UTC offset then, and mapping local wall time back to UTC.
 * Must not: read zone files or the environment (TZ, localtime), do I/O, or
 * keep state. A parsed rule is a plain value; every function is pure and
 * safe from any thread. Used by the calendar (calendar.c) only.
 */
#ifndef MASH_TZ_RULE_H
#define MASH_TZ_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mash_tz_rule_kind {
  MASH_TZ_MONTH,   /* Mm.w.d */
  MASH_TZ_JULIAN1, /* Jn: 1..365, 29 February never counted */
  MASH_TZ_JULIAN0, /* n: 0..365, 29 February counted */
} mash_tz_rule_kind_t;

/* The day and time of year that DST starts or ends. */
typedef struct mash_tz_change {
  mash_tz_rule_kind_t kind;
  int month, week, wday; /* MASH_TZ_MONTH */
  int day;               /* MASH_TZ_JULIAN1, MASH_TZ_JULIAN0 */
  int64_t time_ms;       /* local time of the change, in the offset then in force */
} mash_tz_change_t;

typedef struct mash_tz {
  int64_t std_east_ms; /* standard offset, east of Greenwich */
  int64_t dst_east_ms;
  bool has_dst;
  mash_tz_change_t dst_on, dst_off;
} mash_tz_t;

/* Parse a POSIX TZ rule into *tz. Returns true, or false with a message
 * naming the offending text in err (err may be NULL). */
bool mash_tz_parse(mash_tz_t *tz, const char *text, char *err, size_t errlen);

/* True if DST is in force at utc_ms. */
bool mash_tz_is_dst(const mash_tz_t *tz, int64_t utc_ms);

/* The offset in force at utc_ms, in ms east of Greenwich. */
int64_t mash_tz_offset(const mash_tz_t *tz, int64_t utc_ms);

/* Local milliseconds -> UTC: a skipped local time maps to the instant the
 * clocks went forward, a repeated one to the earlier instant. */
int64_t mash_tz_from_local(const mash_tz_t *tz, int64_t local_ms);

#endif
