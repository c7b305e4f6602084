/* notification_json: the JSON readers every agency format shares.
 *
 * Responsible for: turning one JSON notification document (the common fields
 * of agents/police/README.md: reference, category, concern, occurred_at,
 * children, adults, relationships) into a mash.v1 Notification, and the
 * bounded, typed field readers the agency formats use for their own detail
 * (police_json.c, agency_json.c) and for records and manual answers
 * (records.c, manual.c). Every problem is reported with the JSON path of the
 * field ("children[1].dob"); every array and string is bounded by the
 * MASH_MAX_* constants of proto/codec.h before anything is allocated for it.
 *
 * Must not: do any I/O, log, keep state, or know any one agency's detail:
 * that arrives through the njson_format_t hooks. Safe from any thread.
 */
#ifndef MASH_NOTIFICATION_JSON_H
#define MASH_NOTIFICATION_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "codec.h"
#include "names.h"

/* Largest notification document accepted. A notification has to fit in one
 * frame once encoded; JSON is wordier than protobuf, so allow four frames of
 * text (1 MiB). */
#define NJSON_MAX_BYTES (4u * MASH_MAX_FRAME)

/* Paths fit the field of a mash_field_error_t. */
#define NJSON_PATH_LEN sizeof(((mash_field_error_t *)0)->field)

/* The problems found in one document. `errs` may be NULL (problems are then
 * only counted); `errors` counts every problem, stored or not. */
typedef struct njson_seen njson_seen_t; /* members read, for unknown-field checks */
typedef struct njson_ctx {
  mash_errors_t *errs;
  size_t errors;
  njson_seen_t *seen; /* NULL: not tracked */
} njson_ctx_t;

/* Enum values are read with the word tables of names.h (mash_enum_name_t, ended
 * by a {NULL, 0} entry). */

/* The kinds of text, with their bounds: ID is at most MASH_MAX_ID_LEN bytes of
 * A-Z a-z 0-9 - _ . / : (ID_SPACED also allows spaces, for NHS numbers as
 * printed; SAFE_ID allows no "/", as the codec's ids); SHORT at most
 * MASH_MAX_SHORT_TEXT bytes and LONG at most MASH_MAX_LONG_TEXT bytes of
 * UTF-8 without control characters (LONG may hold new lines and tabs). */
typedef enum njson_text {
  NJSON_TEXT_ID,
  NJSON_TEXT_ID_SPACED,
  NJSON_TEXT_SAFE_ID,
  NJSON_TEXT_SHORT,
  NJSON_TEXT_LONG
} njson_text_t;

/* ---------------------------------------------------------------- errors and paths */

