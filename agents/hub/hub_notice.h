/* hub_notice: what the running desk prints, besides contacts (hub_view):
 * one line or one JSON object for each consolidated pack, escalation event
 * and command result. Summaries only: ids, versions, agencies, times and
 * paths, never the names a pack holds (those are in the pack's files).
 * Pure translation, no I/O. Every text from a message is made safe for a
 * terminal (control characters shown as '?').
 */
#ifndef MASH_HUB_NOTICE_H
#define MASH_HUB_NOTICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "codec.h"

/* A pack's summary line, no newline, truncated to fit (outlen > 0).
 * `base` is the pack's file path without extension (the page is
 * base + ".pack", the sealed pack file). With `listing` false, as the desk prints a new pack:
 *   "PACK ENQ-000001 v1 PARTIAL (missing: housing) -> var/hub/packs/ENQ-000001-v1.pack"
 *   "PACK ENQ-000001 v2 complete -> var/hub/packs/ENQ-000001-v2.pack"
 *   "PACK ENQ-000001 v1 complete  siblings: 2, prior: 3  POTENTIAL ESCALATION
 *    (domestic abuse 3 in 12 months) -> ..." (on one line: the counts of the
 *    household's other children and prior contacts when either is not 0, the
 *    escalation when the pack says so)
 * With `listing` true, as `mash-hub packs` lists them:
 *   "ENQ-000001 v1 PARTIAL (missing: housing)  MASH-000001  red  issued 2026-11-23T09:00:00Z
 *    -> var/hub/packs/ENQ-000001-v1.pack" (on one line) */
void hub_notice_pack_line(const Mash__V1__ConsolidatedPack *p, const char *base, bool listing,
                          char *out, size_t outlen);

/* {"type":"pack","enquiry_id","contact_id","version","partial","missing":[],
 *  "rag","issued_at","answers","escalations","siblings","prior_contacts",
 *  "domestic_abuse_12m","potential_escalation","file"}: a new
 * reference (caller json_decref's), NULL when memory ran out. */
json_t *hub_notice_pack_json(const Mash__V1__ConsolidatedPack *p, const char *base);

/* "ESCALATION level 2 overdue: housing has not answered REQ-000004
 *  (ENQ-000001, due 2026-11-23T10:00:00Z) -> agency_duty_lead, hub_team_manager"
 * (one line). Without agency and request (a contact waiting for screening):
 * "ESCALATION level 1 reminder: contact MASH-000001 is waiting (due ...) -> ...". */
void hub_notice_escalation_line(const Mash__V1__EscalationEvent *e, char *out, size_t outlen);

/* {"type":"escalation","escalation_id","enquiry_id","request_id",
 *  "contact_id","agency","level","step","parties":[],"due_at","at","rag"} */
json_t *hub_notice_escalation_json(const Mash__V1__EscalationEvent *e);

/* A command's result as one line: "COMMAND FILE DETAIL", where DETAIL is
 * the text of its .receipt or .error file (hub_command_answer_text, or
 * the desk's own refusal) with its lines joined: "COMMAND x.json refused by
 * the broker: screening.contact_id: no such contact; ...". */
void hub_notice_result_line(const char *file, const char *detail, char *out, size_t outlen);

/* {"type":"command","file","status":"accepted"|"duplicate"|"refused",
 *  "by":"broker","contact_id","enquiry_id","errors":[{"field","message"}]}
 * from the broker's answer (a Receipt or an Error). */
json_t *hub_notice_answer_json(const char *file, const Mash__V1__Envelope *answer);

/* {"type":"command","file","status":"refused","by":"desk","errors":[...]}
 * for a command the desk refused before sending it. */
json_t *hub_notice_refusal_json(const char *file, const mash_errors_t *errs);

#endif
