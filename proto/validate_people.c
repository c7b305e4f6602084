/* validate_people: notifications and the people in them (children, adults,
 * identifiers, addresses, relationships, agency detail), and contacts as
 * the broker delivers them.
 *
 * Responsible for: the notification family's bounds and field paths
 * ("notification.children[0].date_of_birth"). Must not: do I/O, log,
 * allocate, or keep state (thread-safe).
 */
#include "validate_int.h"

static const char *s_ref_lookup(const mash_vld_refs_t *t, const char *ref, bool *is_child) {
  for (size_t i = 0; i < t->count; i++) {
    if (strcmp(t->ref[i], ref) == 0) {
      if (is_child) {
        *is_child = t->is_child[i];
      }
      return t->ref[i];
    }
  }
  return NULL;
}

static void s_check_identifier(mash_errors_t *errs, const mash_vld_path_t *at,
                               const Mash__V1__Identifier *id) {
  if (id == NULL) {
    mash_vld_fail(errs, at, "is missing");
    return;
  }
  if (id->kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UNSPECIFIED) {
    mash_vld_fail(errs, PATH_FIELD(at, "kind"), "is required");
  } else {
    mash_vld_check_enum(errs, PATH_FIELD(at, "kind"), (int)id->kind, 1,
                        MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID);
  }
  mash_vld_check_text(errs, PATH_FIELD(at, "value"), id->value, MASH_MAX_ID_LEN, TEXT_REQUIRED);
  mash_vld_check_text(errs, PATH_FIELD(at, "issuer"), id->issuer, MASH_MAX_ID_LEN, 0);
}

static void s_check_address(mash_errors_t *errs, const mash_vld_path_t *at,
                            const Mash__V1__Address *a) {
  if (mash_vld_check_count(errs, PATH_FIELD(at, "lines"), a->n_lines, a->lines,
                           MASH_MAX_ADDRESS_LINES)) {
    for (size_t i = 0; i < a->n_lines; i++) {
      mash_vld_check_text(errs, PATH_ITEM(at, "lines", i), a->lines[i], MASH_MAX_SHORT_TEXT, 0);
    }
  }
  mash_vld_check_text(errs, PATH_FIELD(at, "town"), a->town, MASH_MAX_SHORT_TEXT, 0);
  mash_vld_check_text(errs, PATH_FIELD(at, "postcode"), a->postcode, MASH_MAX_SHORT_TEXT, 0);
}

/* `at` is the person's place in its list, prefix.list[index]; the list and
 * index are recorded with the ref so that a duplicate can name them. */
