/* test_codec_enquiry: unit tests of the codec's enquiry messages
 * (proto/codec.h).
 *
 * Covers: encode/decode round trip and every validation rule, with its field
 * path, of the screening decision, enquiry request and response, escalation,
 * consolidated pack and outcome; a receipt's enquiry_id; empty enquiry
 * bodies. The notification fixture they build on is in codec_fixtures.h.
 * Must not: touch sockets, files or depend on the current date (date checks
 * use a fixed "now").
 *
 * Buffers the tests build themselves come from test_malloc, so cmocka fails
 * a test that leaks them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"
#include "codec_fixtures.h"

/* ------------------------------------------------------------ the enquiry */

/* Validate `env` and expect exactly one error, at `field`. */
static void expect_one_env_error(const Mash__V1__Envelope *env, const char *field) {
  mash_errors_t errs = {0};
  int rc = mash_codec_validate_envelope(env, &errs);
  if (errs.count != 1 || !has_error(&errs, field)) {
    print_message("expected one error at %s, got:\n", field);
    print_errors(&errs);
  }
  assert_int_equal(rc, -EINVAL);
  assert_int_equal(errs.count, 1);
  assert_int_equal(errs.dropped, 0);
  assert_true(has_error(&errs, field));
  assert_true(errs.items[0].message[0] != '\0');
}

static void expect_valid_env(const Mash__V1__Envelope *env) {
  mash_errors_t errs = {0};
  int rc = mash_codec_validate_envelope(env, &errs);
  print_errors(&errs);
  assert_int_equal(rc, 0);
  assert_int_equal(errs.count + errs.dropped, 0);
}

/* Encode, decode and validate `env`; returns the decoded copy (free with
 * mash_codec_free) after checking the header and body kind survived. */
static Mash__V1__Envelope *round_trip_env(const Mash__V1__Envelope *env) {
  uint8_t *buf = NULL;
  size_t len = 0;
  assert_int_equal(mash_codec_encode(env, &buf, &len), 0);
  mash_errors_t errs = {0};
  Mash__V1__Envelope *back = mash_codec_decode(buf, len, &errs);
  free(buf);
  assert_non_null(back);
  assert_int_equal(mash_codec_validate_envelope(back, &errs), 0);
  assert_int_equal(errs.count, 0);
  assert_string_equal(back->message_id, env->message_id);
  assert_int_equal(back->body_case, env->body_case);
  return back;
}

/* A valid example of every enquiry message, built on the notification
 * fixture (whose people are the subjects and the household). Holds pointers
 * into itself: never copy it after enquiry_init. */
typedef struct enquiry {
  fixture_t f;
  Mash__V1__ConsentRecord consent;
  Mash__V1__ScreeningDecision screening;
  char *agencies[MASH_MAX_AGENCIES + 1];
  Mash__V1__EnquiryRequest request;
  Mash__V1__Person *subjects[3];
  Mash__V1__Finding finding0, finding1;
  Mash__V1__Finding *findings[2];
  Mash__V1__EnquiryResponse response;
  Mash__V1__EscalationEvent escalation;
  char *parties[MASH_MAX_PARTIES + 1];
  Mash__V1__Contact contact;
  Mash__V1__AgencyAnswer answer0, answer1;
  Mash__V1__AgencyAnswer *answers[2];
  char *missing[1];
  Mash__V1__EscalationEvent *escalations[1];
  Mash__V1__PriorContact prior;
  Mash__V1__PriorContact *priors[1];
  Mash__V1__ConsolidatedPack pack;
  Mash__V1__OutcomeDecision outcome;
} enquiry_t;

