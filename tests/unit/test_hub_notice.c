/* test_hub_notice: what the running hub desk prints for packs, escalations
 * and command results (agents/hub/hub_notice.h).
 *
 * Checks each readable line word for word (partial and complete packs, the
 * listing form, escalations about an agency's request and about a contact,
 * results joined from multi-line detail), that hostile text cannot put
 * control characters on the terminal, that every buffer size truncates
 * safely, and each JSON object field by field. jansson allocates through
 * cmocka, so a leaked value fails the test. Must not: use the network or
 * write files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "codec.h"
#include "hub_notice.h"

/* Exact-size blocks from libc for the truncation test (AddressSanitizer
 * sees a write past their end; cmocka's guard bytes would hide it). */
static char *s_libc_malloc(size_t n) {
  return malloc(n);
}

static void s_libc_free(void *p) {
  free(p);
}

#define UNIT_TESTING 1
#include <cmocka.h>

/* 2026-11-23T10:00:00Z */
#define DUE_MS INT64_C(1795428000000)

static void *s_json_malloc(size_t n) {
  return test_malloc(n);
}

static void s_json_free(void *p) {
  test_free(p);
}

static int s_setup(void **state) {
  (void)state;
  json_set_alloc_funcs(s_json_malloc, s_json_free);
  return 0;
}

static char *s_missing[] = {"housing", "education"};
static char *s_parties[] = {"agency_duty_lead", "hub_team_manager"};

static void s_pack(Mash__V1__ConsolidatedPack *p) {
  mash__v1__consolidated_pack__init(p);
  p->enquiry_id = "ENQ-000001";
  p->contact_id = "MASH-000001";
  p->version = 1;
  p->partial = true;
  p->issued_at_ms = DUE_MS + 2 * 3600 * 1000;
  p->rag = MASH__V1__RAG__RAG_RED;
  p->n_missing_agencies = 1;
  p->missing_agencies = s_missing;
}

static void s_escalation(Mash__V1__EscalationEvent *e) {
  mash__v1__escalation_event__init(e);
  e->escalation_id = "REQ-000004-L2";
  e->enquiry_id = "ENQ-000001";
  e->request_id = "REQ-000004";
  e->contact_id = "MASH-000001";
  e->agency = "housing";
  e->level = 2;
  e->step = "overdue";
  e->n_parties = 2;
  e->parties = s_parties;
  e->due_at_ms = DUE_MS;
  e->at_ms = DUE_MS + 1000;
  e->rag = MASH__V1__RAG__RAG_RED;
}

static void s_assert_printable(const char *s) {
  for (; *s; s++) {
    assert_true((unsigned char)*s >= 0x20 && *s != 0x7f);
  }
}

/* ---------------------------------------------------------------- packs */

static void test_pack_lines(void **state) {
  (void)state;
  Mash__V1__ConsolidatedPack p;
  s_pack(&p);
  char out[512];
  hub_notice_pack_line(&p, "var/hub/packs/ENQ-000001-v1", false, out, sizeof out);
  assert_string_equal(out, "PACK ENQ-000001 v1 PARTIAL (missing: housing) -> "
                           "var/hub/packs/ENQ-000001-v1.pack");
  p.n_missing_agencies = 2;
  hub_notice_pack_line(&p, "d/x", false, out, sizeof out);
  assert_string_equal(out, "PACK ENQ-000001 v1 PARTIAL (missing: housing, education) -> d/x.pack");
  p.version = 2;
  p.partial = false;
  p.n_missing_agencies = 0;
  hub_notice_pack_line(&p, "var/hub/packs/ENQ-000001-v2", false, out, sizeof out);
  assert_string_equal(out, "PACK ENQ-000001 v2 complete -> var/hub/packs/ENQ-000001-v2.pack");
  hub_notice_pack_line(&p, "var/hub/packs/ENQ-000001-v2", true, out, sizeof out);
  assert_string_equal(out, "ENQ-000001 v2 complete  MASH-000001  red  issued 2026-11-23T12:00:00Z"
                           " -> var/hub/packs/ENQ-000001-v2.pack");
  /* Partial without the list, no path, no issue time. */
  p.partial = true;
  p.issued_at_ms = 0;
  hub_notice_pack_line(&p, NULL, true, out, sizeof out);
  assert_string_equal(out, "ENQ-000001 v2 PARTIAL  MASH-000001  red");
  hub_notice_pack_line(NULL, "x", false, out, sizeof out);
  assert_string_equal(out, "");
}

