/* deadline: the working calendar and the reply, screening and decision
 * windows of the hub (DESIGN.md §4, DOMAIN.md "RAG ratings").
 *
 * Responsible for: parsing a working calendar from configuration strings (a
 * POSIX TZ rule, weekly working hours, bank holidays); converting between UTC
 * and local wall time with that rule; counting working time forwards from an
 * instant and between two instants; and turning a RAG rating and a start
 * instant into an absolute UTC due instant, or into the instant at a fraction
 * of the window for the escalation ladder.
 * Must not: do any I/O, log, read the clock, read the environment (TZ,
 * getenv, localtime), or keep global state. A calendar is immutable after
 * mash_calendar_new, so every function here is safe from any thread.
 *
 * Instants are milliseconds since the Unix epoch, UTC. The supported range is
 * MASH_CALENDAR_MIN_MS .. MASH_CALENDAR_MAX_MS (1970-01-01 to 9999-12-31).
 *
 * The sentinel MASH_DEADLINE_NEVER (INT64_MAX) means "no such instant": the
 * working time can never be reached (a calendar with no working hours), or an
 * argument is out of range. It compares later than every real instant, so a
 * timer armed at it never fires: callers must treat it as a configuration
 * error and say so, which mash_deadline_policy_check does up front.
 *
 * Local times are handled as "local milliseconds": the wall-clock reading
 * written as if it were UTC (so 09:00 local on a date is date * 86400000 +
 * 9 * 3600000). A local time that does not exist (the hour skipped when
 * clocks go forward) maps to the instant the clocks changed; a local time
 * that happens twice (clocks going back) maps to the earlier instant. Both
 * choices keep local -> UTC non-decreasing, so working spans never overlap.
 */
#ifndef MASH_DEADLINE_H
#define MASH_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mash.pb-c.h"

#define MASH_DEADLINE_NEVER INT64_MAX
#define MASH_CALENDAR_MIN_MS INT64_C(0)
#define MASH_CALENDAR_MAX_MS INT64_C(253402300799999) /* 9999-12-31T23:59:59.999Z */

/* At most this many working spans per weekday ("09:00-12:00,13:00-17:00" is two). */
#define MASH_CALENDAR_MAX_SPANS 8
/* At most this many bank holidays in one calendar. */
#define MASH_CALENDAR_MAX_HOLIDAYS 4096
/* A policy window may not exceed a year. */
#define MASH_DEADLINE_MAX_MINUTES (366 * 24 * 60)
/* mash_deadline_at_fraction accepts 0 .. this many permille (100 times the window). */
#define MASH_DEADLINE_MAX_PERMILLE 100000

typedef struct mash_calendar mash_calendar_t;

/* ------------------------------------------------------------------ calendar */

/* Create a working calendar from three configuration strings.
 *
 * tz: a POSIX TZ rule, "std offset [dst [offset] ,start[/time],end[/time]]".
 *   Names are three or more letters or a quoted "<+0330>" form; offsets are
 *   [+|-]hh[:mm[:ss]] west of Greenwich (POSIX sign: "EST5"); the DST offset
 *   defaults to one hour ahead of standard time; rules are Mm.w.d (week w of
 *   month m, 5 = last, day d 0 = Sunday), Jn (1..365, no 29 Feb) or n
 *   (0..365), each with an optional /time of [+|-]hh[:mm[:ss]] (default
 *   02:00, up to 167 h). Examples: "UTC0", "GMT0BST,M3.5.0/1,M10.5.0"
 *   (Europe/London), "EST5EDT,M3.2.0,M11.1.0". A zone file name such as
 *   "Europe/London" or ":Europe/London" is rejected with a hint.
 * hours: groups separated by ';', each "DAYS SPANS": DAYS is a comma list of
 *   mon..sun or ranges ("mon-fri", "sat,sun", "fri-mon" wraps), SPANS a comma
 *   list of HH:MM-HH:MM local times with start < end <= 24:00. A day may
 *   appear in several groups; its spans must not overlap. Examples:
 *   "mon-fri 09:00-17:00", "mon-thu 09:00-17:00; fri 09:00-16:30". The word
 *   "none" gives a calendar with no working hours at all (every working-time
 *   result is then MASH_DEADLINE_NEVER); an empty string is an error.
 * holidays: NULL, "" or a list of local dates YYYY-MM-DD separated by commas
 *   and/or spaces, e.g. "2026-12-25,2026-12-28". A holiday has no working
 *   hours. Duplicates are allowed.
 * err/errlen: on failure a NUL-terminated message naming the field and the
 *   offending text is written here (err may be NULL).
 * Returns a new calendar owned by the caller (free with mash_calendar_destroy)
 * or NULL on a parse error or out of memory.
 * Thread: any. */