static void enquiry_init(enquiry_t *q) {
  memset(q, 0, sizeof *q);
  fixture_init(&q->f);

  mash__v1__consent_record__init(&q->consent);
  q->consent.status = MASH__V1__CONSENT_STATUS__CONSENT_STATUS_GIVEN;
  q->consent.lawful_basis = MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_CONSENT;
  q->consent.recorded_by = "SW Grey";

  mash__v1__screening_decision__init(&q->screening);
  q->screening.contact_id = "7d3f0c7e-5a57-4d53-9a4b-1e2f3a4b5c6d";
  q->screening.rag = MASH__V1__RAG__RAG_AMBER;
  q->agencies[0] = "police";
  q->agencies[1] = "health";
  q->agencies[2] = "education_north-2";
  q->screening.n_agencies = 3;
  q->screening.agencies = q->agencies;
  q->screening.consent = &q->consent;
  q->screening.screened_by = "SW Grey";
  q->screening.rationale = "Repeat incidents.\nChildren present at both.";

  mash__v1__enquiry_request__init(&q->request);
  q->request.request_id = "req-1";
  q->request.enquiry_id = "enq-1";
  q->request.contact_id = q->screening.contact_id;
  q->request.rag = MASH__V1__RAG__RAG_AMBER;
  q->request.requested_at_ms = NOW_MS;
  q->request.due_at_ms = NOW_MS + 86400000;
  q->subjects[0] = &q->f.child0;
  q->subjects[1] = &q->f.child1;
  q->subjects[2] = &q->f.adult0;
  q->request.n_subjects = 3;
  q->request.subjects = q->subjects;
  q->request.question = "What do you hold on this family?";
  q->request.consent = &q->consent;

  mash__v1__finding__init(&q->finding0);
  q->finding0.kind = "gp_registration";
  q->finding0.summary = "Registered with Example Surgery.";
  q->finding0.at_ms = NOW_MS - 86400000;
  mash__v1__finding__init(&q->finding1);
  q->finding1.kind = "a_and_e";
  q->finding1.summary = "Two attendances in 2024:\n- fall\n- burn";
  q->findings[0] = &q->finding0;
  q->findings[1] = &q->finding1;
  mash__v1__enquiry_response__init(&q->response);
  q->response.request_id = "req-1";
  q->response.n_findings = 2;
  q->response.findings = q->findings;
  q->response.summary = "Known to health.";
  q->response.responder = "Named nurse Okafor";

  mash__v1__escalation_event__init(&q->escalation);
  q->escalation.escalation_id = "esc-1";
  q->escalation.enquiry_id = "enq-1";
  q->escalation.request_id = "req-2";
  q->escalation.contact_id = q->screening.contact_id;
  q->escalation.agency = "education_north-2";
  q->escalation.level = 2;
  q->escalation.step = "overdue";
  q->parties[0] = "agency_duty_lead";
  q->parties[1] = "hub_team_manager";
  q->escalation.n_parties = 2;
  q->escalation.parties = q->parties;
  q->escalation.due_at_ms = NOW_MS + 86400000;
  q->escalation.at_ms = NOW_MS + 90000000;
  q->escalation.rag = MASH__V1__RAG__RAG_AMBER;

  mash__v1__contact__init(&q->contact);
  q->contact.contact_id = q->screening.contact_id;
  q->contact.source_principal = "police";
  q->contact.received_at_ms = NOW_MS - 3600000;
  q->contact.notification = &q->f.n;

  mash__v1__agency_answer__init(&q->answer0);
  q->answer0.agency = "health";
  q->answer0.request_id = "req-1";
  q->answer0.requested_at_ms = NOW_MS;
  q->answer0.due_at_ms = NOW_MS + 86400000;
  q->answer0.answered_at_ms = NOW_MS + 3600000;
  q->answer0.response = &q->response;
  mash__v1__agency_answer__init(&q->answer1);
  q->answer1.agency = "education_north-2";
  q->answer1.request_id = "req-2";
  q->answer1.requested_at_ms = NOW_MS;
  q->answer1.due_at_ms = NOW_MS + 86400000;
  q->answer1.escalation_level = 2;
  q->answers[0] = &q->answer0;
  q->answers[1] = &q->answer1;
  q->missing[0] = "education_north-2";
  q->escalations[0] = &q->escalation;

  mash__v1__prior_contact__init(&q->prior);
  q->prior.contact_id = "c-old-1";
  q->prior.source_principal = "health";
  q->prior.received_at_ms = NOW_MS - 30LL * 86400000;
  q->prior.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT;
  q->prior.person_ref = "c1";
  q->priors[0] = &q->prior;

  mash__v1__consolidated_pack__init(&q->pack);
  q->pack.enquiry_id = "enq-1";
  q->pack.contact_id = q->screening.contact_id;
  q->pack.version = 1;
  q->pack.partial = 1;
  q->pack.issued_at_ms = NOW_MS + 90000000;
  q->pack.contact = &q->contact;
  q->pack.rag = MASH__V1__RAG__RAG_AMBER;
  q->pack.consent = &q->consent;
  q->pack.n_answers = 2;
  q->pack.answers = q->answers;
  q->pack.n_missing_agencies = 1;
  q->pack.missing_agencies = q->missing;
  q->pack.n_escalations = 1;
  q->pack.escalations = q->escalations;
  q->pack.n_household = 3;
  q->pack.household = q->subjects;
  q->pack.n_prior_contacts = 1;
  q->pack.prior_contacts = q->priors;
  q->pack.screened_by = "SW Grey";

  mash__v1__outcome_decision__init(&q->outcome);
  q->outcome.contact_id = q->screening.contact_id;
  q->outcome.outcome = MASH__V1__OUTCOME__OUTCOME_EARLY_HELP;
  q->outcome.decided_by = "TM Adeyemi";
  q->outcome.rationale = "Family agrees to early help.";

  q->f.env.body_case = MASH__V1__ENVELOPE__BODY__NOT_SET;
  q->f.env.notification = NULL;
}

/* Put one body into q's envelope. */
static Mash__V1__Envelope *enquiry_env(enquiry_t *q, Mash__V1__Envelope__BodyCase kind) {
  Mash__V1__Envelope *env = &q->f.env;
  env->body_case = kind;
  switch (kind) {
  case MASH__V1__ENVELOPE__BODY_SCREENING:
    env->screening = &q->screening;
    break;
  case MASH__V1__ENVELOPE__BODY_ENQUIRY_REQUEST:
    env->enquiry_request = &q->request;
    break;
  case MASH__V1__ENVELOPE__BODY_ENQUIRY_RESPONSE:
    env->enquiry_response = &q->response;
    break;
  case MASH__V1__ENVELOPE__BODY_PACK:
    env->pack = &q->pack;
    break;
  case MASH__V1__ENVELOPE__BODY_OUTCOME:
    env->outcome = &q->outcome;
    break;
  case MASH__V1__ENVELOPE__BODY_ESCALATION:
    env->escalation = &q->escalation;
    break;
  default:
    fail_msg("not an enquiry body: %d", (int)kind);
  }
  return env;
}

