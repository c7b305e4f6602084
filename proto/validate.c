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
  mash_vld_check_text(errs, PATH_FIELD(at, "instance"), hb->instance, MASH_MAX_ID_LEN, 0);
}

void mash_vld_error(mash_errors_t *errs, const mash_vld_path_t *at, const void *body, long today) {
  (void)today;
  const Mash__V1__Error *e = body;
  mash_vld_check_enum(errs, PATH_FIELD(at, "code"), (int)e->code,
                      MASH__V1__ERROR_CODE__ERROR_CODE_UNSPECIFIED,
                      MASH__V1__ERROR_CODE__ERROR_CODE_INTERNAL);
  mash_vld_check_text(errs, PATH_FIELD(at, "message"), e->message, MASH_MAX_LONG_TEXT, 0);
}

void mash_vld_part(mash_errors_t *errs, const mash_vld_path_t *at, const void *body, long today) {
  (void)today;
  const Mash__V1__Part *p = body;
  mash_vld_check_text(errs, PATH_FIELD(at, "whole_id"), p->whole_id, MASH_MAX_ID_LEN,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  if (p->count < 2 || p->count > MASH_MAX_PARTS) {
    mash_vld_fail(errs, PATH_FIELD(at, "count"), "is %u, expected 2 to %u", (unsigned)p->count,
                  MASH_MAX_PARTS);
  } else if (p->index >= p->count) {
    mash_vld_fail(errs, PATH_FIELD(at, "index"), "is %u, expected below count %u",
                  (unsigned)p->index, (unsigned)p->count);
  }
  if (p->total_bytes <= MASH_MAX_FRAME || p->total_bytes > MASH_MAX_WHOLE) {
    mash_vld_fail(errs, PATH_FIELD(at, "total_bytes"), "is %llu, expected %u to %zu",
                  (unsigned long long)p->total_bytes, MASH_MAX_FRAME + 1u, MASH_MAX_WHOLE);
  } else if (p->index < p->count &&
             (p->offset != (uint64_t)p->index * MASH_PART_DATA || p->data.len == 0 ||
              p->data.len > MASH_PART_DATA || p->offset > p->total_bytes - p->data.len ||
              (p->index + 1u < p->count && p->data.len != MASH_PART_DATA) ||
              (p->index + 1u == p->count && p->offset + p->data.len != p->total_bytes))) {
    mash_vld_fail(errs, PATH_FIELD(at, "data"),
                  "holds %zu bytes at offset %llu: not within the %llu", p->data.len,
                  (unsigned long long)p->offset, (unsigned long long)p->total_bytes);
  }
}

void mash_vld_adapter_rejection(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                                long today) {
  (void)today;
  const Mash__V1__AdapterRejection *a = body;
  mash_vld_check_text(errs, PATH_FIELD(at, "reference"), a->reference, MASH_MAX_SHORT_TEXT,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  mash_vld_check_text(errs, PATH_FIELD(at, "reason"), a->reason, MASH_MAX_ID_LEN,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  mash_vld_check_time(errs, PATH_FIELD(at, "rejected_at_ms"), a->rejected_at_ms);
  if (!mash_vld_check_count(errs, PATH_FIELD(at, "fields"), a->n_fields, a->fields,
                            MASH_MAX_REJECTION_FIELDS)) {
    return;
  }
  for (size_t i = 0; i < a->n_fields; i++) {
    /* Field paths only ("children[0].dob", "$"): never a value. */
    mash_vld_check_text(errs, PATH_ITEM(at, "fields", i), a->fields[i], MAX_RECEIPT_FIELD,
                        TEXT_REQUIRED);
    for (const char *c = a->fields[i]; c && *c; c++) {
      if (*c == ' ' || *c == '"' || *c == '\'') {
        mash_vld_fail(errs, PATH_ITEM(at, "fields", i), "is not a field path");
        break;
      }
    }
  }
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