mash_calendar_t *mash_calendar_new(const char *tz, const char *hours, const char *holidays,
                                   char *err, size_t errlen);

/* Free a calendar and set *self_p to NULL. Accepts NULL and *self_p == NULL.
 * Thread: any, once no other thread uses the calendar. */
void mash_calendar_destroy(mash_calendar_t **self_p);

/* True if the calendar has at least one working span in the week.
 * Thread: any. */
bool mash_calendar_has_hours(const mash_calendar_t *cal);

/* The UTC instant after working_ms of working time counted from start_utc_ms:
 * the earliest instant t >= start with mash_calendar_working_between(start,
 * t) == working_ms. A start outside working hours counts from the next
 * working span; a result that ends a span is that span's end (Friday 16:00 +
 * 1 h is Friday 17:00, + 2 h is Monday 10:00). working_ms == 0 returns
 * start. Returns MASH_DEADLINE_NEVER if the calendar has no working hours,
 * working_ms < 0, start is outside the supported range, or the result would
 * be past MASH_CALENDAR_MAX_MS. Cost is linear in the calendar days spanned.
 * Thread: any. */
int64_t mash_calendar_add_working(const mash_calendar_t *cal, int64_t start_utc_ms,
                                  int64_t working_ms);

/* Working milliseconds in the interval [a, b). Antisymmetric: returns
 * -mash_calendar_working_between(cal, b, a) when b < a. Instants outside the
 * supported range are clamped to it. 0 for a calendar with no hours.
 * Cost is linear in the calendar days spanned.
 * Thread: any. */
int64_t mash_calendar_working_between(const mash_calendar_t *cal, int64_t a_utc_ms,
                                      int64_t b_utc_ms);

/* The start of the working span that contains utc_ms, or else of the next
 * one: utc_ms itself when it is inside working hours. MASH_DEADLINE_NEVER as
 * for mash_calendar_add_working. Thread: any. */
int64_t mash_calendar_next_working(const mash_calendar_t *cal, int64_t utc_ms);

/* True if utc_ms is inside a working span (start inclusive, end exclusive).
 * Thread: any. */
bool mash_calendar_is_working(const mash_calendar_t *cal, int64_t utc_ms);

/* The UTC offset in force at utc_ms, in ms east of Greenwich (+3600000 in
 * British Summer Time). Thread: any. */
int64_t mash_calendar_utc_offset_ms(const mash_calendar_t *cal, int64_t utc_ms);

/* True if the DST rule of the calendar is in force at utc_ms. Thread: any. */
bool mash_calendar_is_dst(const mash_calendar_t *cal, int64_t utc_ms);

/* UTC instant -> local milliseconds (see the file comment). Thread: any. */
int64_t mash_calendar_to_local(const mash_calendar_t *cal, int64_t utc_ms);

/* Local milliseconds -> UTC instant. Skipped local times map to the instant
 * the clocks went forward, repeated ones to the earlier instant. Thread: any. */
int64_t mash_calendar_from_local(const mash_calendar_t *cal, int64_t local_ms);

/* True if the local date (days since 1970-01-01) is a bank holiday of the
 * calendar. Thread: any. */
bool mash_calendar_is_holiday(const mash_calendar_t *cal, int64_t local_day);

/* -------------------------------------------------------------------- policy */

/* How a window is measured. */
typedef enum mash_deadline_clock {
  MASH_DEADLINE_WALL = 0,    /* round the clock: real elapsed time */
  MASH_DEADLINE_WORKING = 1, /* working time on the calendar */
} mash_deadline_clock_t;

typedef struct mash_deadline_window {
  int64_t minutes; /* 1 .. MASH_DEADLINE_MAX_MINUTES */
  mash_deadline_clock_t clock;
} mash_deadline_window_t;

