/* manual: the drop folder through which people answer enquiries for an
 * agency whose records no system mash can read holds. Formats in
 * agents/agency/README.md.
 *
 * Responsible for: writing each request as readable JSON (sealed with the
 * adapter's data key when given one, read back for a person with
 * manual_open), reading and checking the answer a person writes (with the shared JSON readers of
 * notification_json.h, errors named by JSON path), and moving answers to
 * sent/ or rejected/ (with the reasons beside a refused one).
 * Must not: send, log, poll or keep state.
 */
#include "manual.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agency_file.h"
#include "clock.h"
#include "names.h"
#include "notification_json.h"
#include "paths.h"

#define DIR_MODE 0700

#ifdef MASH_MAX_FINDINGS
_Static_assert(MANUAL_MAX_FINDINGS <= MASH_MAX_FINDINGS, "answers must pass the codec");
#endif

/* ---------------------------------------------------------------- words */

/* Enum values are written with their words from names.h (mash_enum_name_of). */

/* ---------------------------------------------------------------- paths and files */

/* A request id names files: 1 to MASH_MAX_ID_LEN of A-Z a-z 0-9 - _ . :,
 * not starting with a dot (no hidden files, no "..", no "/"). */
static bool s_valid_id(const char *id) {
  if (id == NULL || id[0] == '\0' || id[0] == '.' ||
      strnlen(id, MASH_MAX_ID_LEN + 1) > MASH_MAX_ID_LEN) {
    return false;
  }
  for (const char *s = id; *s != '\0'; s++) {
    char c = *s;
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) {
      return false;
    }
  }
  return true;
}

/* Empty err, then check request_id: 0, or -EINVAL with err when it is not
 * a valid request id (the entry check of the answer's commands). */
static int s_check_id(const char *request_id, char *err, size_t errlen) {
  if (errlen > 0) {
    err[0] = '\0';
  }
  if (!s_valid_id(request_id)) {
    snprintf(err, errlen, "not a valid request id");
    return -EINVAL;
  }
  return 0;
}

/* out (PATH_MAX bytes) = dir/sub[/id suffix]. Returns 0 or -ENAMETOOLONG. */
static int s_path(char *out, const char *dir, const char *sub, const char *id, const char *suffix) {
  int w = id != NULL ? snprintf(out, PATH_MAX, "%s/%s/%s%s", dir, sub, id, suffix)
                     : snprintf(out, PATH_MAX, "%s/%s", dir, sub);
  return w < 0 || w >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static int s_mkdir(const char *path) {
  if (mkdir(path, DIR_MODE) != 0 && errno != EEXIST) {
    return -errno;
  }
  return 0;
}

/* Write `len` bytes to dir/name through a temporary file in dir, renamed
 * into place once synced. Returns 0 or a negative errno. */
static int s_write_atomic(const char *dir, const char *name, const char *data, size_t len) {
  char tmp[PATH_MAX];
  char final[PATH_MAX];
  int w = snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, name);
  int w2 = snprintf(final, sizeof final, "%s/%s", dir, name);
  if (w < 0 || (size_t)w >= sizeof tmp || w2 < 0 || (size_t)w2 >= sizeof final) {
    return -ENAMETOOLONG;
  }
  int fd = mkstemp(tmp); /* 0600 */
  if (fd < 0) {
    return -errno;
  }
  int rc = mash_write_all(fd, data, len);
  if (rc == 0 && fsync(fd) != 0) {
    rc = -errno;
  }
  if (close(fd) != 0 && rc == 0) {
    rc = -errno;
  }
  if (rc == 0 && rename(tmp, final) != 0) {
    rc = -errno;
  }
  if (rc != 0) {
    unlink(tmp);
  }
  return rc;
}

/* ---------------------------------------------------------------- the request */

/* Set obj[key] to a string unless it is empty. Returns -1 when `value` is
 * not UTF-8 or memory ran out. */
static int s_set_text(json_t *obj, const char *key, const char *value) {
  if (value == NULL || value[0] == '\0') {
    return 0;
  }
  json_t *s = json_string(value);
  return s != NULL && json_object_set_new(obj, key, s) == 0 ? 0 : -1;
}

static int s_set_word(json_t *obj, const char *key, const mash_enum_name_t *table, int value) {
  return s_set_text(obj, key, mash_enum_name_of(table, value));
}

