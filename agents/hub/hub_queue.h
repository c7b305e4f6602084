/* hub_queue: the hub desk's screening queue (`mash-hub queue`) and the
 * priority shown on each contact line of `mash-hub run`. Pure: the order of
 * open contacts, and their lines and JSON objects, as functions of the
 * contacts and the time `now` the caller passes in.
 *
 * Order: the broker's priority descending, then the broker's received time
 * ascending (the oldest first; a contact with no received time counts as
 * the oldest, so it is not buried), then the contact id. Information-only
 * notices carry a negative priority from the broker, so they come last
 * because of their score, not because this module looks at their reasons.
 *
 * The priority and its reasons come from the broker (Contact.priority and
 * .priority_reasons). The reasons are stable codes ("dash_high"); the
 * readable line shows them in words ("DASH high risk"), and a code this desk
 * does not know is shown as it came, made safe for a terminal.
 *
 * Must not: do any I/O, read the clock, log (lines hold nothing but ids,
 * but contacts hold children's names), or change a contact. Safe from any
 * thread.
 */
#ifndef MASH_HUB_QUEUE_H
#define MASH_HUB_QUEUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mash.pb-c.h"

/* Queue order of two contacts: negative when a is screened before b,
 * positive when after, 0 only for the same id, priority and time. NULL
 * contacts come after every contact. */
int hub_queue_cmp(const Mash__V1__Contact *a, const Mash__V1__Contact *b);

/* Sort `n` contact pointers into queue order, in place. Only the pointers
 * move; the contacts are not changed. items may be NULL when n is 0. */
void hub_queue_sort(Mash__V1__Contact **items, size_t n);

/* Whether the contact's screening is overdue at now_ms: it has a due time
 * (screening_due_at_ms != 0) and now_ms is past it. false for NULL. */
bool hub_queue_overdue(const Mash__V1__Contact *c, int64_t now_ms);

/* How long ago, as the desk shows it: "0m" under a minute (and for a time
 * in the future), "12m", "3h12m", "2d03h". Truncated to fit outlen; always
 * NUL-terminated when outlen > 0 (nothing written for a NULL out). */
void hub_queue_age(int64_t age_ms, char *out, size_t outlen);

/* The words for a reason code ("dash_high" -> "DASH high risk"), a static
 * string; NULL for a code this desk does not know (or NULL). */
const char *hub_queue_reason_label(const char *code);

/* One queue line, no newline, truncated to fit (never inside a UTF-8
 * character), always NUL-terminated when outlen > 0 (nothing written for a
 * NULL out); "" for NULL c:
 *   "P65  MASH-000001  police  age 4h12m  due 2026-11-23T09:55:58Z OVERDUE
 *    [DASH high risk; children present at the incident]  domestic abuse"
 * (on one line). "age ?" when the received time is not known, "due -" when
 * there is no due time, "[no reasons]" when the broker gave none, and the
 * category "unspecified" without a notification. */
void hub_queue_line(const Mash__V1__Contact *c, int64_t now_ms, char *out, size_t outlen);

/* {"priority", "priority_reasons": [codes], "contact_id", "source",
 *  "received_at", "age_ms", "screening_due_at", "overdue", "category"}:
 * times ISO 8601 UTC or null when not known, age_ms null when the received
 * time is not known (and 0 for a time in the future). A new reference
 * (caller json_decref's); NULL for NULL c or when memory ran out. */
json_t *hub_queue_json(const Mash__V1__Contact *c, int64_t now_ms);

/* The contact line of `mash-hub run` and `list` (readable mode): "P12 "
 * (or "P-975 "),
 * then hub_view_line, then "  priority: dash_high, children_present" when
 * the broker gave reasons. Same truncation rules as hub_queue_line. */
void hub_queue_contact_line(const Mash__V1__Contact *c, char *out, size_t outlen);

#endif
