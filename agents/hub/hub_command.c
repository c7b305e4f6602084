/* hub_command: command files of the hub desk (format in hub_command.h).
 *
 * Responsible for: reading a command's JSON with strict types (every key
 * known, no duplicates, enums by name), building the ScreeningDecision,
 * OutcomeDecision or MatchDecision it describes, checking it with the wire codec so that
 * nothing the broker would refuse for its shape leaves the desk, and wording
 * the broker's answer for the operator. Must not: do any I/O or log (a
 * rationale may name a child), or decide anything the broker decides (known
 * contacts, known agencies, state).
 */
#include "hub_command.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "names.h"

/* A command owns its parsed JSON; the messages point into its strings. */
struct hub_command {
  hub_command_kind_t kind;
  json_t *root;
  Mash__V1__ScreeningDecision screening;
  Mash__V1__ConsentRecord consent;
  char *agencies[MASH_MAX_AGENCIES];
  Mash__V1__OutcomeDecision outcome;
  Mash__V1__MatchDecision match;
};

/* ---------------------------------------------------------------- names */

/* The command files' words are the enums' words (names.h), and
 * "safeguarding" besides for the long name of that lawful basis. */
static const mash_enum_name_t s_basis_aliases[] = {
    {"safeguarding", MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18},
    {NULL, 0},
};

/* protobuf's bool has no "unset": the table's values are 1 and 2 so that 0
 * still means unknown, and confirm is value 1. */
enum { MATCH_CONFIRM = 1, MATCH_REJECT = 2 };

static const mash_enum_name_t s_match_decisions[] = {
    {"confirm", MATCH_CONFIRM},
    {"reject", MATCH_REJECT},
    {NULL, 0},
};

/* The value of `name` in `table`, else in `aliases` (may be NULL); 0 when
 * neither holds it. */
static int s_lookup(const mash_enum_name_t *table, const mash_enum_name_t *aliases,
                    const char *name) {
  int v = 0;
  if (mash_enum_value(table, name, &v) != 0 && aliases != NULL) {
    mash_enum_value(aliases, name, &v);
  }
  return v;
}

int hub_command_rag_parse(const char *name) {
  return s_lookup(mash_rag_names, NULL, name);
}

int hub_command_consent_parse(const char *name) {
  return s_lookup(mash_consent_status_names, NULL, name);
}

int hub_command_basis_parse(const char *name) {
  return s_lookup(mash_lawful_basis_names, s_basis_aliases, name);
}

int hub_command_outcome_parse(const char *name) {
  return s_lookup(mash_outcome_names, NULL, name);
}

/* ---------------------------------------------------------------- reading */

/* Text from the file shown back in an error: at most 40 characters of
 * [A-Za-z0-9_.-], anything else as '?', so a hostile key or value cannot put
 * control characters on the operator's terminal. */
static void s_echo(char *out, size_t cap, const char *s) {
  size_t n = 0;
  for (; s[n] != '\0' && n < 40 && n + 1 < cap; n++) {
    char c = s[n];
    int safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-';
    out[n] = safe ? c : '?';
  }
  out[n] = '\0';
  if (s[n] != '\0' && n >= 3) {
    memcpy(out + n - 3, "...", 3);
  }
}

static size_t s_total(const mash_errors_t *errs) {
  return errs->count + errs->dropped;
}

/* Refuse keys the command kind does not know. `parent` is "" or "consent". */
static void s_check_keys(mash_errors_t *errs, const json_t *obj, const char *parent,
                         const char *const *known, const char *what) {
  const char *key;
  json_t *value;
  json_object_foreach((json_t *)obj, key, value) {
    (void)value;
    bool ok = false;
    for (size_t i = 0; known[i] != NULL && !ok; i++) {
      ok = strcmp(known[i], key) == 0;
    }
    if (!ok) {
      char echo[48], path[64];
      s_echo(echo, sizeof echo, key);
      snprintf(path, sizeof path, "%s%s%s", parent, parent[0] ? "." : "", echo);
      mash_errors_add(errs, path, "is not a field of %s", what);
    }
  }
}

