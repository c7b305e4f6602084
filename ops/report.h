/* report: the broker's OpsReport and EscalationEvent (mash.proto) as the
 * console's plain model (console.h), and the OpsQuery that asks for one.
 * Responsible for: copying bounded fields, dropping what does not fit.
 * Must not: keep pointers into the protobuf message. Any thread. */
#ifndef MASH_OPS_REPORT_H
#define MASH_OPS_REPORT_H

#include "codec.h"
#include "console.h"
#include "uuid.h"

/* Fill m from r (m is cleared first; `linked` is set to 1). */
void ops_model_from_report(ops_model_t *m, const Mash__V1__OpsReport *r);

/* Fill e from an escalation event (seq left 0). */
void ops_event_from_escalation(ops_event_t *e, const Mash__V1__EscalationEvent *x);

/* An OpsQuery for [from_ms, to_ms) (both 0: now and everything), encoded
 * into *buf (caller frees) with a fresh message id written to id. 0 or -1. */
int ops_query_encode(int64_t from_ms, int64_t to_ms, char id[MASH_UUID_LEN + 1], uint8_t **buf,
                     size_t *len);

#endif