static void s_check_person(mash_errors_t *errs, const mash_vld_path_t *at,
                           const Mash__V1__Person *p, bool is_child, long today,
                           mash_vld_refs_t *refs) {
  if (p == NULL) {
    mash_vld_fail(errs, at, "is missing");
    refs->complete = false;
    return;
  }
  if (mash_vld_check_text(errs, PATH_FIELD(at, "ref"), p->ref, MASH_MAX_ID_LEN, TEXT_REQUIRED)) {
    bool dup = false;
    for (size_t i = 0; i < refs->count && !dup; i++) {
      if (strcmp(refs->ref[i], p->ref) == 0) {
        char prefix[PATH_LEN];
        mash_vld_path_render(at->parent, prefix);
        mash_vld_fail(errs, PATH_FIELD(at, "ref"), "duplicates the ref of %s.%s[%zu]", prefix,
                      refs->list[i], refs->index[i]);
        dup = true;
      }
    }
    /* The people checked against one table are bounded (see mash_vld_refs_t),
     * so the table has room; the test only guards the array. */
    if (!dup && refs->count < 2 * MASH_MAX_PEOPLE) {
      refs->ref[refs->count] = p->ref;
      refs->is_child[refs->count] = is_child;
      refs->list[refs->count] = at->name;
      refs->index[refs->count] = at->index;
      refs->count++;
    }
  } else {
    /* A person whose ref is unusable makes later ref checks guesswork. */
    refs->complete = false;
  }

  bool ids_ok = mash_vld_check_count(errs, PATH_FIELD(at, "identifiers"), p->n_identifiers,
                                     p->identifiers, MASH_MAX_IDENTIFIERS);
  if (ids_ok) {
    for (size_t i = 0; i < p->n_identifiers; i++) {
      s_check_identifier(errs, PATH_ITEM(at, "identifiers", i), p->identifiers[i]);
    }
  }
  bool given = mash_vld_check_text(errs, PATH_FIELD(at, "given_name"), p->given_name,
                                   MASH_MAX_SHORT_TEXT, 0);
  bool family = mash_vld_check_text(errs, PATH_FIELD(at, "family_name"), p->family_name,
                                    MASH_MAX_SHORT_TEXT, 0);
  bool has_name = (p->given_name && p->given_name[0]) || (p->family_name && p->family_name[0]);
  if (given && family && !has_name && (!ids_ok || p->n_identifiers == 0)) {
    mash_vld_fail(errs, at, "needs a name or an identifier");
  }
  mash_vld_check_date(errs, PATH_FIELD(at, "date_of_birth"), p->date_of_birth, today);
  mash_vld_check_enum(errs, PATH_FIELD(at, "sex"), (int)p->sex, MASH__V1__SEX__SEX_UNSPECIFIED,
                      MASH__V1__SEX__SEX_NOT_KNOWN);
  if (p->address) {
    s_check_address(errs, PATH_FIELD(at, "address"), p->address);
  }
  mash_vld_check_text(errs, PATH_FIELD(at, "role"), p->role, MASH_MAX_SHORT_TEXT, 0);
  /* Filled in by the broker on its own records; bounded wherever it comes
   * from, like every list. */
  if (mash_vld_check_count(errs, PATH_FIELD(at, "other_given_names"), p->n_other_given_names,
                           p->other_given_names, MASH_MAX_OTHER_NAMES)) {
    for (size_t i = 0; i < p->n_other_given_names; i++) {
      mash_vld_check_text(errs, PATH_ITEM(at, "other_given_names", i), p->other_given_names[i],
                          MASH_MAX_SHORT_TEXT, TEXT_REQUIRED);
    }
  }
  if (mash_vld_check_count(errs, PATH_FIELD(at, "other_dates_of_birth"), p->n_other_dates_of_birth,
                           p->other_dates_of_birth, MASH_MAX_OTHER_DOBS)) {
    for (size_t i = 0; i < p->n_other_dates_of_birth; i++) {
      mash_vld_check_date(errs, PATH_ITEM(at, "other_dates_of_birth", i),
                          p->other_dates_of_birth[i], today);
    }
  }
}

/* Check the list of people `name` of `prefix` (at most `max`) against refs. */
void mash_vld_check_people(mash_errors_t *errs, const mash_vld_path_t *prefix, const char *name,
                           size_t n, Mash__V1__Person *const *people, size_t max, bool is_child,
                           long today, mash_vld_refs_t *refs) {
  if (!mash_vld_check_count(errs, PATH_FIELD(prefix, name), n, people, max)) {
    refs->complete = false;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    s_check_person(errs, PATH_ITEM(prefix, name, i), people[i], is_child, today, refs);
  }
}

/* A ref used by a relationship or by agency detail. want_child: the ref must
 * be a child's (children present at a police incident). */
static void s_check_ref_use(mash_errors_t *errs, const mash_vld_path_t *at, const char *ref,
                            const mash_vld_refs_t *refs, bool want_child) {
  if (!mash_vld_check_text(errs, at, ref, MASH_MAX_ID_LEN, TEXT_REQUIRED)) {
    return;
  }
  if (!refs->complete) {
    return;
  }
  bool is_child = false;
  if (s_ref_lookup(refs, ref, &is_child) == NULL) {
    mash_vld_fail(errs, at, "names no person in this notification");
  } else if (want_child && !is_child) {
    mash_vld_fail(errs, at, "names an adult, not a child");
  }
}