/* NULL, empty or only spaces. */
static bool s_blank(const char *s) {
  for (; s != NULL && *s != '\0'; s++) {
    if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
      return false;
    }
  }
  return true;
}

/* A string member: NULL when absent (JSON null counts as absent) or of the
 * wrong type (then an error is added). Required and absent or empty: error. */
static const char *s_string(mash_errors_t *errs, const json_t *obj, const char *key,
                            const char *path, bool required) {
  const json_t *v = json_object_get(obj, key);
  if (v == NULL || json_is_null(v)) {
    if (required) {
      mash_errors_add(errs, path, "is required");
    }
    return NULL;
  }
  if (!json_is_string(v)) {
    mash_errors_add(errs, path, "must be a string");
    return NULL;
  }
  const char *s = json_string_value(v);
  if (required && s_blank(s)) {
    mash_errors_add(errs, path, "is required (it is blank)");
    return NULL;
  }
  return s;
}

/* An enum member by name: 0 when absent, wrong or unknown (with an error). */
static int s_enum(mash_errors_t *errs, const json_t *obj, const char *key, const char *path,
                  const mash_enum_name_t *table, const mash_enum_name_t *aliases,
                  const char *choices) {
  const char *s = s_string(errs, obj, key, path, true);
  if (s == NULL) {
    return 0;
  }
  int v = s_lookup(table, aliases, s);
  if (v == 0) {
    char echo[48];
    s_echo(echo, sizeof echo, s);
    mash_errors_add(errs, path, "is '%s': must be %s", echo, choices);
  }
  return v;
}

static void s_read_consent(mash_errors_t *errs, hub_command_t *c, const json_t *obj) {
  static const char *const known[] = {"status", "reason", "lawful_basis", "recorded_by", NULL};
  const json_t *j = json_object_get(obj, "consent");
  if (j == NULL || json_is_null(j)) {
    mash_errors_add(errs, "consent",
                    "is required: status (given, refused or not_sought), "
                    "reason and lawful_basis");
    return;
  }
  if (!json_is_object(j)) {
    mash_errors_add(errs, "consent", "must be an object with status, reason and lawful_basis");
    return;
  }
  s_check_keys(errs, j, "consent", known, "a consent record");
  Mash__V1__ConsentRecord *r = &c->consent;
  r->status = s_enum(errs, j, "status", "consent.status", mash_consent_status_names, NULL,
                     "given, refused or not_sought");
  r->lawful_basis = s_enum(errs, j, "lawful_basis", "consent.lawful_basis", mash_lawful_basis_names,
                           s_basis_aliases,
                           "consent, public_task, legal_obligation, vital_interests or "
                           "safeguarding");
  const char *reason = s_string(errs, j, "reason", "consent.reason", false);
  const json_t *jr = json_object_get(j, "reason");
  bool reason_mistyped = jr != NULL && !json_is_null(jr) && !json_is_string(jr);
  bool given = r->status == MASH__V1__CONSENT_STATUS__CONSENT_STATUS_GIVEN;
  /* Absent, null or blank: the hub must say why it shares without consent. */
  if (r->status != 0 && !given && !reason_mistyped && s_blank(reason)) {
    mash_errors_add(errs, "consent.reason",
                    "is required when consent is %s: say why the enquiry goes ahead without it",
                    r->status == MASH__V1__CONSENT_STATUS__CONSENT_STATUS_REFUSED ? "refused"
                                                                                  : "not sought");
  }
  if (r->status != 0 && !given && r->lawful_basis == MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_CONSENT) {
    mash_errors_add(errs, "consent.lawful_basis",
                    "cannot be consent when consent was %s: name the basis the hub relies on "
                    "(public_task, legal_obligation, vital_interests or safeguarding)",
                    r->status == MASH__V1__CONSENT_STATUS__CONSENT_STATUS_REFUSED ? "refused"
                                                                                  : "not sought");
  }
  r->reason = reason ? (char *)reason : r->reason;
  const char *by = s_string(errs, j, "recorded_by", "consent.recorded_by", false);
  r->recorded_by = by && by[0] ? (char *)by : c->screening.screened_by;
  c->screening.consent = r;
}

