/* test_hub_queue: the hub desk's screening queue (agents/hub/hub_queue.h),
 * and the store side it reads (hub_store.h: which contacts are open).
 *
 * The pure module: queue order (priority descending, then the oldest first,
 * information-only notices last through their lower score), overdue
 * marking, ages, the queue line and the run line at every buffer size, the
 * JSON fields, and hostile contacts (no notification, no reasons, unknown
 * or hostile reason codes, control characters, invalid UTF-8). The store:
 * an accepted screening or outcome, or a pack, takes a contact out of the
 * queue; a refused command, an unknown message id or another contact's
 * command does not. Must not: use the network or write files (SQLite runs
 * in memory).
 *
 * Buffers for the truncation tests are exact-size plain malloc blocks, so
 * AddressSanitizer catches a write past the end.
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

#include "test_seal_key.h"

/* The desk's data key: the connection seals and opens blobs with it. */
static mash_seal_t *s_seal;
#include <jansson.h>
#include <sqlite3.h>

#include "hub_queue.h"
#include "agent_seal.h"
#include "hub_store.h"

/* 2026-11-23T02:10:00Z, and the broker's screening deadline a day later. */
#define T0 INT64_C(1795399800000)
#define MIN INT64_C(60000)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

/* ---------------------------------------------------------------- fixtures */

/* A contact with a notification; holds pointers into itself. */
typedef struct item {
  Mash__V1__Contact c;
  Mash__V1__Notification n;
  const char *reasons[4];
} item_t;

static void s_item(item_t *it, const char *id, int32_t priority, int64_t received, const char *r0,
                   const char *r1) {
  memset(it, 0, sizeof *it);
  mash__v1__notification__init(&it->n);
  it->n.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE;
  mash__v1__contact__init(&it->c);
  it->c.contact_id = (char *)id;
  it->c.source_principal = "police";
  it->c.received_at_ms = received;
  it->c.screening_due_at_ms = received != 0 ? received + DAY : 0;
  it->c.notification = &it->n;
  it->c.priority = priority;
  it->reasons[0] = r0;
  it->reasons[1] = r1;
  it->c.n_priority_reasons = r0 == NULL ? 0 : r1 == NULL ? 1 : 2;
  it->c.priority_reasons = (char **)it->reasons;
}

/* 1 when s has no C0, DEL or C1 control character. */
static int s_no_controls(const char *s) {
  for (const unsigned char *u = (const unsigned char *)s; *u != '\0'; u++) {
    if (*u < 0x20 || *u == 0x7f || (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)) {
      return 0;
    }
  }
  return 1;
}

static const char *s_id(const Mash__V1__Contact *c) {
  return c->contact_id;
}

/* ---------------------------------------------------------------- order */

static void test_order_priority_then_oldest(void **state) {
  (void)state;
  item_t low_old, high_new, high_old, mid, info, info_old;
  s_item(&low_old, "MASH-000001", 10, T0, NULL, NULL);
  s_item(&high_new, "MASH-000002", 65, T0 + 2 * HOUR, "dash_high", "children_present");
  s_item(&high_old, "MASH-000003", 65, T0 + HOUR, "dash_high", "children_present");
  s_item(&mid, "MASH-000004", 25, T0 + 3 * HOUR, "child_under_2", NULL);
  /* Information only: the oldest of all, and carrying dash_high, but the
   * broker's score is lower, so it is screened last. */
  s_item(&info, "MASH-000005", -960, T0 - DAY, "information_only", "dash_high");
  s_item(&info_old, "MASH-000006", -1000, T0 - 2 * DAY, "information_only", NULL);
  Mash__V1__Contact *v[] = {&info.c, &low_old.c, &mid.c, &high_new.c, &info_old.c, &high_old.c};
  hub_queue_sort(v, 6);
  const char *want[] = {"MASH-000003", "MASH-000002", "MASH-000004",
                        "MASH-000001", "MASH-000005", "MASH-000006"};
  for (size_t i = 0; i < 6; i++) {
    assert_string_equal(s_id(v[i]), want[i]);
  }
  /* Already sorted: stays so. Reversed: the same order again. */
  hub_queue_sort(v, 6);
  for (size_t i = 0; i < 6; i++) {
    assert_string_equal(s_id(v[i]), want[i]);
  }
  for (size_t i = 0; i < 3; i++) {
    Mash__V1__Contact *t = v[i];
    v[i] = v[5 - i];
    v[5 - i] = t;
  }
  hub_queue_sort(v, 6);
  for (size_t i = 0; i < 6; i++) {
    assert_string_equal(s_id(v[i]), want[i]);
  }
}

