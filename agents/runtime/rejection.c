/* rejection: reporting to the broker a file the adapter refused.
 *
 * Responsible for: turning a refusal (a file name, a reason kind, the field
 * errors) into an AdapterRejection and submitting it through the agent's
 * durable outbox, so that it is resent until the broker receipts it. The
 * broker counts it for the principal of this agent's CURVE key.
 * Must not: carry child data: the reference is the file's name made safe,
 * and only field paths are sent, never the errors' messages (they may quote
 * a value). Loop thread only.
 */
#include "agent.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"

/* The name with every character outside [A-Za-z0-9-_.:] replaced by '_'. */
static void s_safe(const char *in, char *out, size_t cap) {
  size_t k = 0;
  for (const char *c = in; *c && k + 1 < cap; c++) {
    unsigned char ch = (unsigned char)*c;
    int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
             ch == '-' || ch == '_' || ch == '.' || ch == ':';
    out[k++] = ok ? (char)ch : '_';
  }
  out[k] = '\0';
  if (k == 0) {
    snprintf(out, cap, "unnamed");
  }
}

/* A field path safe to send: no spaces or quotes (those are values). */
static int s_is_path(const char *f) {
  if (!f[0]) {
    return 0;
  }
  for (const char *c = f; *c; c++) {
    if (*c == ' ' || *c == '"' || *c == '\'' || (unsigned char)*c < 0x20) {
      return 0;
    }
  }
  return 1;
}

int agent_report_rejection(agent_t *a, const char *reference, const char *reason,
                           const mash_errors_t *errs) {
  char ref[MASH_MAX_SHORT_TEXT + 1], label[MASH_MAX_SHORT_TEXT + 16];
  s_safe(reference, ref, sizeof ref);
  snprintf(label, sizeof label, "rejection %s", ref);
  char *fields[MASH_MAX_REJECTION_FIELDS];
  size_t n = 0;
  for (size_t i = 0; errs && i < errs->count && n < MASH_MAX_REJECTION_FIELDS; i++) {
    const char *f = errs->items[i].field;
    int dup = !s_is_path(f);
    for (size_t k = 0; k < n && !dup; k++) {
      dup = strcmp(fields[k], f) == 0;
    }
    if (!dup) {
      fields[n++] = (char *)f;
    }
  }
  Mash__V1__AdapterRejection r = MASH__V1__ADAPTER_REJECTION__INIT;
  r.reference = ref;
  r.reason = (char *)reason;
  r.fields = fields;
  r.n_fields = n;
  r.rejected_at_ms = mash_clock_now_ms();
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  env.body_case = MASH__V1__ENVELOPE__BODY_ADAPTER_REJECTION;
  env.adapter_rejection = &r;
  return agent_submit(a, &env, label, NULL, NULL);
}
