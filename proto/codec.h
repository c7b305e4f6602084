/* codec: encode, decode and validate mash.v1 messages.
 *
 * Responsible for: turning frames into Envelopes and back, and checking every
 * size, count and required field of what came from the network, with
 * field-level error messages. Must not: do any I/O, log, or know about
 * sockets. Thread-safe (no state).
 */
#ifndef MASH_CODEC_H
#define MASH_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "mash.pb-c.h"

#define MASH_SCHEMA_VERSION 1u

/* Largest frame (an encoded Envelope) accepted from the network or sent:
 * 256 KiB exactly. CURVE wraps each frame in a MESSAGE command 33 bytes
 * longer, and ZMQ_MAXMSGSIZE applies to that, so sockets are given
 * MASH_MAX_WIRE: a frame of MASH_MAX_FRAME bytes passes, one byte more is
 * refused by mash_codec_decode with an error naming the limit. */
#define MASH_MAX_FRAME (256u * 1024u)
#define MASH_CURVE_OVERHEAD 33u
#define MASH_MAX_WIRE (MASH_MAX_FRAME + MASH_CURVE_OVERHEAD)
/* The broker reads frames up to this size (ZMQ_MAXMSGSIZE on its socket, less
 * the CURVE overhead), so that a frame over MASH_MAX_FRAME is answered with an
 * error, counted and logged; libzmq drops the connection of a larger one. */
#define MASH_MAX_OVERSIZE_SEEN (4u * MASH_MAX_FRAME)

/* Bounds applied by the validators. */
#define MASH_MAX_ID_LEN 64u      /* message ids, refs, identifiers */
#define MASH_MAX_SHORT_TEXT 256u /* names, references, officer, ... */
#define MASH_MAX_OTHER_NAMES 4u  /* Person.other_given_names (broker records) */
#define MASH_MAX_OTHER_DOBS 2u   /* Person.other_dates_of_birth (broker records) */
#define MASH_MAX_LONG_TEXT 8192u /* concern, summaries */
#define MASH_MAX_PEOPLE 32u      /* children, adults each */
#define MASH_MAX_IDENTIFIERS 8u  /* per person */
#define MASH_MAX_ADDRESS_LINES 6u
#define MASH_MAX_RELATIONSHIPS 64u
#define MASH_DASH_ITEMS 27u
#define MASH_MAX_FIELD_ERRORS 16u
#define MASH_MAX_AGENCIES 16u          /* agencies asked by one screening decision */
#define MASH_MAX_FINDINGS 64u          /* per enquiry response */
#define MASH_MAX_ESCALATION_LEVEL 32u  /* escalation levels run 1..this */
#define MASH_MAX_PARTIES 8u            /* told of one escalation step */
#define MASH_MAX_PACK_AGENCIES 32u     /* answers, and missing agencies, per pack */
#define MASH_MAX_PACK_ESCALATIONS 256u /* per pack */
#define MASH_MAX_PRIOR_CONTACTS 256u   /* per pack */
/* An envelope larger than one frame (a pack) travels in parts (Part). */
#define MASH_PART_DATA (MASH_MAX_FRAME - 1024u) /* bytes of the whole per part */
#define MASH_MAX_PARTS 48u
#define MASH_MAX_WHOLE ((size_t)MASH_MAX_PARTS * MASH_PART_DATA)
#define MASH_MAX_REJECTION_FIELDS 16u /* field names in an AdapterRejection */
/* Room a contact's delivery frame keeps beyond the contact made at intake:
 * its id and up to 64 person links of valid sizes (each at most about 600
 * bytes: ids of MASH_MAX_ID_LEN, a "why" of MASH_MAX_SHORT_TEXT), and the
 * envelope around it (test_codec checks the worst case fits). A notification
 * whose contact would need more is refused before its receipt. */
#define MASH_CONTACT_RESERVE (40u * 1024u)
#define MASH_MAX_INTAKE_CONTACT (MASH_MAX_FRAME - MASH_CONTACT_RESERVE)

typedef struct mash_field_error {
  char field[96];
  char message[160];
} mash_field_error_t;

/* A bounded list of field errors. Zero-initialise before use. Errors past
 * MASH_MAX_FIELD_ERRORS are counted in `dropped` but not stored. */
typedef struct mash_errors {
  size_t count;
  size_t dropped;
  mash_field_error_t items[MASH_MAX_FIELD_ERRORS];
} mash_errors_t;

