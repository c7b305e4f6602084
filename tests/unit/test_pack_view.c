/* test_pack_view: the hub desk's views of a consolidated pack
 * (agents/hub/pack_view.h).
 *
 * Builds a pack the way the broker would: the contact from the police
 * example dash-high.json (MASH_EXAMPLES, set by CMake, is the examples
 * folder), three agency answers (on time, late, no information held), one
 * agency that never answered, two escalations, the household's two other
 * children, two prior contacts, three domestic-abuse incidents in twelve
 * months (potential escalation) and the broker's person links (one a
 * possible match). Then checks the JSON view field by field, and the HTML page for
 * its content, its escaping of hostile text, that it is self-contained, and
 * that hostile shapes (missing sub-messages, NULL entries, absurd times and
 * enum values) neither crash nor produce broken output.
 *
 * Must not: use the network or write files, except that with
 * PACK_VIEW_SAMPLE=<path> in the environment the sample page is written
 * there for a human to look at.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "codec.h"
#include "dash.h"
#include "pack_view.h"
#include "police_json.h"

#ifndef MASH_EXAMPLES
#error "MASH_EXAMPLES must name agents/police/examples"
#endif

#define MIN_MS INT64_C(60000)
/* 2026-11-23T02:10:00Z: the incident and the contact's arrival. */
#define RECEIVED_MS INT64_C(1795399800000)
/* Requests go out at 03:00, red: due at 07:00. */
#define REQUESTED_MS (RECEIVED_MS + 50 * MIN_MS)
#define DUE_MS (REQUESTED_MS + 240 * MIN_MS)
/* The pack is issued at deadline + 50% of the window: 09:00. */
#define ISSUED_MS (DUE_MS + 120 * MIN_MS)

#define HOSTILE_CONCERN "Neighbour said <script>alert(1)</script> & \"left\" at 'once'"

/* ---------------------------------------------------------------- fixture */

/* A pack over a parsed example; holds pointers into itself. */
typedef struct fixture {
  Mash__V1__Notification *n;
  Mash__V1__Contact c;
  Mash__V1__DashScore dash;
  mash_dash_result_t r;
  const char *flags[8];

  Mash__V1__ConsolidatedPack p;
  Mash__V1__ConsentRecord consent;
  Mash__V1__AgencyAnswer answers[4];
  Mash__V1__AgencyAnswer *answer_ptrs[4];
  Mash__V1__EnquiryResponse responses[3];
  Mash__V1__Finding findings[3];
  Mash__V1__Finding *police_findings[2];
  Mash__V1__Finding *health_findings[1];
  const char *missing[1];
  Mash__V1__EscalationEvent escalations[2];
  Mash__V1__EscalationEvent *escalation_ptrs[2];
  const char *parties[2][2];
  Mash__V1__Person siblings[2];
  Mash__V1__Address sibling_address;
  const char *sibling_lines[1];
  Mash__V1__Person *household[2];
  Mash__V1__PriorContact prior[2];
  Mash__V1__PriorContact *prior_ptrs[2];
  Mash__V1__PersonLink links[2];
  Mash__V1__PersonLink *link_ptrs[2];

  /* Shallow copies a test may change freely (see mutable_notification). */
  Mash__V1__Notification n_copy;
  Mash__V1__Person kids[2];
  Mash__V1__Person *kid_ptrs[2];
  Mash__V1__PoliceDetail police_copy;
} fixture_t;

static char *read_example(const char *name, size_t *len) {
  char path[4096];
  int w = snprintf(path, sizeof path, "%s/%s", MASH_EXAMPLES, name);
  assert_true(w > 0 && (size_t)w < sizeof path);
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fail_msg("cannot open %s", path);
  }
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long size = ftell(f);
  assert_true(size > 0 && size < 1024 * 1024);
  assert_int_equal(fseek(f, 0, SEEK_SET), 0);
  char *buf = test_malloc((size_t)size + 1);
  assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
  buf[size] = '\0';
  fclose(f);
  *len = (size_t)size;
  return buf;
}

static void s_answer(fixture_t *f, size_t i, const char *agency, const char *request_id,
                     int64_t answered_at_ms, Mash__V1__EnquiryResponse *response, uint32_t level) {
  Mash__V1__AgencyAnswer *a = &f->answers[i];
  mash__v1__agency_answer__init(a);
  a->agency = (char *)agency;
  a->request_id = (char *)request_id;
  a->requested_at_ms = REQUESTED_MS;
  a->due_at_ms = DUE_MS;
  a->answered_at_ms = answered_at_ms;
  a->response = response;
  a->escalation_level = level;
  if (response != NULL) {
    response->request_id = (char *)request_id;
  }
  f->answer_ptrs[i] = a;
}

static void s_finding(Mash__V1__Finding *fd, const char *kind, const char *summary, int64_t at_ms) {
  mash__v1__finding__init(fd);
  fd->kind = (char *)kind;
  fd->summary = (char *)summary;
  fd->at_ms = at_ms;
}

static void s_escalation(fixture_t *f, size_t i, uint32_t level, const char *step,
                         const char *party1, const char *party2, int64_t at_ms) {
  Mash__V1__EscalationEvent *e = &f->escalations[i];
  mash__v1__escalation_event__init(e);
  e->escalation_id = i == 0 ? "ESC-1" : "ESC-2";
  e->enquiry_id = "ENQ-000007";
  e->request_id = "REQ-4";
  e->contact_id = "MASH-000042";
  e->agency = "housing";
  e->level = level;
  e->step = (char *)step;
  f->parties[i][0] = party1;
  f->parties[i][1] = party2;
  e->n_parties = party2 != NULL ? 2 : 1;
  e->parties = (char **)f->parties[i];
  e->due_at_ms = DUE_MS;
  e->at_ms = at_ms;
  e->rag = MASH__V1__RAG__RAG_RED;
  f->escalation_ptrs[i] = e;
}