static void s_read_agencies(mash_errors_t *errs, hub_command_t *c, const json_t *obj) {
  Mash__V1__ScreeningDecision *d = &c->screening;
  const json_t *j = json_object_get(obj, "agencies");
  if (j != NULL && !json_is_null(j)) {
    if (!json_is_array(j)) {
      mash_errors_add(errs, "agencies", "must be an array of agency names");
      return;
    }
    size_t n = json_array_size(j);
    if (n > MASH_MAX_AGENCIES) {
      mash_errors_add(errs, "agencies", "lists %zu agencies, at most %u", n, MASH_MAX_AGENCIES);
      return;
    }
    for (size_t i = 0; i < n; i++) {
      const json_t *a = json_array_get(j, i);
      if (!json_is_string(a)) {
        char path[32];
        snprintf(path, sizeof path, "agencies[%zu]", i);
        mash_errors_add(errs, path, "must be a string (an agency name such as \"police\")");
        continue;
      }
      c->agencies[d->n_agencies++] = (char *)json_string_value(a);
    }
  }
  /* The broker refuses these too; saying so here saves a round trip. */
  if (d->rag == MASH__V1__RAG__RAG_BLUE && d->n_agencies > 0) {
    mash_errors_add(errs, "agencies", "must be empty for blue (information only: no enquiry)");
  } else if (d->rag != 0 && d->rag != MASH__V1__RAG__RAG_BLUE && d->n_agencies == 0 &&
             (j == NULL || json_is_null(j) || json_array_size(j) == 0)) {
    mash_errors_add(errs, "agencies",
                    "a red, amber or green rating needs at least one agency "
                    "to ask");
  }
  d->agencies = d->n_agencies ? c->agencies : NULL;
}

static void s_read_screening(mash_errors_t *errs, hub_command_t *c, const json_t *obj) {
  static const char *const known[] = {"type",    "contact_id",  "rag",       "agencies",
                                      "consent", "screened_by", "rationale", NULL};
  s_check_keys(errs, obj, "", known, "a screening command");
  Mash__V1__ScreeningDecision *d = &c->screening;
  const char *s = s_string(errs, obj, "contact_id", "contact_id", true);
  d->contact_id = s ? (char *)s : d->contact_id;
  d->rag = s_enum(errs, obj, "rag", "rag", mash_rag_names, NULL, "red, amber, green or blue");
  s = s_string(errs, obj, "screened_by", "screened_by", true);
  d->screened_by = s ? (char *)s : d->screened_by;
  s = s_string(errs, obj, "rationale", "rationale", false);
  d->rationale = s ? (char *)s : d->rationale;
  s_read_agencies(errs, c, obj);
  s_read_consent(errs, c, obj);
}

static void s_read_outcome(mash_errors_t *errs, hub_command_t *c, const json_t *obj) {
  static const char *const known[] = {"type",       "contact_id", "outcome",
                                      "decided_by", "rationale",  NULL};
  s_check_keys(errs, obj, "", known, "an outcome command");
  Mash__V1__OutcomeDecision *d = &c->outcome;
  const char *s = s_string(errs, obj, "contact_id", "contact_id", true);
  d->contact_id = s ? (char *)s : d->contact_id;
  d->outcome = s_enum(errs, obj, "outcome", "outcome", mash_outcome_names, NULL,
                      "no_further_action, early_help, assessment or strategy_discussion");
  s = s_string(errs, obj, "decided_by", "decided_by", true);
  d->decided_by = s ? (char *)s : d->decided_by;
  s = s_string(errs, obj, "rationale", "rationale", false);
  d->rationale = s ? (char *)s : d->rationale;
}

static void s_read_match(mash_errors_t *errs, hub_command_t *c, const json_t *obj) {
  static const char *const known[] = {"type",       "match_id",  "decision",
                                      "decided_by", "rationale", NULL};
  s_check_keys(errs, obj, "", known, "a match command");
  Mash__V1__MatchDecision *d = &c->match;
  const char *s = s_string(errs, obj, "match_id", "match_id", true);
  d->match_id = s ? (char *)s : d->match_id;
  d->confirm = s_enum(errs, obj, "decision", "decision", s_match_decisions, NULL,
                      "confirm or reject") == MATCH_CONFIRM;
  s = s_string(errs, obj, "decided_by", "decided_by", true);
  d->decided_by = s ? (char *)s : d->decided_by;
  s = s_string(errs, obj, "rationale", "rationale", false);
  d->rationale = s ? (char *)s : d->rationale;
}

