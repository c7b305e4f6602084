/* test_hub_command: the hub desk's command files (agents/hub/hub_command.h).
 *
 * Parses screening, outcome and match commands and checks the messages built from
 * them field by field and against the wire codec; then every refusal
 * (unknown names, missing consent, consent not sought without a reason,
 * wrong JSON types, unknown and duplicate keys, out-of-bounds values the
 * codec catches) with the field it names; then hostile input: every
 * truncation of a valid command, odd roots, NUL bytes, invalid UTF-8, deep
 * nesting, oversize files and floods of errors. Last, the wording of the
 * broker's answers. jansson allocates through cmocka, so a leaked JSON
 * value fails the test. Must not: use the network or write files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "codec.h"
#include "hub_command.h"

/* For memory the library allocated with libc (encoded frames): defined
 * before cmocka's allocation checks replace free. */
static void s_libc_free(void *p) {
  free(p);
}

#define UNIT_TESTING 1
#include <cmocka.h>

static void *s_json_malloc(size_t n) {
  return test_malloc(n);
}

static void s_json_free(void *p) {
  test_free(p);
}

static int s_setup(void **state) {
  (void)state;
  json_set_alloc_funcs(s_json_malloc, s_json_free);
  return 0;
}

#define SCREENING                                                                                  \
  "{\"type\":\"screening\",\"contact_id\":\"MASH-000001\",\"rag\":\"red\","                        \
  "\"agencies\":[\"police\",\"health\",\"education\",\"housing\"],"                                \
  "\"consent\":{\"status\":\"not_sought\",\"reason\":\"seeking consent would place the child at "  \
  "risk\",\"lawful_basis\":\"safeguarding\"},"                                                     \
  "\"screened_by\":\"J Smith\",\"rationale\":\"DASH high, two children present\"}"

#define OUTCOME                                                                                    \
  "{\"type\":\"outcome\",\"contact_id\":\"MASH-000001\",\"outcome\":\"strategy_discussion\","      \
  "\"decided_by\":\"A Manager\",\"rationale\":\"risk of significant harm\"}"

#define MATCH                                                                                      \
  "{\"type\":\"match\",\"match_id\":\"M-000001\",\"decision\":\"confirm\","                        \
  "\"decided_by\":\"J Smith\",\"rationale\":\"same dob, surname and postcode\"}"

static hub_command_t *s_parse(const char *text, mash_errors_t *errs) {
  memset(errs, 0, sizeof *errs);
  return hub_command_parse(text, strlen(text), errs);
}

/* Whether errs holds an error on exactly `field` whose message contains `part`. */
static bool s_has(const mash_errors_t *errs, const char *field, const char *part) {
  for (size_t i = 0; i < errs->count; i++) {
    if (strcmp(errs->items[i].field, field) == 0 && strstr(errs->items[i].message, part) != NULL) {
      return true;
    }
  }
  return false;
}

static void s_print_errors(const mash_errors_t *errs) {
  for (size_t i = 0; i < errs->count; i++) {
    print_message("  %s: %s\n", errs->items[i].field, errs->items[i].message);
  }
}

/* Parsing `text` fails with an error on `field` containing `part`. */
static void s_refused(const char *text, const char *field, const char *part) {
  mash_errors_t errs;
  hub_command_t *c = s_parse(text, &errs);
  if (c != NULL || !s_has(&errs, field, part)) {
    print_message("expected %s: ...%s... for %s\n", field, part, text);
    s_print_errors(&errs);
  }
  assert_null(c);
  assert_true(s_has(&errs, field, part));
}

/* The command's message as the desk would send it passes the codec. */
static void s_assert_valid_envelope(const hub_command_t *c) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  mash_envelope_init(&env, "0f1e2d3c-4b5a-8978-8695-a4b3c2d1e0f9", 1795399800000);
  hub_command_to_envelope(c, &env);
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), 0);
  assert_int_equal(errs.count, 0);
  /* And it survives the wire. */
  uint8_t *buf = NULL;
  size_t len = 0;
  assert_int_equal(mash_codec_encode(&env, &buf, &len), 0);
  Mash__V1__Envelope *back = mash_codec_decode(buf, len, &errs);
  assert_non_null(back);
  assert_int_equal(back->body_case, env.body_case);
  assert_int_equal(mash_codec_validate_envelope(back, &errs), 0);
  mash_codec_free(back);
  s_libc_free(buf);
}

/* ---------------------------------------------------------------- valid commands */

