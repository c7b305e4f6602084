/* hub_notice: the desk's lines and JSON objects for packs, escalations and
 * command results (see hub_notice.h). Responsible for their wording and
 * for keeping message text from steering the operator's terminal. Must
 * not: do any I/O, or show anything of a pack beyond its summary. */
#include "hub_notice.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "hub_command.h"
#include "hub_view.h"

/* A bounded line being written; never overflows, always NUL-terminated. */
typedef struct line {
  char *buf;
  size_t cap, len;
} line_t;

static void s_init(line_t *l, char *out, size_t outlen) {
  l->buf = out;
  l->cap = outlen;
  l->len = 0;
  if (outlen > 0) {
    out[0] = '\0';
  }
}

/* Append text, with control characters (and DEL) as '?' so that nothing a
 * message holds can move the cursor or change the terminal's state. */
static void s_text(line_t *l, const char *s) {
  for (; s != NULL && *s != '\0' && l->len + 1 < l->cap; s++) {
    unsigned char c = (unsigned char)*s;
    l->buf[l->len++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
  }
  if (l->cap > 0) {
    l->buf[l->len] = '\0';
  }
}

static void s_uint(line_t *l, unsigned v) {
  char tmp[16];
  snprintf(tmp, sizeof tmp, "%u", v);
  s_text(l, tmp);
}

static bool s_set(const char *s) {
  return s != NULL && s[0] != '\0';
}

static void s_time(line_t *l, int64_t ms) {
  char buf[40];
  mash_clock_format(ms, buf, sizeof buf);
  s_text(l, buf);
}

/* ---------------------------------------------------------------- packs */

void hub_notice_pack_line(const Mash__V1__ConsolidatedPack *p, const char *base, bool listing,
                          char *out, size_t outlen) {
  line_t l;
  s_init(&l, out, outlen);
  if (p == NULL) {
    return;
  }
  if (!listing) {
    s_text(&l, "PACK ");
  }
  s_text(&l, p->enquiry_id);
  s_text(&l, " v");
  s_uint(&l, (unsigned)p->version);
  s_text(&l, " ");
  if (p->partial) {
    s_text(&l, "PARTIAL");
    if (p->n_missing_agencies > 0) {
      s_text(&l, " (missing: ");
      for (size_t i = 0; i < p->n_missing_agencies; i++) {
        s_text(&l, i ? ", " : "");
        s_text(&l, p->missing_agencies[i]);
      }
      s_text(&l, ")");
    }
  } else {
    s_text(&l, "complete");
  }
  /* Counts only (no names): shown when there is something to see. */
  if (p->n_household > 0 || p->n_prior_contacts > 0) {
    s_text(&l, "  siblings: ");
    s_uint(&l, (unsigned)p->n_household);
    s_text(&l, ", prior: ");
    s_uint(&l, (unsigned)p->n_prior_contacts);
  }
  if (p->potential_escalation) {
    s_text(&l, "  POTENTIAL ESCALATION (domestic abuse ");
    s_uint(&l, (unsigned)p->domestic_abuse_12m);
    s_text(&l, " in 12 months)");
  }
  if (listing) {
    s_text(&l, "  ");
    s_text(&l, p->contact_id);
    s_text(&l, "  ");
    s_text(&l, mash_rag_name(p->rag));
    if (p->issued_at_ms != 0) {
      s_text(&l, "  issued ");
      s_time(&l, p->issued_at_ms);
    }
  }
  if (s_set(base)) {
    s_text(&l, " -> ");
    s_text(&l, base);
    s_text(&l, ".pack");
  }
}

static json_t *s_path(const char *base, const char *ext) {
  char path[2100];
  snprintf(path, sizeof path, "%s%s", base, ext);
  return hub_view_json_text(path);
}

json_t *hub_notice_pack_json(const Mash__V1__ConsolidatedPack *p, const char *base) {
  json_t *o = hub_view_json_object(p);
  if (o == NULL) {
    return NULL;
  }
  bool ok = true;
  size_t answered = 0;
  for (size_t i = 0; i < p->n_answers; i++) {
    answered += p->answers[i] != NULL && p->answers[i]->answered_at_ms != 0;
  }
  hub_view_json_set(o, "type", json_string("pack"), &ok);
  hub_view_json_set(o, "enquiry_id", hub_view_json_text(p->enquiry_id), &ok);
  hub_view_json_set(o, "contact_id", hub_view_json_text(p->contact_id), &ok);
  hub_view_json_set(o, "version", json_integer(p->version), &ok);
  hub_view_json_set(o, "partial", json_boolean(p->partial), &ok);
  hub_view_json_set(o, "missing",
                    hub_view_json_strings(p->missing_agencies, p->n_missing_agencies, &ok), &ok);
  hub_view_json_set(o, "rag", json_string(mash_rag_name(p->rag)), &ok);
  hub_view_json_set(o, "issued_at", hub_view_json_time(p->issued_at_ms), &ok);
  hub_view_json_set(o, "answers", json_integer((json_int_t)answered), &ok);
  hub_view_json_set(o, "escalations", json_integer((json_int_t)p->n_escalations), &ok);
  hub_view_json_set(o, "siblings", json_integer((json_int_t)p->n_household), &ok);
  hub_view_json_set(o, "prior_contacts", json_integer((json_int_t)p->n_prior_contacts), &ok);
  hub_view_json_set(o, "domestic_abuse_12m", json_integer(p->domestic_abuse_12m), &ok);
  hub_view_json_set(o, "potential_escalation", json_boolean(p->potential_escalation), &ok);
  if (s_set(base)) {
    /* Sealed: `mash-hub pack show|print|export` renders it for a person. */
    hub_view_json_set(o, "file", s_path(base, ".pack"), &ok);
  }
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* ---------------------------------------------------------------- escalations */

void hub_notice_escalation_line(const Mash__V1__EscalationEvent *e, char *out, size_t outlen) {
  line_t l;
  s_init(&l, out, outlen);
  if (e == NULL) {
    return;
  }
  s_text(&l, "ESCALATION level ");
  s_uint(&l, (unsigned)e->level);
  s_text(&l, " ");
  s_text(&l, s_set(e->step) ? e->step : "step");
  s_text(&l, ": ");
  const char *open = " (";
  if (s_set(e->agency) && s_set(e->request_id)) {
    s_text(&l, e->agency);
    s_text(&l, " has not answered ");
    s_text(&l, e->request_id);
    if (s_set(e->enquiry_id)) {
      s_text(&l, " (");
      s_text(&l, e->enquiry_id);
      open = ", ";
    }
  } else {
    s_text(&l, "contact ");
    s_text(&l, s_set(e->contact_id) ? e->contact_id : "?");
    s_text(&l, " is waiting");
    if (s_set(e->duty)) {
      s_text(&l, " for ");
      s_text(&l, e->duty);
    }
  }
  if (e->due_at_ms != 0) {
    s_text(&l, open);
    s_text(&l, "due ");
    s_time(&l, e->due_at_ms);
    open = ", ";
  }
  if (open[0] == ',') {
    s_text(&l, ")");
  }
  s_text(&l, " -> ");
  for (size_t i = 0; i < e->n_parties; i++) {
    s_text(&l, i ? ", " : "");
    s_text(&l, e->parties[i]);
  }
  if (e->n_parties == 0) {
    s_text(&l, "(no one named)");
  }
}

json_t *hub_notice_escalation_json(const Mash__V1__EscalationEvent *e) {
  json_t *o = hub_view_json_object(e);
  if (o == NULL) {
    return NULL;
  }
  bool ok = true;
  hub_view_json_set(o, "type", json_string("escalation"), &ok);
  hub_view_json_set(o, "escalation_id", hub_view_json_text(e->escalation_id), &ok);
  hub_view_json_set(o, "enquiry_id", hub_view_json_text(e->enquiry_id), &ok);
  hub_view_json_set(o, "request_id", hub_view_json_text(e->request_id), &ok);
  hub_view_json_set(o, "contact_id", hub_view_json_text(e->contact_id), &ok);
  hub_view_json_set(o, "agency", hub_view_json_text(e->agency), &ok);
  hub_view_json_set(o, "level", json_integer(e->level), &ok);
  hub_view_json_set(o, "step", hub_view_json_text(e->step), &ok);
  hub_view_json_set(o, "parties", hub_view_json_strings(e->parties, e->n_parties, &ok), &ok);
  hub_view_json_set(o, "due_at", hub_view_json_time(e->due_at_ms), &ok);
  hub_view_json_set(o, "at", hub_view_json_time(e->at_ms), &ok);
  hub_view_json_set(o, "rag", json_string(mash_rag_name(e->rag)), &ok);
  /* request (an agency's answer), screening or decision (the hub's own). */
  hub_view_json_set(o, "duty", json_string(s_set(e->duty) ? e->duty : "request"), &ok);
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* ---------------------------------------------------------------- command results */

void hub_notice_result_line(const char *file, const char *detail, char *out, size_t outlen) {
  line_t l;
  s_init(&l, out, outlen);
  s_text(&l, "COMMAND ");
  s_text(&l, file);
  s_text(&l, " ");
  /* The detail's first line is the verdict, the others its reasons. */
  const char *sep = ": ";
  for (const char *s = detail; s != NULL && *s != '\0';) {
    const char *nl = strchr(s, '\n');
    size_t n = nl ? (size_t)(nl - s) : strlen(s);
    char piece[512];
    snprintf(piece, sizeof piece, "%.*s", (int)(n < sizeof piece ? n : sizeof piece - 1), s);
    s_text(&l, piece);
    if (nl == NULL) {
      break;
    }
    s = nl + 1;
    if (*s != '\0') {
      s_text(&l, sep);
      sep = "; ";
    }
  }
}

static json_t *s_error_json(const char *field, const char *message, bool *ok) {
  json_t *e = json_object();
  if (e == NULL) {
    *ok = false;
    return NULL;
  }
  hub_view_json_set(e, "field", hub_view_json_text(field), ok);
  hub_view_json_set(e, "message", hub_view_json_text(message), ok);
  return e;
}

static json_t *s_result(const char *file, const char *status, const char *by, bool *ok) {
  json_t *o = json_object();
  if (o == NULL) {
    *ok = false;
    return NULL;
  }
  hub_view_json_set(o, "type", json_string("command"), ok);
  hub_view_json_set(o, "file", hub_view_json_text(file), ok);
  hub_view_json_set(o, "status", json_string(status), ok);
  hub_view_json_set(o, "by", json_string(by), ok);
  return o;
}

json_t *hub_notice_answer_json(const char *file, const Mash__V1__Envelope *answer) {
  bool ok = true;
  const Mash__V1__Receipt *r =
      answer != NULL && answer->body_case == MASH__V1__ENVELOPE__BODY_RECEIPT ? answer->receipt
                                                                              : NULL;
  const char *status = "refused";
  if (r != NULL && r->status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED) {
    status = "accepted";
  } else if (r != NULL && r->status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE) {
    status = "duplicate";
  }
  json_t *o = s_result(file, status, "broker", &ok);
  if (o == NULL) {
    return NULL;
  }
  json_t *errors = json_array();
  if (errors == NULL) {
    ok = false;
  }
  if (r != NULL) {
    if (s_set(r->contact_id)) {
      hub_view_json_set(o, "contact_id", hub_view_json_text(r->contact_id), &ok);
    }
    if (s_set(r->enquiry_id)) {
      hub_view_json_set(o, "enquiry_id", hub_view_json_text(r->enquiry_id), &ok);
    }
    for (size_t i = 0; errors != NULL && i < r->n_errors; i++) {
      if (r->errors[i] != NULL) {
        hub_view_json_append(errors, s_error_json(r->errors[i]->field, r->errors[i]->message, &ok),
                             &ok);
      }
    }
  } else if (errors != NULL) {
    const char *msg = answer != NULL && answer->body_case == MASH__V1__ENVELOPE__BODY_ERROR &&
                              answer->error != NULL
                          ? answer->error->message
                          : "the broker's answer was not a receipt";
    hub_view_json_append(errors, s_error_json("error", msg, &ok), &ok);
  }
  hub_view_json_set(o, "errors", errors, &ok);
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}

json_t *hub_notice_refusal_json(const char *file, const mash_errors_t *errs) {
  bool ok = true;
  json_t *o = s_result(file, "refused", "desk", &ok);
  if (o == NULL) {
    return NULL;
  }
  json_t *errors = json_array();
  if (errors == NULL) {
    ok = false;
  }
  for (size_t i = 0; errors != NULL && errs != NULL && i < errs->count; i++) {
    hub_view_json_append(errors, s_error_json(errs->items[i].field, errs->items[i].message, &ok),
                         &ok);
  }
  if (errors != NULL && errs != NULL && errs->dropped > 0) {
    char more[64];
    snprintf(more, sizeof more, "and %zu more problem(s)", errs->dropped);
    hub_view_json_append(errors, s_error_json("command", more, &ok), &ok);
  }
  hub_view_json_set(o, "errors", errors, &ok);
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}
