/* police_json: maps a police system's JSON notification (the format in
 * agents/police/README.md) to a mash.v1 Notification with PoliceDetail.
 * Pure translation: no I/O, no logging. */
#ifndef MASH_POLICE_JSON_H
#define MASH_POLICE_JSON_H

#include <stddef.h>

#include "codec.h"

/* Parse `len` bytes of JSON. Returns a new Notification (free with
 * police_json_free) or NULL with field-level errors (JSON paths such as
 * "children[1].dob") in errs. Never crashes on hostile input. */
Mash__V1__Notification *police_json_parse(const char *text, size_t len, mash_errors_t *errs);

/* The same, also listing in `unknown` (when not NULL) each member of the
 * document no reader used ("red_flg"): see njson_notification_parse_ex. */
Mash__V1__Notification *police_json_parse_ex(const char *text, size_t len, mash_errors_t *errs,
                                             mash_errors_t *unknown);

/* Accepts NULL. */
void police_json_free(Mash__V1__Notification *n);

#endif
