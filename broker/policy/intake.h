/* intake: what the broker decides about a validated notification before it
 * is stored: may this principal send it, what the DASH says, which data
 * quality flags it carries, when screening is due. Pure: no I/O, no clock
 * (the time is passed in), no logging.
 */
#ifndef MASH_INTAKE_H
#define MASH_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "dash.h"
#include "keys.h"
#include "priority.h"

#define MASH_INTAKE_MAX_FLAGS 8

/* A Contact ready to store. contact points into the notification passed to
 * mash_intake_prepare (borrowed) and into this struct: keep both alive while
 * contact is used. */
typedef struct mash_intake_prep {
  Mash__V1__Contact contact;
  Mash__V1__DashScore dash;
  mash_dash_result_t dash_result;
  char *flags[MASH_INTAKE_MAX_FLAGS];
  char principal[64];
  mash_priority_t priority; /* before resolution: no repeat contacts known */
} mash_intake_prep_t;

/* May `sender` submit `n`? Agencies only; agency detail must match the
 * sender's agency (a police detail only from the police). Returns 0, or
 * -EPERM with a field error naming what is forbidden. */
int mash_intake_authorize(const mash_key_t *sender, const Mash__V1__Notification *n,
                          mash_errors_t *errs);

/* Identifiers from the network: a malformed NHS number, UPN or PNC id (wrong
 * length or characters) is a field error (-EINVAL, errs filled); a failed
 * check digit is not an error but a data-quality flag (mash_intake_prepare). */
int mash_intake_check_identifiers(const Mash__V1__Notification *n, mash_errors_t *errs);

#define MASH_FLAG_IDENTIFIER_CHECK_FAILED "identifier_check_failed"
#define MASH_FLAG_CHILD_DETAILS_INCOMPLETE "child_details_incomplete"
/* Set by resolution: a person's valid identifier differs from that of a
 * record everything else would link to (one agency may hold a wrong number). */
#define MASH_FLAG_IDENTIFIER_CONFLICT "identifier_conflict"
/* Set when a contact's people could not be resolved at all: delivered as it
 * came, without links, counts or the repeat-contact priority. */
#define MASH_FLAG_RESOLUTION_FAILED "resolution_failed"

/* Whether `n` is about domestic abuse: its concern category, or a police
 * detail marked so. The one rule for the DASH, the counts of incidents and
 * management information. */
bool mash_intake_domestic_abuse(const Mash__V1__Notification *n);

/* The quality flags column: flags[0..n) joined by ",", cut to fit `len`. */
void mash_intake_flags_text(char *const *flags, size_t n, char *out, size_t len);

/* The facts of `n` the priority table reads (DASH, children present,
 * injury, ages, pregnancy, information only, the agency's red flag), as
 * mash_intake_prepare gathers them; the counts only the store knows
 * (earlier contacts, others' red flags) are left for resolution. */
void mash_intake_priority_input(const Mash__V1__Notification *n, int64_t received_ms,
                                mash_priority_input_t *out);

/* Build the Contact for a notification received at now_ms from sender:
 * source principal, DASH score and quality flags, screening deadline, and
 * the screening priority with its reasons (priority.c). */
void mash_intake_prepare(const mash_key_t *sender, Mash__V1__Notification *n, int64_t now_ms,
                         int64_t screening_ms, mash_intake_prep_t *out);

#endif
