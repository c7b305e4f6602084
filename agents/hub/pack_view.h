/* pack_view: how the hub desk shows a consolidated pack: a JSON object with
 * every field, and a self-contained printable HTML page for the social
 * worker. Pure translation, no I/O. The pack holds names of children and
 * adults: nothing here goes to logs. */
#ifndef MASH_PACK_VIEW_H
#define MASH_PACK_VIEW_H

#include <jansson.h>
#include <stddef.h>

#include "mash.pb-c.h"

/* A new JSON object with every field of the pack (caller json_decref's):
 * ids, version, partial, issued time (ISO 8601 UTC), rag, screened_by,
 * consent (status, reason, lawful basis, recorded_by), the contact (as
 * hub_view_json), each agency answer with its times, its timeliness
 * ("on_time", "late" or "not_answered"), findings, summary,
 * no_information_held, responder and escalation level; missing agencies;
 * escalations; household (the other children, each with "person_id");
 * prior contacts of the last 12 months; "domestic_abuse_12m" and
 * "potential_escalation". Absent sub-messages are null.
 * NULL for a NULL pack or when memory ran out. Safe from any thread. */
json_t *pack_view_json(const Mash__V1__ConsolidatedPack *p);

/* Render the pack as one HTML5 page: inline CSS only (with print rules), no
 * scripts, no external resources. Every text from the pack is HTML-escaped
 * (& < > " '), invalid UTF-8 and control characters are shown as U+FFFD.
 * The page shows the household's other children, the prior contacts of the
 * last 12 months, the domestic-abuse count, a "POTENTIAL ESCALATION" banner
 * when the pack says so, and each person's record as the broker resolved it.
 * On success *out is a new NUL-terminated string the caller free()s and
 * *len (when len is not NULL) its length. Returns 0, -EINVAL for a NULL
 * pack or out, or -ENOMEM (then *out is NULL). Safe from any thread. */
int pack_view_html(const Mash__V1__ConsolidatedPack *p, char **out, size_t *len);

#endif