static void test_order_ties_and_edges(void **state) {
  (void)state;
  item_t a, b, unknown, top, bottom, zero;
  /* Same priority and time: by id, so the queue always reads the same. */
  s_item(&a, "MASH-000010", 40, T0, NULL, NULL);
  s_item(&b, "MASH-000009", 40, T0, NULL, NULL);
  /* No received time: the oldest of its priority, not buried. */
  s_item(&unknown, "MASH-000011", 40, 0, NULL, NULL);
  /* The extremes of an int32 sort without overflow; 0 (a broker that
   * computes no priority) above every negative (information only). */
  s_item(&top, "MASH-000012", INT32_MAX, T0 + DAY, NULL, NULL);
  s_item(&bottom, "MASH-000013", INT32_MIN, T0 - DAY, NULL, NULL);
  s_item(&zero, "MASH-000014", 0, T0 + DAY, NULL, NULL);
  Mash__V1__Contact *v[] = {&bottom.c, &a.c, NULL, &zero.c, &b.c, &unknown.c, &top.c};
  hub_queue_sort(v, 7);
  assert_string_equal(s_id(v[0]), "MASH-000012");
  assert_string_equal(s_id(v[1]), "MASH-000011");
  assert_string_equal(s_id(v[2]), "MASH-000009");
  assert_string_equal(s_id(v[3]), "MASH-000010");
  assert_string_equal(s_id(v[4]), "MASH-000014");
  assert_string_equal(s_id(v[5]), "MASH-000013");
  assert_null(v[6]); /* NULL entries last */
  assert_true(hub_queue_cmp(&top.c, &bottom.c) < 0);
  assert_true(hub_queue_cmp(&bottom.c, &top.c) > 0);

  assert_true(hub_queue_cmp(&a.c, &a.c) == 0);
  assert_true(hub_queue_cmp(&b.c, &a.c) < 0);
  assert_true(hub_queue_cmp(&a.c, &b.c) > 0);
  assert_true(hub_queue_cmp(NULL, &a.c) > 0);
  assert_true(hub_queue_cmp(&a.c, NULL) < 0);
  assert_true(hub_queue_cmp(NULL, NULL) == 0);
  /* A NULL id compares as "". */
  a.c.contact_id = NULL;
  assert_true(hub_queue_cmp(&a.c, &b.c) < 0);

  /* Nothing to sort is fine. */
  hub_queue_sort(NULL, 0);
  hub_queue_sort(v, 1);
  assert_string_equal(s_id(v[0]), "MASH-000012");
}

/* ---------------------------------------------------------------- overdue, age */

static void test_overdue(void **state) {
  (void)state;
  item_t it;
  s_item(&it, "MASH-000001", 10, T0, NULL, NULL);
  int64_t due = it.c.screening_due_at_ms;
  assert_false(hub_queue_overdue(&it.c, T0));
  assert_false(hub_queue_overdue(&it.c, due)); /* due now is not yet late */
  assert_true(hub_queue_overdue(&it.c, due + 1));
  it.c.screening_due_at_ms = 0; /* no deadline: never overdue */
  assert_false(hub_queue_overdue(&it.c, due + DAY));
  assert_false(hub_queue_overdue(NULL, due + DAY));

  char line[512];
  it.c.screening_due_at_ms = due;
  hub_queue_line(&it.c, due, line, sizeof line);
  assert_non_null(strstr(line, "due 2026-11-24T02:10:00Z"));
  assert_null(strstr(line, "OVERDUE"));
  hub_queue_line(&it.c, due + MIN, line, sizeof line);
  assert_non_null(strstr(line, "due 2026-11-24T02:10:00Z OVERDUE"));
  it.c.screening_due_at_ms = 0;
  hub_queue_line(&it.c, due + MIN, line, sizeof line);
  assert_non_null(strstr(line, "due -"));
  assert_null(strstr(line, "OVERDUE"));
}

