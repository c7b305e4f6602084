/* hub_matches: the hub desk's list of possible person matches awaiting
 * review (`mash-hub matches`). When the broker resolves a person of a
 * notification only to a possible match, it makes a new person record and
 * sends, on the contact's PersonLink, the candidate it may be and a match
 * id; the hub confirms or rejects the match (`mash-hub match`). The desk
 * keeps each such match (hub_store.h) until the broker accepts its decision.
 *
 * This module is pure: the line and the JSON object of one open match as
 * functions of the match and the time `now` the caller passes in. (A
 * contact's own links are shown with the contact, by hub_view.) No names are shown: a match is ids,
 * a confidence and what agreed.
 *
 * Must not: do any I/O, read the clock, log, or decide anything about a
 * match (the broker does). Safe from any thread.
 */
#ifndef MASH_HUB_MATCHES_H
#define MASH_HUB_MATCHES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mash.pb-c.h"

/* The decision of a PersonLink that leaves a match for the hub to review. */
#define HUB_MATCHES_POSSIBLE "possible"

/* One possible match as stored. The strings are borrowed (from the database
 * row or the contact) for the duration of a call; none is NULL. */
typedef struct hub_match {
  const char *match_id;            /* "M-000001" */
  const char *contact_id;          /* the contact whose notification named the person */
  const char *ref;                 /* the person's ref in that notification ("c1") */
  const char *person_id;           /* the new record the broker made ("P-000009") */
  const char *candidate_person_id; /* the person it may be ("P-000007") */
  uint32_t confidence_permille;    /* 0 to 1000 */
  const char *why;                 /* what agreed: "dob+surname+postcode" */
  int64_t received_ms;             /* when the contact was received; 0 when not known */
} hub_match_t;

/* Whether the link leaves a match for the hub: decision "possible" and a
 * match id. false for NULL. */
bool hub_matches_is_possible(const Mash__V1__PersonLink *l);

/* The match a possible link describes, for contact c (borrowed pointers;
 * a link field the broker left empty is ""). received_ms is the contact's
 * received time, or fallback_ms when the broker gave none. */
void hub_matches_from_link(const Mash__V1__Contact *c, const Mash__V1__PersonLink *l,
                           int64_t fallback_ms, hub_match_t *out);

/* One line, no newline, truncated to fit (never inside a UTF-8 character),
 * NUL-terminated when outlen > 0:
 *   "M-000001  MASH-000003 c1 -> P-000007 (new P-000009)  confidence 0.80
 *    dob+surname+postcode  age 2h10m" (on one line); "age ?" when the
 * received time is not known. Text from the broker is made safe for a
 * terminal. */
void hub_matches_line(const hub_match_t *m, int64_t now_ms, char *out, size_t outlen);

/* {"match_id", "contact_id", "ref", "person_id", "candidate_person_id",
 *  "confidence" (0.0 to 1.0), "confidence_permille", "why", "received_at"
 *  (ISO 8601 UTC or null), "age_ms" (null when not known)}: a new
 * reference (caller json_decref's), NULL when memory ran out. */
json_t *hub_matches_json(const hub_match_t *m, int64_t now_ms);

#endif