static int s_setup(void **state) {
  fixture_t *f = test_calloc(1, sizeof *f);
  size_t len = 0;
  char *text = read_example("dash-high.json", &len);
  mash_errors_t errs = {0};
  f->n = police_json_parse(text, len, &errs);
  test_free(text);
  assert_non_null(f->n);
  assert_int_equal(errs.count, 0);
  assert_int_equal(f->n->detail_case, MASH__V1__NOTIFICATION__DETAIL_POLICE);

  /* The contact, as the broker's intake makes it. */
  const Mash__V1__PoliceDetail *pd = f->n->police;
  mash_dash_score(pd->dash_answers, pd->n_dash_answers, pd->officer_grade, true, &f->r);
  mash__v1__dash_score__init(&f->dash);
  mash_dash_to_pb(&f->r, &f->dash);
  mash__v1__contact__init(&f->c);
  f->c.contact_id = "MASH-000042";
  f->c.source_principal = "police";
  f->c.received_at_ms = RECEIVED_MS;
  f->c.screening_due_at_ms = RECEIVED_MS + 240 * MIN_MS;
  f->c.notification = f->n;
  f->c.dash = &f->dash;
  f->c.n_quality_flags = mash_dash_police_flags(f->n, &f->r, f->flags, 8);
  f->c.quality_flags = (char **)f->flags;

  /* Consent not sought: it would put the children at risk. */
  mash__v1__consent_record__init(&f->consent);
  f->consent.status = MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT;
  f->consent.reason = "Seeking consent would place the children at risk";
  f->consent.lawful_basis = MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18;
  f->consent.recorded_by = "A. Screener";

  /* Police on time with two findings; health 1 h 15 min late; education on
   * time with nothing held; housing never answered. */
  for (size_t i = 0; i < 3; i++) {
    mash__v1__enquiry_response__init(&f->responses[i]);
  }
  s_finding(&f->findings[0], "incident", "Two previous call-outs to the flat this year",
            RECEIVED_MS - 90 * 24 * 60 * MIN_MS);
  s_finding(&f->findings[1], "intelligence", "Suspect on bail for assault", 0);
  s_finding(&f->findings[2], "unscheduled_care", "Mother attended A&E with facial injury",
            RECEIVED_MS + 60 * MIN_MS);
  f->police_findings[0] = &f->findings[0];
  f->police_findings[1] = &f->findings[1];
  f->health_findings[0] = &f->findings[2];
  f->responses[0].findings = f->police_findings;
  f->responses[0].n_findings = 2;
  f->responses[0].summary = "Escalating pattern of abuse.";
  f->responses[0].responder = "DS 301 Priya Nair";
  f->responses[1].findings = f->health_findings;
  f->responses[1].n_findings = 1;
  f->responses[1].summary = "Both children registered with Canal Street Surgery.";
  f->responses[1].responder = "Named nurse";
  f->responses[2].no_information_held = 1;
  f->responses[2].responder = "Admissions";
  s_answer(f, 0, "police", "REQ-1", REQUESTED_MS + 150 * MIN_MS, &f->responses[0], 0);
  s_answer(f, 1, "health", "REQ-2", DUE_MS + 75 * MIN_MS, &f->responses[1], 2);
  s_answer(f, 2, "education", "REQ-3", REQUESTED_MS + 60 * MIN_MS, &f->responses[2], 0);
  s_answer(f, 3, "housing", "REQ-4", 0, NULL, 3);
  f->missing[0] = "housing";

  /* Reminder at 75% of the window, then the deadline step. */
  s_escalation(f, 0, 1, "reminder", "housing", NULL, REQUESTED_MS + 180 * MIN_MS);
  s_escalation(f, 1, 2, "deadline", "housing duty lead", "hub team manager", DUE_MS);

  /* The household's other children, as the broker resolves them: the ref
   * is the person record. */
  mash__v1__address__init(&f->sibling_address);
  f->sibling_lines[0] = "12 Canal Street";
  f->sibling_address.lines = (char **)f->sibling_lines;
  f->sibling_address.n_lines = 1;
  f->sibling_address.postcode = "EX1 2AB";
  for (size_t i = 0; i < 2; i++) {
    mash__v1__person__init(&f->siblings[i]);
    f->siblings[i].family_name = "Hartley";
    f->siblings[i].address = &f->sibling_address;
    f->household[i] = &f->siblings[i];
  }
  f->siblings[0].ref = "P-000012";
  f->siblings[0].given_name = "Ella";
  f->siblings[0].date_of_birth = "2014-06-20";
  f->siblings[0].sex = MASH__V1__SEX__SEX_FEMALE;
  f->siblings[1].ref = "P-000013";
  f->siblings[1].given_name = "Sam";
  f->siblings[1].family_name = "Price <b>";
  f->siblings[1].date_of_birth = "2025-02-02";

  /* Earlier contacts: police (domestic abuse, about c1) and education
   * (about the sibling). */
  for (size_t i = 0; i < 2; i++) {
    mash__v1__prior_contact__init(&f->prior[i]);
    f->prior_ptrs[i] = &f->prior[i];
  }
  f->prior[0].contact_id = "MASH-000017";
  f->prior[0].source_principal = "police";
  f->prior[0].received_at_ms = RECEIVED_MS - 200 * 24 * 60 * MIN_MS;
  f->prior[0].concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE;
  f->prior[0].person_ref = "c1";
  f->prior[1].contact_id = "MASH-000031";
  f->prior[1].source_principal = "education";
  f->prior[1].received_at_ms = RECEIVED_MS - 30 * 24 * 60 * MIN_MS;
  f->prior[1].concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT;
  f->prior[1].person_ref = "P-000012";

  /* c1 found by NHS number; c2 only a possible match for review. */
  for (size_t i = 0; i < 2; i++) {
    mash__v1__person_link__init(&f->links[i]);
    f->link_ptrs[i] = &f->links[i];
  }
  f->links[0].ref = "c1";
  f->links[0].person_id = "P-000001";
  f->links[0].decision = "identifier";
  f->links[0].confidence_permille = 1000;
  f->links[0].why = "nhs_number";
  f->links[1].ref = "c2";
  f->links[1].person_id = "P-000009";
  f->links[1].decision = "possible";
  f->links[1].confidence_permille = 800;
  f->links[1].why = "dob+surname+postcode";
  f->links[1].candidate_person_id = "P-000005";
  f->links[1].match_id = "M-000004";
  f->c.persons = f->link_ptrs;
  f->c.n_persons = 2;
  f->c.prior_contacts_12m = 2;
  f->c.domestic_abuse_12m = 3;

  mash__v1__consolidated_pack__init(&f->p);
  f->p.enquiry_id = "ENQ-000007";
  f->p.contact_id = "MASH-000042";
  f->p.version = 1;
  f->p.partial = 1;
  f->p.issued_at_ms = ISSUED_MS;
  f->p.contact = &f->c;
  f->p.rag = MASH__V1__RAG__RAG_RED;
  f->p.consent = &f->consent;
  f->p.answers = f->answer_ptrs;
  f->p.n_answers = 4;
  f->p.missing_agencies = (char **)f->missing;
  f->p.n_missing_agencies = 1;
  f->p.escalations = f->escalation_ptrs;
  f->p.n_escalations = 2;
  f->p.household = f->household;
  f->p.n_household = 2;
  f->p.prior_contacts = f->prior_ptrs;
  f->p.n_prior_contacts = 2;
  f->p.domestic_abuse_12m = 3;
  f->p.potential_escalation = 1;
  f->p.screened_by = "J. Duty";
  *state = f;
  return 0;
}