static void test_age_format(void **state) {
  (void)state;
  static const struct {
    int64_t ms;
    const char *text;
  } cases[] = {
      {INT64_MIN, "0m"},
      {-5 * MIN, "0m"},
      {0, "0m"},
      {MIN - 1, "0m"},
      {MIN, "1m"},
      {12 * MIN + 59999, "12m"},
      {HOUR - 1, "59m"},
      {HOUR, "1h00m"},
      {3 * HOUR + 12 * MIN, "3h12m"},
      {3 * HOUR + 5 * MIN, "3h05m"},
      {DAY - 1, "23h59m"},
      {DAY, "1d00h"},
      {2 * DAY + 3 * HOUR + 59 * MIN, "2d03h"},
      {400 * DAY, "400d00h"},
      {INT64_MAX, "106751991167d07h"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char out[32];
    memset(out, 'Z', sizeof out);
    hub_queue_age(cases[i].ms, out, sizeof out);
    assert_string_equal(out, cases[i].text);
  }
  /* Truncated, always terminated; nothing written for outlen 0 or NULL. */
  char *small = malloc(3);
  assert_non_null(small);
  hub_queue_age(3 * HOUR + 12 * MIN, small, 3);
  assert_string_equal(small, "3h");
  free(small);
  char one = 'Z';
  hub_queue_age(HOUR, &one, 0);
  assert_int_equal(one, 'Z');
  hub_queue_age(HOUR, NULL, 8);
}

/* ---------------------------------------------------------------- lines */

static void test_reason_labels(void **state) {
  (void)state;
  assert_string_equal(hub_queue_reason_label("dash_high"), "DASH high risk");
  assert_string_equal(hub_queue_reason_label("children_present"),
                      "children present at the incident");
  assert_string_equal(hub_queue_reason_label("child_under_2"), "child under 2");
  assert_string_equal(hub_queue_reason_label("information_only"), "information only");
  static const char *codes[] = {"grade_raised", "injury", "pregnancy", "repeat_contacts",
                                "agency_red_flag"};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    assert_non_null(hub_queue_reason_label(codes[i]));
  }
  assert_null(hub_queue_reason_label("no_such_reason"));
  assert_null(hub_queue_reason_label("DASH_HIGH"));
  assert_null(hub_queue_reason_label(""));
  assert_null(hub_queue_reason_label(NULL));
}

static void test_queue_line(void **state) {
  (void)state;
  item_t it;
  s_item(&it, "MASH-000001", 65, T0, "dash_high", "children_present");
  char line[512];
  int64_t now = T0 + 3 * HOUR + 12 * MIN;
  hub_queue_line(&it.c, now, line, sizeof line);
  print_message("%s\n", line);
  assert_string_equal(line, "P65  MASH-000001  police  age 3h12m  due 2026-11-24T02:10:00Z"
                            "  [DASH high risk; children present at the incident]  domestic abuse");

  /* Overdue, a day and more later; the category with spaces. */
  it.n.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_PHYSICAL_ABUSE;
  hub_queue_line(&it.c, T0 + DAY + 2 * HOUR, line, sizeof line);
  assert_string_equal(line, "P65  MASH-000001  police  age 1d02h  due 2026-11-24T02:10:00Z OVERDUE"
                            "  [DASH high risk; children present at the incident]  physical abuse");

  /* An information-only notice, and a code this desk does not know,
   * shown as it came. */
  s_item(&it, "MASH-000002", -975, T0, "information_only", "new_reason_v2");
  hub_queue_line(&it.c, T0 + 30 * MIN, line, sizeof line);
  assert_non_null(strstr(line, "P-975  MASH-000002  police  age 30m  "));
  assert_non_null(strstr(line, "[information only; new_reason_v2]"));

  /* NULL contact, NULL or empty buffer. */
  char empty[8] = "xxxxxxx";
  hub_queue_line(NULL, now, empty, sizeof empty);
  assert_string_equal(empty, "");
  char one = 'Z';
  hub_queue_line(&it.c, now, &one, 0);
  assert_int_equal(one, 'Z');
  hub_queue_line(&it.c, now, NULL, 10);
}