static void test_screening_parsed(void **state) {
  (void)state;
  mash_errors_t errs;
  hub_command_t *c = s_parse(SCREENING, &errs);
  assert_non_null(c);
  assert_int_equal(errs.count, 0);
  assert_int_equal(hub_command_kind(c), HUB_COMMAND_SCREENING);
  assert_string_equal(hub_command_contact_id(c), "MASH-000001");

  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  hub_command_to_envelope(c, &env);
  assert_int_equal(env.body_case, MASH__V1__ENVELOPE__BODY_SCREENING);
  const Mash__V1__ScreeningDecision *d = env.screening;
  assert_string_equal(d->contact_id, "MASH-000001");
  assert_int_equal(d->rag, MASH__V1__RAG__RAG_RED);
  assert_int_equal(d->n_agencies, 4);
  assert_string_equal(d->agencies[0], "police");
  assert_string_equal(d->agencies[3], "housing");
  assert_non_null(d->consent);
  assert_int_equal(d->consent->status, MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT);
  assert_int_equal(d->consent->lawful_basis,
                   MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18);
  assert_string_equal(d->consent->reason, "seeking consent would place the child at risk");
  /* Who recorded the consent: the screener, unless the file says. */
  assert_string_equal(d->consent->recorded_by, "J Smith");
  assert_string_equal(d->screened_by, "J Smith");
  assert_string_equal(d->rationale, "DASH high, two children present");
  s_assert_valid_envelope(c);
  hub_command_destroy(&c);
  assert_null(c);
}

static void test_screening_variants(void **state) {
  (void)state;
  static const char *const ok[] = {
      /* Blue: information only, no agencies; consent given needs no reason. */
      "{\"type\":\"screening\",\"contact_id\":\"MASH-000002\",\"rag\":\"blue\","
      "\"consent\":{\"status\":\"given\",\"lawful_basis\":\"consent\"},\"screened_by\":\"J\"}",
      /* Blue with an empty list and a null rationale. */
      "{\"type\":\"screening\",\"contact_id\":\"MASH-000002\",\"rag\":\"blue\",\"agencies\":[],"
      "\"consent\":{\"status\":\"given\",\"lawful_basis\":\"public_task\"},\"screened_by\":\"J\","
      "\"rationale\":null}",
      /* Amber, refused with a reason, the pack JSON's name for the basis, recorded_by. */
      "{\"type\":\"screening\",\"contact_id\":\"MASH-000003\",\"rag\":\"amber\","
      "\"agencies\":[\"health\"],\"consent\":{\"status\":\"refused\",\"reason\":\"father refused\","
      "\"lawful_basis\":\"safeguarding_dpa_sch1_p18\",\"recorded_by\":\"K Jones\"},"
      "\"screened_by\":\"J\"}",
      /* Green, legal obligation; multi-line rationale. */
      "{\"type\":\"screening\",\"contact_id\":\"MASH-000004\",\"rag\":\"green\","
      "\"agencies\":[\"education\",\"youth_offending\"],\"consent\":{\"status\":\"not_sought\","
      "\"reason\":\"r\",\"lawful_basis\":\"legal_obligation\"},\"screened_by\":\"J\","
      "\"rationale\":\"line one\\nline two\"}",
      /* Vital interests, keys in another order. */
      "{\"screened_by\":\"J\",\"consent\":{\"lawful_basis\":\"vital_interests\",\"reason\":\"r\","
      "\"status\":\"not_sought\"},\"agencies\":[\"police\"],\"rag\":\"red\","
      "\"contact_id\":\"MASH-000005\",\"type\":\"screening\"}",
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    mash_errors_t errs;
    hub_command_t *c = s_parse(ok[i], &errs);
    if (c == NULL) {
      print_message("refused: %s\n", ok[i]);
      s_print_errors(&errs);
    }
    assert_non_null(c);
    s_assert_valid_envelope(c);
    hub_command_destroy(&c);
  }
  mash_errors_t errs;
  hub_command_t *c = s_parse(ok[2], &errs);
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  hub_command_to_envelope(c, &env);
  assert_string_equal(env.screening->consent->recorded_by, "K Jones");
  assert_int_equal(env.screening->consent->lawful_basis,
                   MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18);
  hub_command_destroy(&c);
  c = s_parse(ok[0], &errs);
  hub_command_to_envelope(c, &env);
  assert_int_equal(env.screening->n_agencies, 0);
  assert_int_equal(env.screening->rag, MASH__V1__RAG__RAG_BLUE);
  hub_command_destroy(&c);
}

static void test_outcome_parsed(void **state) {
  (void)state;
  static const struct {
    const char *name;
    int value;
  } outcomes[] = {
      {"no_further_action", MASH__V1__OUTCOME__OUTCOME_NO_FURTHER_ACTION},
      {"early_help", MASH__V1__OUTCOME__OUTCOME_EARLY_HELP},
      {"assessment", MASH__V1__OUTCOME__OUTCOME_ASSESSMENT},
      {"strategy_discussion", MASH__V1__OUTCOME__OUTCOME_STRATEGY_DISCUSSION},
  };
  for (size_t i = 0; i < 4; i++) {
    char text[512];
    snprintf(text, sizeof text,
             "{\"type\":\"outcome\",\"contact_id\":\"MASH-000009\",\"outcome\":\"%s\","
             "\"decided_by\":\"A Manager\"}",
             outcomes[i].name);
    mash_errors_t errs;
    hub_command_t *c = s_parse(text, &errs);
    assert_non_null(c);
    assert_int_equal(hub_command_kind(c), HUB_COMMAND_OUTCOME);
    assert_string_equal(hub_command_contact_id(c), "MASH-000009");
    Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
    hub_command_to_envelope(c, &env);
    assert_int_equal(env.body_case, MASH__V1__ENVELOPE__BODY_OUTCOME);
    assert_int_equal(env.outcome->outcome, outcomes[i].value);
    assert_string_equal(env.outcome->decided_by, "A Manager");
    assert_string_equal(env.outcome->rationale, "");
    s_assert_valid_envelope(c);
    hub_command_destroy(&c);
  }
  mash_errors_t errs;
  hub_command_t *c = s_parse(OUTCOME, &errs);
  assert_non_null(c);
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  hub_command_to_envelope(c, &env);
  assert_string_equal(env.outcome->rationale, "risk of significant harm");
  hub_command_destroy(&c);
}