/* Append an error; printf-style message. Truncates silently to fit. */
void mash_errors_add(mash_errors_t *errs, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Decode one frame. Returns a new Envelope (free with mash_codec_free) or NULL
 * with one error in `errs` when the frame is empty, larger than MASH_MAX_FRAME,
 * or not a valid Envelope (including a field numbered 0, which protobuf-c
 * would keep but not read back once re-encoded). Other unknown fields are
 * tolerated. Does not validate contents: call mash_codec_validate_envelope. */
Mash__V1__Envelope *mash_codec_decode(const uint8_t *buf, size_t len, mash_errors_t *errs);

/* Read the message id (field 1) of a frame that may not decode, for a
 * refusal to name the message it answers: copied into out (outlen bytes)
 * when it is 1..MASH_MAX_ID_LEN safe characters. Returns 0, or -ENOENT when
 * no such id could be read (out is then ""). Allocation-free. */
int mash_codec_peek_message_id(const uint8_t *buf, size_t len, char *out, size_t outlen);

/* Find strings holding a NUL byte anywhere in the frame (protobuf-c cuts a
 * string at its first NUL on decode, so "Ann\0e" would be read as "Ann").
 * Walks the frame's bytes along the schema; one error per such string, named
 * by its path ("notification.children[0].given_name"). Returns 0 when none,
 * -EINVAL with errs filled otherwise (also for bytes that are not an
 * Envelope). Call it on a frame mash_codec_decode accepted. Allocation-free. */
int mash_codec_check_strings(const uint8_t *buf, size_t len, mash_errors_t *errs);

/* mash_codec_decode for a whole reassembled from parts: up to MASH_MAX_WHOLE
 * bytes instead of MASH_MAX_FRAME. */
Mash__V1__Envelope *mash_codec_decode_whole(const uint8_t *buf, size_t len, mash_errors_t *errs);

/* Encode `env` whatever its size up to MASH_MAX_WHOLE; when it is larger than
 * MASH_MAX_FRAME, cut it into parts: *parts (malloc'd array of *n_parts
 * malloc'd frames, each <= MASH_MAX_FRAME, with *part_lens) are Part
 * envelopes with message ids "ID.INDEX" (ID is env->message_id), sent at
 * env->sent_at_ms. When the envelope fits one frame, *n_parts is 1 and the
 * one frame is the envelope itself. Free with mash_codec_parts_free.
 * Returns 0, -ENOMEM, or -EMSGSIZE when larger than MASH_MAX_WHOLE. */
int mash_codec_encode_parts(const Mash__V1__Envelope *env, uint8_t ***parts, size_t **part_lens,
                            size_t *n_parts);
void mash_codec_parts_free(uint8_t **parts, size_t *part_lens, size_t n_parts);

/* Free an Envelope returned by mash_codec_decode. Accepts NULL. */
void mash_codec_free(Mash__V1__Envelope *env);

/* Encode `env` into a new malloc'd buffer (*out, *out_len); caller frees.
 * Returns 0, or -ENOMEM, or -EMSGSIZE when the result exceeds MASH_MAX_FRAME. */
int mash_codec_encode(const Mash__V1__Envelope *env, uint8_t **out, size_t *out_len);

/* Check the envelope header: message_id present, <= MASH_MAX_ID_LEN and of
 * safe characters [A-Za-z0-9-_.:]; correlation_id likewise when present;
 * schema_version == MASH_SCHEMA_VERSION; a body set. Then the body:
 * notifications with mash_codec_validate_notification, receipts with their
 * bounds, and the enquiry messages:
 * - screening: contact_id; a RAG; at most MASH_MAX_AGENCIES distinct agency
 *   principals (1-63 of [a-z0-9_-], first a letter); a consent record;
 *   screened_by;
 * - consent records (required in a screening, checked where present
 *   elsewhere): status and lawful basis given, a reason when consent was
 *   refused or not sought;
 * - enquiry_request: request, enquiry and contact ids; subjects checked like
 *   a notification's people (at most 2 * MASH_MAX_PEOPLE);
 * - enquiry_response: request_id; at most MASH_MAX_FINDINGS findings, each
 *   with a kind, and none when no_information_held;
 * - escalation: escalation_id; level 1..MASH_MAX_ESCALATION_LEVEL; at most
 *   MASH_MAX_PARTIES parties;
 * - pack: enquiry and contact ids; version >= 1; the contact, answers (with
 *   their responses), escalations, household and prior contacts checked as
 *   above within their MASH_MAX_PACK_* and MASH_MAX_PRIOR_CONTACTS bounds;
 * - outcome: contact_id, an outcome, decided_by;
 * - match_decision: match_id, decided_by;
 * - contact: also its person links (ref, person_id, decision, confidence at
 *   most 1000).
 * Enums must hold known values, times must not be before 1970, ids are of
 * the safe characters above. Field names are paths like
 * "screening.agencies[2]" or "enquiry_response.findings[0].summary".
 * Returns 0 when valid, otherwise -EINVAL with errs filled. */
int mash_codec_validate_envelope(const Mash__V1__Envelope *env, mash_errors_t *errs);

/* Check a notification's sizes, counts and required fields: at least one
 * child; each person has a ref (unique), a name or an identifier; dates of
 * birth are real YYYY-MM-DD dates not in the future of `now_ms` (0: skip);
 * identifiers have a kind and a value of safe length; relationships and
 * children_present_refs name known refs; a DASH is either empty or exactly
 * MASH_DASH_ITEMS answers; text fields within bounds and valid UTF-8.
 * Field names are paths like "notification.children[0].date_of_birth".
 * Returns 0 or -EINVAL. */
int mash_codec_validate_notification(const Mash__V1__Notification *n, int64_t now_ms,
                                     mash_errors_t *errs);

/* Encode an Envelope whose body is a Contact given as serialized bytes
 * without a contact id, adding contact_id, without decoding the contact:
 * protobuf fields may come in any order, so the id is appended to the
 * contact's bytes. For the broker's hot path (one delivery per contact).
 * Returns 0, -ENOMEM or -EMSGSIZE; *out is malloc'd. */
int mash_codec_encode_contact_delivery(const char *message_id, int64_t sent_at_ms,
                                       const uint8_t *contact, size_t len, const char *contact_id,
                                       uint8_t **out, size_t *out_len);

/* Fill an envelope header: message_id (borrowed pointer, must outlive env),
 * sent_at_ms, schema version. Touches nothing else: the caller initialises the
 * struct (MASH__V1__ENVELOPE__INIT) and sets body and correlation id. */
void mash_envelope_init(Mash__V1__Envelope *env, const char *message_id, int64_t sent_at_ms);

#endif
