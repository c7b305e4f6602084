/* manual: enquiries answered by people, for agencies whose records no system
 * mash can read holds.
 *
 * Responsible for: the drop folder DIR shared with the agency's staff (the
 * formats are in agents/agency/README.md):
 *   DIR/requests/ID.json           an open request, written by mash
 *   DIR/requests/answered/ID.json  a request once its answer was sent
 *   DIR/answers/ID.json            the answer, written by a person
 *   DIR/answers/sent/ID.json       an answer sent to the broker
 *   DIR/answers/rejected/ID.json   an answer refused, with ID.error beside it
 * With the adapter's data key (the *_sealed calls), what mash writes or
 * keeps is sealed (the file name as associated data): requests/ and
 * requests/answered/ (read with `mash-NAME request ID`), answers/sent/
 * (`mash-NAME answer ID`). answers/ID.json and answers/rejected/ hold the
 * person's own file, plaintext, until it is taken or corrected.
 * ID is the request id. Files are written to a temporary name and renamed,
 * so a reader never sees half a file; folders are created owner-only (0700)
 * and files 0600.
 * Must not: send, log, retry or poll: the adapter decides when to call, and
 * what to do with the result. Safe from any thread for different ids.
 */
#ifndef MASH_MANUAL_H
#define MASH_MANUAL_H

#include <stddef.h>

#include "codec.h"
#include "seal.h"

/* Largest answer file read, and the bounds of one answer (so that it fits in
 * a frame). */
#define MANUAL_MAX_ANSWER_BYTES (1024u * 1024u)
#define MANUAL_MAX_FINDINGS 64u
#define MANUAL_ANSWER_BUDGET (MASH_MAX_FRAME / 2u)

/* Write `req` as readable JSON to DIR/requests/ID.json (replacing an earlier
 * copy: requests are delivered at least once), creating DIR, DIR/requests
 * and DIR/answers when missing. The request id must be 1 to 64 of A-Z a-z
 * 0-9 - _ . : and not start with a dot (it names files).
 * Returns 0, or a negative errno with a message in err (errlen bytes):
 * -EINVAL for a bad request id or text that is not UTF-8. */
int manual_write_request(const char *dir, const Mash__V1__EnquiryRequest *req, char *err,
                         size_t errlen);

/* Read the answer to `request_id` from DIR/answers/ID.json.
 * Returns 1 when there is no answer yet; 0 with a new *resp (free with
 * manual_answer_free; request_id copied, findings, summary, responder and
 * no_information_held from the file); -1 with field-level errors in errs
 * (JSON paths such as "findings[0].at", or "$" for the file as a whole) when
 * the file is unreadable or wrong. After -1 the adapter should call
 * manual_reject_answer, so that a person can correct it. */
int manual_read_answer(const char *dir, const char *request_id, Mash__V1__EnquiryResponse **resp,
                       mash_errors_t *errs);

/* The checking part of manual_read_answer, on `len` bytes in memory: returns
 * 0 with *resp or -1 with errs. No I/O. */
int manual_parse_answer(const char *request_id, const char *text, size_t len,
                        Mash__V1__EnquiryResponse **resp, mash_errors_t *errs);

/* Move DIR/answers/ID.json to DIR/answers/rejected/ID.json with the errors
 * `errs` (one "field: message" a line) in DIR/answers/rejected/ID.error.
 * Returns 0 or a negative errno with a message in err. */
int manual_reject_answer(const char *dir, const char *request_id, const mash_errors_t *errs,
                         char *err, size_t errlen);

/* After the answer was handed to the agent runtime: move DIR/answers/ID.json
 * to DIR/answers/sent/ and DIR/requests/ID.json (when still there) to
 * DIR/requests/answered/, so that neither is read again. Returns 0 or a
 * negative errno with a message in err. */
int manual_finish_answer(const char *dir, const char *request_id, char *err, size_t errlen);

/* manual_write_request and manual_finish_answer with a data key (borrowed;
 * NULL: as they are): the request is written sealed, and the answer sealed
 * as it moves into answers/sent/ (the plaintext answer removed). */
int manual_write_request_sealed(const char *dir, const Mash__V1__EnquiryRequest *req,
                                const mash_seal_t *seal, char *err, size_t errlen);
int manual_finish_answer_sealed(const char *dir, const char *request_id, const mash_seal_t *seal,
                                char *err, size_t errlen);

/* For a person: the request ID (requests/, else requests/answered/) or, with
 * answer, the answer sent (answers/sent/), opened with seal into *out
 * (malloc'd, *len bytes; the caller wipes and frees). A file written before
 * sealing is given as it is. 0, or a negative errno with err (-ENOENT: no
 * such file; -EBADMSG: it does not open with this key). */
int manual_open(const char *dir, const char *request_id, int answer, const mash_seal_t *seal,
                uint8_t **out, size_t *len, char *err, size_t errlen);

/* Free a response from manual_read_answer. Accepts NULL. */
void manual_answer_free(Mash__V1__EnquiryResponse *resp);

#endif