static int s_teardown(void **state) {
  fixture_t *f = *state;
  police_json_free(f->n);
  test_free(f);
  return 0;
}

/* ---------------------------------------------------------------- helpers */

/* Point the contact at a shallow copy of the notification, its two children
 * and its police detail, so that a test can put hostile values in them
 * without touching what police_json_free frees. */
static Mash__V1__Notification *mutable_notification(fixture_t *f) {
  f->n_copy = *f->n;
  f->police_copy = *f->n->police;
  f->n_copy.police = &f->police_copy;
  for (size_t i = 0; i < 2; i++) {
    f->kids[i] = *f->n->children[i];
    f->kid_ptrs[i] = &f->kids[i];
  }
  f->n_copy.children = f->kid_ptrs;
  f->c.notification = &f->n_copy;
  return &f->n_copy;
}

static size_t count_of(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *s = strstr(hay, needle); s != NULL; s = strstr(s + 1, needle)) {
    n++;
  }
  return n;
}

/* Render, and check what every page must be whatever the pack: a complete
 * document, valid UTF-8 without control characters, self-contained, with
 * balanced containers. The caller free()s. */
static char *render(const Mash__V1__ConsolidatedPack *p) {
  char *html = NULL;
  size_t len = 0;
  assert_int_equal(pack_view_html(p, &html, &len), 0);
  assert_non_null(html);
  assert_int_equal(strlen(html), len);
  assert_true(strncmp(html, "<!DOCTYPE html>\n", 16) == 0);
  assert_non_null(strstr(html, "</html>\n"));

  json_t *utf8 = json_string(html); /* jansson refuses invalid UTF-8 */
  assert_non_null(utf8);
  json_decref(utf8);
  for (const unsigned char *u = (const unsigned char *)html; *u != '\0'; u++) {
    assert_true(*u >= 0x20 || *u == '\n' || *u == '\t');
    assert_true(*u != 0x7f);
  }

  /* Self-contained: nothing fetched, nothing run. */
  assert_null(strstr(html, "http://"));
  assert_null(strstr(html, "https://"));
  assert_null(strstr(html, "<script"));
  assert_null(strstr(html, "src="));
  assert_null(strstr(html, "href="));
  assert_null(strstr(html, "url("));
  assert_null(strstr(html, "@import"));

  const char *pairs[][2] = {
      {"<section", "</section>"}, {"<table", "</table>"}, {"<tr>", "</tr>"}, {"<dl", "</dl>"},
      {"<dt>", "</dt>"},          {"<dd>", "</dd>"},      {"<ul>", "</ul>"}, {"<li", "</li>"},
      {"<strong", "</strong>"},   {"<span", "</span>"}};
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    if (count_of(html, pairs[i][0]) != count_of(html, pairs[i][1])) {
      fail_msg("unbalanced %s: %zu opened, %zu closed", pairs[i][0], count_of(html, pairs[i][0]),
               count_of(html, pairs[i][1]));
    }
  }
  return html;
}

/* The part of html from the section whose heading starts with `agency`. */
static const char *agency_section(const char *html, const char *agency) {
  char heading[64];
  snprintf(heading, sizeof heading, "<h3>%s ", agency);
  const char *s = strstr(html, heading);
  assert_non_null(s);
  return s;
}

/* true when `needle` occurs in the section starting at s, before it ends. */
static bool in_section(const char *s, const char *needle) {
  const char *end = strstr(s, "</section>");
  const char *hit = strstr(s, needle);
  return end != NULL && hit != NULL && hit < end;
}

static const char *jstr(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  if (!json_is_string(v)) {
    fail_msg("%s is not a string", key);
  }
  return json_string_value(v);
}

/* ---------------------------------------------------------------- json */