/* Report a problem at `path`; printf-style message. */
void njson_error(njson_ctx_t *ctx, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* out (NJSON_PATH_LEN bytes) = "base.key", or "key" when base is "". */
void njson_path_key(char *out, const char *base, const char *key);

/* out (NJSON_PATH_LEN bytes) = "base[i]". */
void njson_path_index(char *out, const char *base, size_t i);

/* The member `key` of obj (NULL when absent), noted as read: every reader
 * here goes through it, so a member never read is an unknown field. */
const json_t *njson_member(njson_ctx_t *ctx, const json_t *obj, const char *key);

/* The members read, for the unknown-field list (notification_json_unknown.c):
 * a new record (NULL when out of memory), freed with njson_seen_free
 * (accepts NULL); njson_unknown_list adds to `unknown` each member of root
 * (at any depth, not under an unknown one) that was never read. More than
 * 8192 members read: nothing is listed (the document is not checked). */
njson_seen_t *njson_seen_new(void);
void njson_seen_free(njson_seen_t *seen);
void njson_unknown_list(const njson_seen_t *seen, const json_t *root, mash_errors_t *unknown);

/* ---------------------------------------------------------------- documents */

/* Parse `len` bytes (at most `max`) of JSON. Duplicate keys, invalid UTF-8,
 * escaped NULs and trailing bytes are refused. Returns a new reference
 * (json_decref it) or NULL with an error at "$". */
json_t *njson_load_value(njson_ctx_t *ctx, const char *text, size_t len, size_t max);

/* The same for a document whose root must be an object. */
json_t *njson_load(njson_ctx_t *ctx, const char *text, size_t len, size_t max);

/* ---------------------------------------------------------------- field readers
 *
 * Each reads member `key` of object `obj` at path `base` ("" at the root).
 * Absent and null are the same: they leave *out untouched and return 0, or
 * report "required" and return -1 when required. A value of the wrong type or
 * out of bounds is reported and returns -1. */

/* A string copied to a new malloc'd *out (*out must hold the protobuf default
 * or NULL: nothing is freed). Required strings must also not be empty. */
int njson_get_text(njson_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                   njson_text_t kind, bool required, char **out);

/* true or false; *found says whether it was given. */
int njson_get_bool(njson_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                   bool required, protobuf_c_boolean *out, bool *found);

/* A whole number in [min, max] (reals such as 12.5 are refused). */
int njson_get_integer(njson_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                      int64_t min, int64_t max, bool required, int64_t *out);

/* A word of `table`; the error lists the words allowed. */
int njson_get_enum(njson_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                   const mash_enum_name_t *table, bool required, int *out);

/* The same for a value already in hand (array elements) at `path`. */
int njson_enum_value(njson_ctx_t *ctx, const json_t *v, const char *path,
                     const mash_enum_name_t *table, int *out);

/* A UTC time in ISO 8601 ("2026-11-23T02:10:00Z", also with .sss or a
 * +HH:MM offset), not before 1970, as milliseconds since the epoch. */
int njson_get_time(njson_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                   bool required, int64_t *out);

/* An optional object member: NULL when absent, null or not an object (the
 * last reported). */
const json_t *njson_get_object(njson_ctx_t *ctx, const json_t *obj, const char *key,
                               const char *base);

/* An array member of at most `max` elements: NULL when absent or null
 * (reported when required) or wrong (reported). */
const json_t *njson_get_array(njson_ctx_t *ctx, const json_t *obj, const char *key,
                              const char *base, size_t max, bool required);

/* ---------------------------------------------------------------- values */

/* A calendar date YYYY-MM-DD from 1900 that exists (no 30 February). */
bool njson_valid_date(const char *s);

/* An NHS number: ten digits, spaces allowed anywhere (as printed, "943 476
 * 5919"), the last a valid modulus 11 check digit. Writes the bare digits to
 * out[11]. */
bool njson_nhs_number(const char *s, char out[11]);

/* ---------------------------------------------------------------- people and findings */

/* Parse one person object at `path` with the keys of the police format
 * (ref, given_name, family_name, dob, sex, nhs_number, upn, pnc_id,
 * local_id, address, role; see agents/police/README.md). `local_issuer`
 * becomes the issuer of a local_id (NULL: none). `ref_required`: the person
 * is part of a notification and needs a ref. Returns a new Person (free with
 * protobuf_c_message_free_unpacked(&p->base, NULL)) or NULL when `j` is not
 * an object or memory ran out (reported). Other problems are reported and
 * leave the fields unset, so check ctx->errors. */
Mash__V1__Person *njson_person(njson_ctx_t *ctx, const json_t *j, const char *path,
                               const char *local_issuer, bool ref_required);

/* Parse one finding {"kind": safe id, "summary": long text, "at": time} at
 * `path`; kind and summary are required, at is optional. Same ownership and errors
 * as njson_person. */
Mash__V1__Finding *njson_finding(njson_ctx_t *ctx, const json_t *j, const char *path);

/* ---------------------------------------------------------------- notifications */

/* What an agency format adds to the common fields. Hooks may be NULL. */
typedef struct njson_format {
  /* Issuer recorded with a person's local_id ("police", "health"). */
  const char *local_issuer;
  /* Called once after the common scalar fields (reference, category,
   * concern, occurred_at) and before the people: reads the agency's detail
   * from `root` into `n` (setting n->detail_case and its pointer). Reports
   * problems through njson_error. */
  void (*detail_cb)(njson_ctx_t *ctx, const json_t *root, Mash__V1__Notification *n, void *arg);
  /* Called for each child parsed, with the child's JSON object and path:
   * lets a format read per-child keys (the police "present"). */
  void (*child_cb)(njson_ctx_t *ctx, const json_t *child, const char *path,
                   const Mash__V1__Person *p, Mash__V1__Notification *n, void *arg);
  void *arg;
} njson_format_t;

/* Parse one notification document of at most NJSON_MAX_BYTES: the common
 * fields, then the format's detail and per-child keys, then the cross checks
 * (refs unique among children and adults, relationships name known refs).
 * Returns a new Notification (free with njson_notification_free) or NULL
 * with field-level errors in errs (may be NULL). Never crashes on hostile
 * input. */
Mash__V1__Notification *njson_notification_parse(const char *text, size_t len, mash_errors_t *errs,
                                                 const njson_format_t *format);

/* njson_notification_parse, also reporting in `unknown` (when not NULL) each
 * member of the document that no reader used: a misspelt key ("red_flg",
 * "children[0].nhs_numbr"), which would otherwise be dropped silently. The
 * members under an unknown key are not listed. Unknown fields are not
 * errors here: the caller warns or refuses (the adapters' unknown_fields
 * setting). */
Mash__V1__Notification *njson_notification_parse_ex(const char *text, size_t len,
                                                    mash_errors_t *errs, mash_errors_t *unknown,
                                                    const njson_format_t *format);

/* Free a notification built by njson_notification_parse. Accepts NULL. */
void njson_notification_free(Mash__V1__Notification *n);

#endif