static void test_screening_round_trip(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__Envelope *env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_SCREENING);
  expect_valid_env(env);
  Mash__V1__Envelope *back = round_trip_env(env);
  const Mash__V1__ScreeningDecision *d = back->screening;
  assert_string_equal(d->contact_id, q.screening.contact_id);
  assert_int_equal(d->rag, MASH__V1__RAG__RAG_AMBER);
  assert_int_equal(d->n_agencies, 3);
  assert_string_equal(d->agencies[2], "education_north-2");
  assert_non_null(d->consent);
  assert_int_equal(d->consent->status, MASH__V1__CONSENT_STATUS__CONSENT_STATUS_GIVEN);
  assert_int_equal(d->consent->lawful_basis, MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_CONSENT);
  assert_string_equal(d->consent->recorded_by, "SW Grey");
  assert_string_equal(d->screened_by, "SW Grey");
  assert_string_equal(d->rationale, q.screening.rationale);
  mash_codec_free(back);

  /* Blue (information only) asks no agency. */
  q.screening.rag = MASH__V1__RAG__RAG_BLUE;
  q.screening.n_agencies = 0;
  q.screening.agencies = NULL;
  expect_valid_env(env);
}

static void test_screening_consent(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__Envelope *env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_SCREENING);

  q.screening.consent = NULL;
  expect_one_env_error(env, "screening.consent");
  q.screening.consent = &q.consent;

  /* Not sought, or refused: only with a reason. */
  q.consent.status = MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT;
  q.consent.lawful_basis = MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18;
  expect_one_env_error(env, "screening.consent.reason");
  mash_errors_t errs = {0};
  mash_codec_validate_envelope(env, &errs);
  assert_string_equal(errs.items[0].message, "a reason is required when consent is not given");
  q.consent.reason = NULL;
  expect_one_env_error(env, "screening.consent.reason");
  q.consent.reason = "Seeking consent would place the children at risk";
  expect_valid_env(env);
  q.consent.status = MASH__V1__CONSENT_STATUS__CONSENT_STATUS_REFUSED;
  expect_valid_env(env);
  q.consent.reason = "";
  expect_one_env_error(env, "screening.consent.reason");
  /* Given needs no reason. */
  q.consent.status = MASH__V1__CONSENT_STATUS__CONSENT_STATUS_GIVEN;
  expect_valid_env(env);

  q.consent.status = MASH__V1__CONSENT_STATUS__CONSENT_STATUS_UNSPECIFIED;
  expect_one_env_error(env, "screening.consent.status");
  q.consent.status = (Mash__V1__ConsentStatus)4;
  expect_one_env_error(env, "screening.consent.status");
  q.consent.status = MASH__V1__CONSENT_STATUS__CONSENT_STATUS_GIVEN;
  q.consent.lawful_basis = MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_UNSPECIFIED;
  expect_one_env_error(env, "screening.consent.lawful_basis");
  q.consent.lawful_basis = (Mash__V1__LawfulBasis)6;
  expect_one_env_error(env, "screening.consent.lawful_basis");
  q.consent.lawful_basis = MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_PUBLIC_TASK;

  char *long_reason = make_string(MASH_MAX_SHORT_TEXT + 1, 'r');
  q.consent.reason = long_reason;
  expect_one_env_error(env, "screening.consent.reason");
  test_free(long_reason);
  q.consent.reason = "";
  q.consent.recorded_by = "SW\nGrey";
  expect_one_env_error(env, "screening.consent.recorded_by");
}

static void test_screening_agencies(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__Envelope *env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_SCREENING);

  q.agencies[2] = "police";
  expect_one_env_error(env, "screening.agencies[2]");
  mash_errors_t errs = {0};
  mash_codec_validate_envelope(env, &errs);
  assert_non_null(strstr(errs.items[0].message, "screening.agencies[0]"));

  char *too_long = make_string(64, 'a');
  const char *const bad[] = {"",        "Police",    "1police", "_police",
                             "pol ice", "police.uk", "polïce",  too_long};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    enquiry_init(&q);
    env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_SCREENING);
    q.agencies[1] = (char *)bad[i];
    expect_one_env_error(env, "screening.agencies[1]");
  }
  enquiry_init(&q);
  env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_SCREENING);
  q.agencies[1] = NULL;
  expect_one_env_error(env, "screening.agencies[1]");
  /* 63 characters is the longest principal. */
  too_long[63] = '\0';
  q.agencies[1] = too_long;
  expect_valid_env(env);
  test_free(too_long);

  /* 16 distinct agencies are fine, 17 are refused before any is read. */
  char names[MASH_MAX_AGENCIES + 1][16];
  for (size_t i = 0; i <= MASH_MAX_AGENCIES; i++) {
    snprintf(names[i], sizeof names[i], "agency%zu", i);
    q.agencies[i] = names[i];
  }
  q.screening.n_agencies = MASH_MAX_AGENCIES;
  expect_valid_env(env);
  q.screening.n_agencies = MASH_MAX_AGENCIES + 1;
  expect_one_env_error(env, "screening.agencies");
}