static void test_json_fields(void **state) {
  fixture_t *f = *state;
  json_t *j = pack_view_json(&f->p);
  assert_non_null(j);
  assert_string_equal(jstr(j, "enquiry_id"), "ENQ-000007");
  assert_string_equal(jstr(j, "contact_id"), "MASH-000042");
  assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
  assert_true(json_is_true(json_object_get(j, "partial")));
  assert_string_equal(jstr(j, "issued_at"), "2026-11-23T09:00:00Z");
  assert_string_equal(jstr(j, "rag"), "red");
  assert_string_equal(jstr(j, "screened_by"), "J. Duty");

  json_t *consent = json_object_get(j, "consent");
  assert_string_equal(jstr(consent, "status"), "not_sought");
  assert_string_equal(jstr(consent, "reason"), "Seeking consent would place the children at risk");
  assert_string_equal(jstr(consent, "lawful_basis"), "safeguarding_dpa_sch1_p18");
  assert_string_equal(jstr(consent, "recorded_by"), "A. Screener");

  /* The contact is hub_view_json's object. */
  json_t *contact = json_object_get(j, "contact");
  assert_string_equal(jstr(contact, "contact_id"), "MASH-000042");
  assert_int_equal(
      json_integer_value(json_object_get(json_object_get(contact, "dash"), "yes_count")), 18);
  assert_int_equal(
      json_array_size(json_object_get(json_object_get(contact, "notification"), "children")), 2);

  json_t *answers = json_object_get(j, "answers");
  assert_int_equal(json_array_size(answers), 4);
  json_t *police = json_array_get(answers, 0);
  assert_string_equal(jstr(police, "agency"), "police");
  assert_string_equal(jstr(police, "request_id"), "REQ-1");
  assert_string_equal(jstr(police, "requested_at"), "2026-11-23T03:00:00Z");
  assert_string_equal(jstr(police, "due_at"), "2026-11-23T07:00:00Z");
  assert_string_equal(jstr(police, "answered_at"), "2026-11-23T05:30:00Z");
  assert_string_equal(jstr(police, "timeliness"), "on_time");
  assert_true(json_is_true(json_object_get(police, "answered")));
  assert_true(json_is_false(json_object_get(police, "no_information_held")));
  assert_string_equal(jstr(police, "summary"), "Escalating pattern of abuse.");
  assert_string_equal(jstr(police, "responder"), "DS 301 Priya Nair");
  /* Free text beside the agency authenticated by its key (issue 13). */
  assert_string_equal(jstr(police, "responder_agency"), "police");
  json_t *findings = json_object_get(police, "findings");
  assert_int_equal(json_array_size(findings), 2);
  assert_string_equal(jstr(json_array_get(findings, 0), "kind"), "incident");
  assert_string_equal(jstr(json_array_get(findings, 0), "at"), "2026-08-25T02:10:00Z");
  assert_true(json_is_null(json_object_get(json_array_get(findings, 1), "at")));

  json_t *health = json_array_get(answers, 1);
  assert_string_equal(jstr(health, "timeliness"), "late");
  assert_string_equal(jstr(health, "answered_at"), "2026-11-23T08:15:00Z");
  assert_int_equal(json_integer_value(json_object_get(health, "escalation_level")), 2);

  json_t *education = json_array_get(answers, 2);
  assert_string_equal(jstr(education, "timeliness"), "on_time");
  assert_true(json_is_true(json_object_get(education, "no_information_held")));
  assert_int_equal(json_array_size(json_object_get(education, "findings")), 0);

  json_t *housing = json_array_get(answers, 3);
  assert_string_equal(jstr(housing, "timeliness"), "not_answered");
  assert_true(json_is_false(json_object_get(housing, "answered")));
  assert_true(json_is_null(json_object_get(housing, "answered_at")));
  assert_true(json_is_null(json_object_get(housing, "summary")));
  assert_int_equal(json_integer_value(json_object_get(housing, "escalation_level")), 3);

  json_t *missing = json_object_get(j, "missing_agencies");
  assert_int_equal(json_array_size(missing), 1);
  assert_string_equal(json_string_value(json_array_get(missing, 0)), "housing");

  json_t *escalations = json_object_get(j, "escalations");
  assert_int_equal(json_array_size(escalations), 2);
  json_t *e = json_array_get(escalations, 1);
  assert_string_equal(jstr(e, "escalation_id"), "ESC-2");
  assert_string_equal(jstr(e, "agency"), "housing");
  assert_int_equal(json_integer_value(json_object_get(e, "level")), 2);
  assert_string_equal(jstr(e, "step"), "deadline");
  assert_int_equal(json_array_size(json_object_get(e, "parties")), 2);
  assert_string_equal(json_string_value(json_array_get(json_object_get(e, "parties"), 1)),
                      "hub team manager");
  assert_string_equal(jstr(e, "at"), "2026-11-23T07:00:00Z");
  assert_string_equal(jstr(e, "due_at"), "2026-11-23T07:00:00Z");
  assert_string_equal(jstr(e, "rag"), "red");
  assert_string_equal(jstr(json_array_get(escalations, 0), "at"), "2026-11-23T06:00:00Z");

  json_t *household = json_object_get(j, "household");
  assert_int_equal(json_array_size(household), 2);
  assert_string_equal(jstr(json_array_get(household, 0), "given_name"), "Ella");
  assert_string_equal(jstr(json_array_get(household, 0), "dob"), "2014-06-20");
  assert_string_equal(jstr(json_array_get(household, 0), "ref"), "P-000012");
  assert_string_equal(jstr(json_array_get(household, 0), "person_id"), "P-000012");
  assert_string_equal(jstr(json_array_get(household, 1), "person_id"), "P-000013");
  assert_int_equal(json_integer_value(json_object_get(j, "domestic_abuse_12m")), 3);
  assert_true(json_is_true(json_object_get(j, "potential_escalation")));

  /* The contact's person links and twelve-month counts. */
  contact = json_object_get(j, "contact");
  assert_int_equal(json_integer_value(json_object_get(contact, "prior_contacts_12m")), 2);
  assert_int_equal(json_integer_value(json_object_get(contact, "domestic_abuse_12m")), 3);
  json_t *persons = json_object_get(contact, "persons");
  assert_int_equal(json_array_size(persons), 2);
  assert_string_equal(jstr(json_array_get(persons, 0), "decision"), "identifier");
  assert_true(json_is_null(json_object_get(json_array_get(persons, 0), "match_id")));
  assert_string_equal(jstr(json_array_get(persons, 1), "match_id"), "M-000004");
  assert_string_equal(jstr(json_array_get(persons, 1), "candidate_person_id"), "P-000005");
  assert_int_equal(
      json_integer_value(json_object_get(json_array_get(persons, 1), "confidence_permille")), 800);

  json_t *prior = json_object_get(j, "prior_contacts");
  assert_int_equal(json_array_size(prior), 2);
  assert_string_equal(jstr(json_array_get(prior, 1), "person_ref"), "P-000012");
  assert_string_equal(jstr(json_array_get(prior, 1), "source_principal"), "education");
  assert_string_equal(jstr(json_array_get(prior, 0), "contact_id"), "MASH-000017");
  assert_string_equal(jstr(json_array_get(prior, 0), "category"), "domestic_abuse");
  assert_string_equal(jstr(json_array_get(prior, 0), "person_ref"), "c1");
  assert_string_equal(jstr(json_array_get(prior, 0), "received_at"), "2026-05-07T02:10:00Z");

  /* Serialises as valid JSON and reads back equal. */
  char *text = json_dumps(j, JSON_COMPACT);
  assert_non_null(text);
  json_error_t jerr;
  json_t *back = json_loads(text, 0, &jerr);
  assert_non_null(back);
  assert_true(json_equal(j, back));
  json_decref(back);
  free(text);
  json_decref(j);
}

