/* validate: check decoded mash.v1 messages against their bounds.
 *
 * Responsible for: checking every size, count, enum value and required field
 * of what came from the network, with field-level error paths
 * ("notification.children[0].date_of_birth").
 * Every count is compared with its bound before the list is walked and every
 * string length is measured with strnlen against its bound, so a hostile or
 * hand-built message can never make the validator read or loop without limit.
 * This file checks the envelope and dispatches its body to the validator the
 * message table (messages.def) names; the families live beside it:
 * validate_core.c (paths, text, dates), validate_people.c (notifications,
 * contacts), validate_enquiry.c (screening to pack).
 * Must not: do any I/O, log, allocate, or keep state (all functions are
 * thread-safe).
 */
#include "validate_int.h"

static void s_check_receipt(mash_errors_t *errs, const mash_vld_path_t *at,
                            const Mash__V1__Receipt *r) {
  mash_vld_check_enum(errs, PATH_FIELD(at, "status"), (int)r->status,
                      MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED,
                      MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED);
  mash_vld_check_text(errs, PATH_FIELD(at, "contact_id"), r->contact_id, MASH_MAX_ID_LEN,
                      TEXT_SAFE_ID);
  mash_vld_check_text(errs, PATH_FIELD(at, "enquiry_id"), r->enquiry_id, MASH_MAX_ID_LEN,
                      TEXT_SAFE_ID);
  if (!mash_vld_check_count(errs, PATH_FIELD(at, "errors"), r->n_errors, r->errors,
                            MASH_MAX_FIELD_ERRORS)) {
    return;
  }
  for (size_t i = 0; i < r->n_errors; i++) {
    const mash_vld_path_t *item = PATH_ITEM(at, "errors", i);
    const Mash__V1__FieldError *fe = r->errors[i];
    if (fe == NULL) {
      mash_vld_fail(errs, item, "is missing");
      continue;
    }
    mash_vld_check_text(errs, PATH_FIELD(item, "field"), fe->field, MAX_RECEIPT_FIELD, 0);
    mash_vld_check_text(errs, PATH_FIELD(item, "message"), fe->message, MAX_RECEIPT_MESSAGE, 0);
  }
}

void mash_vld_receipt(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                      long today) {
  (void)today;
  s_check_receipt(errs, at, body);
}

void mash_vld_heartbeat(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                        long today) {
  (void)today;
  const Mash__V1__Heartbeat *hb = body;
  mash_vld_check_text(errs, PATH_FIELD(at, "agent"), hb->agent, MASH_MAX_SHORT_TEXT, 0);
}

void mash_vld_error(mash_errors_t *errs, const mash_vld_path_t *at, const void *body, long today) {
  (void)today;
  const Mash__V1__Error *e = body;
  mash_vld_check_enum(errs, PATH_FIELD(at, "code"), (int)e->code,
                      MASH__V1__ERROR_CODE__ERROR_CODE_UNSPECIFIED,
                      MASH__V1__ERROR_CODE__ERROR_CODE_INTERNAL);
  mash_vld_check_text(errs, PATH_FIELD(at, "message"), e->message, MASH_MAX_LONG_TEXT, 0);
}

typedef void (*s_body_fn)(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                          long today);

int mash_codec_validate_envelope(const Mash__V1__Envelope *env, mash_errors_t *errs) {
  mash_errors_t scratch;
  mash_errors_t *e = mash_vld_errors_or_scratch(errs, &scratch);
  size_t before = mash_vld_error_total(e);
  if (env == NULL) {
    mash_errors_add(e, "envelope", "is missing");
    return -EINVAL;
  }
  mash_vld_check_text(e, PATH_FIELD(NULL, "message_id"), env->message_id, MASH_MAX_ID_LEN,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  mash_vld_check_text(e, PATH_FIELD(NULL, "correlation_id"), env->correlation_id, MASH_MAX_ID_LEN,
                      TEXT_SAFE_ID);
  if (env->schema_version != MASH_SCHEMA_VERSION) {
    mash_errors_add(e, "schema_version", "is %u, expected %u", (unsigned)env->schema_version,
                    MASH_SCHEMA_VERSION);
  }
  const void *body = NULL;
  const char *name = NULL;
  s_body_fn check = NULL;
  switch (env->body_case) {
  case MASH__V1__ENVELOPE__BODY__NOT_SET:
    mash_errors_add(e, "body", "is not set or of a kind this version does not know");
    break;
#define MASH_MESSAGE(field, CASE, validator, sender, who, handler, tx)                             \
  case MASH__V1__ENVELOPE__BODY_##CASE:                                                            \
    body = env->field;                                                                             \
    name = #field;                                                                                 \
    check = validator;                                                                             \
    break;
#include "messages.def"
#undef MASH_MESSAGE
  default:
    mash_errors_add(e, "body", "has unknown kind %d", (int)env->body_case);
    break;
  }
  if (name != NULL && body == NULL) {
    mash_errors_add(e, name, "is missing");
  } else if (body != NULL) {
    check(e, PATH_FIELD(NULL, name), body, mash_vld_today(mash_vld_wall_clock_ms()));
  }
  return mash_vld_error_total(e) != before ? -EINVAL : 0;
}