static void s_check_police(mash_errors_t *errs, const mash_vld_path_t *at,
                           const Mash__V1__PoliceDetail *d, const mash_vld_refs_t *refs) {
  mash_vld_check_text(errs, PATH_FIELD(at, "incident_number"), d->incident_number,
                      MASH_MAX_SHORT_TEXT, 0);
  mash_vld_check_time(errs, PATH_FIELD(at, "incident_at_ms"), d->incident_at_ms);
  mash_vld_check_text(errs, PATH_FIELD(at, "officer_name"), d->officer_name, MASH_MAX_SHORT_TEXT,
                      0);
  mash_vld_check_text(errs, PATH_FIELD(at, "officer_contact"), d->officer_contact,
                      MASH_MAX_SHORT_TEXT, 0);
  if (mash_vld_check_count(errs, PATH_FIELD(at, "children_present_refs"),
                           d->n_children_present_refs, d->children_present_refs, MASH_MAX_PEOPLE)) {
    for (size_t i = 0; i < d->n_children_present_refs; i++) {
      s_check_ref_use(errs, PATH_ITEM(at, "children_present_refs", i), d->children_present_refs[i],
                      refs, true);
    }
  }
  if (d->n_dash_answers != 0 && d->n_dash_answers != MASH_DASH_ITEMS) {
    mash_vld_fail(errs, PATH_FIELD(at, "dash_answers"),
                  "has %zu answers; a DASH has none or exactly %u", d->n_dash_answers,
                  MASH_DASH_ITEMS);
  } else if (d->n_dash_answers > 0 && d->dash_answers == NULL) {
    mash_vld_fail(errs, PATH_FIELD(at, "dash_answers"), "is missing its entries");
  } else {
    for (size_t i = 0; i < d->n_dash_answers; i++) {
      mash_vld_check_enum(errs, PATH_ITEM(at, "dash_answers", i), (int)d->dash_answers[i],
                          MASH__V1__DASH_ANSWER__DASH_ANSWER_UNSPECIFIED,
                          MASH__V1__DASH_ANSWER__DASH_ANSWER_NOT_KNOWN);
    }
  }
  mash_vld_check_enum(errs, PATH_FIELD(at, "officer_grade"), (int)d->officer_grade,
                      MASH__V1__RISK_GRADE__RISK_GRADE_UNSPECIFIED,
                      MASH__V1__RISK_GRADE__RISK_GRADE_HIGH);
}

static void s_check_health(mash_errors_t *errs, const mash_vld_path_t *at,
                           const Mash__V1__HealthDetail *d) {
  mash_vld_check_enum(errs, PATH_FIELD(at, "kind"), (int)d->kind,
                      MASH__V1__HEALTH_EVENT_KIND__HEALTH_EVENT_KIND_UNSPECIFIED,
                      MASH__V1__HEALTH_EVENT_KIND__HEALTH_EVENT_KIND_HEALTH_VISITOR_CONCERN);
  mash_vld_check_text(errs, PATH_FIELD(at, "setting"), d->setting, MASH_MAX_SHORT_TEXT, 0);
  mash_vld_check_time(errs, PATH_FIELD(at, "attended_at_ms"), d->attended_at_ms);
  mash_vld_check_text(errs, PATH_FIELD(at, "practitioner"), d->practitioner, MASH_MAX_SHORT_TEXT,
                      0);
}

static void s_check_education(mash_errors_t *errs, const mash_vld_path_t *at,
                              const Mash__V1__EducationDetail *d) {
  mash_vld_check_enum(errs, PATH_FIELD(at, "kind"), (int)d->kind,
                      MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_UNSPECIFIED,
                      MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_DSL_CONCERN);
  mash_vld_check_text(errs, PATH_FIELD(at, "school"), d->school, MASH_MAX_SHORT_TEXT, 0);
  if (d->attendance_percent > 100) {
    mash_vld_fail(errs, PATH_FIELD(at, "attendance_percent"), "is more than 100");
  }
  mash_vld_check_text(errs, PATH_FIELD(at, "dsl_name"), d->dsl_name, MASH_MAX_SHORT_TEXT, 0);
}

static void s_check_housing(mash_errors_t *errs, const mash_vld_path_t *at,
                            const Mash__V1__HousingDetail *d) {
  mash_vld_check_enum(errs, PATH_FIELD(at, "kind"), (int)d->kind,
                      MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_UNSPECIFIED,
                      MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_ANTI_SOCIAL_BEHAVIOUR);
  mash_vld_check_text(errs, PATH_FIELD(at, "tenancy_reference"), d->tenancy_reference,
                      MASH_MAX_SHORT_TEXT, 0);
}