static void test_json_timeliness_edges(void **state) {
  fixture_t *f = *state;
  const struct {
    int64_t due, answered;
    const char *want;
  } cases[] = {
      {DUE_MS, DUE_MS, "on_time"},       /* exactly at the deadline */
      {DUE_MS, DUE_MS + 1, "late"},      /* one millisecond after */
      {0, DUE_MS, "on_time"},            /* no deadline */
      {DUE_MS, 0, "not_answered"},       /* not answered */
      {INT64_MAX, INT64_MIN, "on_time"}, /* absurd, but no overflow */
      {INT64_MIN, INT64_MAX, "late"},    /* likewise */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    f->answers[0].due_at_ms = cases[i].due;
    f->answers[0].answered_at_ms = cases[i].answered;
    json_t *j = pack_view_json(&f->p);
    assert_non_null(j);
    assert_string_equal(jstr(json_array_get(json_object_get(j, "answers"), 0), "timeliness"),
                        cases[i].want);
    json_decref(j);
    free(render(&f->p)); /* and the page copes with the same times */
  }
}

/* ---------------------------------------------------------------- html */

static void test_html_content(void **state) {
  fixture_t *f = *state;
  char *html = render(&f->p);
  const char *sample = getenv("PACK_VIEW_SAMPLE");
  if (sample != NULL && sample[0] != '\0') {
    FILE *out = fopen(sample, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(html, 1, strlen(html), out), strlen(html));
    assert_int_equal(fclose(out), 0);
  }

  /* Header: what, which, and that it is partial. */
  assert_non_null(strstr(html, "<title>MASH consolidated pack ENQ-000007</title>"));
  assert_non_null(strstr(html, "<h1>MASH consolidated pack</h1>"));
  assert_non_null(strstr(html, "ENQ-000007"));
  assert_non_null(strstr(html, "MASH-000042"));
  assert_non_null(strstr(html, "<strong>PARTIAL</strong>"));
  const char *banner = strstr(html, "<strong>PARTIAL</strong>");
  const char *banner_end = strstr(banner, "</div>");
  const char *listed = strstr(banner, "<strong>housing</strong>");
  assert_true(listed != NULL && listed < banner_end);
  assert_non_null(strstr(html, "rag rag-red\">RED</span>"));
  assert_non_null(strstr(html, "4 asked: 2 on time, "));

  /* Children and household, with ages at the pack's issue. */
  assert_non_null(strstr(html, "Maya <strong>Hartley</strong>"));
  assert_non_null(strstr(html, "Leo <strong>Hartley</strong>"));
  assert_non_null(strstr(html, "2019-03-01 <span class=\"muted\">(7 y)</span>"));
  assert_non_null(strstr(html, "2024-07-15 <span class=\"muted\">(2 y)</span>"));
  assert_non_null(strstr(html, "NHS 943 476 5919"));
  assert_non_null(strstr(html, "Flat 3, 12 Canal Street, Exampleton, EX1 2AB"));
  assert_non_null(strstr(html, "<h2>Other children in the household</h2>"));
  assert_non_null(strstr(html, "is <em>step-parent</em> of"));

  /* The notification and its DASH: topics in checklist order, the count,
   * the grades and the raised warning. */
  assert_non_null(strstr(html, "PPN-2026-000123"));
  assert_non_null(strstr(html, "INC-2026-11-0042"));
  assert_non_null(strstr(html, "PC 4411 Sam Okafor"));
  assert_non_null(strstr(html, "<strong>domestic abuse</strong>"));
  assert_non_null(strstr(html, "<strong class=\"dash-count\">18 of 27</strong>"));
  const char *prev = strstr(html, "<table class=\"dash\">");
  assert_non_null(prev);
  const char *topics[] = {"Injury now", "Separated within the year",
                          "Strangling/choking/suffocating/drowning", "Criminal history"};
  for (size_t i = 0; i < 4; i++) {
    assert_non_null(strstr(prev, topics[i]));
  }
  assert_non_null(strstr(html, "<td class=\"num\">27</td><td>Criminal history</td>"
                               "<td class=\"yes\">yes</td>"));
  assert_non_null(strstr(html, "<td class=\"num\">11</td><td>Abuser has hurt the children</td>"
                               "<td>not known</td>"));
  assert_int_equal(count_of(html, "<td class=\"yes\">"), 18);
  assert_non_null(strstr(html, "visible high risk"));
  assert_non_null(strstr(html, "Grade raised: the officer's grade (medium) was below the "
                               "checklist's (high)"));
  assert_non_null(strstr(html, "<dt>Final grade</dt><dd><strong>high</strong>"));
  assert_non_null(strstr(html, "<li class=\"warn\">grade_below_checklist</li>"));

  /* Consent. */
  assert_non_null(strstr(html, "<strong>not sought</strong>"));
  assert_non_null(strstr(html, "Safeguarding of children (DPA 2018 Sch. 1 Pt 2 para 18)"));
  assert_non_null(strstr(html, "Seeking consent would place the children at risk"));

  /* One section per agency. */
  const char *police = agency_section(html, "police");
  assert_true(in_section(police, "answered on time"));
  assert_true(in_section(police, "Two previous call-outs to the flat this year"));
  assert_true(in_section(police, "<strong>Summary:</strong> Escalating pattern of abuse."));
  assert_true(in_section(police, "05:30 UTC"));
  assert_false(in_section(police, "NOT ANSWERED"));
  /* The free-text responder never stands alone: the agency the broker
   * authenticated is shown beside it (issue 13). */
  assert_true(in_section(police, "<dt>Answered by</dt><dd>police <span class=\"auth\">"
                                 "(authenticated by the agency's key)</span>; responder, as the "
                                 "agency wrote it: &ldquo;DS 301 Priya Nair&rdquo;</dd>"));
  const char *health = agency_section(html, "health");
  assert_true(in_section(health, "answered LATE"));
  assert_true(in_section(health, "LATE by 1 h 15 min"));
  assert_true(in_section(health, "Mother attended A&amp;E with facial injury"));
  const char *education = agency_section(html, "education");
  assert_true(in_section(education, "No information held"));
  assert_false(in_section(education, "LATE"));
  const char *housing = agency_section(html, "housing");
  assert_true(in_section(housing, "<p class=\"notanswered\">NOT ANSWERED</p>"));
  assert_true(in_section(housing, "overdue by 2 h 00 min"));
  assert_int_equal(count_of(html, "<p class=\"notanswered\">"), 1);

  /* Escalations and prior contacts. */
  assert_non_null(strstr(html, "<h2>Escalations</h2>"));
  assert_non_null(strstr(html, "housing duty lead, hub team manager"));
  assert_non_null(strstr(html, "<td>2</td><td>deadline</td>"));
  assert_non_null(strstr(html, "<td>1</td><td>reminder</td>"));
  assert_non_null(strstr(html, "MASH-000017"));
  assert_non_null(strstr(html, "<h2>Prior contacts in the last 12 months</h2>"));

  /* Print-friendly, styles inline. */
  assert_non_null(strstr(html, "@media print"));
  assert_int_equal(count_of(html, "<style>"), 1);
  free(html);
}