static void test_queue_line_hostile(void **state) {
  (void)state;
  item_t it;
  /* No notification, no reasons, no received time, no deadline, no ids. */
  s_item(&it, NULL, 0, 0, NULL, NULL);
  it.c.source_principal = NULL;
  it.c.notification = NULL;
  it.c.priority_reasons = NULL;
  char line[512];
  hub_queue_line(&it.c, T0, line, sizeof line);
  print_message("%s\n", line);
  assert_string_equal(line, "P0      age ?  due -  [no reasons]  no notification");

  /* Control characters and invalid UTF-8 in ids and reason codes. */
  s_item(&it, "MASH-\x1b[2J-1", 5, T0, "dash_high\r\nP999  MASH-FAKE",
         "\xc2\x9b"
         "31m \xff\xfe é");
  it.c.source_principal = "pol\x7f"
                          "ice";
  hub_queue_line(&it.c, T0, line, sizeof line);
  print_message("%s\n", line);
  assert_true(s_no_controls(line));
  assert_non_null(strstr(line, "MASH-?[2J-1"));
  assert_non_null(strstr(line, "pol?ice"));
  assert_non_null(strstr(line, "dash_high??P999"));
  assert_non_null(strstr(line, "é"));

  /* Every buffer size: terminated inside, a prefix of the whole line,
   * never a cut character (jansson refuses invalid UTF-8). */
  char full[512];
  hub_queue_line(&it.c, T0, full, sizeof full);
  size_t full_len = strlen(full);
  for (size_t outlen = 1; outlen <= full_len + 2; outlen++) {
    char *out = malloc(outlen);
    assert_non_null(out);
    memset(out, 'Z', outlen);
    hub_queue_line(&it.c, T0, out, outlen);
    size_t len = strnlen(out, outlen);
    assert_true(len < outlen);
    assert_memory_equal(out, full, len);
    if (outlen > full_len) {
      assert_string_equal(out, full);
    }
    json_t *j = json_string(out);
    assert_non_null(j);
    json_decref(j);
    free(out);
  }
}

static void test_contact_line(void **state) {
  (void)state;
  item_t it;
  s_item(&it, "MASH-000001", 12, T0, "dash_high", "children_present");
  it.n.source_reference = "PPN-1";
  char line[512];
  hub_queue_contact_line(&it.c, line, sizeof line);
  print_message("%s\n", line);
  assert_true(strncmp(line, "P12 MASH-000001  police  PPN-1  domestic abuse", 46) == 0);
  const char *tail = "  priority: dash_high, children_present";
  assert_true(strlen(line) > strlen(tail));
  assert_string_equal(line + strlen(line) - strlen(tail), tail);

  /* No reasons (a broker that does not compute them yet): no suffix. */
  it.c.priority = 0;
  it.c.n_priority_reasons = 0;
  hub_queue_contact_line(&it.c, line, sizeof line);
  assert_true(strncmp(line, "P0 MASH-000001  police", 22) == 0);
  assert_null(strstr(line, "priority"));

  /* Information only: a negative score. */
  it.c.priority = -975;
  it.c.n_priority_reasons = 1;
  it.reasons[0] = "information_only";
  hub_queue_contact_line(&it.c, line, sizeof line);
  assert_true(strncmp(line, "P-975 MASH-000001  police", 25) == 0);
  tail = "  priority: information_only";
  assert_string_equal(line + strlen(line) - strlen(tail), tail);
  it.c.priority = 0;

  /* No notification; a hostile reason code. */
  it.c.notification = NULL;
  it.c.n_priority_reasons = 1;
  it.reasons[0] = "x\x1b]0;owned\x07";
  hub_queue_contact_line(&it.c, line, sizeof line);
  assert_true(s_no_controls(line));
  assert_string_equal(line, "P0 MASH-000001  police  priority: x?]0;owned?");

  /* Every size: terminated, a prefix of the whole line. */
  it.c.notification = &it.n;
  it.reasons[0] = "dash_high";
  it.c.n_priority_reasons = 2;
  char full[512];
  hub_queue_contact_line(&it.c, full, sizeof full);
  size_t full_len = strlen(full);
  for (size_t outlen = 1; outlen <= full_len + 2; outlen++) {
    char *out = malloc(outlen);
    assert_non_null(out);
    memset(out, 'Z', outlen);
    hub_queue_contact_line(&it.c, out, outlen);
    size_t len = strnlen(out, outlen);
    assert_true(len < outlen);
    assert_memory_equal(out, full, len);
    if (outlen > full_len) {
      assert_string_equal(out, full);
    }
    free(out);
  }
  char empty[4] = "xxx";
  hub_queue_contact_line(NULL, empty, sizeof empty);
  assert_string_equal(empty, "");
  hub_queue_contact_line(&it.c, NULL, 10);
}

