/* names: enum values as words. One table per enum, used everywhere a word
 * is shown, stored or read, so the words cannot drift apart (names.h).
 *
 * Responsible for: the tables and their look-ups. Must not: do I/O, keep
 * state, or hold labels written for people. Pure; any thread.
 */
#include "names.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

const mash_enum_name_t mash_rag_names[] = {
    {"red", MASH__V1__RAG__RAG_RED},
    {"amber", MASH__V1__RAG__RAG_AMBER},
    {"green", MASH__V1__RAG__RAG_GREEN},
    {"blue", MASH__V1__RAG__RAG_BLUE},
    {NULL, 0},
};

const mash_enum_name_t mash_consent_status_names[] = {
    {"given", MASH__V1__CONSENT_STATUS__CONSENT_STATUS_GIVEN},
    {"refused", MASH__V1__CONSENT_STATUS__CONSENT_STATUS_REFUSED},
    {"not_sought", MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT},
    {NULL, 0},
};

const mash_enum_name_t mash_lawful_basis_names[] = {
    {"consent", MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_CONSENT},
    {"public_task", MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_PUBLIC_TASK},
    {"legal_obligation", MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_LEGAL_OBLIGATION},
    {"vital_interests", MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_VITAL_INTERESTS},
    {"safeguarding_dpa_sch1_p18", MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18},
    {NULL, 0},
};

const mash_enum_name_t mash_outcome_names[] = {
    {"no_further_action", MASH__V1__OUTCOME__OUTCOME_NO_FURTHER_ACTION},
    {"early_help", MASH__V1__OUTCOME__OUTCOME_EARLY_HELP},
    {"assessment", MASH__V1__OUTCOME__OUTCOME_ASSESSMENT},
    {"strategy_discussion", MASH__V1__OUTCOME__OUTCOME_STRATEGY_DISCUSSION},
    {NULL, 0},
};

const mash_enum_name_t mash_sex_names[] = {
    {"female", MASH__V1__SEX__SEX_FEMALE},
    {"male", MASH__V1__SEX__SEX_MALE},
    {"other", MASH__V1__SEX__SEX_OTHER},
    {"not_known", MASH__V1__SEX__SEX_NOT_KNOWN},
    {NULL, 0},
};

const mash_enum_name_t mash_identifier_kind_names[] = {
    {"nhs_number", MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER},
    {"upn", MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN},
    {"pnc_id", MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID},
    {"local_id", MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID},
    {NULL, 0},
};

const mash_enum_name_t mash_category_names[] = {
    {"domestic_abuse", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE},
    {"neglect", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT},
    {"physical_abuse", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_PHYSICAL_ABUSE},
    {"sexual_abuse", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_SEXUAL_ABUSE},
    {"emotional_abuse", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_EMOTIONAL_ABUSE},
    {"exploitation", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_EXPLOITATION},
    {"missing", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_MISSING},
    {"other", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_OTHER},
    {NULL, 0},
};

const mash_enum_name_t mash_dash_answer_names[] = {
    {"yes", MASH__V1__DASH_ANSWER__DASH_ANSWER_YES},
    {"no", MASH__V1__DASH_ANSWER__DASH_ANSWER_NO},
    {"not_known", MASH__V1__DASH_ANSWER__DASH_ANSWER_NOT_KNOWN},
    {NULL, 0},
};

const mash_enum_name_t mash_risk_grade_names[] = {
    {"standard", MASH__V1__RISK_GRADE__RISK_GRADE_STANDARD},
    {"medium", MASH__V1__RISK_GRADE__RISK_GRADE_MEDIUM},
    {"high", MASH__V1__RISK_GRADE__RISK_GRADE_HIGH},
    {NULL, 0},
};

const mash_enum_name_t mash_health_kind_names[] = {
    {"unscheduled_care", MASH__V1__HEALTH_EVENT_KIND__HEALTH_EVENT_KIND_UNSCHEDULED_CARE},
    {"health_visitor_concern",
     MASH__V1__HEALTH_EVENT_KIND__HEALTH_EVENT_KIND_HEALTH_VISITOR_CONCERN},
    {NULL, 0},
};

