/* agency_json: maps an agency's JSON notification to a mash.v1 Notification
 * with the agency's detail (HealthDetail, EducationDetail, HousingDetail).
 * The format is documented in agents/agency/README.md.
 *
 * Responsible for: the "detail" object of each agency, chosen from a table by
 * the agency's name, each problem reported with its JSON path
 * ("detail.kind"). The common fields are read by notification_json.c, shared
 * with the police format. An agency missing from the table is still served:
 * its notifications carry the common fields and no detail, so adding such an
 * agency is configuration, not code.
 * Must not: do any I/O, log, or keep state. Unknown keys are ignored. Safe
 * from any thread.
 */
#include "agency_json.h"

#include <stdlib.h>
#include <string.h>

#include "notification_json.h"

/* Upper bounds that only catch mistakes: a school year has about 380
 * sessions, and no tenancy owes a hundred million pounds. */
#define AGENCY_MAX_SESSIONS 2000
#define AGENCY_MAX_ARREARS_PENCE INT64_C(10000000000)

/* The longest agency principal. */
#define AGENCY_MAX_NAME 63u

/* ---------------------------------------------------------------- details
 *
 * Each reads the "detail" object `d` into a new detail message of `n`. */

static void s_health(njson_ctx_t *ctx, const json_t *d, Mash__V1__Notification *n) {
  Mash__V1__HealthDetail *h = malloc(sizeof *h);
  if (h == NULL) {
    njson_error(ctx, "detail", "out of memory");
    return;
  }
  mash__v1__health_detail__init(h);
  n->detail_case = MASH__V1__NOTIFICATION__DETAIL_HEALTH;
  n->health = h;
  int kind = 0;
  if (njson_get_enum(ctx, d, "kind", "detail", mash_health_kind_names, true, &kind) == 0) {
    h->kind = (Mash__V1__HealthEventKind)kind;
  }
  njson_get_text(ctx, d, "setting", "detail", NJSON_TEXT_SHORT, false, &h->setting);
  njson_get_time(ctx, d, "attended_at", "detail", false, &h->attended_at_ms);
  njson_get_text(ctx, d, "practitioner", "detail", NJSON_TEXT_SHORT, false, &h->practitioner);
}

static void s_education(njson_ctx_t *ctx, const json_t *d, Mash__V1__Notification *n) {
  Mash__V1__EducationDetail *e = malloc(sizeof *e);
  if (e == NULL) {
    njson_error(ctx, "detail", "out of memory");
    return;
  }
  mash__v1__education_detail__init(e);
  n->detail_case = MASH__V1__NOTIFICATION__DETAIL_EDUCATION;
  n->education = e;
  int kind = 0;
  if (njson_get_enum(ctx, d, "kind", "detail", mash_education_kind_names, true, &kind) == 0) {
    e->kind = (Mash__V1__EducationEventKind)kind;
  }
  njson_get_text(ctx, d, "school", "detail", NJSON_TEXT_SHORT, false, &e->school);
  int64_t value = 0;
  if (njson_get_integer(ctx, d, "attendance_percent", "detail", 0, 100, false, &value) == 0) {
    e->attendance_percent = (uint32_t)value;
  }
  value = 0;
  if (njson_get_integer(ctx, d, "unauthorised_sessions", "detail", 0, AGENCY_MAX_SESSIONS, false,
                        &value) == 0) {
    e->unauthorised_sessions = (uint32_t)value;
  }
  njson_get_text(ctx, d, "dsl_name", "detail", NJSON_TEXT_SHORT, false, &e->dsl_name);
}