static void test_screening_fields(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__Envelope *env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_SCREENING);
  q.screening.rag = MASH__V1__RAG__RAG_UNSPECIFIED;
  expect_one_env_error(env, "screening.rag");
  mash_errors_t errs = {0};
  mash_codec_validate_envelope(env, &errs);
  assert_string_equal(errs.items[0].message, "is required");
  q.screening.rag = (Mash__V1__Rag)5;
  expect_one_env_error(env, "screening.rag");

  enquiry_init(&q);
  env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_SCREENING);
  q.screening.contact_id = "";
  expect_one_env_error(env, "screening.contact_id");
  q.screening.contact_id = "c/1";
  expect_one_env_error(env, "screening.contact_id");

  enquiry_init(&q);
  env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_SCREENING);
  q.screening.screened_by = NULL;
  expect_one_env_error(env, "screening.screened_by");

  enquiry_init(&q);
  env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_SCREENING);
  char *rationale = make_string(MASH_MAX_LONG_TEXT + 1, 'x');
  q.screening.rationale = rationale;
  expect_one_env_error(env, "screening.rationale");
  test_free(rationale);

  enquiry_init(&q);
  env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_SCREENING);
  env->screening = NULL;
  expect_one_env_error(env, "screening");
}

static void test_enquiry_request(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__Envelope *env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_ENQUIRY_REQUEST);
  expect_valid_env(env);
  Mash__V1__Envelope *back = round_trip_env(env);
  const Mash__V1__EnquiryRequest *r = back->enquiry_request;
  assert_string_equal(r->request_id, "req-1");
  assert_string_equal(r->enquiry_id, "enq-1");
  assert_string_equal(r->contact_id, q.request.contact_id);
  assert_int_equal(r->rag, MASH__V1__RAG__RAG_AMBER);
  assert_int_equal(r->due_at_ms, q.request.due_at_ms);
  assert_int_equal(r->n_subjects, 3);
  assert_string_equal(r->subjects[0]->given_name, "Zoë");
  assert_string_equal(r->subjects[2]->identifiers[0]->value, "98/1234567X");
  assert_string_equal(r->question, q.request.question);
  assert_non_null(r->consent);
  mash_codec_free(back);

  /* Consent is optional here, but checked when present. */
  q.request.consent = NULL;
  expect_valid_env(env);
  q.request.consent = &q.consent;
  q.consent.status = MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT;
  expect_one_env_error(env, "enquiry_request.consent.reason");

  enquiry_init(&q);
  env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_ENQUIRY_REQUEST);
  q.request.request_id = "";
  expect_one_env_error(env, "enquiry_request.request_id");
  q.request.request_id = "req-1";
  q.request.enquiry_id = "enq 1";
  expect_one_env_error(env, "enquiry_request.enquiry_id");
  q.request.enquiry_id = "enq-1";
  q.request.contact_id = NULL;
  expect_one_env_error(env, "enquiry_request.contact_id");
  q.request.contact_id = "c-1";
  q.request.rag = (Mash__V1__Rag)-1;
  expect_one_env_error(env, "enquiry_request.rag");
  q.request.rag = MASH__V1__RAG__RAG_RED;
  q.request.due_at_ms = -1;
  expect_one_env_error(env, "enquiry_request.due_at_ms");
  q.request.due_at_ms = 0;
  q.request.requested_at_ms = -5;
  expect_one_env_error(env, "enquiry_request.requested_at_ms");
  q.request.requested_at_ms = 0;
  q.request.question = "bell\a";
  expect_one_env_error(env, "enquiry_request.question");
}

static void test_enquiry_request_subjects(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__Envelope *env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_ENQUIRY_REQUEST);

  /* The notification's person checks, under the request's path. */
  q.f.adult0.ref = "c1";
  expect_one_env_error(env, "enquiry_request.subjects[2].ref");
  mash_errors_t errs = {0};
  mash_codec_validate_envelope(env, &errs);
  assert_non_null(strstr(errs.items[0].message, "enquiry_request.subjects[0]"));

  enquiry_init(&q);
  env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_ENQUIRY_REQUEST);
  q.f.child1.date_of_birth = "2023-02-29";
  expect_one_env_error(env, "enquiry_request.subjects[1].date_of_birth");
  q.f.child1.date_of_birth = "9999-12-31"; /* against the wall clock */
  expect_one_env_error(env, "enquiry_request.subjects[1].date_of_birth");
  q.f.child1.date_of_birth = "";
  q.f.child1.given_name = "";
  q.f.child1.family_name = "";
  expect_one_env_error(env, "enquiry_request.subjects[1]");
  q.f.child1.family_name = "Smith";
  q.f.nhs.kind = MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UNSPECIFIED;
  expect_one_env_error(env, "enquiry_request.subjects[0].identifiers[0].kind");
  q.f.nhs.kind = MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER;
  q.subjects[1] = NULL;
  expect_one_env_error(env, "enquiry_request.subjects[1]");

  /* A whole household (children and adults) fits; one more does not. */
  enum { MAX = 2 * MASH_MAX_PEOPLE };
  Mash__V1__Person *people = test_calloc(MAX + 1, sizeof *people);
  Mash__V1__Person **ptrs = test_calloc(MAX + 1, sizeof *ptrs);
  char refs[MAX + 1][16];
  for (size_t i = 0; i <= MAX; i++) {
    mash__v1__person__init(&people[i]);
    snprintf(refs[i], sizeof refs[i], "p%zu", i);
    people[i].ref = refs[i];
    people[i].family_name = "Smith";
    ptrs[i] = &people[i];
  }
  q.request.subjects = ptrs;
  q.request.n_subjects = MAX;
  expect_valid_env(env);
  q.request.n_subjects = MAX + 1;
  expect_one_env_error(env, "enquiry_request.subjects");
  test_free(ptrs);
  test_free(people);
}

