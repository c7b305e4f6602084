/* police_json: maps a police system's JSON notification to a mash.v1
 * Notification with PoliceDetail. The format is documented in
 * agents/police/README.md.
 *
 * Responsible for: the police part of the format only (incident, officer,
 * formal_referral, domestic_abuse, grade, dash, and each child's "present"),
 * each problem reported with its JSON path. The common fields (reference,
 * category, concern, occurred_at, people, relationships) are read by
 * agents/agency/notification_json.c, shared with the other agencies.
 * Must not: do any I/O, log, score the DASH (the broker does, common/dash.c),
 * or keep state. Unknown keys are ignored. Safe from any thread.
 */
#include "police_json.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "notification_json.h"

/* Issuer recorded with a police local person id. */
#define POLICE_LOCAL_ISSUER "police"

static void s_dash(njson_ctx_t *ctx, const json_t *root, Mash__V1__PoliceDetail *p) {
  const json_t *v = njson_member(ctx, root, "dash");
  if (v == NULL || json_is_null(v)) {
    return; /* no DASH completed: the broker flags it on domestic abuse */
  }
  if (!json_is_array(v)) {
    njson_error(ctx, "dash", "expected an array of %u answers", MASH_DASH_ITEMS);
    return;
  }
  size_t n = json_array_size(v);
  if (n != MASH_DASH_ITEMS) {
    njson_error(ctx, "dash", "expected %u answers, got %zu", MASH_DASH_ITEMS, n);
    return;
  }
  p->dash_answers = calloc(n, sizeof *p->dash_answers);
  if (p->dash_answers == NULL) {
    njson_error(ctx, "dash", "out of memory");
    return;
  }
  p->n_dash_answers = n;
  for (size_t i = 0; i < n; i++) {
    const json_t *a = json_array_get(v, i);
    /* null is a question left unanswered: kept, so the broker can flag the
     * checklist as incomplete rather than the notification being lost. */
    if (json_is_null(a)) {
      p->dash_answers[i] = MASH__V1__DASH_ANSWER__DASH_ANSWER_UNSPECIFIED;
      continue;
    }
    char path[NJSON_PATH_LEN];
    njson_path_index(path, "dash", i);
    int answer = 0;
    if (njson_enum_value(ctx, a, path, mash_dash_answer_names, &answer) == 0) {
      p->dash_answers[i] = (Mash__V1__DashAnswer)answer;
    }
  }
}

/* The detail hook: everything police outside the people. */
static void s_police_cb(njson_ctx_t *ctx, const json_t *root, Mash__V1__Notification *n,
                        void *arg) {
  (void)arg;
  Mash__V1__PoliceDetail *p = malloc(sizeof *p);
  if (p == NULL) {
    njson_error(ctx, "$", "out of memory");
    return;
  }
  mash__v1__police_detail__init(p);
  n->detail_case = MASH__V1__NOTIFICATION__DETAIL_POLICE;
  n->police = p;

  const json_t *incident = njson_get_object(ctx, root, "incident", "");
  if (incident != NULL) {
    njson_get_text(ctx, incident, "number", "incident", NJSON_TEXT_ID, false, &p->incident_number);
    njson_get_time(ctx, incident, "time", "incident", false, &p->incident_at_ms);
  }
  const json_t *officer = njson_get_object(ctx, root, "officer", "");
  if (officer != NULL) {
    njson_get_text(ctx, officer, "name", "officer", NJSON_TEXT_SHORT, false, &p->officer_name);
    njson_get_text(ctx, officer, "contact", "officer", NJSON_TEXT_SHORT, false,
                   &p->officer_contact);
  }

  bool found = false;
  njson_get_bool(ctx, root, "formal_referral", "", true, &p->formal_referral, &found);
  /* Domestic abuse defaults to the category, but an officer may mark a
   * neglect notification as domestic abuse too (or the reverse). */
  p->domestic_abuse =
      n->concern_category == MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE;
  njson_get_bool(ctx, root, "domestic_abuse", "", false, &p->domestic_abuse, &found);

  int grade = 0;
  if (njson_get_enum(ctx, root, "grade", "", mash_risk_grade_names, false, &grade) == 0) {
    p->officer_grade = (Mash__V1__RiskGrade)grade;
  }
  s_dash(ctx, root, p);
}

/* The child hook: children with "present": true are listed in the detail. */
static void s_child_cb(njson_ctx_t *ctx, const json_t *child, const char *path,
                       const Mash__V1__Person *person, Mash__V1__Notification *n, void *arg) {
  (void)arg;
  Mash__V1__PoliceDetail *police = n->police;
  protobuf_c_boolean present = 0;
  bool found = false;
  if (njson_get_bool(ctx, child, "present", path, false, &present, &found) != 0 || !present ||
      person->ref[0] == '\0' || police == NULL) {
    return;
  }
  /* At most MASH_MAX_PEOPLE children, so growing one at a time is cheap. */
  char **grown =
      realloc(police->children_present_refs, (police->n_children_present_refs + 1) * sizeof *grown);
  if (grown == NULL) {
    njson_error(ctx, path, "out of memory");
    return;
  }
  police->children_present_refs = grown;
  size_t len = strlen(person->ref);
  char *ref = malloc(len + 1);
  if (ref == NULL) {
    njson_error(ctx, path, "out of memory");
    return;
  }
  memcpy(ref, person->ref, len + 1);
  police->children_present_refs[police->n_children_present_refs++] = ref;
}

Mash__V1__Notification *police_json_parse(const char *text, size_t len, mash_errors_t *errs) {
  return police_json_parse_ex(text, len, errs, NULL);
}

Mash__V1__Notification *police_json_parse_ex(const char *text, size_t len, mash_errors_t *errs,
                                             mash_errors_t *unknown) {
  const njson_format_t format = {
      .local_issuer = POLICE_LOCAL_ISSUER,
      .detail_cb = s_police_cb,
      .child_cb = s_child_cb,
      .arg = NULL,
  };
  return njson_notification_parse_ex(text, len, errs, unknown, &format);
}

void police_json_free(Mash__V1__Notification *n) {
  njson_notification_free(n);
}