static void s_housing(njson_ctx_t *ctx, const json_t *d, Mash__V1__Notification *n) {
  Mash__V1__HousingDetail *h = malloc(sizeof *h);
  if (h == NULL) {
    njson_error(ctx, "detail", "out of memory");
    return;
  }
  mash__v1__housing_detail__init(h);
  n->detail_case = MASH__V1__NOTIFICATION__DETAIL_HOUSING;
  n->housing = h;
  int kind = 0;
  if (njson_get_enum(ctx, d, "kind", "detail", mash_housing_kind_names, true, &kind) == 0) {
    h->kind = (Mash__V1__HousingEventKind)kind;
  }
  njson_get_text(ctx, d, "tenancy_reference", "detail", NJSON_TEXT_ID, false,
                 &h->tenancy_reference);
  njson_get_integer(ctx, d, "arrears_pence", "detail", 0, AGENCY_MAX_ARREARS_PENCE, false,
                    &h->arrears_pence);
}

/* The agencies with a detail of their own. Any other name is an agency whose
 * notifications carry the common fields only. */
typedef struct agency_detail {
  const char *agency;
  void (*parse)(njson_ctx_t *ctx, const json_t *detail, Mash__V1__Notification *n);
} agency_detail_t;

static const agency_detail_t s_details[] = {
    {"health", s_health},
    {"education", s_education},
    {"housing", s_housing},
};

static const agency_detail_t *s_detail_of(const char *agency) {
  for (size_t i = 0; i < sizeof s_details / sizeof s_details[0]; i++) {
    if (strcmp(s_details[i].agency, agency) == 0) {
      return &s_details[i];
    }
  }
  return NULL;
}

/* The detail hook: `arg` is the table entry, or NULL for an agency without a
 * detail, whose documents must not carry one. */
static void s_detail_cb(njson_ctx_t *ctx, const json_t *root, Mash__V1__Notification *n,
                        void *arg) {
  const agency_detail_t *detail = arg;
  const json_t *d = njson_member(ctx, root, "detail");
  bool given = d != NULL && !json_is_null(d);
  if (detail == NULL) {
    if (given) {
      njson_error(ctx, "detail", "this agency's notifications carry no detail; leave it out");
    }
    return;
  }
  if (!given) {
    njson_error(ctx, "detail", "required");
    return;
  }
  if (!json_is_object(d)) {
    njson_error(ctx, "detail", "expected an object");
    return;
  }
  detail->parse(ctx, d, n);
}

/* An agency name is its principal, as the codec checks it: 1 to
 * AGENCY_MAX_NAME of a-z 0-9 _ -, the first a letter. */
static bool s_valid_agency(const char *agency) {
  size_t len = strnlen(agency, AGENCY_MAX_NAME + 1);
  if (len == 0 || len > AGENCY_MAX_NAME || agency[0] < 'a' || agency[0] > 'z') {
    return false;
  }
  for (const char *s = agency; *s != '\0'; s++) {
    char c = *s;
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

Mash__V1__Notification *agency_json_parse(const char *agency, const char *text, size_t len,
                                          mash_errors_t *errs) {
  return agency_json_parse_ex(agency, text, len, errs, NULL);
}

Mash__V1__Notification *agency_json_parse_ex(const char *agency, const char *text, size_t len,
                                             mash_errors_t *errs, mash_errors_t *unknown) {
  if (agency == NULL || !s_valid_agency(agency)) {
    if (errs != NULL) {
      mash_errors_add(errs, "agency", "expected 1 to %u of a-z 0-9 _ -, the first a letter",
                      AGENCY_MAX_NAME);
    }
    return NULL;
  }
  if (strcmp(agency, "police") == 0) {
    if (errs != NULL) {
      mash_errors_add(errs, "agency", "police notifications are read by police_json_parse");
    }
    return NULL;
  }
  const agency_detail_t *detail = s_detail_of(agency);
  const njson_format_t format = {
      .local_issuer = agency,
      .detail_cb = s_detail_cb,
      .child_cb = NULL,
      .arg = (void *)detail,
  };
  return njson_notification_parse_ex(text, len, errs, unknown, &format);
}

bool agency_json_has_detail(const char *agency) {
  return agency != NULL && s_detail_of(agency) != NULL;
}

void agency_json_free(Mash__V1__Notification *n) {
  njson_notification_free(n);
}
