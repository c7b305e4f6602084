/* agency_json: maps an agency's JSON notification (health, education,
 * housing, or any other configured agency; the format is in
 * agents/agency/README.md) to a mash.v1 Notification with that agency's
 * detail. Pure translation: no I/O, no logging, no state. Safe from any
 * thread.
 */
#ifndef MASH_AGENCY_JSON_H
#define MASH_AGENCY_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "codec.h"

/* Parse `len` bytes of JSON sent by `agency`: the agency's principal, such as
 * "health", "education" or "housing", which carry a "detail" object of their
 * own, or any other agency principal (1 to 63 of a-z 0-9 _ -, the first a
 * letter, as the codec checks principals), whose documents must carry no
 * "detail". "police" is refused: its format has its
 * own parser (police_json.h). The agency name is also the issuer recorded
 * with each person's local_id.
 * Returns a new Notification (free with agency_json_free) or NULL with
 * field-level errors (JSON paths such as "detail.attendance_percent" or
 * "children[1].dob"; "agency" for a bad agency name) in errs, which may be
 * NULL. Never crashes on hostile input. */
Mash__V1__Notification *agency_json_parse(const char *agency, const char *text, size_t len,
                                          mash_errors_t *errs);
/* The same, also listing in `unknown` (when not NULL) each member of the
 * document no reader used ("nhs_numbr"): see njson_notification_parse_ex. */
Mash__V1__Notification *agency_json_parse_ex(const char *agency, const char *text, size_t len,
                                             mash_errors_t *errs, mash_errors_t *unknown);

/* Whether `agency` has a detail of its own ("health", "education",
 * "housing"). */
bool agency_json_has_detail(const char *agency);

/* Accepts NULL. */
void agency_json_free(Mash__V1__Notification *n);

#endif
