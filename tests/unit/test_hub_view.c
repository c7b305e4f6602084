/* test_hub_view: the hub desk's display of a contact (agents/hub/hub_view.h).
 *
 * Builds a Contact the way the broker would from the police example
 * dash-high.json (MASH_EXAMPLES, set by CMake, is the examples folder), then
 * checks the one-line view (content, truncation at every buffer size, no
 * terminal control characters from hostile text) and the JSON view (fields
 * and values). Must not: use the network or write files.
 *
 * The truncation test writes into exact-size plain malloc blocks so that
 * AddressSanitizer catches a write past the end, which cmocka's guard bytes
 * would hide; everything else the tests allocate comes from test_malloc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "codec.h"
#include "dash.h"
#include "hub_view.h"
#include "police_json.h"

#ifndef MASH_EXAMPLES
#error "MASH_EXAMPLES must name agents/police/examples"
#endif

/* 2026-11-23T02:10:00Z, and a day later. */
#define RECEIVED_MS INT64_C(1795399800000)
#define DUE_MS INT64_C(1795486200000)

/* ---------------------------------------------------------------- fixture */

/* A Contact over a parsed example; holds pointers into itself. */
typedef struct fixture {
  Mash__V1__Notification *n;
  Mash__V1__Contact c;
  Mash__V1__DashScore dash;
  mash_dash_result_t r;
  const char *flags[8];
} fixture_t;

static char *read_example(const char *name, size_t *len) {
  char path[4096];
  int w = snprintf(path, sizeof path, "%s/%s", MASH_EXAMPLES, name);
  assert_true(w > 0 && (size_t)w < sizeof path);
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fail_msg("cannot open %s", path);
  }
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long size = ftell(f);
  assert_true(size > 0 && size < 1024 * 1024);
  assert_int_equal(fseek(f, 0, SEEK_SET), 0);
  char *buf = test_malloc((size_t)size + 1);
  assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
  buf[size] = '\0';
  fclose(f);
  *len = (size_t)size;
  return buf;
}

static int s_setup(void **state) {
  fixture_t *f = test_calloc(1, sizeof *f);
  size_t len = 0;
  char *text = read_example("dash-high.json", &len);
  mash_errors_t errs = {0};
  f->n = police_json_parse(text, len, &errs);
  test_free(text);
  assert_non_null(f->n);
  assert_int_equal(errs.count, 0);
  assert_int_equal(f->n->detail_case, MASH__V1__NOTIFICATION__DETAIL_POLICE);

  /* What the broker's intake does. */
  const Mash__V1__PoliceDetail *p = f->n->police;
  mash_dash_score(p->dash_answers, p->n_dash_answers, p->officer_grade, true, &f->r);
  mash__v1__dash_score__init(&f->dash);
  mash_dash_to_pb(&f->r, &f->dash);
  mash__v1__contact__init(&f->c);
  f->c.contact_id = "MASH-000042";
  f->c.source_principal = "police";
  f->c.received_at_ms = RECEIVED_MS;
  f->c.screening_due_at_ms = DUE_MS;
  f->c.notification = f->n;
  f->c.dash = &f->dash;
  f->c.n_quality_flags = mash_dash_police_flags(f->n, &f->r, f->flags, 8);
  f->c.quality_flags = (char **)f->flags;
  *state = f;
  return 0;
}

static int s_teardown(void **state) {
  fixture_t *f = *state;
  police_json_free(f->n);
  test_free(f);
  return 0;
}

/* 1 when s has no C0, DEL or C1 control character. */
static int no_controls(const char *s) {
  for (const unsigned char *u = (const unsigned char *)s; *u != '\0'; u++) {
    if (*u < 0x20 || *u == 0x7f) {
      return 0;
    }
    if (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) {
      return 0;
    }
  }
  return 1;
}

/* ---------------------------------------------------------------- line */

