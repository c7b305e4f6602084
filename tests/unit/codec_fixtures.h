/* codec_fixtures: test fixtures shared by test_codec.c and
 * test_codec_enquiry.c (tests only, not part of any library).
 *
 * Holds a complete, valid police notification in an envelope, the "now" that
 * date checks use, and small helpers to look for and print field errors. The
 * functions are static (each test executable gets its own copy) and marked
 * unused, so that a test file that does not call one still builds with
 * -Wall -Wextra -Werror. Must not: hold state shared between tests.
 */
#ifndef MASH_TEST_CODEC_FIXTURES_H
#define MASH_TEST_CODEC_FIXTURES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"

/* 2024-06-01T12:00:00Z: the "now" used by date-of-birth checks. */
#define NOW_MS 1717243200000LL

/* ---------------------------------------------------------------- fixture */

/* A complete, valid police notification in an envelope. All parts live in
 * this struct, so a test can break exactly one thing and validate again.
 * It holds pointers into itself: never copy it after fixture_init. */
typedef struct fixture {
  Mash__V1__Envelope env;
  Mash__V1__Notification n;
  Mash__V1__Person child0, child1, adult0;
  Mash__V1__Person *children[2];
  Mash__V1__Person *adults[1];
  Mash__V1__Identifier nhs, pnc;
  Mash__V1__Identifier *child0_ids[1];
  Mash__V1__Identifier *adult0_ids[1];
  Mash__V1__Address addr;
  char *addr_lines[2];
  Mash__V1__Relationship rel0, rel1;
  Mash__V1__Relationship *rels[2];
  Mash__V1__PoliceDetail police;
  char *present[2];
  Mash__V1__DashAnswer dash[MASH_DASH_ITEMS];
} fixture_t;

__attribute__((unused)) static void fixture_init(fixture_t *f) {
  memset(f, 0, sizeof *f);
  mash__v1__identifier__init(&f->nhs);
  f->nhs.kind = MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER;
  f->nhs.value = "9434765919";
  f->child0_ids[0] = &f->nhs;

  mash__v1__identifier__init(&f->pnc);
  f->pnc.kind = MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID;
  f->pnc.value = "98/1234567X";
  f->adult0_ids[0] = &f->pnc;

  mash__v1__address__init(&f->addr);
  f->addr_lines[0] = "1 Example Street";
  f->addr_lines[1] = "Flat 2";
  f->addr.n_lines = 2;
  f->addr.lines = f->addr_lines;
  f->addr.town = "Exampleton";
  f->addr.postcode = "EX1 2MP";

  mash__v1__person__init(&f->child0);
  f->child0.ref = "c1";
  f->child0.n_identifiers = 1;
  f->child0.identifiers = f->child0_ids;
  f->child0.given_name = "Zoë";
  f->child0.family_name = "Smith";
  f->child0.date_of_birth = "2016-02-29";
  f->child0.sex = MASH__V1__SEX__SEX_FEMALE;
  f->child0.address = &f->addr;
  f->child0.role = "child";

  mash__v1__person__init(&f->child1);
  f->child1.ref = "c2";
  f->child1.given_name = "Sam";
  f->child1.family_name = "Smith";
  f->child1.date_of_birth = "2019-11-05";
  f->child1.sex = MASH__V1__SEX__SEX_MALE;

  mash__v1__person__init(&f->adult0);
  f->adult0.ref = "a1";
  f->adult0.n_identifiers = 1;
  f->adult0.identifiers = f->adult0_ids;
  f->adult0.given_name = "Alex";
  f->adult0.family_name = "Jones";
  f->adult0.date_of_birth = "1990-07-14";
  f->adult0.role = "suspect";

  f->children[0] = &f->child0;
  f->children[1] = &f->child1;
  f->adults[0] = &f->adult0;

  mash__v1__relationship__init(&f->rel0);
  f->rel0.from_ref = "a1";
  f->rel0.to_ref = "c1";
  f->rel0.kind = "step-parent";
  mash__v1__relationship__init(&f->rel1);
  f->rel1.from_ref = "c1";
  f->rel1.to_ref = "c2";
  f->rel1.kind = "sibling";
  f->rels[0] = &f->rel0;
  f->rels[1] = &f->rel1;

  mash__v1__police_detail__init(&f->police);
  f->police.incident_number = "INC-2024-000123";
  f->police.incident_at_ms = NOW_MS - 3600000;
  f->police.officer_name = "PC 1234 Patel";
  f->police.officer_contact = "01234 567890";
  f->present[0] = "c1";
  f->present[1] = "c2";
  f->police.n_children_present_refs = 2;
  f->police.children_present_refs = f->present;
  for (size_t i = 0; i < MASH_DASH_ITEMS; i++) {
    f->dash[i] = (Mash__V1__DashAnswer)(1 + i % 3);
  }
  f->police.n_dash_answers = MASH_DASH_ITEMS;
  f->police.dash_answers = f->dash;
  f->police.officer_grade = MASH__V1__RISK_GRADE__RISK_GRADE_MEDIUM;
  f->police.formal_referral = 1;
  f->police.domestic_abuse = 1;

  mash__v1__notification__init(&f->n);
  f->n.source_reference = "PPN-77";
  f->n.n_children = 2;
  f->n.children = f->children;
  f->n.n_adults = 1;
  f->n.adults = f->adults;
  f->n.n_relationships = 2;
  f->n.relationships = f->rels;
  f->n.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE;
  f->n.concern = "Verbal argument overheard by neighbours.\nChildren present.";
  f->n.occurred_at_ms = NOW_MS - 7200000;
  f->n.detail_case = MASH__V1__NOTIFICATION__DETAIL_POLICE;
  f->n.police = &f->police;

  mash__v1__envelope__init(&f->env);
  mash_envelope_init(&f->env, "6f1c2a52-0e0b-4c9e-9d55-2b1b8a0f3c11", NOW_MS);
  f->env.body_case = MASH__V1__ENVELOPE__BODY_NOTIFICATION;
  f->env.notification = &f->n;
}

__attribute__((unused)) static int has_error(const mash_errors_t *errs, const char *field) {
  for (size_t i = 0; i < errs->count; i++) {
    if (strcmp(errs->items[i].field, field) == 0) {
      return 1;
    }
  }
  return 0;
}

__attribute__((unused)) static void print_errors(const mash_errors_t *errs) {
  for (size_t i = 0; i < errs->count; i++) {
    print_message("  %s: %s\n", errs->items[i].field, errs->items[i].message);
  }
}

/* A NUL-terminated string of n copies of c, from test_malloc. */
__attribute__((unused)) static char *make_string(size_t n, char c) {
  char *s = test_malloc(n + 1);
  memset(s, c, n);
  s[n] = '\0';
  return s;
}

#endif
