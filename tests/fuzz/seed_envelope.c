/* seed_envelope: writes the binary seed corpus of fuzz_envelope, one frame
 * per kind of envelope body, built from the example files of the tree.
 *
 *   fuzz_seed_envelope SOURCE_DIR OUT_DIR
 *
 * Notifications come from the police and agency examples, screening, outcome
 * and match decisions from hub command texts, an enquiry response from the
 * health records example; the contact, enquiry request, pack, escalation,
 * receipt, heartbeat and error are put together here around the police
 * notification. Each frame is written as OUT_DIR/NAME.pb and reported with
 * the codec's verdict (a seed need not be valid; most are). Run by hand when
 * the wire format changes; not part of any test. Must not: depend on
 * anything but the example files and the codec.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency_file.h"
#include "agency_json.h"
#include "codec.h"
#include "hub_command.h"
#include "police_json.h"
#include "records.h"

static const char *s_out;
static int s_failed;

static void s_write(const char *name, Mash__V1__Envelope *env) {
  char path[1024];
  uint8_t *frame = NULL;
  size_t len = 0;
  mash_envelope_init(env, "5f0c7a52-8d1e-4c8b-9a57-3e1f2b6c9d10", 1796119200000LL);
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  int valid = mash_codec_validate_envelope(env, &errs) == 0;
  if (mash_codec_encode(env, &frame, &len) != 0) {
    fprintf(stderr, "seed_envelope: %s does not encode\n", name);
    s_failed = 1;
    return;
  }
  snprintf(path, sizeof path, "%s/%s.pb", s_out, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(frame, 1, len, f) != len || fclose(f) != 0) {
    fprintf(stderr, "seed_envelope: %s: %s\n", path, strerror(errno));
    s_failed = 1;
  }
  printf("%-28s %6zu bytes  %s%s%s\n", name, len,
         valid ? "valid" : "invalid: ", valid ? "" : errs.items[0].field,
         valid ? "" : errs.items[0].message);
  free(frame);
}

static char *s_read(const char *src, const char *rel, size_t *len) {
  char path[1024];
  char *text = NULL;
  snprintf(path, sizeof path, "%s/%s", src, rel);
  if (agency_read_file(path, 1u << 20, false, &text, len) != 0) {
    fprintf(stderr, "seed_envelope: cannot read %s\n", path);
    exit(1);
  }
  return text;
}

static Mash__V1__Notification *s_notification(const char *src, const char *agency,
                                              const char *rel) {
  size_t len;
  char *text = s_read(src, rel, &len);
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Notification *n = strcmp(agency, "police") == 0
                                  ? police_json_parse(text, len, &errs)
                                  : agency_json_parse(agency, text, len, &errs);
  free(text);
  if (!n) {
    fprintf(stderr, "seed_envelope: %s: %s: %s\n", rel, errs.items[0].field, errs.items[0].message);
    exit(1);
  }
  return n;
}

static void s_command(const char *name, const char *text) {
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  hub_command_t *c = hub_command_parse(text, strlen(text), &errs);
  if (!c) {
    fprintf(stderr, "seed_envelope: command %s: %s\n", name, errs.items[0].message);
    exit(1);
  }
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  hub_command_to_envelope(c, &env);
  s_write(name, &env);
  hub_command_destroy(&c);
}

int main(int argc, char **argv) {
  if (argc != 3 || strcmp(argv[1], "--help") == 0) {
    fprintf(argc == 2 ? stdout : stderr, "usage: fuzz_seed_envelope SOURCE_DIR OUT_DIR\n");
    return argc == 2 ? 0 : 2;
  }
  const char *src = argv[1];
  s_out = argv[2];
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;

  static const struct {
    const char *name, *agency, *file;
  } notes[] = {
      {"notification-police", "police", "agents/police/examples/dash-high.json"},
      {"notification-police-info", "police", "agents/police/examples/info-only.json"},
      {"notification-health", "health", "agents/agency/examples/health-notification.json"},
      {"notification-education", "education", "agents/agency/examples/education-notification.json"},
      {"notification-housing", "housing", "agents/agency/examples/housing-notification.json"},
  };
  Mash__V1__Notification *police = NULL;
  for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
    Mash__V1__Notification *n = s_notification(src, notes[i].agency, notes[i].file);
    env.body_case = MASH__V1__ENVELOPE__BODY_NOTIFICATION;
    env.notification = n;
    s_write(notes[i].name, &env);
    if (i == 0) {
      police = n;
    } else {
      strcmp(notes[i].agency, "police") == 0 ? police_json_free(n) : agency_json_free(n);
    }
  }

  s_command("screening",
            "{\"type\": \"screening\", \"contact_id\": \"MASH-000001\", \"rag\": \"red\","
            " \"agencies\": [\"police\", \"health\", \"education\", \"housing\"],"
            " \"consent\": {\"status\": \"not_sought\", \"reason\": \"risk to the children\","
            " \"lawful_basis\": \"safeguarding\"}, \"screened_by\": \"J Smith\","
            " \"rationale\": \"DASH high risk\"}");
  s_command("outcome", "{\"type\": \"outcome\", \"contact_id\": \"MASH-000001\", \"outcome\":"
                       " \"strategy_discussion\", \"decided_by\": \"J Smith\", \"rationale\":"
                       " \"significant harm\"}");
  s_command("match", "{\"type\": \"match\", \"match_id\": \"M-000001\", \"decision\": \"confirm\","
                     " \"decided_by\": \"J Smith\", \"rationale\": \"same child\"}");

  /* The contact the desk receives, around the police notification. */
  Mash__V1__DashScore dash = MASH__V1__DASH_SCORE__INIT;
  dash.present = dash.complete = 1;
  dash.yes_count = 15;
  dash.checklist_grade = dash.final_grade = MASH__V1__RISK_GRADE__RISK_GRADE_HIGH;
  Mash__V1__PersonLink link = MASH__V1__PERSON_LINK__INIT, *links[] = {&link};
  link.ref = police->children[0]->ref;
  link.person_id = "P-000001";
  link.decision = "possible";
  link.confidence_permille = 930;
  link.why = "dob+surname+postcode";
  link.candidate_person_id = "P-000007";
  link.match_id = "M-000001";
  char *flags[] = {"dash_grade_raised"}, *reasons[] = {"dash_high", "children_present"};
  Mash__V1__Contact contact = MASH__V1__CONTACT__INIT;
  contact.contact_id = "MASH-000001";
  contact.source_principal = "police";
  contact.received_at_ms = 1796119200000LL;
  contact.notification = police;
  contact.dash = &dash;
  contact.n_quality_flags = 1;
  contact.quality_flags = flags;
  contact.screening_due_at_ms = 1796133600000LL;
  contact.priority = 90;
  contact.n_priority_reasons = 2;
  contact.priority_reasons = reasons;
  contact.n_persons = 1;
  contact.persons = links;
  contact.prior_contacts_12m = 2;
  contact.domestic_abuse_12m = 1;
  env.body_case = MASH__V1__ENVELOPE__BODY_CONTACT;
  env.contact = &contact;
  s_write("contact", &env);

  Mash__V1__ConsentRecord consent = MASH__V1__CONSENT_RECORD__INIT;
  consent.status = MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT;
  consent.reason = "risk to the children";
  consent.lawful_basis = MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18;
  consent.recorded_by = "J Smith";
  Mash__V1__EnquiryRequest req = MASH__V1__ENQUIRY_REQUEST__INIT;
  req.request_id = "REQ-000001";
  req.enquiry_id = "ENQ-000001";
  req.contact_id = "MASH-000001";
  req.rag = MASH__V1__RAG__RAG_RED;
  req.requested_at_ms = 1796119200000LL;
  req.due_at_ms = 1796133600000LL;
  req.n_subjects = police->n_children;
  req.subjects = police->children;
  req.question = "What do you hold about these children?";
  req.consent = &consent;
  env.body_case = MASH__V1__ENVELOPE__BODY_ENQUIRY_REQUEST;
  env.enquiry_request = &req;
  s_write("enquiry-request", &env);

  char err[512];
  size_t len;
  char *text = s_read(src, "agents/agency/examples/health-records.json", &len);
  records_t *records = records_parse("health-records.json", text, len, err, sizeof err);
  free(text);
  if (!records) {
    fprintf(stderr, "seed_envelope: %s\n", err);
    return 1;
  }
  Mash__V1__EnquiryResponse *resp = records_answer(records, &req, "health");
  env.body_case = MASH__V1__ENVELOPE__BODY_ENQUIRY_RESPONSE;
  env.enquiry_response = resp;
  s_write("enquiry-response", &env);

  char *parties[] = {"agency_duty_lead", "hub_team_manager"};
  Mash__V1__EscalationEvent esc = MASH__V1__ESCALATION_EVENT__INIT, *escs[] = {&esc};
  esc.escalation_id = "ESC-000001";
  esc.enquiry_id = "ENQ-000001";
  esc.request_id = "REQ-000002";
  esc.contact_id = "MASH-000001";
  esc.agency = "education";
  esc.level = 2;
  esc.step = "overdue";
  esc.n_parties = 2;
  esc.parties = parties;
  esc.due_at_ms = 1796133600000LL;
  esc.at_ms = 1796133601000LL;
  esc.rag = MASH__V1__RAG__RAG_RED;
  env.body_case = MASH__V1__ENVELOPE__BODY_ESCALATION;
  env.escalation = &esc;
  s_write("escalation", &env);

  Mash__V1__AgencyAnswer answer = MASH__V1__AGENCY_ANSWER__INIT, *answers[] = {&answer};
  answer.agency = "health";
  answer.request_id = "REQ-000001";
  answer.requested_at_ms = 1796119200000LL;
  answer.due_at_ms = 1796133600000LL;
  answer.answered_at_ms = 1796126400000LL;
  answer.response = resp;
  Mash__V1__PriorContact prior = MASH__V1__PRIOR_CONTACT__INIT, *priors[] = {&prior};
  prior.contact_id = "MASH-000000";
  prior.source_principal = "education";
  prior.received_at_ms = 1790000000000LL;
  prior.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT;
  prior.person_ref = police->children[0]->ref;
  char *missing[] = {"education"};
  Mash__V1__ConsolidatedPack pack = MASH__V1__CONSOLIDATED_PACK__INIT;
  pack.enquiry_id = "ENQ-000001";
  pack.contact_id = "MASH-000001";
  pack.version = 1;
  pack.partial = 1;
  pack.issued_at_ms = 1796140800000LL;
  pack.contact = &contact;
  pack.rag = MASH__V1__RAG__RAG_RED;
  pack.consent = &consent;
  pack.n_answers = 1;
  pack.answers = answers;
  pack.n_missing_agencies = 1;
  pack.missing_agencies = missing;
  pack.n_escalations = 1;
  pack.escalations = escs;
  pack.n_household = police->n_adults;
  pack.household = police->adults;
  pack.n_prior_contacts = 1;
  pack.prior_contacts = priors;
  pack.screened_by = "J Smith";
  pack.domestic_abuse_12m = 3;
  pack.potential_escalation = 1;
  env.body_case = MASH__V1__ENVELOPE__BODY_PACK;
  env.pack = &pack;
  s_write("pack", &env);

  Mash__V1__FieldError fe = MASH__V1__FIELD_ERROR__INIT, *fes[] = {&fe};
  fe.field = "notification.children[0].date_of_birth";
  fe.message = "is in the future";
  Mash__V1__Receipt receipt = MASH__V1__RECEIPT__INIT;
  receipt.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED;
  receipt.n_errors = 1;
  receipt.errors = fes;
  env.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
  env.receipt = &receipt;
  env.correlation_id = "0b6f3d1e-2a4c-4e8f-b1d2-7c9a5e3f1a20";
  s_write("receipt-rejected", &env);
  receipt.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED;
  receipt.n_errors = 0;
  receipt.contact_id = "MASH-000001";
  receipt.enquiry_id = "ENQ-000001";
  s_write("receipt-accepted", &env);
  Mash__V1__Error error = MASH__V1__ERROR__INIT;
  error.code = MASH__V1__ERROR_CODE__ERROR_CODE_FORBIDDEN;
  error.message = "not addressed to you";
  env.body_case = MASH__V1__ENVELOPE__BODY_ERROR;
  env.error = &error;
  s_write("error", &env);
  env.correlation_id = (char *)protobuf_c_empty_string;
  Mash__V1__Heartbeat hb = MASH__V1__HEARTBEAT__INIT;
  hb.agent = "mash-police 0.1";
  env.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
  env.heartbeat = &hb;
  s_write("heartbeat", &env);

  records_response_free(resp);
  records_destroy(&records);
  police_json_free(police);
  return s_failed;
}