static void test_enquiry_response(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__Envelope *env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_ENQUIRY_RESPONSE);
  expect_valid_env(env);
  Mash__V1__Envelope *back = round_trip_env(env);
  const Mash__V1__EnquiryResponse *r = back->enquiry_response;
  assert_string_equal(r->request_id, "req-1");
  assert_false(r->no_information_held);
  assert_int_equal(r->n_findings, 2);
  assert_string_equal(r->findings[0]->kind, "gp_registration");
  assert_int_equal(r->findings[0]->at_ms, q.finding0.at_ms);
  assert_string_equal(r->findings[1]->summary, q.finding1.summary);
  assert_string_equal(r->summary, "Known to health.");
  assert_string_equal(r->responder, "Named nurse Okafor");
  mash_codec_free(back);

  /* "Nothing held" is an answer without findings. */
  q.response.no_information_held = 1;
  expect_one_env_error(env, "enquiry_response.findings");
  q.response.n_findings = 0;
  q.response.findings = NULL;
  expect_valid_env(env);

  enquiry_init(&q);
  env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_ENQUIRY_RESPONSE);
  q.response.request_id = "";
  expect_one_env_error(env, "enquiry_response.request_id");
  q.response.request_id = "req-1";
  q.finding0.kind = "";
  expect_one_env_error(env, "enquiry_response.findings[0].kind");
  q.finding0.kind = "gp registration";
  expect_one_env_error(env, "enquiry_response.findings[0].kind");
  q.finding0.kind = "gp_registration";
  char *summary = make_string(MASH_MAX_LONG_TEXT + 1, 's');
  q.finding0.summary = summary;
  expect_one_env_error(env, "enquiry_response.findings[0].summary");
  q.finding0.summary = "ok";
  q.response.summary = summary;
  expect_one_env_error(env, "enquiry_response.summary");
  test_free(summary);
  q.response.summary = "";
  q.finding1.at_ms = -1;
  expect_one_env_error(env, "enquiry_response.findings[1].at_ms");
  q.finding1.at_ms = 0;
  q.response.responder = "Nurse\x1b";
  expect_one_env_error(env, "enquiry_response.responder");
  q.response.responder = "";
  q.findings[1] = NULL;
  expect_one_env_error(env, "enquiry_response.findings[1]");
}

static void test_enquiry_response_findings_bound(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__Envelope *env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_ENQUIRY_RESPONSE);
  Mash__V1__Finding **many = test_calloc(MASH_MAX_FINDINGS + 1, sizeof *many);
  for (size_t i = 0; i <= MASH_MAX_FINDINGS; i++) {
    many[i] = &q.finding0;
  }
  q.response.findings = many;
  q.response.n_findings = MASH_MAX_FINDINGS;
  expect_valid_env(env);
  q.response.n_findings = MASH_MAX_FINDINGS + 1;
  expect_one_env_error(env, "enquiry_response.findings");
  /* The count is refused before the entries are read. */
  q.response.findings = NULL;
  expect_one_env_error(env, "enquiry_response.findings");
  test_free(many);
}

/* The broker tells the desk a match was decided (issue 9): ids only. */
static void test_match_outcome(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__MatchOutcome o = MASH__V1__MATCH_OUTCOME__INIT;
  o.match_id = "M-000001";
  o.confirmed = 1;
  o.person_id = "P-000007";
  o.merged_person_id = "P-000009";
  o.decided_by = "Duty social worker";
  o.decided_at_ms = NOW_MS;
  Mash__V1__Envelope *env = &q.f.env;
  env->body_case = MASH__V1__ENVELOPE__BODY_MATCH_OUTCOME;
  env->match_outcome = &o;
  expect_valid_env(env);
  Mash__V1__Envelope *back = round_trip_env(env);
  assert_string_equal(back->match_outcome->merged_person_id, "P-000009");
  assert_true(back->match_outcome->confirmed);
  mash_codec_free(back);

  /* Confirmed needs the merged record; rejected does not. */
  o.merged_person_id = "";
  expect_one_env_error(env, "match_outcome.merged_person_id");
  o.confirmed = 0;
  expect_valid_env(env);
  o.person_id = "P 7";
  expect_one_env_error(env, "match_outcome.person_id");
  o.person_id = "P-000007";
  o.match_id = "";
  expect_one_env_error(env, "match_outcome.match_id");
}