static void test_example_parsed(void **state) {
  fixture_t *f = *state;
  /* The example's own facts, so the expectations below mean something. */
  assert_int_equal(f->n->police->n_dash_answers, MASH_DASH_ITEMS);
  assert_int_equal(f->dash.yes_count, 18);
  assert_int_equal(f->dash.final_grade, MASH__V1__RISK_GRADE__RISK_GRADE_HIGH);
  assert_true(f->dash.grade_raised);
  assert_int_equal(f->c.n_quality_flags, 1);
  assert_string_equal(f->flags[0], MASH_FLAG_GRADE_BELOW_CHECKLIST);
}

static void test_line_content(void **state) {
  fixture_t *f = *state;
  char line[512];
  hub_view_line(&f->c, line, sizeof line);
  print_message("%s\n", line);
  assert_non_null(strstr(line, "MASH-000042"));
  assert_true(strncmp(line, "MASH-000042  police  ", 21) == 0);
  assert_non_null(strstr(line, "PPN-2026-000123"));
  assert_non_null(strstr(line, "domestic abuse"));
  assert_non_null(strstr(line, "DASH 18/27"));
  assert_non_null(strstr(line, "high"));
  assert_non_null(strstr(line, "raised"));
  assert_non_null(strstr(line, "2 children"));
  assert_non_null(strstr(line, "flags: grade_below_checklist"));
  assert_null(strchr(line, '\n'));
  assert_true(no_controls(line));
  /* The desk's line shows the broker's score, not a recomputed one. */
  f->dash.grade_raised = 0;
  hub_view_line(&f->c, line, sizeof line);
  assert_null(strstr(line, "raised"));
}

static void test_line_every_size(void **state) {
  fixture_t *f = *state;
  char full[512];
  hub_view_line(&f->c, full, sizeof full);
  size_t full_len = strlen(full);
  assert_true(full_len > 60 && full_len < 200);

  for (size_t outlen = 1; outlen <= 200; outlen++) {
    /* Exact size: ASan catches a byte written past the end. */
    char *out = malloc(outlen);
    assert_non_null(out);
    memset(out, 'Z', outlen);
    hub_view_line(&f->c, out, outlen);
    size_t len = strnlen(out, outlen);
    assert_true(len < outlen); /* NUL-terminated within the buffer */
    assert_memory_equal(out, full, len);
    if (outlen > full_len) {
      assert_string_equal(out, full);
    }
    free(out);

    /* And nothing beyond outlen is touched in a larger buffer. */
    char big[256];
    memset(big, 'Z', sizeof big);
    hub_view_line(&f->c, big, outlen);
    for (size_t i = outlen; i < sizeof big; i++) {
      assert_int_equal(big[i], 'Z');
    }
  }

  /* outlen 0 writes nothing; NULL buffers and contacts are accepted. */
  char one = 'Z';
  hub_view_line(&f->c, &one, 0);
  assert_int_equal(one, 'Z');
  hub_view_line(&f->c, NULL, 10);
  char empty[8] = "xxxxxxx";
  hub_view_line(NULL, empty, sizeof empty);
  assert_string_equal(empty, "");
}

static void test_line_hostile_text(void **state) {
  fixture_t *f = *state;
  char *saved_ref = f->n->source_reference;
  f->c.contact_id = "MASH-\x1b[2J-1";
  f->n->source_reference = "PPN\r\nfake line\x7f \xc2\x9b"
                           "31m é \xff\xfe";
  char line[512];
  hub_view_line(&f->c, line, sizeof line);
  print_message("%s\n", line);
  assert_true(no_controls(line));
  assert_non_null(strstr(line, "MASH-?[2J-1"));
  assert_non_null(strstr(line, "é"));

  /* Truncation never cuts a multi-byte character in two. */
  for (size_t outlen = 1; outlen < 120; outlen++) {
    char out[128];
    hub_view_line(&f->c, out, outlen);
    json_t *j = json_string(out); /* jansson refuses invalid UTF-8 */
    assert_non_null(j);
    json_decref(j);
  }
  f->n->source_reference = saved_ref;
}

