/* test_names: every enum of mash.proto that has a word table has exactly one
 * word per value, the proto's own name in lower case, both ways; checked
 * against protobuf-c's descriptors, so a value added to the proto without
 * its word fails here. */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "names.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
  const ProtobufCEnumDescriptor *desc;
  const mash_enum_name_t *table;
} s_enums[] = {
    {&mash__v1__rag__descriptor, mash_rag_names},
    {&mash__v1__consent_status__descriptor, mash_consent_status_names},
    {&mash__v1__lawful_basis__descriptor, mash_lawful_basis_names},
    {&mash__v1__outcome__descriptor, mash_outcome_names},
    {&mash__v1__sex__descriptor, mash_sex_names},
    {&mash__v1__identifier_kind__descriptor, mash_identifier_kind_names},
    {&mash__v1__concern_category__descriptor, mash_category_names},
    {&mash__v1__dash_answer__descriptor, mash_dash_answer_names},
    {&mash__v1__risk_grade__descriptor, mash_risk_grade_names},
    {&mash__v1__health_event_kind__descriptor, mash_health_kind_names},
    {&mash__v1__education_event_kind__descriptor, mash_education_kind_names},
    {&mash__v1__housing_event_kind__descriptor, mash_housing_kind_names},
};

/* "RAG_AMBER" with prefix "RAG_" -> "amber". */
static void s_word(const char *proto_name, size_t prefix, char *out, size_t outlen) {
  size_t n = 0;
  for (const char *p = proto_name + prefix; *p != '\0' && n + 1 < outlen; p++) {
    out[n++] = (char)tolower((unsigned char)*p);
  }
  out[n] = '\0';
}

static void test_tables_match_the_proto(void **state) {
  (void)state;
  for (size_t e = 0; e < N_OF(s_enums); e++) {
    const ProtobufCEnumDescriptor *d = s_enums[e].desc;
    const mash_enum_name_t *t = s_enums[e].table;
    /* The prefix is the unspecified value's name less "UNSPECIFIED". */
    const ProtobufCEnumValue *zero = protobuf_c_enum_descriptor_get_value(d, 0);
    assert_non_null(zero);
    const char *u = strstr(zero->name, "UNSPECIFIED");
    assert_non_null(u);
    size_t prefix = (size_t)(u - zero->name);

    size_t rows = 0;
    while (t[rows].name != NULL) {
      rows++;
    }
    if (rows != d->n_values - 1) {
      fail_msg("%s: %zu words for %u values", d->name, rows, d->n_values - 1);
    }
    for (unsigned i = 0; i < d->n_values; i++) {
      const ProtobufCEnumValue *v = &d->values[i];
      if (v->value == 0) {
        assert_null(mash_enum_name_of(t, 0));
        continue;
      }
      char want[64];
      s_word(v->name, prefix, want, sizeof want);
      const char *got = mash_enum_name_of(t, v->value);
      if (got == NULL || strcmp(got, want) != 0) {
        fail_msg("%s: %s is \"%s\", expected \"%s\"", d->name, v->name, got ? got : "(none)", want);
      }
      int back = -1;
      assert_int_equal(mash_enum_value(t, want, &back), 0);
      assert_int_equal(back, v->value);
    }
    /* Unknown values and words. */
    assert_null(mash_enum_name_of(t, 9999));
    assert_null(mash_enum_name_of(t, -1));
    int untouched = 42;
    assert_int_equal(mash_enum_value(t, "unspecified", &untouched), -EINVAL);
    assert_int_equal(mash_enum_value(t, "", &untouched), -EINVAL);
    assert_int_equal(mash_enum_value(t, NULL, &untouched), -EINVAL);
    assert_int_equal(untouched, 42);
  }
}

static void test_case_matters(void **state) {
  (void)state;
  int v = 0;
  assert_int_equal(mash_enum_value(mash_rag_names, "Amber", &v), -EINVAL);
  assert_int_equal(mash_enum_value(mash_rag_names, "amber ", &v), -EINVAL);
  assert_int_equal(mash_enum_value(mash_rag_names, "amber", &v), 0);
  assert_int_equal(v, MASH__V1__RAG__RAG_AMBER);
}

static void test_typed_names_and_fallbacks(void **state) {
  (void)state;
  assert_string_equal(mash_rag_name(MASH__V1__RAG__RAG_RED), "red");
  assert_string_equal(mash_rag_name(MASH__V1__RAG__RAG_UNSPECIFIED), "unspecified");
  assert_string_equal(mash_rag_name((Mash__V1__Rag)99), "unspecified");
  assert_string_equal(mash_consent_status_name(MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT),
                      "not_sought");
  assert_string_equal(mash_consent_status_name((Mash__V1__ConsentStatus)-1), "unspecified");
  assert_string_equal(
      mash_lawful_basis_name(MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18),
      "safeguarding_dpa_sch1_p18");
  assert_string_equal(mash_lawful_basis_name((Mash__V1__LawfulBasis)42), "unspecified");
  assert_string_equal(mash_outcome_name(MASH__V1__OUTCOME__OUTCOME_EARLY_HELP), "early_help");
  assert_string_equal(mash_outcome_name((Mash__V1__Outcome)0), "unspecified");
  assert_string_equal(mash_sex_name(MASH__V1__SEX__SEX_NOT_KNOWN), "not_known");
  assert_string_equal(mash_sex_name((Mash__V1__Sex)77), "unspecified");
  assert_string_equal(mash_identifier_kind_name(MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID),
                      "pnc_id");
  assert_string_equal(mash_identifier_kind_name((Mash__V1__IdentifierKind)0), "unspecified");
  assert_string_equal(
      mash_category_name(MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE),
      "domestic_abuse");
  assert_string_equal(mash_category_name((Mash__V1__ConcernCategory)-5), "unspecified");
  assert_string_equal(mash_dash_answer_name(MASH__V1__DASH_ANSWER__DASH_ANSWER_YES), "yes");
  assert_string_equal(mash_dash_answer_name((Mash__V1__DashAnswer)0), "unanswered");
  assert_string_equal(mash_risk_grade_name(MASH__V1__RISK_GRADE__RISK_GRADE_HIGH), "high");
  assert_string_equal(mash_risk_grade_name((Mash__V1__RiskGrade)0), "none");
  assert_string_equal(mash_risk_grade_name((Mash__V1__RiskGrade)77), "none");
  assert_string_equal(
      mash_health_kind_name(MASH__V1__HEALTH_EVENT_KIND__HEALTH_EVENT_KIND_UNSCHEDULED_CARE),
      "unscheduled_care");
  assert_string_equal(mash_health_kind_name((Mash__V1__HealthEventKind)9), "unspecified");
  assert_string_equal(
      mash_education_kind_name(MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_EXCLUSION),
      "exclusion");
  assert_string_equal(mash_education_kind_name((Mash__V1__EducationEventKind)0), "unspecified");
  assert_string_equal(
      mash_housing_kind_name(MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_ARREARS), "arrears");
  assert_string_equal(mash_housing_kind_name((Mash__V1__HousingEventKind)0), "unspecified");
  assert_string_equal(mash_detail_agency(MASH__V1__NOTIFICATION__DETAIL_HOUSING), "housing");
  assert_null(mash_detail_agency(MASH__V1__NOTIFICATION__DETAIL__NOT_SET));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tables_match_the_proto),
      cmocka_unit_test(test_case_matters),
      cmocka_unit_test(test_typed_names_and_fallbacks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
