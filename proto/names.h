/* names: the stable words for mash.v1 enum values that logs, JSON, command
 * files, the escalation log and the statistics share.
 *
 * Responsible for: one table per enum (the snake_case word of each value,
 * the proto's name without its prefix: RAG_AMBER is "amber"), looking a word
 * up both ways, and the word shown for an unspecified or unknown value.
 * Must not: hold display labels for people (pack_html's "Public task"), do
 * I/O or keep state. Pure; any thread.
 */
#ifndef MASH_NAMES_H
#define MASH_NAMES_H

#include "mash.pb-c.h"

/* One row of a word table. */
typedef struct mash_enum_name {
  const char *name;
  int value;
} mash_enum_name_t;

/* The word tables: one row per value other than the unspecified 0, in the
 * proto's order, ended by {NULL, 0}. Static; iterate them to list the
 * choices in an error message. */
extern const mash_enum_name_t mash_rag_names[];
extern const mash_enum_name_t mash_consent_status_names[];
extern const mash_enum_name_t mash_lawful_basis_names[];
extern const mash_enum_name_t mash_outcome_names[];
extern const mash_enum_name_t mash_sex_names[];
extern const mash_enum_name_t mash_identifier_kind_names[];
extern const mash_enum_name_t mash_category_names[];
extern const mash_enum_name_t mash_dash_answer_names[];
extern const mash_enum_name_t mash_risk_grade_names[];
extern const mash_enum_name_t mash_health_kind_names[];
extern const mash_enum_name_t mash_education_kind_names[];
extern const mash_enum_name_t mash_housing_kind_names[];

/* The word of `value` in `table`, or NULL when it has none (unspecified or
 * unknown). */
const char *mash_enum_name_of(const mash_enum_name_t *table, int value);

/* The value of the word `name` (exact, case-sensitive) in `table` into
 * *value. Returns 0, or -EINVAL (and *value untouched) for NULL or a word
 * the table does not hold. */
int mash_enum_value(const mash_enum_name_t *table, const char *name, int *value);

/* The word of a value, or the word shown for unspecified and unknown values:
 * "unspecified" unless said otherwise. Static strings. */
const char *mash_rag_name(Mash__V1__Rag rag);
const char *mash_consent_status_name(Mash__V1__ConsentStatus s);
const char *mash_lawful_basis_name(Mash__V1__LawfulBasis b);
const char *mash_outcome_name(Mash__V1__Outcome o);
const char *mash_sex_name(Mash__V1__Sex s);
const char *mash_identifier_kind_name(Mash__V1__IdentifierKind k);
const char *mash_category_name(Mash__V1__ConcernCategory c);
const char *mash_dash_answer_name(Mash__V1__DashAnswer a); /* else "unanswered" */
const char *mash_risk_grade_name(Mash__V1__RiskGrade g);   /* else "none" */
const char *mash_health_kind_name(Mash__V1__HealthEventKind k);
const char *mash_education_kind_name(Mash__V1__EducationEventKind k);
const char *mash_housing_kind_name(Mash__V1__HousingEventKind k);

/* The agency whose detail a notification carries: "police", "health",
 * "education", "housing"; NULL when it carries none. */
const char *mash_detail_agency(Mash__V1__Notification__DetailCase detail);

#endif