/* The household's other children and the prior contacts are counted, and
 * a potential escalation named; never a name. */
static void test_pack_line_household(void **state) {
  (void)state;
  Mash__V1__ConsolidatedPack p;
  s_pack(&p);
  p.partial = false;
  p.n_missing_agencies = 0;
  Mash__V1__Person sib = MASH__V1__PERSON__INIT;
  sib.ref = "P-000012";
  sib.given_name = "Ella";
  Mash__V1__Person *household[] = {&sib, &sib};
  Mash__V1__PriorContact prior = MASH__V1__PRIOR_CONTACT__INIT;
  Mash__V1__PriorContact *priors[] = {&prior, &prior, &prior};
  p.household = household;
  p.n_household = 2;
  p.prior_contacts = priors;
  p.n_prior_contacts = 3;
  p.domestic_abuse_12m = 3;
  p.potential_escalation = true;
  char out[512];
  hub_notice_pack_line(&p, "d/x", false, out, sizeof out);
  assert_string_equal(out, "PACK ENQ-000001 v1 complete  siblings: 2, prior: 3  POTENTIAL "
                           "ESCALATION (domestic abuse 3 in 12 months) -> d/x.pack");
  p.potential_escalation = false;
  p.n_household = 0;
  hub_notice_pack_line(&p, NULL, false, out, sizeof out);
  assert_string_equal(out, "PACK ENQ-000001 v1 complete  siblings: 0, prior: 3");
  assert_null(strstr(out, "Ella"));

  p.n_household = 2;
  p.potential_escalation = true;
  json_t *o = hub_notice_pack_json(&p, NULL);
  assert_non_null(o);
  assert_int_equal(json_integer_value(json_object_get(o, "siblings")), 2);
  assert_int_equal(json_integer_value(json_object_get(o, "prior_contacts")), 3);
  assert_int_equal(json_integer_value(json_object_get(o, "domestic_abuse_12m")), 3);
  assert_true(json_is_true(json_object_get(o, "potential_escalation")));
  assert_null(json_object_get(o, "household"));
  json_decref(o);
}

static void test_pack_json(void **state) {
  (void)state;
  Mash__V1__ConsolidatedPack p;
  s_pack(&p);
  Mash__V1__AgencyAnswer a1 = MASH__V1__AGENCY_ANSWER__INIT, a2 = MASH__V1__AGENCY_ANSWER__INIT;
  a1.agency = "police";
  a1.answered_at_ms = DUE_MS - 1000;
  a2.agency = "housing";
  Mash__V1__AgencyAnswer *answers[] = {&a1, &a2};
  p.n_answers = 2;
  p.answers = answers;
  json_t *o = hub_notice_pack_json(&p, "d/ENQ-000001-v1");
  assert_non_null(o);
  assert_string_equal(json_string_value(json_object_get(o, "type")), "pack");
  assert_string_equal(json_string_value(json_object_get(o, "enquiry_id")), "ENQ-000001");
  assert_string_equal(json_string_value(json_object_get(o, "contact_id")), "MASH-000001");
  assert_int_equal(json_integer_value(json_object_get(o, "version")), 1);
  assert_true(json_is_true(json_object_get(o, "partial")));
  json_t *missing = json_object_get(o, "missing");
  assert_int_equal(json_array_size(missing), 1);
  assert_string_equal(json_string_value(json_array_get(missing, 0)), "housing");
  assert_string_equal(json_string_value(json_object_get(o, "rag")), "red");
  assert_string_equal(json_string_value(json_object_get(o, "issued_at")), "2026-11-23T12:00:00Z");
  assert_int_equal(json_integer_value(json_object_get(o, "answers")), 1);
  assert_int_equal(json_integer_value(json_object_get(o, "escalations")), 0);
  assert_int_equal(json_integer_value(json_object_get(o, "siblings")), 0);
  assert_int_equal(json_integer_value(json_object_get(o, "prior_contacts")), 0);
  assert_int_equal(json_integer_value(json_object_get(o, "domestic_abuse_12m")), 0);
  assert_true(json_is_false(json_object_get(o, "potential_escalation")));
  assert_string_equal(json_string_value(json_object_get(o, "file")), "d/ENQ-000001-v1.pack");
  assert_null(json_object_get(o, "html"));
  /* A summary: nothing of the contact's people. */
  assert_null(json_object_get(o, "contact"));
  json_decref(o);
  o = hub_notice_pack_json(&p, NULL);
  assert_null(json_object_get(o, "file"));
  json_decref(o);
  assert_null(hub_notice_pack_json(NULL, "x"));
}

