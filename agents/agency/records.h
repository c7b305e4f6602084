/* records: an agency's records file, and the answer to an enquiry from it.
 *
 * Responsible for: loading the JSON records file of an agency whose records
 * mash can read (the format is in agents/agency/README.md), and answering an
 * EnquiryRequest by matching its subjects against the records: the findings
 * of every record matched, or "no information held". Matching is
 * deterministic (identifiers, then name and date of birth) and never fuzzy:
 * a wrong match would disclose one family's records to another's enquiry.
 * Must not: send, log, or touch the disk outside records_load. records_answer
 * is a pure function of its arguments; a loaded records_t is read-only, so
 * it may be shared between threads.
 */
#ifndef MASH_RECORDS_H
#define MASH_RECORDS_H

#include <stddef.h>

#include "codec.h"

/* Bounds of a records file. */
#define RECORDS_MAX_BYTES (64u * 1024u * 1024u) /* the file */
#define RECORDS_MAX_COUNT 1000000u              /* person records */
#define RECORDS_MAX_FINDINGS 64u                /* per record */

/* Bounds of one answer, so that it fits in a frame: at most this many
 * records matched and findings sent, and this many bytes of finding text
 * (the rest are counted in the summary). */
#define RECORDS_MAX_MATCHES 32u
#define RECORDS_MAX_ANSWER_FINDINGS 64u
#define RECORDS_ANSWER_BUDGET (MASH_MAX_FRAME / 2u)

typedef struct records records_t;

/* Read and check the records file at `path` (at most RECORDS_MAX_BYTES).
 * Returns a new records_t (destroy with records_destroy) or NULL with a
 * message in err (errlen bytes, always terminated) that names the record by
 * its index from 0 and the field, for example
 *   "health-records.json: record 3: findings[0].at: expected a UTC time
 *    such as 2026-11-23T02:10:00Z (and 1 more problem)".
 * A file with any bad record is refused whole: answering from part of the
 * records would say "no information held" about people the agency knows. */
records_t *records_load(const char *path, char *err, size_t errlen);

/* The same from `len` bytes of JSON in memory; `name` (may be NULL) starts
 * the error message. No I/O. */
records_t *records_parse(const char *name, const char *text, size_t len, char *err, size_t errlen);

/* Accepts NULL and a NULL *self_p; sets *self_p to NULL. */
void records_destroy(records_t **self_p);

/* Number of person records loaded. */
size_t records_count(const records_t *r);

/* Answer `req` from `r` as `responder` (the agency's principal, such as
 * "health": copied to the response, and the issuer a subject's local_id must
 * carry to match a local_id of the records file).
 *
 * For each subject, the records matched are those sharing an identifier of
 * the same kind (NHS numbers compared ignoring spaces, UPN and PNC id ignoring
 * case); when none does, those whose family name, given name (ignoring ASCII
 * case and surrounding spaces) and date of birth are all equal, unless the
 * record and the subject carry different identifiers of the same kind. A
 * record matched by several subjects is reported once.
 *
 * Returns a new EnquiryResponse (free with records_response_free) with
 * request_id copied from req and responder set: the findings of the records
 * matched, each summary prefixed with the person's name ("Maya Hartley:
 * ..."), and a summary such as "2 records matched: Maya Hartley (2019-03-01)
 * by NHS number; Leo Hartley (2024-07-15) by name and date of birth. 4
 * findings."; or no_information_held with the summary "No information held".
 * Returns NULL only when memory runs out. */
Mash__V1__EnquiryResponse *records_answer(const records_t *r, const Mash__V1__EnquiryRequest *req,
                                          const char *responder);

/* Free a response from records_answer. Accepts NULL. */
void records_response_free(Mash__V1__EnquiryResponse *resp);

#endif