static void test_line_null_notification(void **state) {
  fixture_t *f = *state;
  f->c.notification = NULL;
  char line[256];
  hub_view_line(&f->c, line, sizeof line);
  assert_true(strncmp(line, "MASH-000042  police", 19) == 0);
  assert_null(strstr(line, "DASH"));
  assert_null(strstr(line, "children"));

  /* Nothing set at all. */
  Mash__V1__Contact empty;
  mash__v1__contact__init(&empty);
  empty.contact_id = NULL;
  empty.source_principal = NULL;
  hub_view_line(&empty, line, sizeof line);
  assert_true(strlen(line) < sizeof line);
  for (size_t outlen = 1; outlen < 40; outlen++) {
    char *out = malloc(outlen);
    assert_non_null(out);
    hub_view_line(&f->c, out, outlen);
    assert_true(strnlen(out, outlen) < outlen);
    free(out);
  }

  json_t *j = hub_view_json(&f->c);
  assert_non_null(j);
  assert_true(json_is_null(json_object_get(j, "notification")));
  assert_string_equal(json_string_value(json_object_get(j, "contact_id")), "MASH-000042");
  json_decref(j);
  j = hub_view_json(&empty);
  assert_non_null(j);
  assert_true(json_is_null(json_object_get(j, "dash")));
  assert_int_equal(json_array_size(json_object_get(j, "quality_flags")), 0);
  json_decref(j);
  assert_null(hub_view_json(NULL));
}

/* ---------------------------------------------------------------- json */

/* How each person was resolved, and the twelve-month counts: in the line
 * (the possible match with its candidate and match id) and in the JSON. */
static void test_person_links(void **state) {
  fixture_t *f = *state;
  Mash__V1__PersonLink l[2] = {MASH__V1__PERSON_LINK__INIT, MASH__V1__PERSON_LINK__INIT};
  Mash__V1__PersonLink *ptrs[2] = {&l[0], &l[1]};
  l[0].ref = "c1";
  l[0].person_id = "P-000007";
  l[0].decision = "identifier";
  l[0].confidence_permille = 1000;
  l[0].why = "nhs_number";
  l[1].ref = "c2";
  l[1].person_id = "P-000009";
  l[1].decision = "possible";
  l[1].confidence_permille = 800;
  l[1].why = "dob+surname+postcode";
  l[1].candidate_person_id = "P-000003";
  l[1].match_id = "M-000001";
  f->c.persons = ptrs;
  f->c.n_persons = 2;
  f->c.prior_contacts_12m = 4;
  f->c.domestic_abuse_12m = 3;
  char line[1024];
  hub_view_line(&f->c, line, sizeof line);
  assert_non_null(strstr(line, "  2 children  prior 12m: 4 (DA 3)  persons: c1=P-000007 "
                               "(identifier), c2=P-000009 (possible P-000003, M-000001)  flags: "));

  json_t *j = hub_view_json(&f->c);
  assert_non_null(j);
  assert_int_equal(json_integer_value(json_object_get(j, "prior_contacts_12m")), 4);
  assert_int_equal(json_integer_value(json_object_get(j, "domestic_abuse_12m")), 3);
  json_t *persons = json_object_get(j, "persons");
  assert_int_equal(json_array_size(persons), 2);
  json_t *p0 = json_array_get(persons, 0), *p1 = json_array_get(persons, 1);
  assert_int_equal(json_object_size(p0), 7);
  assert_string_equal(json_string_value(json_object_get(p0, "ref")), "c1");
  assert_string_equal(json_string_value(json_object_get(p0, "person_id")), "P-000007");
  assert_string_equal(json_string_value(json_object_get(p0, "decision")), "identifier");
  assert_int_equal(json_integer_value(json_object_get(p0, "confidence_permille")), 1000);
  assert_string_equal(json_string_value(json_object_get(p0, "why")), "nhs_number");
  assert_true(json_is_null(json_object_get(p0, "candidate_person_id")));
  assert_true(json_is_null(json_object_get(p0, "match_id")));
  assert_string_equal(json_string_value(json_object_get(p1, "candidate_person_id")), "P-000003");
  assert_string_equal(json_string_value(json_object_get(p1, "match_id")), "M-000001");
  json_decref(j);

  /* A hostile link cannot drive the terminal; none, nothing shown. */
  l[1].why = "x\x1b[2J";
  l[1].match_id = "M\n1";
  hub_view_line(&f->c, line, sizeof line);
  assert_true(no_controls(line));
  f->c.n_persons = 0;
  f->c.prior_contacts_12m = 0;
  f->c.domestic_abuse_12m = 0;
  hub_view_line(&f->c, line, sizeof line);
  assert_null(strstr(line, "persons:"));
  assert_null(strstr(line, "prior 12m"));
  j = hub_view_json(&f->c);
  assert_int_equal(json_array_size(json_object_get(j, "persons")), 0);
  json_decref(j);
}