static void test_escalation(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__Envelope *env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_ESCALATION);
  expect_valid_env(env);
  Mash__V1__Envelope *back = round_trip_env(env);
  const Mash__V1__EscalationEvent *e = back->escalation;
  assert_string_equal(e->escalation_id, "esc-1");
  assert_string_equal(e->agency, "education_north-2");
  assert_int_equal(e->level, 2);
  assert_string_equal(e->step, "overdue");
  assert_int_equal(e->n_parties, 2);
  assert_string_equal(e->parties[1], "hub_team_manager");
  assert_int_equal(e->at_ms, q.escalation.at_ms);
  assert_int_equal(e->rag, MASH__V1__RAG__RAG_AMBER);
  mash_codec_free(back);

  /* A screening escalation names no enquiry, request or agency. */
  q.escalation.enquiry_id = "";
  q.escalation.request_id = NULL;
  q.escalation.agency = "";
  expect_valid_env(env);

  q.escalation.level = 0;
  expect_one_env_error(env, "escalation.level");
  q.escalation.level = MASH_MAX_ESCALATION_LEVEL + 1;
  expect_one_env_error(env, "escalation.level");
  q.escalation.level = MASH_MAX_ESCALATION_LEVEL;
  expect_valid_env(env);

  q.escalation.escalation_id = "";
  expect_one_env_error(env, "escalation.escalation_id");
  q.escalation.escalation_id = "esc-1";
  q.escalation.agency = "educ ation";
  expect_one_env_error(env, "escalation.agency");
  q.escalation.agency = "";
  char *long_id = make_string(MASH_MAX_ID_LEN + 1, 'e');
  q.escalation.enquiry_id = long_id;
  expect_one_env_error(env, "escalation.enquiry_id");
  q.escalation.enquiry_id = "";
  q.escalation.contact_id = long_id;
  expect_one_env_error(env, "escalation.contact_id");
  test_free(long_id);
  q.escalation.contact_id = "";
  q.escalation.step = "over\ndue";
  expect_one_env_error(env, "escalation.step");
  q.escalation.step = "";
  q.escalation.at_ms = -1;
  expect_one_env_error(env, "escalation.at_ms");
  q.escalation.at_ms = 0;
  q.escalation.rag = (Mash__V1__Rag)9;
  expect_one_env_error(env, "escalation.rag");
  q.escalation.rag = MASH__V1__RAG__RAG_UNSPECIFIED;

  q.parties[1] = "";
  expect_one_env_error(env, "escalation.parties[1]");
  for (size_t i = 0; i <= MASH_MAX_PARTIES; i++) {
    q.parties[i] = "head_of_service";
  }
  q.escalation.n_parties = MASH_MAX_PARTIES;
  expect_valid_env(env);
  q.escalation.n_parties = MASH_MAX_PARTIES + 1;
  expect_one_env_error(env, "escalation.parties");
}

static void test_pack_round_trip(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__Envelope *env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_PACK);
  expect_valid_env(env);
  Mash__V1__Envelope *back = round_trip_env(env);
  const Mash__V1__ConsolidatedPack *k = back->pack;
  assert_string_equal(k->enquiry_id, "enq-1");
  assert_int_equal(k->version, 1);
  assert_true(k->partial);
  assert_non_null(k->contact);
  assert_string_equal(k->contact->notification->children[0]->given_name, "Zoë");
  assert_int_equal(k->n_answers, 2);
  assert_string_equal(k->answers[0]->agency, "health");
  assert_non_null(k->answers[0]->response);
  assert_string_equal(k->answers[0]->response->findings[0]->kind, "gp_registration");
  assert_null(k->answers[1]->response);
  assert_int_equal(k->answers[1]->escalation_level, 2);
  assert_int_equal(k->n_missing_agencies, 1);
  assert_string_equal(k->missing_agencies[0], "education_north-2");
  assert_int_equal(k->n_escalations, 1);
  assert_string_equal(k->escalations[0]->step, "overdue");
  assert_int_equal(k->n_household, 3);
  assert_string_equal(k->household[2]->ref, "a1");
  assert_int_equal(k->n_prior_contacts, 1);
  assert_int_equal(k->prior_contacts[0]->concern_category,
                   MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  assert_string_equal(k->screened_by, "SW Grey");
  mash_codec_free(back);

  /* A pack may come without its contact and consent (kept by the hub). */
  q.pack.contact = NULL;
  q.pack.consent = NULL;
  expect_valid_env(env);
}

static void test_pack_nested(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__Envelope *env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_PACK);

  /* An answer's response is checked as an EnquiryResponse, under its path. */
  q.finding1.kind = "";
  expect_one_env_error(env, "pack.answers[0].response.findings[1].kind");
  q.finding1.kind = "a_and_e";
  q.response.no_information_held = 1;
  expect_one_env_error(env, "pack.answers[0].response.findings");
  q.response.no_information_held = 0;
  q.response.request_id = NULL;
  expect_one_env_error(env, "pack.answers[0].response.request_id");
  q.response.request_id = "req-1";

  /* The contact is checked as a Contact, its notification included. */
  q.f.n.n_children = 0;
  q.f.n.n_relationships = 0;
  q.f.police.n_children_present_refs = 0;
  expect_one_env_error(env, "pack.contact.notification.children");
  enquiry_init(&q);
  env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_PACK);
  q.contact.source_principal = "";
  expect_one_env_error(env, "pack.contact.source_principal");

  enquiry_init(&q);
  env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_PACK);
  q.escalation.level = 0;
  expect_one_env_error(env, "pack.escalations[0].level");
  q.escalation.level = 1;
  q.escalations[0] = NULL;
  expect_one_env_error(env, "pack.escalations[0]");

  enquiry_init(&q);
  env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_PACK);
  q.consent.status = MASH__V1__CONSENT_STATUS__CONSENT_STATUS_REFUSED;
  expect_one_env_error(env, "pack.consent.reason");

  enquiry_init(&q);
  env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_PACK);
  q.f.adult0.ref = "c2";
  q.f.rel0.from_ref = "c2";
  /* The same person list, twice: the notification and the household. */
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_envelope(env, &errs), -EINVAL);
  assert_int_equal(errs.count, 2);
  assert_true(has_error(&errs, "pack.contact.notification.adults[0].ref"));
  assert_true(has_error(&errs, "pack.household[2].ref"));
  q.pack.contact = NULL;
  expect_one_env_error(env, "pack.household[2].ref");
}