/* The household's other children, the prior contacts of the last twelve
 * months, the domestic-abuse count and the potential-escalation banner. */
static void test_html_household_prior_escalation(void **state) {
  fixture_t *f = *state;
  char *html = render(&f->p);

  /* The banner, prominent (an alert) and in the header, before the
   * children. */
  const char *banner = strstr(html, "<strong>POTENTIAL ESCALATION: 3 domestic-abuse incidents in "
                                    "12 months</strong>");
  assert_non_null(banner);
  assert_non_null(strstr(html, "<div class=\"banner escalation\" role=\"alert\">"));
  assert_true(banner < strstr(html, "</header>"));
  assert_non_null(strstr(html, "<dt>Domestic abuse, 12 months</dt><dd><span class=\"warn\">3"));

  /* Each other child: person record, name (escaped), date of birth with
   * age. */
  const char *household = strstr(html, "<h2>Other children in the household</h2>");
  assert_non_null(household);
  const char *end = strstr(household, "</table>");
  assert_non_null(end);
  const char *ella = strstr(household, "<tr><td>P-000012</td><td>Ella <strong>Hartley</strong>"
                                       "</td><td>2014-06-20 <span class=\"muted\">(12 y)</span>");
  assert_true(ella != NULL && ella < end);
  const char *sam = strstr(household, "<td>P-000013</td><td>Sam <strong>Price &lt;b&gt;</strong>");
  assert_true(sam != NULL && sam < end);
  assert_null(strstr(html, "Price <b>"));
  assert_non_null(strstr(household, "2025-02-02 <span class=\"muted\">(21 m)</span>"));

  /* The prior contacts: id, date, source, category, and whom (by name when
   * the pack holds the person). */
  const char *prior = strstr(html, "<h2>Prior contacts in the last 12 months</h2>");
  assert_non_null(prior);
  assert_non_null(strstr(prior, "incidents in the 12 months up to this contact: <strong>3</strong>"
                                " <span class=\"warn\">(potential escalation)</span>"));
  assert_non_null(strstr(prior, "<tr><td>MASH-000017</td><td><time>2026-05-07 02:10 UTC</time>"
                                "</td><td>police</td><td>domestic abuse</td><td>Maya"));
  assert_non_null(strstr(prior, "<tr><td>MASH-000031</td><td><time>2026-10-24 02:10 UTC</time>"
                                "</td><td>education</td><td>neglect</td><td>Ella <strong>Hartley"
                                "</strong> <span class=\"muted\">(P-000012)</span>"));

  /* The person records of the notification's people, the possible match
   * flagged for review. */
  assert_non_null(strstr(html, "<th>Person record</th>"));
  assert_non_null(strstr(html, "P-000001 <span class=\"muted\">(identifier)</span>"));
  assert_non_null(strstr(html, "P-000009 <span class=\"muted\">(possible)</span><br><span "
                               "class=\"warn\">possible match M-000004: may be P-000005 "
                               "(confidence 0.80, dob+surname+postcode), to review</span>"));
  free(html);

  /* Without the flag: the count, no banner; without a household or prior
   * contacts: said so. */
  f->p.potential_escalation = 0;
  f->p.domestic_abuse_12m = 1;
  f->p.n_household = 0;
  f->p.n_prior_contacts = 0;
  f->c.n_persons = 0;
  html = render(&f->p);
  assert_null(strstr(html, "POTENTIAL ESCALATION"));
  assert_null(strstr(html, "potential escalation"));
  assert_non_null(strstr(html, "<dt>Domestic abuse, 12 months</dt><dd>1</dd>"));
  assert_non_null(strstr(html, "No other children of the household are known."));
  assert_non_null(strstr(html, "No earlier contact about these children or their household."));
  assert_null(strstr(html, "<th>Person record</th>"));
  free(html);
}