/* The windows of the hub. The decision window is "one working day", defined
 * as the working hours of one standard working day added to the start in
 * working time (480 working minutes by default, i.e. 09:00-17:00): a
 * contact screened on Tuesday at 11:00 is due a decision on Wednesday at
 * 11:00, and one screened on Friday evening by Monday 17:00. Hubs with a
 * different standard day configure the minutes. */
typedef struct mash_deadline_policy {
  mash_deadline_window_t red;       /* default 240 min, wall clock */
  mash_deadline_window_t amber;     /* default 1440 min (24 h), working */
  mash_deadline_window_t green;     /* default 4320 min (72 h), working */
  mash_deadline_window_t screening; /* default 240 min, wall clock */
  mash_deadline_window_t decision;  /* default 480 min (one working day), working */
} mash_deadline_policy_t;

/* Fill *policy with the defaults of DESIGN.md §4. Thread: any. */
void mash_deadline_policy_default(mash_deadline_policy_t *policy);

/* Check a policy against a calendar: every window has 1 ..
 * MASH_DEADLINE_MAX_MINUTES minutes and a known clock, and a calendar with
 * no working hours is not used by a working-time window. Returns 0, or
 * -EINVAL with a message naming the window in err (err may be NULL).
 * Thread: any. */
int mash_deadline_policy_check(const mash_deadline_policy_t *policy, const mash_calendar_t *cal,
                               char *err, size_t errlen);

/* The window a RAG rating asks for, or NULL for blue, unspecified and
 * unknown values (information only: no enquiry). The pointer is into
 * *policy. Thread: any. */
const mash_deadline_window_t *mash_deadline_window_for(const mash_deadline_policy_t *policy,
                                                       Mash__V1__Rag rag);

/* The instant a window opened at start_utc_ms closes. MASH_DEADLINE_NEVER
 * for a working window on a calendar without hours or an invalid window.
 * Thread: any. */
int64_t mash_deadline_window_due(const mash_deadline_window_t *window, const mash_calendar_t *cal,
                                 int64_t start_utc_ms);

/* The instant at permille/1000 of a window that opened at start_utc_ms and
 * closes at due_utc_ms, measured the way the window is (wall clock or
 * working time) and rounded down to the millisecond: 750 is the 75%
 * reminder, 1000 is due_utc_ms itself, 1500 is deadline + 50%. The window
 * length is taken from the stored due instant, so a policy changed since
 * does not move the ladder. Returns MASH_DEADLINE_NEVER if due_utc_ms is
 * MASH_DEADLINE_NEVER or before start, permille is outside 0 ..
 * MASH_DEADLINE_MAX_PERMILLE, or the working result cannot be reached.
 * Thread: any. */
int64_t mash_deadline_window_at_fraction(const mash_deadline_window_t *window,
                                         const mash_calendar_t *cal, int64_t start_utc_ms,
                                         int64_t due_utc_ms, int32_t permille);

/* When a partner's reply to an enquiry of this RAG rating, sent at
 * start_utc_ms, is due: red on the wall clock, amber and green in working
 * time (by default). Returns 0 for blue, unspecified and unknown ratings
 * (no enquiry), else as mash_deadline_window_due. Thread: any. */
int64_t mash_deadline_reply_due(const mash_deadline_policy_t *policy, const mash_calendar_t *cal,
                                Mash__V1__Rag rag, int64_t start_utc_ms);

/* When the screening of a contact received at start_utc_ms is due (4 h round
 * the clock by default). As mash_deadline_window_due. Thread: any. */
int64_t mash_deadline_screening_due(const mash_deadline_policy_t *policy,
                                    const mash_calendar_t *cal, int64_t start_utc_ms);

/* When the decision on a contact whose enquiries opened at start_utc_ms is
 * due (one working day by default, see mash_deadline_policy_t). As
 * mash_deadline_window_due. Thread: any. */
int64_t mash_deadline_decision_due(const mash_deadline_policy_t *policy, const mash_calendar_t *cal,
                                   int64_t start_utc_ms);

/* The instant at permille/1000 of the reply window of a RAG rating, as
 * mash_deadline_window_at_fraction. Returns 0 for ratings without an enquiry
 * (blue, unspecified, unknown). Thread: any. */
int64_t mash_deadline_at_fraction(const mash_deadline_policy_t *policy, const mash_calendar_t *cal,
                                  Mash__V1__Rag rag, int64_t start_utc_ms, int64_t due_utc_ms,
                                  int32_t permille);

#endif