/* Leading and trailing white space, a UTF-8 name, a BOM-free file with a
 * final newline: what an editor writes. */
static void test_text_as_written_by_people(void **state) {
  (void)state;
  const char *text = "\n  {\"type\": \"outcome\", \"contact_id\": \"MASH-000010\",\n"
                     "   \"outcome\": \"early_help\", \"decided_by\": \"Zo\xc3\xab O'Neill\"}\n\n";
  mash_errors_t errs;
  hub_command_t *c = s_parse(text, &errs);
  assert_non_null(c);
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  hub_command_to_envelope(c, &env);
  assert_string_equal(env.outcome->decided_by, "Zo\xc3\xab O'Neill");
  hub_command_destroy(&c);
  /* Not NUL-terminated: only len bytes are read. */
  char buf[sizeof OUTCOME + 8];
  memcpy(buf, OUTCOME, strlen(OUTCOME));
  memcpy(buf + strlen(OUTCOME), "XXXXXXX", 8);
  memset(&errs, 0, sizeof errs);
  c = hub_command_parse(buf, strlen(OUTCOME), &errs);
  assert_non_null(c);
  hub_command_destroy(&c);
}

/* ---------------------------------------------------------------- refusals */

/* SCREENING with one key's value replaced: `key` is the JSON text to find,
 * `value` its replacement. */
