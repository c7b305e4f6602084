/* report: the broker's OpsReport and EscalationEvent (mash.proto) as the
 * console's plain model (console.h).
 * Responsible for: copying bounded fields, dropping what does not fit.
 * Must not: keep pointers into the protobuf message. Any thread. */
#ifndef MASH_OPS_REPORT_H
#define MASH_OPS_REPORT_H

#include "codec.h"
#include "console.h"

/* Fill m from r (m is cleared first; `linked` is set to 1). */
void ops_model_from_report(ops_model_t *m, const Mash__V1__OpsReport *r);

/* Fill e from an escalation event (seq left 0). */
void ops_event_from_escalation(ops_event_t *e, const Mash__V1__EscalationEvent *x);

#endif