static void test_html_escapes_hostile_text(void **state) {
  fixture_t *f = *state;
  Mash__V1__Notification *n = mutable_notification(f);
  n->concern = HOSTILE_CONCERN;
  f->p.enquiry_id = "ENQ-<b>7</b>";
  f->responses[0].summary = "a\x01"
                            "b\x1b[2Jc\x7f"
                            "d\xc2\x9b"
                            "e\xff\xfe"
                            "f\xed\xa0\x80"
                            "g\xef\xbf\xbe"
                            "h\xe2\x82";
  f->missing[0] = "hous'ing\"";
  f->answers[3].agency = "hous'ing\"";
  n->children[0]->given_name = "Ma\r\nya";

  char *html = render(&f->p);
  assert_non_null(strstr(html, "Neighbour said &lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                               "&quot;left&quot; at &#39;once&#39;"));
  assert_null(strstr(html, "alert(1)</script>"));
  assert_null(strstr(html, "<b>7</b>"));
  assert_non_null(strstr(html, "ENQ-&lt;b&gt;7&lt;/b&gt;"));
  assert_non_null(strstr(html, "<strong>hous&#39;ing&quot;</strong>"));
  /* Controls, invalid and truncated sequences, surrogates and
   * non-characters all become U+FFFD; CR LF becomes one new line. */
  assert_non_null(strstr(html, "a\xef\xbf\xbd"
                               "b\xef\xbf\xbd[2Jc\xef\xbf\xbd"
                               "d\xef\xbf\xbd"
                               "e\xef\xbf\xbd\xef\xbf\xbd"
                               "f\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                               "g\xef\xbf\xbd"
                               "h\xef\xbf\xbd\xef\xbf\xbd</p>"));
  assert_non_null(strstr(html, "Ma\nya <strong>Hartley</strong>"));

  /* The JSON view carries the same text as data, escaped by JSON. */
  json_t *j = pack_view_json(&f->p);
  assert_non_null(j);
  json_t *jn = json_object_get(json_object_get(j, "contact"), "notification");
  assert_string_equal(jstr(jn, "concern"), HOSTILE_CONCERN);
  json_decref(j);
  free(html);
}

static void test_html_complete_pack(void **state) {
  fixture_t *f = *state;
  /* Housing answered late after all: a re-issued, complete pack. */
  Mash__V1__EnquiryResponse late;
  mash__v1__enquiry_response__init(&late);
  late.summary = "Tenancy in mother's name; arrears £412.";
  f->answers[3].answered_at_ms = ISSUED_MS + 30 * MIN_MS;
  f->answers[3].response = &late;
  f->p.partial = 0;
  f->p.n_missing_agencies = 0;
  f->p.version = 2;

  char *html = render(&f->p);
  assert_null(strstr(html, "PARTIAL"));
  assert_null(strstr(html, "NOT ANSWERED"));
  assert_non_null(strstr(html, "re-issued: supersedes version 1"));
  const char *housing = agency_section(html, "housing");
  assert_true(in_section(housing, "LATE by 2 h 30 min"));
  assert_true(in_section(housing, "mother&#39;s name; arrears £412."));
  free(html);
}

static void test_html_missing_agency_without_answer(void **state) {
  fixture_t *f = *state;
  /* The broker may list a missing agency without an answer record. */
  f->p.n_answers = 3;
  const char *missing[2] = {"housing", "probation"};
  f->p.missing_agencies = (char **)missing;
  f->p.n_missing_agencies = 2;
  char *html = render(&f->p);
  assert_non_null(strstr(html, "<strong>housing</strong>, <strong>probation</strong>."));
  assert_true(in_section(agency_section(html, "housing"), "NOT ANSWERED"));
  assert_true(in_section(agency_section(html, "probation"), "NOT ANSWERED"));
  assert_int_equal(count_of(html, "<p class=\"notanswered\">"), 2);
  assert_non_null(strstr(html, "5 asked: 2 on time, "));
  free(html);
}

/* ---------------------------------------------------------------- hostile shapes */

/* Both views of p succeed and the page passes render()'s checks. */
static void views_survive(const Mash__V1__ConsolidatedPack *p) {
  json_t *j = pack_view_json(p);
  assert_non_null(j);
  char *text = json_dumps(j, JSON_COMPACT);
  assert_non_null(text);
  free(text);
  json_decref(j);
  free(render(p));
}

static void test_hostile_null_contact(void **state) {
  fixture_t *f = *state;
  f->p.contact = NULL;
  views_survive(&f->p);
  json_t *j = pack_view_json(&f->p);
  assert_true(json_is_null(json_object_get(j, "contact")));
  json_decref(j);
  char *html = render(&f->p);
  assert_non_null(strstr(html, "The contact is missing from this pack."));
  assert_non_null(strstr(html, "No child is named in the notification."));
  free(html);
}

static void test_hostile_null_notification(void **state) {
  fixture_t *f = *state;
  f->c.notification = NULL;
  views_survive(&f->p);
  f->c.dash = NULL;
  f->c.n_quality_flags = 0;
  views_survive(&f->p);
}

static void test_hostile_null_response(void **state) {
  fixture_t *f = *state;
  for (size_t i = 0; i < 3; i++) {
    f->answers[i].response = NULL;
  }
  views_survive(&f->p);
  json_t *j = pack_view_json(&f->p);
  json_t *a = json_array_get(json_object_get(j, "answers"), 0);
  assert_string_equal(jstr(a, "timeliness"), "on_time");
  assert_true(json_is_null(json_object_get(a, "summary")));
  assert_int_equal(json_array_size(json_object_get(a, "findings")), 0);
  json_decref(j);
  char *html = render(&f->p);
  assert_non_null(strstr(html, "The answer's content is missing from this pack."));
  free(html);
}

static void test_hostile_zero_answers(void **state) {
  fixture_t *f = *state;
  f->p.n_answers = 0;
  f->p.answers = NULL;
  f->p.n_missing_agencies = 0;
  f->p.n_escalations = 0;
  f->p.n_household = 0;
  f->p.n_prior_contacts = 0;
  views_survive(&f->p);
  char *html = render(&f->p);
  assert_non_null(strstr(html, "No agency was asked."));
  assert_non_null(strstr(html, "<strong>PARTIAL</strong>: issued before every agency answered."
                               "</div>"));
  free(html);
}

static void test_hostile_null_entries(void **state) {
  fixture_t *f = *state;
  /* NULL pointers inside repeated fields, and empty sub-messages. */
  f->answer_ptrs[1] = NULL;
  f->escalation_ptrs[0] = NULL;
  f->household[1] = NULL;
  f->prior_ptrs[0] = NULL;
  f->police_findings[0] = NULL;
  f->missing[0] = NULL;
  f->p.consent = NULL;
  f->parties[1][0] = NULL;
  views_survive(&f->p);
  char *html = render(&f->p);
  assert_non_null(strstr(html, "Consent was not recorded for this enquiry."));
  free(html);

  Mash__V1__ConsolidatedPack empty;
  mash__v1__consolidated_pack__init(&empty);
  views_survive(&empty);
  empty.enquiry_id = NULL;
  empty.contact_id = NULL;
  empty.screened_by = NULL;
  views_survive(&empty);
}

static void test_hostile_values(void **state) {
  fixture_t *f = *state;
  /* Enum values outside the schema, absurd times and an over-long DASH. */
  f->p.rag = (Mash__V1__Rag)99;
  f->consent.status = (Mash__V1__ConsentStatus)-1;
  f->consent.lawful_basis = (Mash__V1__LawfulBasis)42;
  f->p.issued_at_ms = INT64_MIN;
  f->p.version = UINT32_MAX;
  f->c.received_at_ms = INT64_MAX;
  f->escalations[0].at_ms = -1;
  f->escalations[0].level = UINT32_MAX;
  f->prior[0].concern_category = (Mash__V1__ConcernCategory)1000;
  Mash__V1__Notification *n = mutable_notification(f);
  n->children[0]->date_of_birth = "2019-13-99";
  n->children[1]->date_of_birth = "9999-12-31";
  n->children[0]->sex = (Mash__V1__Sex)77;
  n->concern_category = (Mash__V1__ConcernCategory)-5;

  Mash__V1__DashAnswer answers[31];
  for (size_t i = 0; i < 31; i++) {
    answers[i] = (Mash__V1__DashAnswer)(i % 5);
  }
  n->police->dash_answers = answers;
  n->police->n_dash_answers = 31;
  views_survive(&f->p);
  char *html = render(&f->p);
  assert_non_null(strstr(html, "rag rag-unspecified\">UNSPECIFIED</span>"));
  assert_non_null(strstr(html, "<td class=\"num\">31</td>"));
  free(html);

  n->police->n_dash_answers = 0; /* no DASH on a domestic abuse notification */
  f->c.dash = NULL;
  html = render(&f->p);
  assert_non_null(strstr(html, "No DASH was completed for this domestic abuse notification."));
  free(html);
}

static void test_other_agency_details(void **state) {
  fixture_t *f = *state;
  /* The page shows whichever agency's detail the notification carries. */
  Mash__V1__Notification *n = mutable_notification(f);
  Mash__V1__HousingDetail housing;
  mash__v1__housing_detail__init(&housing);
  housing.kind = MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_ARREARS;
  housing.tenancy_reference = "T-99";
  housing.arrears_pence = -41205;
  n->detail_case = MASH__V1__NOTIFICATION__DETAIL_HOUSING;
  n->housing = &housing;
  char *html = render(&f->p);
  assert_non_null(strstr(html, "-&#163;412.05"));
  assert_null(strstr(html, "DASH"));
  free(html);
  housing.arrears_pence = INT64_MIN;
  free(render(&f->p));

  Mash__V1__EducationDetail education;
  mash__v1__education_detail__init(&education);
  education.kind = MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_ATTENDANCE_DROP;
  education.attendance_percent = 71;
  education.unauthorised_sessions = 12;
  n->detail_case = MASH__V1__NOTIFICATION__DETAIL_EDUCATION;
  n->education = &education;
  html = render(&f->p);
  assert_non_null(strstr(html, "71%, 12 unauthorised sessions"));
  assert_non_null(strstr(html, "attendance drop"));
  free(html);

  Mash__V1__HealthDetail health;
  mash__v1__health_detail__init(&health);
  health.kind = MASH__V1__HEALTH_EVENT_KIND__HEALTH_EVENT_KIND_UNSCHEDULED_CARE;
  health.setting = "A&E, Exampleton General";
  n->detail_case = MASH__V1__NOTIFICATION__DETAIL_HEALTH;
  n->health = &health;
  html = render(&f->p);
  assert_non_null(strstr(html, "unscheduled care"));
  assert_non_null(strstr(html, "A&amp;E, Exampleton General"));
  free(html);

  n->detail_case = (Mash__V1__Notification__DetailCase)12345;
  free(render(&f->p));
}

static void test_bad_arguments(void **state) {
  fixture_t *f = *state;
  assert_null(pack_view_json(NULL));
  char *out = (char *)"untouched";
  size_t len = 99;
  assert_int_equal(pack_view_html(NULL, &out, &len), -EINVAL);
  assert_null(out);
  assert_int_equal(len, 0);
  assert_int_equal(pack_view_html(&f->p, NULL, &len), -EINVAL);
  assert_int_equal(pack_view_html(&f->p, &out, NULL), 0);
  assert_non_null(out);
  free(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_json_fields, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_json_timeliness_edges, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_html_content, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_html_household_prior_escalation, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_html_escapes_hostile_text, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_html_complete_pack, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_html_missing_agency_without_answer, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_hostile_null_contact, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_hostile_null_notification, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_hostile_null_response, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_hostile_zero_answers, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_hostile_null_entries, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_hostile_values, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_other_agency_details, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_bad_arguments, s_setup, s_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