/* ---------------------------------------------------------------- json */

static void test_json_fields(void **state) {
  (void)state;
  item_t it;
  s_item(&it, "MASH-000001", 65, T0, "dash_high", "children_present");
  int64_t now = T0 + DAY + MIN;
  json_t *j = hub_queue_json(&it.c, now);
  assert_non_null(j);
  assert_int_equal(json_object_size(j), 9);
  assert_int_equal(json_integer_value(json_object_get(j, "priority")), 65);
  json_t *r = json_object_get(j, "priority_reasons");
  assert_int_equal(json_array_size(r), 2);
  assert_string_equal(json_string_value(json_array_get(r, 0)), "dash_high"); /* codes */
  assert_string_equal(json_string_value(json_array_get(r, 1)), "children_present");
  assert_string_equal(json_string_value(json_object_get(j, "contact_id")), "MASH-000001");
  assert_string_equal(json_string_value(json_object_get(j, "source")), "police");
  assert_string_equal(json_string_value(json_object_get(j, "received_at")), "2026-11-23T02:10:00Z");
  assert_int_equal(json_integer_value(json_object_get(j, "age_ms")), DAY + MIN);
  assert_string_equal(json_string_value(json_object_get(j, "screening_due_at")),
                      "2026-11-24T02:10:00Z");
  assert_true(json_is_true(json_object_get(j, "overdue")));
  assert_string_equal(json_string_value(json_object_get(j, "category")), "domestic_abuse");
  json_decref(j);

  /* Not yet due. */
  j = hub_queue_json(&it.c, T0 + HOUR);
  assert_true(json_is_false(json_object_get(j, "overdue")));
  assert_int_equal(json_integer_value(json_object_get(j, "age_ms")), HOUR);
  json_decref(j);

  /* Received after now (another machine's clock): age 0, not negative. */
  j = hub_queue_json(&it.c, T0 - MIN);
  assert_int_equal(json_integer_value(json_object_get(j, "age_ms")), 0);
  json_decref(j);
  assert_null(hub_queue_json(NULL, now));
}

static void test_json_hostile(void **state) {
  (void)state;
  item_t it;
  /* No notification, no reasons, no times. */
  s_item(&it, "MASH-000001", 0, 0, NULL, NULL);
  it.c.notification = NULL;
  it.c.priority_reasons = NULL;
  json_t *j = hub_queue_json(&it.c, T0);
  assert_non_null(j);
  assert_int_equal(json_integer_value(json_object_get(j, "priority")), 0);
  assert_true(json_is_array(json_object_get(j, "priority_reasons")));
  assert_int_equal(json_array_size(json_object_get(j, "priority_reasons")), 0);
  assert_true(json_is_null(json_object_get(j, "received_at")));
  assert_true(json_is_null(json_object_get(j, "age_ms")));
  assert_true(json_is_null(json_object_get(j, "screening_due_at")));
  assert_true(json_is_false(json_object_get(j, "overdue")));
  assert_true(json_is_null(json_object_get(j, "category")));
  json_decref(j);

  /* Invalid UTF-8 and NULL strings still make valid JSON. */
  s_item(&it, NULL, INT32_MIN, T0, "\xff\xfe", NULL);
  it.c.source_principal = "p\xc3";
  j = hub_queue_json(&it.c, T0);
  assert_non_null(j);
  assert_true(json_integer_value(json_object_get(j, "priority")) == INT32_MIN);
  assert_string_equal(json_string_value(json_object_get(j, "contact_id")), "");
  assert_string_equal(json_string_value(json_object_get(j, "source")), "p?");
  assert_string_equal(json_string_value(json_array_get(json_object_get(j, "priority_reasons"), 0)),
                      "??");
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

/* ---------------------------------------------------------------- the store side */

static int s_db_setup(void **state) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  s_seal = test_seal_key_new();
  assert_non_null(s_seal);
  assert_int_equal(agent_seal_sql(db, s_seal), 0);
  assert_int_equal(hub_store_init(db), 0);
  *state = db;
  return 0;
}