static int s_set_time(json_t *obj, const char *key, int64_t ms) {
  if (ms <= 0) {
    return 0;
  }
  char when[40];
  mash_clock_format(ms, when, sizeof when);
  return s_set_text(obj, key, when);
}

/* Set obj["address"] unless the address is empty. */
static int s_address_json(json_t *obj, const Mash__V1__Address *addr) {
  json_t *a = json_object();
  json_t *lines = json_array();
  int rc = a == NULL || lines == NULL ? -1 : 0;
  for (size_t i = 0; rc == 0 && i < addr->n_lines; i++) {
    json_t *line = json_string(addr->lines[i] != NULL ? addr->lines[i] : "");
    rc = line != NULL && json_array_append_new(lines, line) == 0 ? 0 : -1;
  }
  if (rc == 0 && json_array_size(lines) > 0) {
    rc = json_object_set(a, "lines", lines);
  }
  if (rc == 0) {
    rc = s_set_text(a, "town", addr->town) | s_set_text(a, "postcode", addr->postcode);
  }
  if (rc == 0 && json_object_size(a) > 0) {
    rc = json_object_set(obj, "address", a);
  }
  json_decref(lines);
  json_decref(a);
  return rc;
}

/* A subject in the keys of a notification person (agents/police/README.md). */
static json_t *s_person_json(const Mash__V1__Person *p) {
  json_t *o = json_object();
  if (o == NULL) {
    return NULL;
  }
  int rc = s_set_text(o, "ref", p->ref) | s_set_text(o, "given_name", p->given_name) |
           s_set_text(o, "family_name", p->family_name) | s_set_text(o, "dob", p->date_of_birth) |
           s_set_word(o, "sex", mash_sex_names, p->sex) | s_set_text(o, "role", p->role);
  for (size_t i = 0; i < p->n_identifiers && rc == 0; i++) {
    const Mash__V1__Identifier *id = p->identifiers[i];
    const char *key = mash_enum_name_of(mash_identifier_kind_names, id->kind);
    if (key == NULL) {
      continue;
    }
    /* A second identifier of one kind keeps the first: the JSON has one key. */
    if (json_object_get(o, key) == NULL) {
      rc |= s_set_text(o, key, id->value);
      if (id->kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID) {
        rc |= s_set_text(o, "local_id_issuer", id->issuer);
      }
    }
  }
  if (rc == 0 && p->address != NULL) {
    rc = s_address_json(o, p->address);
  }
  if (rc != 0) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* The request as readable JSON, or NULL when a text is not UTF-8 or memory
 * ran out. */
static json_t *s_request_json(const Mash__V1__EnquiryRequest *req) {
  json_t *o = json_object();
  json_t *subjects = json_array();
  char answer_file[MASH_MAX_ID_LEN + 32];
  snprintf(answer_file, sizeof answer_file, "answers/%s.json", req->request_id);
  int rc = o == NULL || subjects == NULL ? -1 : 0;
  if (rc == 0) {
    rc = s_set_text(o, "request_id", req->request_id) |
         s_set_text(o, "enquiry_id", req->enquiry_id) |
         s_set_text(o, "contact_id", req->contact_id) |
         s_set_word(o, "rag", mash_rag_names, req->rag) |
         s_set_time(o, "requested_at", req->requested_at_ms) |
         s_set_time(o, "due_at", req->due_at_ms) | s_set_text(o, "question", req->question);
  }
  if (rc == 0 && req->consent != NULL) {
    json_t *c = json_object();
    rc = c == NULL ? -1 : 0;
    if (rc == 0) {
      rc = s_set_word(c, "status", mash_consent_status_names, req->consent->status) |
           s_set_text(c, "reason", req->consent->reason) |
           s_set_word(c, "lawful_basis", mash_lawful_basis_names, req->consent->lawful_basis) |
           s_set_text(c, "recorded_by", req->consent->recorded_by);
    }
    if (rc == 0) {
      rc = json_object_set(o, "consent", c);
    }
    json_decref(c);
  }
  for (size_t i = 0; rc == 0 && i < req->n_subjects; i++) {
    json_t *p = req->subjects[i] != NULL ? s_person_json(req->subjects[i]) : NULL;
    rc = p != NULL && json_array_append_new(subjects, p) == 0 ? 0 : -1;
  }
  if (rc == 0) {
    rc = json_object_set(o, "subjects", subjects) | s_set_text(o, "answer_file", answer_file);
  }
  json_decref(subjects);
  if (rc != 0) {
    json_decref(o);
    return NULL;
  }
  return o;
}

int manual_write_request(const char *dir, const Mash__V1__EnquiryRequest *req, char *err,
                         size_t errlen) {
  return manual_write_request_sealed(dir, req, NULL, err, errlen);
}

/* `len` bytes sealed under `seal` bound to `name` into a new buffer (*out),
 * or, without a seal, the same bytes copied. 0 or a negative errno. */
static int s_maybe_seal(const mash_seal_t *seal, const char *name, const uint8_t *in, size_t len,
                        uint8_t **out, size_t *out_len) {
  if (seal != NULL) {
    return mash_seal_encrypt(seal, in, len, (const uint8_t *)name, strlen(name), out, out_len);
  }
  *out = malloc(len ? len : 1);
  if (*out == NULL) {
    return -ENOMEM;
  }
  memcpy(*out, in, len);
  *out_len = len;
  return 0;
}

int manual_write_request_sealed(const char *dir, const Mash__V1__EnquiryRequest *req,
                                const mash_seal_t *seal, char *err, size_t errlen) {
  if (errlen > 0) {
    err[0] = '\0';
  }
  if (!s_valid_id(req->request_id)) {
    snprintf(err, errlen,
             "request id: expected 1 to %u of A-Z a-z 0-9 - _ . : not starting "
             "with a dot",
             MASH_MAX_ID_LEN);
    return -EINVAL;
  }
  char requests[PATH_MAX];
  char answers[PATH_MAX];
  int rc = s_path(requests, dir, "requests", NULL, NULL);
  if (rc == 0) {
    rc = s_path(answers, dir, "answers", NULL, NULL);
  }
  if (rc != 0) {
    snprintf(err, errlen, "%s: path too long", dir);
    return rc;
  }
  const char *failed = dir;
  rc = s_mkdir(dir);
  if (rc == 0) {
    failed = requests;
    rc = s_mkdir(requests);
  }
  if (rc == 0) {
    failed = answers;
    rc = s_mkdir(answers);
  }
  if (rc != 0) {
    snprintf(err, errlen, "%s: %s", failed, strerror(-rc));
    return rc;
  }

  json_t *o = s_request_json(req);
  char *text = o != NULL ? json_dumps(o, JSON_INDENT(2)) : NULL;
  json_decref(o);
  if (text == NULL) {
    snprintf(err, errlen, "request %s: a text is not UTF-8, or out of memory", req->request_id);
    return -EINVAL;
  }
  char name[MASH_MAX_ID_LEN + 8];
  snprintf(name, sizeof name, "%s.json", req->request_id);
  size_t len = strlen(text);
  /* End with a new line, as editors do. */
  char *with_nl = realloc(text, len + 2);
  if (with_nl == NULL) {
    free(text);
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  with_nl[len] = '\n';
  with_nl[len + 1] = '\0';
  uint8_t *blob = NULL;
  size_t blob_len = 0;
  rc = s_maybe_seal(seal, name, (const uint8_t *)with_nl, len + 1, &blob, &blob_len);
  memset(with_nl, 0, len + 1);
  free(with_nl);
  if (rc != 0) {
    snprintf(err, errlen, "request %s: cannot seal it: %s", req->request_id, strerror(-rc));
    return rc;
  }
  rc = s_write_atomic(requests, name, (const char *)blob, blob_len);
  free(blob);
  if (rc != 0) {
    snprintf(err, errlen, "%s/%s: %s", requests, name, strerror(-rc));
  }
  return rc;
}

/* ---------------------------------------------------------------- the answer */

static void s_answer_fields(njson_ctx_t *ctx, const json_t *root, const char *request_id,
                            Mash__V1__EnquiryResponse *r) {
  char *named = NULL;
  if (njson_get_text(ctx, root, "request_id", "", NJSON_TEXT_ID, false, &named) == 0 &&
      named != NULL && named[0] != '\0' && strcmp(named, request_id) != 0) {
    njson_error(ctx, "request_id", "names another request; this file answers %s", request_id);
  }
  free(named);

  bool found = false;
  njson_get_bool(ctx, root, "no_information_held", "", true, &r->no_information_held, &found);
  njson_get_text(ctx, root, "summary", "", NJSON_TEXT_LONG, false, &r->summary);
  njson_get_text(ctx, root, "responder", "", NJSON_TEXT_SHORT, true, &r->responder);

  const json_t *arr = njson_get_array(ctx, root, "findings", "", MANUAL_MAX_FINDINGS, false);
  if (arr != NULL && json_array_size(arr) > 0) {
    r->findings = calloc(json_array_size(arr), sizeof *r->findings);
    if (r->findings == NULL) {
      njson_error(ctx, "findings", "out of memory");
      return;
    }
    size_t bytes = 0;
    for (size_t i = 0; i < json_array_size(arr); i++) {
      char path[NJSON_PATH_LEN];
      njson_path_index(path, "findings", i);
      Mash__V1__Finding *f = njson_finding(ctx, json_array_get(arr, i), path);
      if (f != NULL) {
        r->findings[r->n_findings++] = f;
        bytes += strlen(f->kind) + strlen(f->summary) + 16;
      }
    }
    if (bytes > MANUAL_ANSWER_BUDGET) {
      njson_error(ctx, "findings", "more than %u bytes in all: too long for one answer",
                  MANUAL_ANSWER_BUDGET);
    }
  }
  if (!found) {
    return; /* no_information_held already reported */
  }
  if (r->no_information_held && r->n_findings > 0) {
    njson_error(ctx, "findings", "must be empty when no_information_held is true");
  }
  if (!r->no_information_held && r->n_findings == 0 && r->summary[0] == '\0') {
    njson_error(ctx, "summary",
                "required when there are no findings: say what is held, or set "
                "no_information_held to true");
  }
}

int manual_parse_answer(const char *request_id, const char *text, size_t len,
                        Mash__V1__EnquiryResponse **resp, mash_errors_t *errs) {
  *resp = NULL;
  njson_ctx_t ctx = {.errs = errs, .errors = 0};
  json_t *root = njson_load(&ctx, text, len, MANUAL_MAX_ANSWER_BYTES);
  if (root == NULL) {
    return -1;
  }
  Mash__V1__EnquiryResponse *r = malloc(sizeof *r);
  if (r == NULL) {
    json_decref(root);
    njson_error(&ctx, "$", "out of memory");
    return -1;
  }
  mash__v1__enquiry_response__init(r);
  s_answer_fields(&ctx, root, request_id, r);
  json_decref(root);

  if (ctx.errors == 0) {
    r->request_id = strdup(request_id);
    if (r->request_id == NULL) {
      njson_error(&ctx, "$", "out of memory");
    }
  }
  if (ctx.errors == 0 && r->summary[0] == '\0') {
    /* A summary the hub can read at a glance, when the person left none. */
    char summary[64];
    if (r->no_information_held) {
      snprintf(summary, sizeof summary, "No information held");
    } else {
      snprintf(summary, sizeof summary, "%zu finding%s.", r->n_findings,
               r->n_findings == 1 ? "" : "s");
    }
    r->summary = strdup(summary);
    if (r->summary == NULL) {
      njson_error(&ctx, "$", "out of memory");
    }
  }
  if (ctx.errors > 0) {
    manual_answer_free(r);
    return -1;
  }
  *resp = r;
  return 0;
}

int manual_read_answer(const char *dir, const char *request_id, Mash__V1__EnquiryResponse **resp,
                       mash_errors_t *errs) {
  *resp = NULL;
  njson_ctx_t ctx = {.errs = errs, .errors = 0};
  if (!s_valid_id(request_id)) {
    njson_error(&ctx, "$", "not a valid request id");
    return -1;
  }
  char path[PATH_MAX];
  if (s_path(path, dir, "answers", request_id, ".json") != 0) {
    njson_error(&ctx, "$", "path too long");
    return -1;
  }
  char *text = NULL;
  size_t len = 0;
  int rc = agency_read_file(path, MANUAL_MAX_ANSWER_BYTES, true, &text, &len);
  switch (rc) {
  case 0:
    break;
  case -ENOENT:
    return 1;
  case -ELOOP:
    njson_error(&ctx, "$", "a symbolic link: put the answer file itself in answers/");
    return -1;
  case -EFBIG:
    njson_error(&ctx, "$", "larger than %u bytes", MANUAL_MAX_ANSWER_BYTES);
    return -1;
  case -EINVAL:
    njson_error(&ctx, "$", "not a regular file");
    return -1;
  default:
    njson_error(&ctx, "$", "cannot read: %s", strerror(-rc));
    return -1;
  }
  rc = manual_parse_answer(request_id, text, len, resp, errs);
  free(text);
  return rc;
}

/* Move dir/from/ID.json to dir/to/ID.json, creating dir/to. */
static int s_move(const char *dir, const char *from, const char *to, const char *request_id,
                  char *err, size_t errlen) {
  char src[PATH_MAX];
  char dst_dir[PATH_MAX];
  char dst[PATH_MAX];
  if (s_path(src, dir, from, request_id, ".json") != 0 ||
      s_path(dst_dir, dir, to, NULL, NULL) != 0 || s_path(dst, dir, to, request_id, ".json") != 0) {
    snprintf(err, errlen, "%s: path too long", dir);
    return -ENAMETOOLONG;
  }
  int rc = s_mkdir(dst_dir);
  if (rc != 0) {
    snprintf(err, errlen, "%s: %s", dst_dir, strerror(-rc));
    return rc;
  }
  if (rename(src, dst) != 0) {
    rc = -errno;
    snprintf(err, errlen, "%s: %s", src, strerror(-rc));
  }
  return rc;
}

int manual_reject_answer(const char *dir, const char *request_id, const mash_errors_t *errs,
                         char *err, size_t errlen) {
  if (s_check_id(request_id, err, errlen) != 0) {
    return -EINVAL;
  }
  char rejected[PATH_MAX];
  if (s_path(rejected, dir, "answers/rejected", NULL, NULL) != 0) {
    snprintf(err, errlen, "%s: path too long", dir);
    return -ENAMETOOLONG;
  }
  int rc = s_mkdir(rejected);
  if (rc != 0) {
    snprintf(err, errlen, "%s: %s", rejected, strerror(-rc));
    return rc;
  }

  /* At most MASH_MAX_FIELD_ERRORS lines of a few hundred bytes. */
  size_t cap = 512 + MASH_MAX_FIELD_ERRORS * (sizeof(mash_field_error_t) + 4);
  char *text = malloc(cap);
  if (text == NULL) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  size_t used = 0;
  int w = snprintf(text, cap,
                   "The answer to request %s was refused. Correct it and put it back as "
                   "answers/%s.json.\n",
                   request_id, request_id);
  used = w > 0 ? (size_t)w : 0;
  size_t count = errs != NULL ? errs->count : 0;
  for (size_t i = 0; i < count && i < MASH_MAX_FIELD_ERRORS && used < cap; i++) {
    w = snprintf(text + used, cap - used, "%s: %s\n", errs->items[i].field, errs->items[i].message);
    used += w > 0 ? (size_t)w : 0;
  }
  if (errs != NULL && errs->dropped > 0 && used < cap) {
    w = snprintf(text + used, cap - used, "(%zu more problems not listed)\n", errs->dropped);
    used += w > 0 ? (size_t)w : 0;
  }
  used = used < cap ? used : cap - 1;

  /* The reasons first, so that whoever finds the refused answer finds them. */
  char name[MASH_MAX_ID_LEN + 8];
  snprintf(name, sizeof name, "%s.error", request_id);
  rc = s_write_atomic(rejected, name, text, used);
  free(text);
  if (rc != 0) {
    snprintf(err, errlen, "%s/%s: %s", rejected, name, strerror(-rc));
    return rc;
  }
  return s_move(dir, "answers", "answers/rejected", request_id, err, errlen);
}

int manual_finish_answer(const char *dir, const char *request_id, char *err, size_t errlen) {
  return manual_finish_answer_sealed(dir, request_id, NULL, err, errlen);
}

/* Read a whole file (at most MANUAL_MAX_ANSWER_BYTES) into *out. */
static int s_read_all(const char *path, uint8_t **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    return -errno;
  }
  uint8_t *buf = malloc(MANUAL_MAX_ANSWER_BYTES + 1);
  size_t n = buf ? fread(buf, 1, MANUAL_MAX_ANSWER_BYTES + 1, f) : 0;
  int bad = ferror(f);
  fclose(f);
  if (buf == NULL || bad || n > MANUAL_MAX_ANSWER_BYTES) {
    free(buf);
    return buf == NULL ? -ENOMEM : bad ? -EIO : -EFBIG;
  }
  *out = buf;
  *len = n;
  return 0;
}

/* The answer into answers/sent/ sealed, its plaintext removed. */
static int s_seal_answer(const char *dir, const char *request_id, const mash_seal_t *seal,
                         char *err, size_t errlen) {
  char src[PATH_MAX], sent[PATH_MAX], name[MASH_MAX_ID_LEN + 8];
  if (s_path(src, dir, "answers", request_id, ".json") != 0 ||
      s_path(sent, dir, "answers/sent", NULL, NULL) != 0) {
    snprintf(err, errlen, "%s: path too long", dir);
    return -ENAMETOOLONG;
  }
  snprintf(name, sizeof name, "%s.json", request_id);
  uint8_t *plain = NULL, *blob = NULL;
  size_t plen = 0, blen = 0;
  int rc = s_mkdir(sent);
  rc = rc ? rc : s_read_all(src, &plain, &plen);
  rc = rc ? rc : s_maybe_seal(seal, name, plain, plen, &blob, &blen);
  if (plain != NULL) {
    memset(plain, 0, plen);
    free(plain);
  }
  rc = rc ? rc : s_write_atomic(sent, name, (const char *)blob, blen);
  free(blob);
  if (rc == 0 && unlink(src) != 0) {
    rc = -errno;
  }
  if (rc != 0) {
    snprintf(err, errlen, "%s: %s", src, strerror(-rc));
  }
  return rc;
}

int manual_open(const char *dir, const char *request_id, int answer, const mash_seal_t *seal,
                uint8_t **out, size_t *len, char *err, size_t errlen) {
  *out = NULL;
  *len = 0;
  if (!s_valid_id(request_id)) {
    snprintf(err, errlen, "'%s' is not a request id", request_id);
    return -EINVAL;
  }
  const char *subs[2] = {answer ? "answers/sent" : "requests",
                         answer ? "answers/sent" : "requests/answered"};
  char path[PATH_MAX], name[MASH_MAX_ID_LEN + 8];
  snprintf(name, sizeof name, "%s.json", request_id);
  int rc = -ENOENT;
  for (int i = 0; i < 2 && rc == -ENOENT; i++) {
    if (s_path(path, dir, subs[i], request_id, ".json") != 0) {
      rc = -ENAMETOOLONG;
      break;
    }
    uint8_t *raw = NULL;
    size_t n = 0;
    rc = s_read_all(path, &raw, &n);
    if (rc != 0) {
      continue;
    }
    /* A file written before sealing (text JSON) is given as it is. */
    if (seal == NULL || (n > 0 && raw[0] == '{')) {
      *out = raw;
      *len = n;
      return 0;
    }
    rc = mash_seal_decrypt(seal, raw, n, (const uint8_t *)name, strlen(name), out, len);
    free(raw);
  }
  if (rc != 0) {
    snprintf(err, errlen, "%s %s: %s", answer ? "answer" : "request", request_id,
             rc == -EBADMSG ? "does not open with this data key" : strerror(-rc));
  }
  return rc;
}

int manual_finish_answer_sealed(const char *dir, const char *request_id, const mash_seal_t *seal,
                                char *err, size_t errlen) {
  if (s_check_id(request_id, err, errlen) != 0) {
    return -EINVAL;
  }
  int rc = seal ? s_seal_answer(dir, request_id, seal, err, errlen)
                : s_move(dir, "answers", "answers/sent", request_id, err, errlen);
  if (rc != 0) {
    return rc;
  }
  /* The request may have been tidied away by hand already. */
  rc = s_move(dir, "requests", "requests/answered", request_id, err, errlen);
  if (rc == -ENOENT) {
    if (errlen > 0) {
      err[0] = '\0';
    }
    rc = 0;
  }
  return rc;
}

void manual_answer_free(Mash__V1__EnquiryResponse *resp) {
  if (resp != NULL) {
    protobuf_c_message_free_unpacked(&resp->base, NULL);
  }
}