/* Whether `field` is `known` or inside it ("consent.status" in "consent"). */
static bool s_covered(const char *field, const char *known) {
  size_t n = strlen(known);
  return strncmp(field, known, n) == 0 && (field[n] == '\0' || field[n] == '.' || field[n] == '[');
}

/* Run the wire codec over the built message; its paths ("screening.rag")
 * are given back as the command file's own ("rag"). A field already
 * reported by the JSON checks (errors from index `first` on) is not
 * reported twice. */
static void s_validate(mash_errors_t *errs, const hub_command_t *c, size_t first) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  mash_envelope_init(&env, "hub-command-check", 0);
  hub_command_to_envelope(c, &env);
  mash_errors_t found;
  memset(&found, 0, sizeof found);
  if (mash_codec_validate_envelope(&env, &found) == 0) {
    return;
  }
  const char *prefix = c->kind == HUB_COMMAND_SCREENING ? "screening"
                       : c->kind == HUB_COMMAND_OUTCOME ? "outcome"
                                                        : "match_decision";
  size_t plen = strlen(prefix);
  size_t reported = errs->count;
  for (size_t i = 0; i < found.count; i++) {
    const char *field = found.items[i].field;
    if (strncmp(field, prefix, plen) == 0 && field[plen] == '.') {
      field += plen + 1;
    }
    bool dup = false;
    for (size_t k = first; k < reported && !dup; k++) {
      dup = s_covered(field, errs->items[k].field);
    }
    if (!dup) {
      mash_errors_add(errs, field, "%s", found.items[i].message);
    }
  }
  if (found.dropped > 0) {
    mash_errors_add(errs, "command", "has %zu more problem(s)", found.dropped);
  }
}

hub_command_t *hub_command_parse(const char *text, size_t len, mash_errors_t *errs) {
  mash_errors_t local;
  memset(&local, 0, sizeof local);
  mash_errors_t *e = errs ? errs : &local;
  size_t before = s_total(e), first = e->count;
  if (text == NULL || len == 0) {
    mash_errors_add(e, "command", "is empty");
    return NULL;
  }
  if (len > HUB_COMMAND_MAX_BYTES) {
    mash_errors_add(e, "command", "is %zu bytes, larger than %zu: not a command", len,
                    HUB_COMMAND_MAX_BYTES);
    return NULL;
  }
  json_error_t jerr;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL) {
    /* jansson quotes the text near the fault: keep it printable. */
    for (char *p = jerr.text; *p != '\0'; p++) {
      *p = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
    }
    mash_errors_add(e, "json", "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
    return NULL;
  }
  hub_command_t *c = NULL;
  if (!json_is_object(root)) {
    mash_errors_add(e, "json", "must be an object with a \"type\"");
    goto fail;
  }
  c = calloc(1, sizeof *c);
  if (c == NULL) {
    mash_errors_add(e, "command", "out of memory");
    goto fail;
  }
  c->root = root;
  mash__v1__screening_decision__init(&c->screening);
  mash__v1__consent_record__init(&c->consent);
  mash__v1__outcome_decision__init(&c->outcome);
  mash__v1__match_decision__init(&c->match);
  const char *type = s_string(e, root, "type", "type", true);
  if (type != NULL && strcmp(type, "screening") == 0) {
    c->kind = HUB_COMMAND_SCREENING;
    s_read_screening(e, c, root);
  } else if (type != NULL && strcmp(type, "outcome") == 0) {
    c->kind = HUB_COMMAND_OUTCOME;
    s_read_outcome(e, c, root);
  } else if (type != NULL && strcmp(type, "match") == 0) {
    c->kind = HUB_COMMAND_MATCH;
    s_read_match(e, c, root);
  } else if (type != NULL) {
    char echo[48];
    s_echo(echo, sizeof echo, type);
    mash_errors_add(e, "type", "is '%s': must be screening, outcome or match", echo);
  }
  /* The codec's checks add what the JSON checks cannot see (sizes,
   * characters, agency names), also when those found something already. */
  if (c->kind != 0) {
    s_validate(e, c, first);
  }
  if (s_total(e) == before) {
    return c;
  }
fail:
  free(c);
  json_decref(root);
  return NULL;
}