static int s_db_teardown(void **state) {
  sqlite3_close(*state);
  mash_seal_destroy(&s_seal);
  return 0;
}

/* The open contacts' ids, in the store's order, joined by spaces. */
static void s_open_ids(sqlite3 *db, char *out, size_t outlen) {
  Mash__V1__Contact **v = NULL;
  size_t n = 0;
  int skipped = 0;
  assert_int_equal(hub_store_open_contacts(db, &v, &n, &skipped), 0);
  assert_int_equal(skipped, 0);
  hub_queue_sort(v, n);
  size_t off = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    int w = snprintf(out + off, outlen - off, "%s%s", i ? " " : "", v[i]->contact_id);
    assert_true(w > 0 && (size_t)w < outlen - off);
    off += (size_t)w;
  }
  hub_store_contacts_free(&v, n);
  assert_null(v);
}

static void test_store_open_contacts(void **state) {
  sqlite3 *db = *state;
  char ids[256];
  s_open_ids(db, ids, sizeof ids);
  assert_string_equal(ids, "");

  item_t a, b, c, d;
  s_item(&a, "MASH-000001", 10, T0, NULL, NULL);
  s_item(&b, "MASH-000002", 65, T0 + HOUR, "dash_high", NULL);
  s_item(&c, "MASH-000003", 10, T0 + 2 * HOUR, NULL, NULL);
  s_item(&d, "MASH-000004", -1000, T0 - DAY, "information_only", NULL);
  /* Stored in another order than received: the queue orders, not the table. */
  assert_int_equal(hub_store_contact_put(db, &c.c, T0 + 10), 1);
  assert_int_equal(hub_store_contact_put(db, &d.c, T0 + 11), 1);
  assert_int_equal(hub_store_contact_put(db, &a.c, T0 + 12), 1);
  assert_int_equal(hub_store_contact_put(db, &b.c, T0 + 13), 1);
  s_open_ids(db, ids, sizeof ids);
  assert_string_equal(ids, "MASH-000002 MASH-000001 MASH-000003 MASH-000004");

  /* A screening the broker accepted takes its contact out. */
  assert_int_equal(
      hub_store_command_put(db, "m-screen-2", HUB_COMMAND_SCREENING, "MASH-000002", T0 + DAY), 0);
  assert_int_equal(
      hub_store_command_put(db, "m-screen-2", HUB_COMMAND_SCREENING, "MASH-000002", T0 + DAY),
      0); /* a file dropped twice: one row */
  s_open_ids(db, ids, sizeof ids);
  assert_string_equal(ids, "MASH-000002 MASH-000001 MASH-000003 MASH-000004"); /* not yet */
  assert_int_equal(hub_store_command_accepted(db, "m-screen-2", T0 + DAY + 1), 1);
  assert_int_equal(hub_store_command_accepted(db, "m-screen-2", T0 + DAY + 2), 1); /* again */
  s_open_ids(db, ids, sizeof ids);
  assert_string_equal(ids, "MASH-000001 MASH-000003 MASH-000004");

  /* An outcome does too (a contact decided without a screening here). */
  assert_int_equal(
      hub_store_command_put(db, "m-decide-4", HUB_COMMAND_OUTCOME, "MASH-000004", T0 + DAY), 0);
  assert_int_equal(hub_store_command_accepted(db, "m-decide-4", T0 + DAY + 3), 1);
  s_open_ids(db, ids, sizeof ids);
  assert_string_equal(ids, "MASH-000001 MASH-000003");

  /* A command never accepted (refused: no call), or a receipt for an id the
   * desk never recorded, changes nothing. */
  assert_int_equal(
      hub_store_command_put(db, "m-screen-1", HUB_COMMAND_SCREENING, "MASH-000001", T0 + DAY), 0);
  assert_int_equal(hub_store_command_accepted(db, "m-unknown", T0 + DAY), 0);
  assert_int_equal(hub_store_command_accepted(db, "", T0 + DAY), 0);
  s_open_ids(db, ids, sizeof ids);
  assert_string_equal(ids, "MASH-000001 MASH-000003");

  /* A pack for a contact means its screening was accepted. */
  Mash__V1__ConsolidatedPack p = MASH__V1__CONSOLIDATED_PACK__INIT;
  p.enquiry_id = "ENQ-000001";
  p.contact_id = "MASH-000003";
  p.version = 1;
  assert_int_equal(hub_store_pack_put(db, &p, T0 + DAY), 1);
  assert_int_equal(hub_store_pack_put(db, &p, T0 + DAY), 0); /* redelivered */
  s_open_ids(db, ids, sizeof ids);
  assert_string_equal(ids, "MASH-000001");

  /* The first time is kept. */
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT screened_ms, decided_ms FROM hub_contact_state"
                                      " WHERE contact_id = 'MASH-000002'",
                                      -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int64(st, 0), T0 + DAY + 1);
  assert_int_equal(sqlite3_column_type(st, 1), SQLITE_NULL);
  sqlite3_finalize(st);
}

