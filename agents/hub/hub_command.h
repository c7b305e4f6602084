/* hub_command: the hub desk's command files. A command is a JSON object
 * dropped in the desk's commands folder (by `mash-hub screen|decide|match`
 * or by any script): a screening decision or an outcome decision for a contact,
 * or the hub's decision on a possible person match the broker found.
 * This module turns the text into the protobuf message the desk submits,
 * with field-level errors named by the JSON path ("rag", "consent.reason",
 * "agencies[2]"), and turns the broker's answer into the text of the
 * .receipt or .error file. Pure: no I/O, no logging, no clock. Thread-safe.
 *
 *   {"type": "screening", "contact_id": "MASH-000001",
 *    "rag": "red" | "amber" | "green" | "blue",
 *    "agencies": ["police", "health"],          (none for blue)
 *    "consent": {"status": "given" | "refused" | "not_sought",
 *                "reason": "...",                (required unless given)
 *                "lawful_basis": "consent" | "public_task" | "legal_obligation" |
 *                                "vital_interests" | "safeguarding",
 *                "recorded_by": "..."},          (optional: screened_by)
 *    "screened_by": "J Smith", "rationale": "..."}
 *
 *   {"type": "outcome", "contact_id": "MASH-000001",
 *    "outcome": "no_further_action" | "early_help" | "assessment" |
 *               "strategy_discussion",
 *    "decided_by": "J Smith", "rationale": "..."}
 *
 *   {"type": "match", "match_id": "M-000001",
 *    "decision": "confirm" | "reject",
 *    "decided_by": "J Smith", "rationale": "..."}
 *
 * Unknown keys and duplicate keys are refused (a misspelt "rationale" must
 * not vanish silently). What the JSON checks cannot see (sizes, characters,
 * agency name syntax) is checked with mash_codec_validate_envelope, so a
 * parsed command is one the broker's codec accepts.
 */
#ifndef MASH_HUB_COMMAND_H
#define MASH_HUB_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "codec.h"

/* Largest command file read (a rationale is at most MASH_MAX_LONG_TEXT). */
#define HUB_COMMAND_MAX_BYTES ((size_t)64 * 1024)

typedef enum hub_command_kind {
  HUB_COMMAND_SCREENING = 1,
  HUB_COMMAND_OUTCOME = 2,
  HUB_COMMAND_MATCH = 3,
} hub_command_kind_t;

typedef struct hub_command hub_command_t;

/* Parse `len` bytes of command text (need not be NUL-terminated). Returns a
 * new command (free with hub_command_destroy), or NULL with at least one
 * error in errs (which must be zero-initialised by the caller; errs may be
 * NULL when the reasons are not wanted). */
hub_command_t *hub_command_parse(const char *text, size_t len, mash_errors_t *errs);

/* Frees c and nulls *c_p. Accepts NULL and a NULL *c_p. */
void hub_command_destroy(hub_command_t **c_p);

hub_command_kind_t hub_command_kind(const hub_command_t *c);

/* The contact the command is about (borrowed from c); NULL for a match
 * command, which names a match, not a contact. */
const char *hub_command_contact_id(const hub_command_t *c);

/* A match command's match id (borrowed from c) and whether it confirms the
 * match (false: rejects it). NULL and false for the other kinds. */
const char *hub_command_match_id(const hub_command_t *c);
bool hub_command_match_confirm(const hub_command_t *c);

/* Set env's body to the command's message: a ScreeningDecision, an
 * OutcomeDecision or a MatchDecision borrowed from c (c must outlive env).
 * Touches nothing else of env: the caller initialises it
 * (MASH__V1__ENVELOPE__INIT). */
void hub_command_to_envelope(const hub_command_t *c, Mash__V1__Envelope *env);

/* The broker's answer to a submitted command (a Receipt or an Error body),
 * as the text of the file beside the settled command, without a trailing
 * newline:
 *   "accepted: contact MASH-000001, enquiry ENQ-000001"
 *   "accepted (already received): contact MASH-000001"
 *   "refused by the broker\nscreening.contact_id: no such contact"
 * Returns 1 when the broker accepted the command (accepted or duplicate),
 * 0 when it refused it. out is always NUL-terminated (outlen > 0). */
int hub_command_answer_text(const Mash__V1__Envelope *answer, char *out, size_t outlen);

/* ---- names used in command files (static strings; NULL or 0 when unknown) */

/* "red" -> MASH__V1__RAG__RAG_RED; 0 for an unknown name. */
int hub_command_rag_parse(const char *name);
int hub_command_consent_parse(const char *name);
/* Also accepts "safeguarding" for "safeguarding_dpa_sch1_p18". */
int hub_command_basis_parse(const char *name);
int hub_command_outcome_parse(const char *name);

#endif