static void test_pack_fields(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__Envelope *env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_PACK);
  q.pack.version = 0;
  expect_one_env_error(env, "pack.version");
  q.pack.version = 7;
  q.pack.enquiry_id = "";
  expect_one_env_error(env, "pack.enquiry_id");
  q.pack.enquiry_id = "enq-1";
  q.pack.contact_id = "c 1";
  expect_one_env_error(env, "pack.contact_id");
  q.pack.contact_id = "c-1";
  q.pack.issued_at_ms = -1;
  expect_one_env_error(env, "pack.issued_at_ms");
  q.pack.issued_at_ms = 0;
  q.pack.rag = (Mash__V1__Rag)5;
  expect_one_env_error(env, "pack.rag");
  q.pack.rag = MASH__V1__RAG__RAG_RED;

  q.answer1.agency = "";
  expect_one_env_error(env, "pack.answers[1].agency");
  q.answer1.agency = "housing";
  q.answer1.request_id = "req/2";
  expect_one_env_error(env, "pack.answers[1].request_id");
  q.answer1.request_id = "req-2";
  q.answer1.answered_at_ms = -1;
  expect_one_env_error(env, "pack.answers[1].answered_at_ms");
  q.answer1.answered_at_ms = 0;
  q.answer1.escalation_level = MASH_MAX_ESCALATION_LEVEL + 1;
  expect_one_env_error(env, "pack.answers[1].escalation_level");
  q.answer1.escalation_level = 0;
  q.answers[1] = NULL;
  expect_one_env_error(env, "pack.answers[1]");
  q.answers[1] = &q.answer1;

  q.missing[0] = "";
  expect_one_env_error(env, "pack.missing_agencies[0]");
  q.missing[0] = "housing";

  q.prior.contact_id = "";
  expect_one_env_error(env, "pack.prior_contacts[0].contact_id");
  q.prior.contact_id = "c-old";
  q.prior.concern_category = (Mash__V1__ConcernCategory)99;
  expect_one_env_error(env, "pack.prior_contacts[0].concern_category");
  q.prior.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_UNSPECIFIED;
  char *long_ref = make_string(MASH_MAX_ID_LEN + 1, 'r');
  q.prior.person_ref = long_ref;
  expect_one_env_error(env, "pack.prior_contacts[0].person_ref");
  test_free(long_ref);
  q.prior.person_ref = "";
  q.priors[0] = NULL;
  expect_one_env_error(env, "pack.prior_contacts[0]");
  q.priors[0] = &q.prior;
  q.pack.screened_by = "SW\x7fGrey";
  expect_one_env_error(env, "pack.screened_by");
  q.pack.screened_by = "";
  expect_valid_env(env);
}

static void test_pack_bounds(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__Envelope *env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_PACK);

  /* Each list at its bound is fine and one more is refused, unread. */
  Mash__V1__AgencyAnswer **answers = test_calloc(MASH_MAX_PACK_AGENCIES + 1, sizeof *answers);
  for (size_t i = 0; i <= MASH_MAX_PACK_AGENCIES; i++) {
    answers[i] = &q.answer1;
  }
  q.pack.answers = answers;
  q.pack.n_answers = MASH_MAX_PACK_AGENCIES;
  expect_valid_env(env);
  q.pack.n_answers = MASH_MAX_PACK_AGENCIES + 1;
  expect_one_env_error(env, "pack.answers");
  q.pack.answers = q.answers;
  q.pack.n_answers = 2;
  test_free(answers);

  char *missing[MASH_MAX_PACK_AGENCIES + 1];
  for (size_t i = 0; i <= MASH_MAX_PACK_AGENCIES; i++) {
    missing[i] = "health";
  }
  q.pack.missing_agencies = missing;
  q.pack.n_missing_agencies = MASH_MAX_PACK_AGENCIES;
  expect_valid_env(env);
  q.pack.n_missing_agencies = MASH_MAX_PACK_AGENCIES + 1;
  expect_one_env_error(env, "pack.missing_agencies");
  q.pack.missing_agencies = q.missing;
  q.pack.n_missing_agencies = 1;

  Mash__V1__EscalationEvent **escs = test_calloc(MASH_MAX_PACK_ESCALATIONS + 1, sizeof *escs);
  for (size_t i = 0; i <= MASH_MAX_PACK_ESCALATIONS; i++) {
    escs[i] = &q.escalation;
  }
  q.pack.escalations = escs;
  q.pack.n_escalations = MASH_MAX_PACK_ESCALATIONS;
  expect_valid_env(env);
  q.pack.n_escalations = MASH_MAX_PACK_ESCALATIONS + 1;
  expect_one_env_error(env, "pack.escalations");
  q.pack.escalations = q.escalations;
  q.pack.n_escalations = 1;
  test_free(escs);

  Mash__V1__PriorContact **priors = test_calloc(MASH_MAX_PRIOR_CONTACTS + 1, sizeof *priors);
  for (size_t i = 0; i <= MASH_MAX_PRIOR_CONTACTS; i++) {
    priors[i] = &q.prior;
  }
  q.pack.prior_contacts = priors;
  q.pack.n_prior_contacts = MASH_MAX_PRIOR_CONTACTS;
  expect_valid_env(env);
  q.pack.n_prior_contacts = MASH_MAX_PRIOR_CONTACTS + 1;
  expect_one_env_error(env, "pack.prior_contacts");
  q.pack.prior_contacts = q.priors;
  q.pack.n_prior_contacts = 1;
  test_free(priors);

  Mash__V1__Person **household = test_calloc(2 * MASH_MAX_PEOPLE + 1, sizeof *household);
  for (size_t i = 0; i <= 2 * MASH_MAX_PEOPLE; i++) {
    household[i] = &q.f.child1;
  }
  q.pack.household = household;
  q.pack.n_household = 2 * MASH_MAX_PEOPLE + 1;
  expect_one_env_error(env, "pack.household");
  test_free(household);
}