static void test_store_undecodable_and_errors(void **state) {
  sqlite3 *db = *state;
  item_t a;
  s_item(&a, "MASH-000001", 10, T0, NULL, NULL);
  assert_int_equal(hub_store_contact_put(db, &a.c, T0), 1);
  /* A row that no longer decodes is skipped and counted, not fatal. */
  assert_int_equal(sqlite3_exec(db,
                                "INSERT INTO hub_contacts VALUES ('MASH-BAD', 1, x'ffffffff0f')",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  Mash__V1__Contact **v = NULL;
  size_t n = 0;
  int skipped = 0;
  assert_int_equal(hub_store_open_contacts(db, &v, &n, &skipped), 0);
  assert_int_equal(n, 1);
  assert_int_equal(skipped, 1);
  assert_string_equal(v[0]->contact_id, "MASH-000001");
  hub_store_contacts_free(&v, n);
  hub_store_contacts_free(&v, 0); /* NULL *v_p */
  hub_store_contacts_free(NULL, 0);
  assert_int_equal(hub_store_open_contacts(db, &v, &n, NULL), 0); /* skipped not wanted */
  hub_store_contacts_free(&v, n);

  /* A database error is reported, and leaves nothing to free. */
  assert_int_equal(sqlite3_exec(db, "DROP TABLE hub_contact_state", NULL, NULL, NULL), SQLITE_OK);
  v = (Mash__V1__Contact **)&a; /* must be reset */
  n = 7;
  assert_int_equal(hub_store_open_contacts(db, &v, &n, NULL), -1);
  assert_null(v);
  assert_int_equal(n, 0);
  assert_int_equal(hub_store_command_accepted(db, "m", T0), -1);
  assert_int_equal(sqlite3_exec(db, "DROP TABLE hub_commands", NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(hub_store_command_put(db, "m", HUB_COMMAND_SCREENING, "MASH-000001", T0), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_order_priority_then_oldest),
      cmocka_unit_test(test_order_ties_and_edges),
      cmocka_unit_test(test_overdue),
      cmocka_unit_test(test_age_format),
      cmocka_unit_test(test_reason_labels),
      cmocka_unit_test(test_queue_line),
      cmocka_unit_test(test_queue_line_hostile),
      cmocka_unit_test(test_contact_line),
      cmocka_unit_test(test_json_fields),
      cmocka_unit_test(test_json_hostile),
      cmocka_unit_test_setup_teardown(test_store_open_contacts, s_db_setup, s_db_teardown),
      cmocka_unit_test_setup_teardown(test_store_undecodable_and_errors, s_db_setup, s_db_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