static void s_check_detail(mash_errors_t *errs, const mash_vld_path_t *prefix,
                           const Mash__V1__Notification *n, const mash_vld_refs_t *refs) {
  const void *detail = NULL;
  const char *name = NULL;
  switch (n->detail_case) {
  case MASH__V1__NOTIFICATION__DETAIL__NOT_SET:
    return;
  case MASH__V1__NOTIFICATION__DETAIL_POLICE:
    detail = n->police;
    name = "police";
    break;
  case MASH__V1__NOTIFICATION__DETAIL_HEALTH:
    detail = n->health;
    name = "health";
    break;
  case MASH__V1__NOTIFICATION__DETAIL_EDUCATION:
    detail = n->education;
    name = "education";
    break;
  case MASH__V1__NOTIFICATION__DETAIL_HOUSING:
    detail = n->housing;
    name = "housing";
    break;
  default:
    mash_vld_fail(errs, PATH_FIELD(prefix, "detail"), "has unknown kind %d", (int)n->detail_case);
    return;
  }
  const mash_vld_path_t *at = PATH_FIELD(prefix, name);
  if (detail == NULL) {
    mash_vld_fail(errs, at, "is missing");
    return;
  }
  switch (n->detail_case) {
  case MASH__V1__NOTIFICATION__DETAIL_POLICE:
    s_check_police(errs, at, n->police, refs);
    break;
  case MASH__V1__NOTIFICATION__DETAIL_HEALTH:
    s_check_health(errs, at, n->health);
    break;
  case MASH__V1__NOTIFICATION__DETAIL_EDUCATION:
    s_check_education(errs, at, n->education);
    break;
  case MASH__V1__NOTIFICATION__DETAIL_HOUSING:
    s_check_housing(errs, at, n->housing);
    break;
  default:
    break;
  }
}

static void s_check_notification(mash_errors_t *errs, const mash_vld_path_t *at,
                                 const Mash__V1__Notification *n, long today) {
  if (n == NULL) {
    mash_vld_fail(errs, at, "is missing");
    return;
  }
  mash_vld_refs_t refs = {.count = 0, .complete = true};
  mash_vld_check_text(errs, PATH_FIELD(at, "source_reference"), n->source_reference,
                      MASH_MAX_SHORT_TEXT, 0);
  if (n->n_children == 0) {
    mash_vld_fail(errs, PATH_FIELD(at, "children"), "needs at least one child");
  }
  mash_vld_check_people(errs, at, "children", n->n_children, n->children, MASH_MAX_PEOPLE, true,
                        today, &refs);
  mash_vld_check_people(errs, at, "adults", n->n_adults, n->adults, MASH_MAX_PEOPLE, false, today,
                        &refs);
  if (mash_vld_check_count(errs, PATH_FIELD(at, "relationships"), n->n_relationships,
                           n->relationships, MASH_MAX_RELATIONSHIPS)) {
    for (size_t i = 0; i < n->n_relationships; i++) {
      const mash_vld_path_t *rel = PATH_ITEM(at, "relationships", i);
      const Mash__V1__Relationship *r = n->relationships[i];
      if (r == NULL) {
        mash_vld_fail(errs, rel, "is missing");
        continue;
      }
      s_check_ref_use(errs, PATH_FIELD(rel, "from_ref"), r->from_ref, &refs, false);
      s_check_ref_use(errs, PATH_FIELD(rel, "to_ref"), r->to_ref, &refs, false);
      mash_vld_check_text(errs, PATH_FIELD(rel, "kind"), r->kind, MASH_MAX_SHORT_TEXT, 0);
    }
  }
  mash_vld_check_enum(errs, PATH_FIELD(at, "concern_category"), (int)n->concern_category,
                      MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_UNSPECIFIED,
                      MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_OTHER);
  mash_vld_check_text(errs, PATH_FIELD(at, "concern"), n->concern, MASH_MAX_LONG_TEXT,
                      TEXT_MULTILINE);
  mash_vld_check_time(errs, PATH_FIELD(at, "occurred_at_ms"), n->occurred_at_ms);
  s_check_detail(errs, at, n, &refs);
}

int mash_codec_validate_notification(const Mash__V1__Notification *n, int64_t now_ms,
                                     mash_errors_t *errs) {
  mash_errors_t scratch;
  mash_errors_t *e = mash_vld_errors_or_scratch(errs, &scratch);
  size_t before = mash_vld_error_total(e);
  s_check_notification(e, PATH_FIELD(NULL, "notification"), n, mash_vld_today(now_ms));
  return mash_vld_error_total(e) != before ? -EINVAL : 0;
}