static void test_json_fields(void **state) {
  fixture_t *f = *state;
  json_t *j = hub_view_json(&f->c);
  assert_non_null(j);
  assert_true(json_is_object(j));
  assert_string_equal(json_string_value(json_object_get(j, "contact_id")), "MASH-000042");
  assert_string_equal(json_string_value(json_object_get(j, "source_principal")), "police");
  assert_string_equal(json_string_value(json_object_get(j, "received_at")), "2026-11-23T02:10:00Z");
  assert_string_equal(json_string_value(json_object_get(j, "screening_due_at")),
                      "2026-11-24T02:10:00Z");

  json_t *dash = json_object_get(j, "dash");
  assert_true(json_is_object(dash));
  assert_int_equal(json_integer_value(json_object_get(dash, "yes_count")), 18);
  assert_true(json_is_true(json_object_get(dash, "present")));
  assert_true(json_is_true(json_object_get(dash, "complete")));
  assert_true(json_is_true(json_object_get(dash, "grade_raised")));
  assert_string_equal(json_string_value(json_object_get(dash, "final_grade")), "high");
  assert_string_equal(json_string_value(json_object_get(dash, "officer_grade")), "medium");
  assert_string_equal(json_string_value(json_object_get(dash, "checklist_grade")), "high");

  json_t *flags = json_object_get(j, "quality_flags");
  assert_true(json_is_array(flags));
  assert_int_equal(json_array_size(flags), 1);
  assert_string_equal(json_string_value(json_array_get(flags, 0)), "grade_below_checklist");

  json_t *n = json_object_get(j, "notification");
  assert_true(json_is_object(n));
  assert_string_equal(json_string_value(json_object_get(n, "source_reference")), "PPN-2026-000123");
  assert_string_equal(json_string_value(json_object_get(n, "agency")), "police");
  assert_string_equal(json_string_value(json_object_get(n, "category")), "domestic_abuse");
  json_t *children = json_object_get(n, "children");
  assert_int_equal(json_array_size(children), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(children, 0), "given_name")),
                      "Maya");
  assert_string_equal(json_string_value(json_object_get(json_array_get(children, 1), "given_name")),
                      "Leo");
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(children, 0), "family_name")), "Hartley");
  assert_string_equal(json_string_value(json_object_get(json_array_get(children, 0), "dob")),
                      "2019-03-01");
  assert_string_equal(json_string_value(json_object_get(json_array_get(children, 1), "sex")),
                      "male");
  assert_int_equal(json_array_size(json_object_get(n, "adults")), 2);
  assert_int_equal(json_array_size(json_object_get(n, "relationships")), 5);

  json_t *police = json_object_get(n, "police");
  assert_true(json_is_object(police));
  assert_string_equal(json_string_value(json_object_get(police, "incident_number")),
                      "INC-2026-11-0042");
  assert_int_equal(json_array_size(json_object_get(police, "dash_answers")), MASH_DASH_ITEMS);
  assert_string_equal(json_string_value(json_array_get(json_object_get(police, "dash_answers"), 0)),
                      "yes");
  assert_true(json_is_true(json_object_get(police, "domestic_abuse")));

  /* Serialises as valid JSON and reads back equal. */
  char *text = json_dumps(j, JSON_COMPACT);
  assert_non_null(text);
  json_error_t jerr;
  json_t *back = json_loads(text, 0, &jerr);
  assert_non_null(back);
  assert_true(json_equal(j, back));
  json_decref(back);
  free(text);
  json_decref(j);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_example_parsed, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_line_content, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_line_every_size, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_line_hostile_text, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_line_null_notification, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_person_links, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_json_fields, s_setup, s_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
