/* fuzz_records: an agency's records file (agents/agency/records.c) on
 * arbitrary text, and the answer to an enquiry from what loaded.
 *
 * The input is the whole file, parsed as records_load would after reading
 * it. When it loads, a fixed enquiry request (subjects by NHS number, UPN, PNC
 * id, local id, and by name and date of birth alone, as in the example
 * records) is answered from it. Properties checked besides the sanitizers: a
 * refused file has a NUL-terminated, non-empty reason; an answer is a response
 * to that request from that responder which the codec accepts and which fits
 * in a frame, because the adapter sends it as it is.
 * Must not: keep state between inputs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fuzz_util.h"
#include "records.h"

static Mash__V1__Identifier s_ids[5];
static Mash__V1__Identifier *s_id_ptrs[5];
static Mash__V1__Person s_people[4];
static Mash__V1__Person *s_people_ptrs[4];
static Mash__V1__EnquiryRequest s_req;

static void s_person(size_t i, const char *given, const char *family, const char *dob,
                     size_t first_id, size_t n_ids) {
  mash__v1__person__init(&s_people[i]);
  s_people[i].ref = i == 0 ? "c1" : i == 1 ? "c2" : i == 2 ? "a1" : "a2";
  s_people[i].given_name = (char *)given;
  s_people[i].family_name = (char *)family;
  s_people[i].date_of_birth = (char *)dob;
  s_people[i].n_identifiers = n_ids;
  s_people[i].identifiers = n_ids ? &s_id_ptrs[first_id] : NULL;
  s_people_ptrs[i] = &s_people[i];
}

static void s_id(size_t i, Mash__V1__IdentifierKind kind, const char *value, const char *issuer) {
  mash__v1__identifier__init(&s_ids[i]);
  s_ids[i].kind = kind;
  s_ids[i].value = (char *)value;
  s_ids[i].issuer = (char *)issuer;
  s_id_ptrs[i] = &s_ids[i];
}

static const Mash__V1__EnquiryRequest *s_request(void) {
  if (s_req.request_id) {
    return &s_req;
  }
  s_id(0, MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER, "9434765919", "");
  s_id(1, MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID, "EMIS-551903", "health");
  s_id(2, MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN, "U820200123045", "");
  s_id(3, MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID, "98/1234567X", "");
  s_id(4, MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID, "HSG-1001", "housing");
  s_person(0, "Maya", "Hartley", "2019-03-01", 0, 2);
  s_person(1, "Leo", "Hartley", "2024-07-15", 0, 0);
  s_person(2, "Dean", "Hartley", "1990-05-17", 3, 1);
  s_person(3, "Ruby", "Hartley", "2016-02-11", 2, 1);
  mash__v1__enquiry_request__init(&s_req);
  s_req.request_id = "REQ-000001";
  s_req.enquiry_id = "ENQ-000001";
  s_req.contact_id = "MASH-000001";
  s_req.rag = MASH__V1__RAG__RAG_RED;
  s_req.n_subjects = 4;
  s_req.subjects = s_people_ptrs;
  return &s_req;
}

static void s_answer(const records_t *r, const char *responder) {
  const Mash__V1__EnquiryRequest *req = s_request();
  Mash__V1__EnquiryResponse *resp = records_answer(r, req, responder);
  fuzz_check(resp != NULL, "records_answer answers");
  fuzz_check(strcmp(resp->request_id, req->request_id) == 0, "the answer names the request");
  fuzz_check(strcmp(resp->responder, responder) == 0, "the answer names the responder");
  fuzz_check(!resp->no_information_held || resp->n_findings == 0,
             "no findings when no information is held");
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  mash_envelope_init(&env, "fuzz-message-1", 1796083200000LL);
  env.body_case = MASH__V1__ENVELOPE__BODY_ENQUIRY_RESPONSE;
  env.enquiry_response = resp;
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  fuzz_check(mash_codec_validate_envelope(&env, &errs) == 0, "the codec accepts the answer");
  uint8_t *frame = NULL;
  size_t len = 0;
  fuzz_check(mash_codec_encode(&env, &frame, &len) == 0, "the answer fits in a frame");
  free(frame);
  records_response_free(resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  memset(err, 'x', sizeof err);
  records_t *r = records_parse("records.json", (const char *)data, size, err, sizeof err);
  if (!r) {
    fuzz_check(memchr(err, '\0', sizeof err) != NULL && err[0] != '\0',
               "a refused file has a reason");
    return 0;
  }
  (void)records_count(r);
  s_answer(r, "health");
  s_answer(r, "housing");
  records_destroy(&r);
  fuzz_check(r == NULL, "records_destroy nulls the pointer");
  return 0;
}