const mash_enum_name_t mash_education_kind_names[] = {
    {"attendance_drop", MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_ATTENDANCE_DROP},
    {"exclusion", MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_EXCLUSION},
    {"dsl_concern", MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_DSL_CONCERN},
    {NULL, 0},
};

const mash_enum_name_t mash_housing_kind_names[] = {
    {"eviction", MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_EVICTION},
    {"homelessness", MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_HOMELESSNESS},
    {"arrears", MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_ARREARS},
    {"anti_social_behaviour",
     MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_ANTI_SOCIAL_BEHAVIOUR},
    {NULL, 0},
};

const char *mash_enum_name_of(const mash_enum_name_t *table, int value) {
  for (size_t i = 0; table != NULL && table[i].name != NULL; i++) {
    if (table[i].value == value) {
      return table[i].name;
    }
  }
  return NULL;
}

int mash_enum_value(const mash_enum_name_t *table, const char *name, int *value) {
  for (size_t i = 0; table != NULL && name != NULL && table[i].name != NULL; i++) {
    if (strcmp(table[i].name, name) == 0) {
      *value = table[i].value;
      return 0;
    }
  }
  return -EINVAL;
}

static const char *s_name_or(const mash_enum_name_t *table, int value, const char *otherwise) {
  const char *name = mash_enum_name_of(table, value);
  return name != NULL ? name : otherwise;
}

const char *mash_rag_name(Mash__V1__Rag rag) {
  return s_name_or(mash_rag_names, (int)rag, "unspecified");
}

const char *mash_consent_status_name(Mash__V1__ConsentStatus s) {
  return s_name_or(mash_consent_status_names, (int)s, "unspecified");
}

const char *mash_lawful_basis_name(Mash__V1__LawfulBasis b) {
  return s_name_or(mash_lawful_basis_names, (int)b, "unspecified");
}

const char *mash_outcome_name(Mash__V1__Outcome o) {
  return s_name_or(mash_outcome_names, (int)o, "unspecified");
}

const char *mash_sex_name(Mash__V1__Sex s) {
  return s_name_or(mash_sex_names, (int)s, "unspecified");
}

const char *mash_identifier_kind_name(Mash__V1__IdentifierKind k) {
  return s_name_or(mash_identifier_kind_names, (int)k, "unspecified");
}

const char *mash_category_name(Mash__V1__ConcernCategory c) {
  return s_name_or(mash_category_names, (int)c, "unspecified");
}

const char *mash_dash_answer_name(Mash__V1__DashAnswer a) {
  return s_name_or(mash_dash_answer_names, (int)a, "unanswered");
}

const char *mash_risk_grade_name(Mash__V1__RiskGrade g) {
  return s_name_or(mash_risk_grade_names, (int)g, "none");
}

const char *mash_health_kind_name(Mash__V1__HealthEventKind k) {
  return s_name_or(mash_health_kind_names, (int)k, "unspecified");
}

const char *mash_education_kind_name(Mash__V1__EducationEventKind k) {
  return s_name_or(mash_education_kind_names, (int)k, "unspecified");
}

const char *mash_housing_kind_name(Mash__V1__HousingEventKind k) {
  return s_name_or(mash_housing_kind_names, (int)k, "unspecified");
}

const char *mash_detail_agency(Mash__V1__Notification__DetailCase detail) {
  switch (detail) {
  case MASH__V1__NOTIFICATION__DETAIL_POLICE:
    return "police";
  case MASH__V1__NOTIFICATION__DETAIL_HEALTH:
    return "health";
  case MASH__V1__NOTIFICATION__DETAIL_EDUCATION:
    return "education";
  case MASH__V1__NOTIFICATION__DETAIL_HOUSING:
    return "housing";
  default:
    return NULL;
  }
}