static void s_screening_with(char *out, size_t cap, const char *from, const char *to) {
  const char *base = SCREENING;
  const char *at = strstr(base, from);
  assert_non_null(at);
  snprintf(out, cap, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
}

static void test_screening_names_refused(void **state) {
  (void)state;
  char t[4096];
  s_screening_with(t, sizeof t, "\"rag\":\"red\"", "\"rag\":\"purple\"");
  s_refused(t, "rag", "must be red, amber, green or blue");
  s_screening_with(t, sizeof t, "\"rag\":\"red\"", "\"rag\":\"RED\"");
  s_refused(t, "rag", "'RED'");
  s_screening_with(t, sizeof t, "\"rag\":\"red\",", "");
  s_refused(t, "rag", "is required");
  s_screening_with(t, sizeof t, "\"rag\":\"red\"", "\"rag\":\"\"");
  s_refused(t, "rag", "is required");
  s_screening_with(t, sizeof t, "\"status\":\"not_sought\"", "\"status\":\"maybe\"");
  s_refused(t, "consent.status", "given, refused or not_sought");
  s_screening_with(t, sizeof t, "\"lawful_basis\":\"safeguarding\"", "\"lawful_basis\":\"gdpr\"");
  s_refused(t, "consent.lawful_basis", "must be consent, public_task");
  s_screening_with(t, sizeof t, ",\"lawful_basis\":\"safeguarding\"", "");
  s_refused(t, "consent.lawful_basis", "is required");
  s_screening_with(t, sizeof t, "\"status\":\"not_sought\",", "");
  s_refused(t, "consent.status", "is required");
}

static void test_consent_refused(void **state) {
  (void)state;
  char t[4096];
  /* No consent record at all, or null. */
  s_screening_with(t, sizeof t, "\"consent\":", "\"consentx\":");
  s_refused(t, "consent", "is required");
  s_refused(t, "consentx", "is not a field of a screening command");
  s_screening_with(t, sizeof t, "\"consent\":{", "\"consent\":null,\"x\":{");
  s_refused(t, "consent", "is required");
  /* Not sought, or refused, without a reason: absent, empty, blank, null. */
  static const char *const no_reason[] = {"", "\"reason\":\"\",", "\"reason\":\"   \",",
                                          "\"reason\":null,"};
  for (size_t i = 0; i < 4; i++) {
    char repl[128];
    snprintf(repl, sizeof repl, "%s\"lawful_basis\"", no_reason[i]);
    s_screening_with(t, sizeof t,
                     "\"reason\":\"seeking consent would place the child at risk\","
                     "\"lawful_basis\"",
                     repl);
    s_refused(t, "consent.reason", "is required when consent is not sought");
  }
  s_screening_with(t, sizeof t,
                   "\"status\":\"not_sought\",\"reason\":\"seeking consent would "
                   "place the child at risk\",",
                   "\"status\":\"refused\",");
  s_refused(t, "consent.reason", "is required when consent is refused");
  /* Consent cannot be the basis for sharing without it. */
  s_screening_with(t, sizeof t, "\"lawful_basis\":\"safeguarding\"",
                   "\"lawful_basis\":\"consent\"");
  s_refused(t, "consent.lawful_basis", "cannot be consent when consent was not sought");
  /* Unknown keys inside the record. */
  s_screening_with(t, sizeof t, "\"lawful_basis\":\"safeguarding\"",
                   "\"lawful_basis\":\"safeguarding\",\"basis_note\":\"x\"");
  s_refused(t, "consent.basis_note", "is not a field of a consent record");
  /* A reason too long for the wire. */
  char *big = malloc(600);
  assert_non_null(big);
  memset(big, 'r', 599);
  big[599] = '\0';
  char repl[700];
  snprintf(repl, sizeof repl, "\"reason\":\"%s\"", big);
  free(big);
  s_screening_with(t, sizeof t, "\"reason\":\"seeking consent would place the child at risk\"",
                   repl);
  s_refused(t, "consent.reason", "");
}

static void test_agencies_refused(void **state) {
  (void)state;
  char t[4096];
  s_screening_with(t, sizeof t, "\"agencies\":[\"police\",\"health\",\"education\",\"housing\"],",
                   "");
  s_refused(t, "agencies", "needs at least one agency");
  s_screening_with(t, sizeof t, "[\"police\",\"health\",\"education\",\"housing\"]", "[]");
  s_refused(t, "agencies", "needs at least one agency");
  s_screening_with(t, sizeof t, "\"rag\":\"red\"", "\"rag\":\"blue\"");
  s_refused(t, "agencies", "must be empty for blue");
  s_screening_with(t, sizeof t, "[\"police\",\"health\",\"education\",\"housing\"]",
                   "\"police,health\"");
  s_refused(t, "agencies", "must be an array");
  s_screening_with(t, sizeof t, "[\"police\",\"health\",\"education\",\"housing\"]",
                   "[\"police\",7,{\"name\":\"health\"}]");
  s_refused(t, "agencies[1]", "must be a string");
  s_refused(t, "agencies[2]", "must be a string");
  /* What the codec checks: principal syntax and duplicates. */
  s_screening_with(t, sizeof t, "[\"police\",\"health\",\"education\",\"housing\"]",
                   "[\"police\",\"Health\",\"\",\"police\",\"1st\",\"a b\"]");
  s_refused(t, "agencies[1]", "must be an agency principal");
  s_refused(t, "agencies[2]", "must be an agency principal");
  s_refused(t, "agencies[3]", "duplicates");
  s_refused(t, "agencies[4]", "must be an agency principal");
  s_refused(t, "agencies[5]", "must be an agency principal");
  /* More than the wire allows. */
  char list[1024];
  size_t off = (size_t)snprintf(list, sizeof list, "[");
  for (int i = 0; i <= (int)MASH_MAX_AGENCIES; i++) {
    off += (size_t)snprintf(list + off, sizeof list - off, "%s\"agency%d\"", i ? "," : "", i);
  }
  snprintf(list + off, sizeof list - off, "]");
  s_screening_with(t, sizeof t, "[\"police\",\"health\",\"education\",\"housing\"]", list);
  s_refused(t, "agencies", "at most 16");
}

static void test_types_refused(void **state) {
  (void)state;
  char t[4096];
  s_screening_with(t, sizeof t, "\"rag\":\"red\"", "\"rag\":1");
  s_refused(t, "rag", "must be a string");
  s_screening_with(t, sizeof t, "\"contact_id\":\"MASH-000001\"", "\"contact_id\":1");
  s_refused(t, "contact_id", "must be a string");
  s_screening_with(t, sizeof t, "\"screened_by\":\"J Smith\"", "\"screened_by\":[\"J\"]");
  s_refused(t, "screened_by", "must be a string");
  s_screening_with(t, sizeof t, "\"screened_by\":\"J Smith\"", "\"screened_by\":true");
  s_refused(t, "screened_by", "must be a string");
  s_screening_with(t, sizeof t, "\"rationale\":\"DASH high, two children present\"",
                   "\"rationale\":{}");
  s_refused(t, "rationale", "must be a string");
  s_screening_with(t, sizeof t, "\"consent\":{", "\"consent\":\"yes\",\"x\":{");
  s_refused(t, "consent", "must be an object");
  s_screening_with(t, sizeof t, "\"consent\":{", "\"consent\":[],\"x\":{");
  s_refused(t, "consent", "must be an object");
  s_screening_with(t, sizeof t, "\"reason\":\"seeking consent would place the child at risk\"",
                   "\"reason\":42");
  s_refused(t, "consent.reason", "must be a string");
  s_screening_with(t, sizeof t, "\"status\":\"not_sought\"", "\"status\":3");
  s_refused(t, "consent.status", "must be a string");
  s_screening_with(t, sizeof t, "\"type\":\"screening\"", "\"type\":[\"screening\"]");
  s_refused(t, "type", "must be a string");
  s_screening_with(t, sizeof t, "\"screened_by\":\"J Smith\"", "\"screened_by\":\" \"");
  s_refused(t, "screened_by", "is required");
}

static void test_fields_refused(void **state) {
  (void)state;
  char t[4096];
  s_screening_with(t, sizeof t, "\"type\":\"screening\",", "");
  s_refused(t, "type", "is required");
  s_screening_with(t, sizeof t, "\"type\":\"screening\"", "\"type\":\"referral\"");
  s_refused(t, "type", "must be screening, outcome or match");
  s_screening_with(t, sizeof t, "\"contact_id\":\"MASH-000001\",", "");
  s_refused(t, "contact_id", "is required");
  s_screening_with(t, sizeof t, "\"screened_by\":\"J Smith\",", "");
  s_refused(t, "screened_by", "is required");
  /* A misspelt key is refused rather than dropped. */
  s_screening_with(t, sizeof t, "\"rationale\"", "\"rational\"");
  s_refused(t, "rational", "is not a field of a screening command");
  /* The same key twice: which one would count? Neither. */
  s_screening_with(t, sizeof t, "\"rag\":\"red\"", "\"rag\":\"green\",\"rag\":\"red\"");
  s_refused(t, "json", "duplicate");
  /* What the codec checks: characters and sizes. */
  s_screening_with(t, sizeof t, "\"contact_id\":\"MASH-000001\"", "\"contact_id\":\"MASH/../1\"");
  s_refused(t, "contact_id", "");
  s_screening_with(
      t, sizeof t, "\"contact_id\":\"MASH-000001\"",
      "\"contact_id\":\"MASH-0000000000000000000000000000000000000000000000000000000000001\"");
  s_refused(t, "contact_id", "");
  s_screening_with(t, sizeof t, "\"screened_by\":\"J Smith\"", "\"screened_by\":\"J\\u001b[2J\"");
  s_refused(t, "screened_by", "");
  char *big = malloc(MASH_MAX_LONG_TEXT + 200);
  assert_non_null(big);
  memset(big, 'x', MASH_MAX_LONG_TEXT + 1);
  big[MASH_MAX_LONG_TEXT + 1] = '\0';
  char *t2 = malloc(MASH_MAX_LONG_TEXT + 4096);
  assert_non_null(t2);
  char *r = malloc(MASH_MAX_LONG_TEXT + 64);
  assert_non_null(r);
  snprintf(r, MASH_MAX_LONG_TEXT + 64, "\"rationale\":\"%s\"", big);
  s_screening_with(t2, MASH_MAX_LONG_TEXT + 4096,
                   "\"rationale\":\"DASH high, two children present\"", r);
  s_refused(t2, "rationale", "");
  free(r);
  free(t2);
  free(big);
}

static void test_outcome_refused(void **state) {
  (void)state;
  s_refused(
      "{\"type\":\"outcome\",\"contact_id\":\"MASH-1\",\"outcome\":\"nfa\",\"decided_by\":\"A\"}",
      "outcome", "no_further_action, early_help, assessment or strategy_discussion");
  s_refused("{\"type\":\"outcome\",\"contact_id\":\"MASH-1\",\"decided_by\":\"A\"}", "outcome",
            "is required");
  s_refused("{\"type\":\"outcome\",\"contact_id\":\"MASH-1\",\"outcome\":4,\"decided_by\":\"A\"}",
            "outcome", "must be a string");
  s_refused("{\"type\":\"outcome\",\"contact_id\":\"MASH-1\",\"outcome\":\"assessment\"}",
            "decided_by", "is required");
  s_refused("{\"type\":\"outcome\",\"outcome\":\"assessment\",\"decided_by\":\"A\"}", "contact_id",
            "is required");
  /* Screening fields are not outcome fields. */
  s_refused("{\"type\":\"outcome\",\"contact_id\":\"MASH-1\",\"outcome\":\"assessment\","
            "\"decided_by\":\"A\",\"rag\":\"red\"}",
            "rag", "is not a field of an outcome command");
  s_refused("{\"type\":\"outcome\",\"contact_id\":\"MASH-1\",\"outcome\":\"assessment\","
            "\"screened_by\":\"A\"}",
            "decided_by", "is required");
}

static void test_match_parsed(void **state) {
  (void)state;
  mash_errors_t errs;
  hub_command_t *c = s_parse(MATCH, &errs);
  assert_non_null(c);
  assert_int_equal(errs.count, 0);
  assert_int_equal(hub_command_kind(c), HUB_COMMAND_MATCH);
  assert_null(hub_command_contact_id(c));
  assert_string_equal(hub_command_match_id(c), "M-000001");
  assert_true(hub_command_match_confirm(c));
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  hub_command_to_envelope(c, &env);
  assert_int_equal(env.body_case, MASH__V1__ENVELOPE__BODY_MATCH_DECISION);
  assert_string_equal(env.match_decision->match_id, "M-000001");
  assert_true(env.match_decision->confirm);
  assert_string_equal(env.match_decision->decided_by, "J Smith");
  assert_string_equal(env.match_decision->rationale, "same dob, surname and postcode");
  s_assert_valid_envelope(c);
  hub_command_destroy(&c);

  /* Reject, without a rationale (it is optional). */
  c = s_parse("{\"type\":\"match\",\"match_id\":\"M-000042\",\"decision\":\"reject\","
              "\"decided_by\":\"A Manager\"}",
              &errs);
  assert_non_null(c);
  assert_int_equal(hub_command_kind(c), HUB_COMMAND_MATCH);
  assert_string_equal(hub_command_match_id(c), "M-000042");
  assert_false(hub_command_match_confirm(c));
  memset(&env, 0, sizeof env);
  mash__v1__envelope__init(&env);
  hub_command_to_envelope(c, &env);
  assert_int_equal(env.body_case, MASH__V1__ENVELOPE__BODY_MATCH_DECISION);
  assert_false(env.match_decision->confirm);
  assert_string_equal(env.match_decision->rationale, "");
  s_assert_valid_envelope(c);
  hub_command_destroy(&c);

  /* The other kinds have no match. */
  c = s_parse(OUTCOME, &errs);
  assert_non_null(c);
  assert_null(hub_command_match_id(c));
  assert_false(hub_command_match_confirm(c));
  hub_command_destroy(&c);
}

static void test_match_refused(void **state) {
  (void)state;
  /* No match id, or a blank one. */
  s_refused("{\"type\":\"match\",\"decision\":\"confirm\",\"decided_by\":\"A\"}", "match_id",
            "is required");
  s_refused("{\"type\":\"match\",\"match_id\":\" \",\"decision\":\"confirm\","
            "\"decided_by\":\"A\"}",
            "match_id", "is required");
  s_refused("{\"type\":\"match\",\"match_id\":7,\"decision\":\"confirm\",\"decided_by\":\"A\"}",
            "match_id", "must be a string");
  /* What the codec refuses, named by the command's own field. */
  s_refused("{\"type\":\"match\",\"match_id\":\"M/000001\",\"decision\":\"confirm\","
            "\"decided_by\":\"A\"}",
            "match_id", "may contain only");
  /* The decision: by name, confirm or reject only. */
  s_refused("{\"type\":\"match\",\"match_id\":\"M-1\",\"decision\":\"yes\","
            "\"decided_by\":\"A\"}",
            "decision", "is 'yes': must be confirm or reject");
  s_refused("{\"type\":\"match\",\"match_id\":\"M-1\",\"decision\":\"Confirm\","
            "\"decided_by\":\"A\"}",
            "decision", "must be confirm or reject");
  s_refused("{\"type\":\"match\",\"match_id\":\"M-1\",\"decision\":true,\"decided_by\":\"A\"}",
            "decision", "must be a string");
  s_refused("{\"type\":\"match\",\"match_id\":\"M-1\",\"decided_by\":\"A\"}", "decision",
            "is required");
  s_refused("{\"type\":\"match\",\"match_id\":\"M-1\",\"decision\":\"reject\"}", "decided_by",
            "is required");
  /* Unknown keys, including the wire's own "confirm" and other kinds'
   * fields, and duplicate keys. */
  s_refused("{\"type\":\"match\",\"match_id\":\"M-1\",\"decision\":\"reject\","
            "\"decided_by\":\"A\",\"confirm\":true}",
            "confirm", "is not a field of a match command");
  s_refused("{\"type\":\"match\",\"match_id\":\"M-1\",\"decision\":\"reject\","
            "\"decided_by\":\"A\",\"contact_id\":\"MASH-000001\"}",
            "contact_id", "is not a field of a match command");
  s_refused("{\"type\":\"match\",\"match_id\":\"M-1\",\"decision\":\"reject\","
            "\"decided_by\":\"A\",\"rationle\":\"typo\"}",
            "rationle", "is not a field of a match command");
  s_refused("{\"type\":\"match\",\"match_id\":\"M-1\",\"match_id\":\"M-2\","
            "\"decision\":\"reject\",\"decided_by\":\"A\"}",
            "json", "duplicate");
  /* A match id longer than an id may be. */
  char text[512], id[MASH_MAX_ID_LEN + 2];
  memset(id, 'M', sizeof id - 1);
  id[sizeof id - 1] = '\0';
  snprintf(text, sizeof text,
           "{\"type\":\"match\",\"match_id\":\"%s\",\"decision\":\"confirm\","
           "\"decided_by\":\"A\"}",
           id);
  s_refused(text, "match_id", "");
}

/* Several problems at once are all reported, each once. */
static void test_every_problem_reported_once(void **state) {
  (void)state;
  mash_errors_t errs;
  hub_command_t *c =
      s_parse("{\"type\":\"screening\",\"contact_id\":\"M 1\",\"rag\":\"pink\",\"agencies\":"
              "[\"police\",\"police\"],\"consent\":{\"status\":\"not_sought\","
              "\"lawful_basis\":\"consent\"}}",
              &errs);
  assert_null(c);
  assert_true(s_has(&errs, "rag", "'pink'"));
  assert_true(s_has(&errs, "consent.reason", "is required"));
  assert_true(s_has(&errs, "consent.lawful_basis", "cannot be consent"));
  assert_true(s_has(&errs, "screened_by", "is required"));
  assert_true(s_has(&errs, "contact_id", ""));
  assert_true(s_has(&errs, "agencies[1]", "duplicates"));
  size_t rag = 0, reason = 0;
  for (size_t i = 0; i < errs.count; i++) {
    rag += strcmp(errs.items[i].field, "rag") == 0;
    reason += strcmp(errs.items[i].field, "consent.reason") == 0;
  }
  assert_int_equal(rag, 1);
  assert_int_equal(reason, 1);
}

/* ---------------------------------------------------------------- hostile input */

static void test_every_truncation_refused(void **state) {
  (void)state;
  static const char *const texts[] = {SCREENING, OUTCOME, MATCH};
  for (size_t k = 0; k < 3; k++) {
    size_t len = strlen(texts[k]);
    for (size_t n = 0; n < len; n++) {
      /* An exact-size copy, so a read past len is caught by ASan. */
      char *buf = malloc(n ? n : 1);
      assert_non_null(buf);
      memcpy(buf, texts[k], n);
      mash_errors_t errs;
      memset(&errs, 0, sizeof errs);
      hub_command_t *c = hub_command_parse(buf, n, &errs);
      free(buf);
      assert_null(c);
      assert_true(errs.count >= 1);
    }
  }
}

static void test_odd_inputs_refused(void **state) {
  (void)state;
  s_refused("[]", "json", "must be an object");
  s_refused("\"screening\"", "json", "expected");
  s_refused("42", "json", "expected");
  s_refused("null", "json", "expected");
  s_refused("{}", "type", "is required");
  s_refused("{\"type\":\"outcome\"} trailing", "json", "");
  s_refused("{\"type\":\"outcome\"}{\"type\":\"outcome\"}", "json", "");
  s_refused("", "command", "is empty");
  s_refused("   ", "json", "");
  /* A NUL escape and a raw NUL byte. */
  s_refused("{\"type\":\"outcome\",\"contact_id\":\"MASH\\u00001\",\"outcome\":\"assessment\","
            "\"decided_by\":\"A\"}",
            "json", "");
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  const char raw[] = "{\"type\":\"outcome\",\"contact_id\":\"MASH\0001\"}";
  assert_null(hub_command_parse(raw, sizeof raw - 1, &errs));
  assert_true(errs.count >= 1);
  /* Invalid UTF-8 (an overlong slash, a lone continuation byte). */
  s_refused("{\"type\":\"outcome\",\"contact_id\":\"MASH-1\",\"outcome\":\"assessment\","
            "\"decided_by\":\"\xc0\xaf\"}",
            "json", "");
  s_refused("{\"type\":\"outcome\",\"contact_id\":\"MASH-1\",\"outcome\":\"assessment\","
            "\"decided_by\":\"\x80\"}",
            "json", "");
  /* NULL text, and no error list wanted. */
  memset(&errs, 0, sizeof errs);
  assert_null(hub_command_parse(NULL, 10, &errs));
  assert_true(s_has(&errs, "command", "is empty"));
  assert_null(hub_command_parse("{", 1, NULL));
  hub_command_t *c = hub_command_parse(OUTCOME, strlen(OUTCOME), NULL);
  assert_non_null(c);
  hub_command_destroy(&c);
  hub_command_destroy(&c);
  hub_command_destroy(NULL);
}

static void test_deep_nesting_refused(void **state) {
  (void)state;
  size_t depth = 100000;
  char *t = malloc(2 * depth + 64);
  assert_non_null(t);
  size_t n = (size_t)snprintf(t, 64, "{\"type\":\"outcome\",\"rationale\":");
  memset(t + n, '[', depth);
  memset(t + n + depth, ']', depth);
  t[n + 2 * depth] = '}';
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  assert_null(hub_command_parse(t, n + 2 * depth + 1, &errs));
  assert_true(errs.count >= 1);
  free(t);
}

static void test_oversize_refused(void **state) {
  (void)state;
  size_t len = HUB_COMMAND_MAX_BYTES + 1;
  char *t = malloc(len);
  assert_non_null(t);
  memset(t, ' ', len);
  memcpy(t, OUTCOME, strlen(OUTCOME));
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  assert_null(hub_command_parse(t, len, &errs));
  assert_true(s_has(&errs, "command", "larger than"));
  /* Exactly at the bound is read. */
  hub_command_t *c = hub_command_parse(t, HUB_COMMAND_MAX_BYTES, &errs);
  assert_non_null(c);
  hub_command_destroy(&c);
  free(t);
}

/* Many bad keys: the error list stays bounded and counts the rest; hostile
 * key names are not echoed with control characters. */
static void test_error_flood_bounded(void **state) {
  (void)state;
  char t[8192];
  size_t off = (size_t)snprintf(t, sizeof t, "{\"type\":\"outcome\"");
  for (int i = 0; i < 100; i++) {
    off += (size_t)snprintf(t + off, sizeof t - off, ",\"bad\\u001b%d\":1", i);
  }
  snprintf(t + off, sizeof t - off, "}");
  mash_errors_t errs;
  hub_command_t *c = s_parse(t, &errs);
  assert_null(c);
  assert_int_equal(errs.count, MASH_MAX_FIELD_ERRORS);
  assert_true(errs.dropped > 0);
  for (size_t i = 0; i < errs.count; i++) {
    for (const char *p = errs.items[i].field; *p; p++) {
      assert_true((unsigned char)*p >= 0x20);
    }
  }
}

/* ---------------------------------------------------------------- answers and names */

static void test_answer_text(void **state) {
  (void)state;
  char out[512];
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Receipt r = MASH__V1__RECEIPT__INIT;
  env.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
  env.receipt = &r;
  r.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED;
  r.contact_id = "MASH-000001";
  r.enquiry_id = "ENQ-000001";
  assert_int_equal(hub_command_answer_text(&env, out, sizeof out), 1);
  assert_string_equal(out, "accepted: contact MASH-000001, enquiry ENQ-000001");
  r.enquiry_id = "";
  assert_int_equal(hub_command_answer_text(&env, out, sizeof out), 1);
  assert_string_equal(out, "accepted: contact MASH-000001");
  r.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE;
  r.contact_id = "";
  r.enquiry_id = "ENQ-000007";
  assert_int_equal(hub_command_answer_text(&env, out, sizeof out), 1);
  assert_string_equal(out, "accepted (already received): enquiry ENQ-000007");

  Mash__V1__FieldError e1 = MASH__V1__FIELD_ERROR__INIT, e2 = MASH__V1__FIELD_ERROR__INIT;
  e1.field = "screening.contact_id";
  e1.message = "no such contact";
  e2.field = "screening.agencies[1]";
  e2.message = "not an agency in the broker's trust list";
  Mash__V1__FieldError *errs[] = {&e1, &e2};
  r.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED;
  r.n_errors = 2;
  r.errors = errs;
  assert_int_equal(hub_command_answer_text(&env, out, sizeof out), 0);
  assert_string_equal(out, "refused by the broker\nscreening.contact_id: no such contact\n"
                           "screening.agencies[1]: not an agency in the broker's trust list");
  r.n_errors = 0;
  assert_int_equal(hub_command_answer_text(&env, out, sizeof out), 0);
  assert_string_equal(out, "refused by the broker\n(no reason given)");

  Mash__V1__Error er = MASH__V1__ERROR__INIT;
  er.code = MASH__V1__ERROR_CODE__ERROR_CODE_FORBIDDEN;
  er.message = "only the hub may screen";
  env.body_case = MASH__V1__ENVELOPE__BODY_ERROR;
  env.error = &er;
  assert_int_equal(hub_command_answer_text(&env, out, sizeof out), 0);
  assert_string_equal(out, "refused by the broker\nerror: only the hub may screen");
  assert_int_equal(hub_command_answer_text(NULL, out, sizeof out), 0);
  assert_string_equal(out, "refused: the broker's answer was not a receipt");

  /* Truncation at every small size stays terminated and in bounds. */
  env.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
  env.receipt = &r; /* the body is a union: error overwrote it */
  r.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED;
  r.n_errors = 2;
  for (size_t cap = 1; cap < 40; cap++) {
    char *small = malloc(cap);
    assert_non_null(small);
    assert_int_equal(hub_command_answer_text(&env, small, cap), 0);
    assert_true(strlen(small) < cap);
    assert_int_equal(strncmp(small, "refused by the broker", cap - 1 < 21 ? cap - 1 : 21), 0);
    free(small);
  }
  assert_int_equal(hub_command_answer_text(&env, out, 0), 0);
}

static void test_names(void **state) {
  (void)state;
  assert_int_equal(hub_command_rag_parse("amber"), MASH__V1__RAG__RAG_AMBER);
  assert_int_equal(hub_command_rag_parse("Amber"), 0);
  assert_int_equal(hub_command_rag_parse(NULL), 0);
  assert_int_equal(hub_command_consent_parse("refused"),
                   MASH__V1__CONSENT_STATUS__CONSENT_STATUS_REFUSED);
  assert_int_equal(hub_command_basis_parse("safeguarding"),
                   MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18);
  assert_int_equal(hub_command_basis_parse("public_task"),
                   MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_PUBLIC_TASK);
  assert_int_equal(hub_command_basis_parse("unspecified"), 0);
  assert_int_equal(hub_command_outcome_parse("early_help"), MASH__V1__OUTCOME__OUTCOME_EARLY_HELP);
  assert_int_equal(hub_command_outcome_parse(""), 0);
  assert_int_equal(hub_command_basis_parse("safeguarding_dpa_sch1_p18"),
                   MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_screening_parsed, s_setup),
      cmocka_unit_test_setup(test_screening_variants, s_setup),
      cmocka_unit_test_setup(test_outcome_parsed, s_setup),
      cmocka_unit_test_setup(test_text_as_written_by_people, s_setup),
      cmocka_unit_test_setup(test_screening_names_refused, s_setup),
      cmocka_unit_test_setup(test_consent_refused, s_setup),
      cmocka_unit_test_setup(test_agencies_refused, s_setup),
      cmocka_unit_test_setup(test_types_refused, s_setup),
      cmocka_unit_test_setup(test_fields_refused, s_setup),
      cmocka_unit_test_setup(test_outcome_refused, s_setup),
      cmocka_unit_test_setup(test_match_parsed, s_setup),
      cmocka_unit_test_setup(test_match_refused, s_setup),
      cmocka_unit_test_setup(test_every_problem_reported_once, s_setup),
      cmocka_unit_test_setup(test_every_truncation_refused, s_setup),
      cmocka_unit_test_setup(test_odd_inputs_refused, s_setup),
      cmocka_unit_test_setup(test_deep_nesting_refused, s_setup),
      cmocka_unit_test_setup(test_oversize_refused, s_setup),
      cmocka_unit_test_setup(test_error_flood_bounded, s_setup),
      cmocka_unit_test_setup(test_answer_text, s_setup),
      cmocka_unit_test_setup(test_names, s_setup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