static void test_outcome(void **state) {
  (void)state;
  enquiry_t q;
  enquiry_init(&q);
  Mash__V1__Envelope *env = enquiry_env(&q, MASH__V1__ENVELOPE__BODY_OUTCOME);
  expect_valid_env(env);
  Mash__V1__Envelope *back = round_trip_env(env);
  assert_string_equal(back->outcome->contact_id, q.outcome.contact_id);
  assert_int_equal(back->outcome->outcome, MASH__V1__OUTCOME__OUTCOME_EARLY_HELP);
  assert_string_equal(back->outcome->decided_by, "TM Adeyemi");
  assert_string_equal(back->outcome->rationale, q.outcome.rationale);
  mash_codec_free(back);

  q.outcome.outcome = MASH__V1__OUTCOME__OUTCOME_UNSPECIFIED;
  expect_one_env_error(env, "outcome.outcome");
  q.outcome.outcome = (Mash__V1__Outcome)5;
  expect_one_env_error(env, "outcome.outcome");
  q.outcome.outcome = MASH__V1__OUTCOME__OUTCOME_STRATEGY_DISCUSSION;
  expect_valid_env(env);
  q.outcome.contact_id = "";
  expect_one_env_error(env, "outcome.contact_id");
  q.outcome.contact_id = "c-1";
  q.outcome.decided_by = NULL;
  expect_one_env_error(env, "outcome.decided_by");
  q.outcome.decided_by = "TM";
  q.outcome.rationale = "\xc3\x28";
  expect_one_env_error(env, "outcome.rationale");
  q.outcome.rationale = "";
  env->outcome = NULL;
  expect_one_env_error(env, "outcome");
}

static void test_receipt_enquiry_id(void **state) {
  (void)state;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Receipt r;
  mash_envelope_init(&env, "r-2", 1);
  env.correlation_id = "screen-1";
  mash__v1__receipt__init(&r);
  r.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED;
  r.contact_id = "c-1";
  r.enquiry_id = "enq-1";
  env.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
  env.receipt = &r;
  Mash__V1__Envelope *back = round_trip_env(&env);
  assert_string_equal(back->receipt->enquiry_id, "enq-1");
  mash_codec_free(back);
  r.enquiry_id = "";
  expect_valid_env(&env);
  r.enquiry_id = "enq 1";
  expect_one_env_error(&env, "receipt.enquiry_id");
  char *long_id = make_string(MASH_MAX_ID_LEN + 1, 'q');
  r.enquiry_id = long_id;
  expect_one_env_error(&env, "receipt.enquiry_id");
  test_free(long_id);
}

/* Garbage that decodes into one of the new bodies still never validates
 * (nor crashes): every required id is missing. */
static void test_enquiry_bodies_empty(void **state) {
  (void)state;
  static const Mash__V1__Envelope__BodyCase kinds[] = {
      MASH__V1__ENVELOPE__BODY_SCREENING,        MASH__V1__ENVELOPE__BODY_ENQUIRY_REQUEST,
      MASH__V1__ENVELOPE__BODY_ENQUIRY_RESPONSE, MASH__V1__ENVELOPE__BODY_PACK,
      MASH__V1__ENVELOPE__BODY_OUTCOME,          MASH__V1__ENVELOPE__BODY_ESCALATION};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    enquiry_t q;
    enquiry_init(&q);
    mash__v1__screening_decision__init(&q.screening);
    mash__v1__enquiry_request__init(&q.request);
    mash__v1__enquiry_response__init(&q.response);
    mash__v1__consolidated_pack__init(&q.pack);
    mash__v1__outcome_decision__init(&q.outcome);
    mash__v1__escalation_event__init(&q.escalation);
    Mash__V1__Envelope *env = enquiry_env(&q, kinds[i]);
    size_t len = 0;
    uint8_t *buf = NULL;
    assert_int_equal(mash_codec_encode(env, &buf, &len), 0);
    mash_errors_t errs = {0};
    Mash__V1__Envelope *back = mash_codec_decode(buf, len, &errs);
    free(buf);
    assert_non_null(back);
    assert_int_equal(back->body_case, kinds[i]);
    assert_int_equal(mash_codec_validate_envelope(back, &errs), -EINVAL);
    assert_true(errs.count > 0);
    mash_codec_free(back);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_screening_round_trip),
      cmocka_unit_test(test_screening_consent),
      cmocka_unit_test(test_screening_agencies),
      cmocka_unit_test(test_screening_fields),
      cmocka_unit_test(test_enquiry_request),
      cmocka_unit_test(test_enquiry_request_subjects),
      cmocka_unit_test(test_enquiry_response),
      cmocka_unit_test(test_enquiry_response_findings_bound),
      cmocka_unit_test(test_escalation),
      cmocka_unit_test(test_pack_round_trip),
      cmocka_unit_test(test_pack_nested),
      cmocka_unit_test(test_pack_fields),
      cmocka_unit_test(test_pack_bounds),
      cmocka_unit_test(test_outcome),
      cmocka_unit_test(test_match_outcome),
      cmocka_unit_test(test_receipt_enquiry_id),
      cmocka_unit_test(test_enquiry_bodies_empty),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