void hub_command_destroy(hub_command_t **c_p) {
  if (c_p == NULL || *c_p == NULL) {
    return;
  }
  json_decref((*c_p)->root);
  free(*c_p);
  *c_p = NULL;
}

hub_command_kind_t hub_command_kind(const hub_command_t *c) {
  return c->kind;
}

const char *hub_command_contact_id(const hub_command_t *c) {
  switch (c->kind) {
  case HUB_COMMAND_SCREENING:
    return c->screening.contact_id;
  case HUB_COMMAND_OUTCOME:
    return c->outcome.contact_id;
  default:
    return NULL;
  }
}

const char *hub_command_match_id(const hub_command_t *c) {
  return c->kind == HUB_COMMAND_MATCH ? c->match.match_id : NULL;
}

bool hub_command_match_confirm(const hub_command_t *c) {
  return c->kind == HUB_COMMAND_MATCH && c->match.confirm;
}

void hub_command_to_envelope(const hub_command_t *c, Mash__V1__Envelope *env) {
  switch (c->kind) {
  case HUB_COMMAND_SCREENING:
    env->body_case = MASH__V1__ENVELOPE__BODY_SCREENING;
    env->screening = (Mash__V1__ScreeningDecision *)&c->screening;
    break;
  case HUB_COMMAND_OUTCOME:
    env->body_case = MASH__V1__ENVELOPE__BODY_OUTCOME;
    env->outcome = (Mash__V1__OutcomeDecision *)&c->outcome;
    break;
  case HUB_COMMAND_MATCH:
    env->body_case = MASH__V1__ENVELOPE__BODY_MATCH_DECISION;
    env->match_decision = (Mash__V1__MatchDecision *)&c->match;
    break;
  }
}

/* ---------------------------------------------------------------- answers */

typedef struct text {
  char *buf;
  size_t cap, len;
} text_t;

static void s_put(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void s_put(text_t *t, const char *fmt, ...) {
  if (t->len + 1 >= t->cap) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
  va_end(ap);
  if (w > 0) {
    t->len += (size_t)w < t->cap - t->len ? (size_t)w : t->cap - t->len - 1;
  }
}

static bool s_set(const char *s) {
  return s != NULL && s[0] != '\0';
}

int hub_command_answer_text(const Mash__V1__Envelope *answer, char *out, size_t outlen) {
  text_t t = {out, outlen, 0};
  if (outlen == 0) {
    return 0;
  }
  out[0] = '\0';
  if (answer != NULL && answer->body_case == MASH__V1__ENVELOPE__BODY_RECEIPT &&
      answer->receipt != NULL) {
    const Mash__V1__Receipt *r = answer->receipt;
    bool dup = r->status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE;
    if (dup || r->status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED) {
      s_put(&t, "accepted%s", dup ? " (already received)" : "");
      const char *sep = ": ";
      if (s_set(r->contact_id)) {
        s_put(&t, "%scontact %s", sep, r->contact_id);
        sep = ", ";
      }
      if (s_set(r->enquiry_id)) {
        s_put(&t, "%senquiry %s", sep, r->enquiry_id);
      }
      return 1;
    }
    s_put(&t, "refused by the broker");
    for (size_t i = 0; i < r->n_errors; i++) {
      if (r->errors[i] != NULL) {
        s_put(&t, "\n%s: %s", r->errors[i]->field, r->errors[i]->message);
      }
    }
    if (r->n_errors == 0) {
      s_put(&t, "\n(no reason given)");
    }
    return 0;
  }
  if (answer != NULL && answer->body_case == MASH__V1__ENVELOPE__BODY_ERROR &&
      answer->error != NULL) {
    s_put(&t, "refused by the broker\nerror: %s", answer->error->message);
    return 0;
  }
  s_put(&t, "refused: the broker's answer was not a receipt");
  return 0;
}