/* ---------------------------------------------------------------- escalations */

static void test_escalation_lines(void **state) {
  (void)state;
  Mash__V1__EscalationEvent e;
  s_escalation(&e);
  char out[512];
  hub_notice_escalation_line(&e, out, sizeof out);
  assert_string_equal(out, "ESCALATION level 2 overdue: housing has not answered REQ-000004 "
                           "(ENQ-000001, due 2026-11-23T10:00:00Z) -> agency_duty_lead, "
                           "hub_team_manager");
  e.enquiry_id = "";
  hub_notice_escalation_line(&e, out, sizeof out);
  assert_string_equal(out, "ESCALATION level 2 overdue: housing has not answered REQ-000004 "
                           "(due 2026-11-23T10:00:00Z) -> agency_duty_lead, hub_team_manager");
  e.enquiry_id = "ENQ-000001";
  e.due_at_ms = 0;
  hub_notice_escalation_line(&e, out, sizeof out);
  assert_string_equal(out, "ESCALATION level 2 overdue: housing has not answered REQ-000004 "
                           "(ENQ-000001) -> agency_duty_lead, hub_team_manager");
  /* A contact waiting for screening: no agency, no request. */
  e.agency = "";
  e.request_id = "";
  e.enquiry_id = "";
  e.due_at_ms = DUE_MS;
  e.level = 1;
  e.step = "reminder";
  e.n_parties = 1;
  char *one[] = {"hub_team_manager"};
  e.parties = one;
  hub_notice_escalation_line(&e, out, sizeof out);
  assert_string_equal(out, "ESCALATION level 1 reminder: contact MASH-000001 is waiting "
                           "(due 2026-11-23T10:00:00Z) -> hub_team_manager");
  e.n_parties = 0;
  e.due_at_ms = 0;
  e.step = "";
  hub_notice_escalation_line(&e, out, sizeof out);
  assert_string_equal(out, "ESCALATION level 1 step: contact MASH-000001 is waiting -> "
                           "(no one named)");
  hub_notice_escalation_line(NULL, out, sizeof out);
  assert_string_equal(out, "");
}

static void test_hostile_text_is_printable(void **state) {
  (void)state;
  Mash__V1__EscalationEvent e;
  s_escalation(&e);
  char *parties[] = {"lead\x1b[2J", "\r\nmanager\x7f"};
  e.parties = parties;
  e.step = "over\x1b]0;title\x07due";
  char out[512];
  hub_notice_escalation_line(&e, out, sizeof out);
  s_assert_printable(out);
  assert_non_null(strstr(out, "lead?[2J"));
  hub_notice_result_line("x\x1b.json", "accepted\x1b[1m: contact M", out, sizeof out);
  s_assert_printable(out);
  Mash__V1__ConsolidatedPack p;
  s_pack(&p);
  char *missing[] = {"hou\nsing"};
  p.missing_agencies = missing;
  hub_notice_pack_line(&p, "d\x1b", false, out, sizeof out);
  s_assert_printable(out);
}

