/* Unit tests of pack assembly (broker/pack.c): what a consolidated pack holds,
 * what is marked missing, and what it borrows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "pack.h"

typedef struct fixture {
  Mash__V1__Person c1, c2, a1;
  Mash__V1__Person *children[2], *adults[1];
  Mash__V1__Notification n;
  Mash__V1__Contact contact;
  Mash__V1__ConsentRecord consent;
  Mash__V1__ScreeningDecision decision;
  Mash__V1__EnquiryResponse answer;
  Mash__V1__EscalationEvent esc;
  Mash__V1__EscalationEvent *escs[1];
  mash_pack_request_t reqs[3];
} fixture_t;

static void s_fixture(fixture_t *f) {
  memset(f, 0, sizeof *f);
  mash__v1__person__init(&f->c1);
  mash__v1__person__init(&f->c2);
  mash__v1__person__init(&f->a1);
  f->c1.ref = (char *)"c1";
  f->c2.ref = (char *)"c2";
  f->a1.ref = (char *)"a1";
  f->children[0] = &f->c1;
  f->children[1] = &f->c2;
  f->adults[0] = &f->a1;
  mash__v1__notification__init(&f->n);
  f->n.n_children = 2;
  f->n.children = f->children;
  f->n.n_adults = 1;
  f->n.adults = f->adults;
  mash__v1__contact__init(&f->contact);
  f->contact.contact_id = (char *)"MASH-000007";
  f->contact.notification = &f->n;
  mash__v1__consent_record__init(&f->consent);
  f->consent.status = MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT;
  f->consent.lawful_basis = MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18;
  mash__v1__screening_decision__init(&f->decision);
  f->decision.rag = MASH__V1__RAG__RAG_RED;
  f->decision.consent = &f->consent;
  f->decision.screened_by = (char *)"Sam Duty";
  mash__v1__enquiry_response__init(&f->answer);
  f->answer.request_id = (char *)"REQ-000001";
  f->answer.summary = (char *)"GP registered";
  mash__v1__escalation_event__init(&f->esc);
  f->esc.level = 3;
  f->escs[0] = &f->esc;
  f->reqs[0] = (mash_pack_request_t){"REQ-000001", "health", 1000, 5000, 2000, &f->answer, 0};
  f->reqs[1] = (mash_pack_request_t){"REQ-000002", "housing", 1000, 5000, 0, NULL, 3};
  f->reqs[2] = (mash_pack_request_t){"REQ-000003", "police", 1000, 5000, 0, NULL, 2};
}

static void test_partial_pack(void **state) {
  (void)state;
  fixture_t f;
  s_fixture(&f);
  Mash__V1__Person sibling = MASH__V1__PERSON__INIT;
  sibling.ref = (char *)"P-000004";
  Mash__V1__Person *household[1] = {&sibling};
  Mash__V1__PriorContact prior = MASH__V1__PRIOR_CONTACT__INIT;
  prior.contact_id = (char *)"MASH-000002";
  Mash__V1__PriorContact *priors[1] = {&prior};
  mash_pack_input_t in = {.enquiry_id = "ENQ-000001",
                          .contact = &f.contact,
                          .decision = &f.decision,
                          .requests = f.reqs,
                          .nrequests = 3,
                          .escalations = f.escs,
                          .nescalations = 1,
                          .version = 1,
                          .issued_at_ms = 9000,
                          .household = household,
                          .nhousehold = 1,
                          .prior = priors,
                          .nprior = 1,
                          .domestic_abuse_12m = 3,
                          .potential_escalation = 1};
  mash_pack_t p;
  assert_int_equal(mash_pack_assemble(&in, &p), 0);
  assert_true(p.pack.partial);
  assert_string_equal(p.pack.enquiry_id, "ENQ-000001");
  assert_string_equal(p.pack.contact_id, "MASH-000007");
  assert_int_equal(p.pack.version, 1);
  assert_int_equal(p.pack.issued_at_ms, 9000);
  assert_int_equal(p.pack.rag, MASH__V1__RAG__RAG_RED);
  assert_ptr_equal(p.pack.consent, &f.consent);
  assert_string_equal(p.pack.screened_by, "Sam Duty");
  /* every request is listed, answered or not, with its times and level */
  assert_int_equal(p.pack.n_answers, 3);
  assert_string_equal(p.pack.answers[0]->agency, "health");
  assert_int_equal(p.pack.answers[0]->answered_at_ms, 2000);
  assert_ptr_equal(p.pack.answers[0]->response, &f.answer);
  assert_null(p.pack.answers[1]->response);
  assert_int_equal(p.pack.answers[1]->answered_at_ms, 0);
  assert_int_equal(p.pack.answers[1]->escalation_level, 3);
  assert_int_equal(p.pack.answers[2]->due_at_ms, 5000);
  /* the agencies that did not answer, in request order */
  assert_int_equal(p.pack.n_missing_agencies, 2);
  assert_string_equal(p.pack.missing_agencies[0], "housing");
  assert_string_equal(p.pack.missing_agencies[1], "police");
  assert_int_equal(p.pack.n_escalations, 1);
  /* the family, as resolve.c found it */
  assert_int_equal(p.pack.n_household, 1);
  assert_string_equal(p.pack.household[0]->ref, "P-000004");
  assert_int_equal(p.pack.n_prior_contacts, 1);
  assert_string_equal(p.pack.prior_contacts[0]->contact_id, "MASH-000002");
  assert_int_equal(p.pack.domestic_abuse_12m, 3);
  assert_true(p.pack.potential_escalation);
  /* it packs as a valid protobuf message */
  size_t len = mash__v1__consolidated_pack__get_packed_size(&p.pack);
  assert_true(len > 0);
  mash_pack_release(&p);
  assert_false(mash_pack_complete(f.reqs, 3));
}

static void test_complete_pack(void **state) {
  (void)state;
  fixture_t f;
  s_fixture(&f);
  mash_pack_input_t in = {.enquiry_id = "ENQ-000002",
                          .contact = &f.contact,
                          .decision = &f.decision,
                          .requests = f.reqs,
                          .nrequests = 1,
                          .version = 2,
                          .issued_at_ms = 1};
  mash_pack_t p;
  assert_true(mash_pack_complete(f.reqs, 1));
  assert_int_equal(mash_pack_assemble(&in, &p), 0);
  assert_false(p.pack.partial);
  assert_int_equal(p.pack.n_missing_agencies, 0);
  assert_int_equal(p.pack.version, 2);
  mash_pack_release(&p);
}

static void test_nothing_known(void **state) {
  (void)state;
  mash_pack_input_t in = {.enquiry_id = "ENQ-000003", .version = 1, .issued_at_ms = 1};
  mash_pack_t p;
  assert_int_equal(mash_pack_assemble(&in, &p), 0);
  assert_string_equal(p.pack.contact_id, "");
  assert_int_equal(p.pack.n_household, 0);
  assert_false(p.pack.partial);
  mash_pack_release(&p);
  assert_null(p.answers); /* release leaves nothing dangling */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_partial_pack),
      cmocka_unit_test(test_complete_pack),
      cmocka_unit_test(test_nothing_known),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