/* A contact as the broker delivers it: on its own ("contact") or inside a
 * consolidated pack ("pack.contact"). */
void mash_vld_check_contact(mash_errors_t *errs, const mash_vld_path_t *at,
                            const Mash__V1__Contact *c, long today) {
  mash_vld_check_text(errs, PATH_FIELD(at, "contact_id"), c->contact_id, MASH_MAX_ID_LEN,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  mash_vld_check_text(errs, PATH_FIELD(at, "source_principal"), c->source_principal,
                      MASH_MAX_ID_LEN, TEXT_REQUIRED);
  s_check_notification(errs, PATH_FIELD(at, "notification"), c->notification, today);
  if (c->dash) {
    const int lo = MASH__V1__RISK_GRADE__RISK_GRADE_UNSPECIFIED;
    const int hi = MASH__V1__RISK_GRADE__RISK_GRADE_HIGH;
    const mash_vld_path_t *dash = PATH_FIELD(at, "dash");
    mash_vld_check_enum(errs, PATH_FIELD(dash, "checklist_grade"), (int)c->dash->checklist_grade,
                        lo, hi);
    mash_vld_check_enum(errs, PATH_FIELD(dash, "officer_grade"), (int)c->dash->officer_grade, lo,
                        hi);
    mash_vld_check_enum(errs, PATH_FIELD(dash, "final_grade"), (int)c->dash->final_grade, lo, hi);
    if (c->dash->yes_count > MASH_DASH_ITEMS) {
      mash_vld_fail(errs, PATH_FIELD(dash, "yes_count"), "is more than %u", MASH_DASH_ITEMS);
    }
  }
  if (mash_vld_check_count(errs, PATH_FIELD(at, "quality_flags"), c->n_quality_flags,
                           c->quality_flags, MAX_QUALITY_FLAGS)) {
    for (size_t i = 0; i < c->n_quality_flags; i++) {
      mash_vld_check_text(errs, PATH_ITEM(at, "quality_flags", i), c->quality_flags[i],
                          MASH_MAX_ID_LEN, TEXT_REQUIRED | TEXT_SAFE_ID);
    }
  }
  if (mash_vld_check_count(errs, PATH_FIELD(at, "persons"), c->n_persons, c->persons,
                           MAX_LISTED_PEOPLE)) {
    for (size_t i = 0; i < c->n_persons; i++) {
      const mash_vld_path_t *item = PATH_ITEM(at, "persons", i);
      const Mash__V1__PersonLink *l = c->persons[i];
      if (l == NULL) {
        mash_vld_fail(errs, item, "is missing");
        continue;
      }
      const unsigned id = TEXT_REQUIRED | TEXT_SAFE_ID;
      mash_vld_check_text(errs, PATH_FIELD(item, "ref"), l->ref, MASH_MAX_ID_LEN, id);
      mash_vld_check_text(errs, PATH_FIELD(item, "person_id"), l->person_id, MASH_MAX_ID_LEN, id);
      mash_vld_check_text(errs, PATH_FIELD(item, "decision"), l->decision, MASH_MAX_ID_LEN, id);
      if (l->confidence_permille > 1000) {
        mash_vld_fail(errs, PATH_FIELD(item, "confidence_permille"), "is more than 1000");
      }
      mash_vld_check_text(errs, PATH_FIELD(item, "why"), l->why, MASH_MAX_SHORT_TEXT, 0);
      mash_vld_check_text(errs, PATH_FIELD(item, "candidate_person_id"), l->candidate_person_id,
                          MASH_MAX_ID_LEN, TEXT_SAFE_ID);
      mash_vld_check_text(errs, PATH_FIELD(item, "match_id"), l->match_id, MASH_MAX_ID_LEN,
                          TEXT_SAFE_ID);
    }
  }
}

/* ------------------------------------------------ rows of the message table */

void mash_vld_notification(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                           long today) {
  s_check_notification(errs, at, body, today);
}

void mash_vld_contact(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                      long today) {
  mash_vld_check_contact(errs, at, body, today);
}