static void test_truncation_every_size(void **state) {
  (void)state;
  Mash__V1__EscalationEvent e;
  s_escalation(&e);
  Mash__V1__ConsolidatedPack p;
  s_pack(&p);
  char full[512];
  hub_notice_escalation_line(&e, full, sizeof full);
  for (size_t cap = 1; cap <= strlen(full) + 1; cap++) {
    /* Exact-size plain blocks: AddressSanitizer sees a write past the end. */
    char *out = s_libc_malloc(cap);
    assert_non_null(out);
    hub_notice_escalation_line(&e, out, cap);
    assert_int_equal(strlen(out), cap - 1 < strlen(full) ? cap - 1 : strlen(full));
    assert_int_equal(strncmp(out, full, strlen(out)), 0);
    hub_notice_pack_line(&p, "var/hub/packs/ENQ-000001-v1", true, out, cap);
    assert_true(strlen(out) < cap);
    hub_notice_result_line("f.json", "refused by the broker\na: b\nc: d", out, cap);
    assert_true(strlen(out) < cap);
    s_libc_free(out);
  }
  hub_notice_escalation_line(&e, full, 0); /* no room at all: nothing written */
}

static void test_escalation_json(void **state) {
  (void)state;
  Mash__V1__EscalationEvent e;
  s_escalation(&e);
  json_t *o = hub_notice_escalation_json(&e);
  assert_non_null(o);
  assert_string_equal(json_string_value(json_object_get(o, "type")), "escalation");
  assert_string_equal(json_string_value(json_object_get(o, "escalation_id")), "REQ-000004-L2");
  assert_string_equal(json_string_value(json_object_get(o, "enquiry_id")), "ENQ-000001");
  assert_string_equal(json_string_value(json_object_get(o, "request_id")), "REQ-000004");
  assert_string_equal(json_string_value(json_object_get(o, "contact_id")), "MASH-000001");
  assert_string_equal(json_string_value(json_object_get(o, "agency")), "housing");
  assert_int_equal(json_integer_value(json_object_get(o, "level")), 2);
  assert_string_equal(json_string_value(json_object_get(o, "step")), "overdue");
  assert_int_equal(json_array_size(json_object_get(o, "parties")), 2);
  assert_string_equal(json_string_value(json_array_get(json_object_get(o, "parties"), 1)),
                      "hub_team_manager");
  assert_string_equal(json_string_value(json_object_get(o, "due_at")), "2026-11-23T10:00:00Z");
  assert_string_equal(json_string_value(json_object_get(o, "at")), "2026-11-23T10:00:01Z");
  assert_string_equal(json_string_value(json_object_get(o, "rag")), "red");
  json_decref(o);
  e.due_at_ms = 0;
  o = hub_notice_escalation_json(&e);
  assert_true(json_is_null(json_object_get(o, "due_at")));
  json_decref(o);
  assert_null(hub_notice_escalation_json(NULL));
}

/* ---------------------------------------------------------------- command results */

static void test_result_lines(void **state) {
  (void)state;
  char out[512];
  hub_notice_result_line("screen-MASH-000001-ab12cd34.json",
                         "accepted: contact MASH-000001, enquiry ENQ-000001", out, sizeof out);
  assert_string_equal(out, "COMMAND screen-MASH-000001-ab12cd34.json accepted: contact "
                           "MASH-000001, enquiry ENQ-000001");
  hub_notice_result_line("f.json",
                         "refused by the broker\nscreening.contact_id: no such contact\n"
                         "screening.agencies[2]: not an agency",
                         out, sizeof out);
  assert_string_equal(out, "COMMAND f.json refused by the broker: screening.contact_id: no such "
                           "contact; screening.agencies[2]: not an agency");
  hub_notice_result_line("f.json", "refused by the hub desk\nrag: is 'x'\n", out, sizeof out);
  assert_string_equal(out, "COMMAND f.json refused by the hub desk: rag: is 'x'");
  hub_notice_result_line("f.json", NULL, out, sizeof out);
  assert_string_equal(out, "COMMAND f.json ");
}

static void test_answer_json(void **state) {
  (void)state;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Receipt r = MASH__V1__RECEIPT__INIT;
  env.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
  env.receipt = &r;
  r.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED;
  r.contact_id = "MASH-000001";
  r.enquiry_id = "ENQ-000001";
  json_t *o = hub_notice_answer_json("f.json", &env);
  assert_string_equal(json_string_value(json_object_get(o, "type")), "command");
  assert_string_equal(json_string_value(json_object_get(o, "file")), "f.json");
  assert_string_equal(json_string_value(json_object_get(o, "status")), "accepted");
  assert_string_equal(json_string_value(json_object_get(o, "by")), "broker");
  assert_string_equal(json_string_value(json_object_get(o, "contact_id")), "MASH-000001");
  assert_string_equal(json_string_value(json_object_get(o, "enquiry_id")), "ENQ-000001");
  assert_int_equal(json_array_size(json_object_get(o, "errors")), 0);
  json_decref(o);

  r.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE;
  r.enquiry_id = "";
  o = hub_notice_answer_json("f.json", &env);
  assert_string_equal(json_string_value(json_object_get(o, "status")), "duplicate");
  assert_null(json_object_get(o, "enquiry_id"));
  json_decref(o);

  Mash__V1__FieldError fe = MASH__V1__FIELD_ERROR__INIT;
  fe.field = "screening.contact_id";
  fe.message = "no such contact";
  Mash__V1__FieldError *errs[] = {&fe};
  r.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED;
  r.contact_id = "";
  r.n_errors = 1;
  r.errors = errs;
  o = hub_notice_answer_json("f.json", &env);
  assert_string_equal(json_string_value(json_object_get(o, "status")), "refused");
  json_t *e0 = json_array_get(json_object_get(o, "errors"), 0);
  assert_string_equal(json_string_value(json_object_get(e0, "field")), "screening.contact_id");
  assert_string_equal(json_string_value(json_object_get(e0, "message")), "no such contact");
  json_decref(o);

  Mash__V1__Error er = MASH__V1__ERROR__INIT;
  er.message = "forbidden";
  env.body_case = MASH__V1__ENVELOPE__BODY_ERROR;
  env.error = &er;
  o = hub_notice_answer_json("f.json", &env);
  assert_string_equal(json_string_value(json_object_get(o, "status")), "refused");
  e0 = json_array_get(json_object_get(o, "errors"), 0);
  assert_string_equal(json_string_value(json_object_get(e0, "field")), "error");
  assert_string_equal(json_string_value(json_object_get(e0, "message")), "forbidden");
  json_decref(o);
}

static void test_refusal_json(void **state) {
  (void)state;
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  mash_errors_add(&errs, "rag", "is 'purple'");
  for (int i = 0; i < 20; i++) {
    mash_errors_add(&errs, "x", "more");
  }
  json_t *o = hub_notice_refusal_json("bad.json", &errs);
  assert_string_equal(json_string_value(json_object_get(o, "status")), "refused");
  assert_string_equal(json_string_value(json_object_get(o, "by")), "desk");
  json_t *list = json_object_get(o, "errors");
  assert_int_equal(json_array_size(list), MASH_MAX_FIELD_ERRORS + 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "field")), "rag");
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(list, MASH_MAX_FIELD_ERRORS), "message")),
      "and 5 more problem(s)");
  json_decref(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_pack_lines, s_setup),
      cmocka_unit_test_setup(test_pack_line_household, s_setup),
      cmocka_unit_test_setup(test_pack_json, s_setup),
      cmocka_unit_test_setup(test_escalation_lines, s_setup),
      cmocka_unit_test_setup(test_hostile_text_is_printable, s_setup),
      cmocka_unit_test_setup(test_truncation_every_size, s_setup),
      cmocka_unit_test_setup(test_escalation_json, s_setup),
      cmocka_unit_test_setup(test_result_lines, s_setup),
      cmocka_unit_test_setup(test_answer_json, s_setup),
      cmocka_unit_test_setup(test_refusal_json, s_setup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
