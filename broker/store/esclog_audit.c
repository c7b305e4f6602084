/* esclog_audit: the escalation log checked against the store. See
 * esclog_audit.h.
 *
 * Responsible for: walking the log's lines and the store's steps side by
 * side in sequence order (the store's read a chunk at a time, so a long
 * history costs bounded memory) and naming the first disagreement. Must
 * not: write, or print (the caller does).
 */
#include "esclog_audit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define S_CHUNK 1024
#define S_ID_LEN 64

/* The store's steps, a chunk at a time. */
typedef struct s_steps {
  mash_store_t *store;
  uint64_t after; /* the last seq read from the store */
  uint64_t seq[S_CHUNK];
  char id[S_CHUNK][S_ID_LEN];
  size_t n, at;
  bool done;
  int rc;
} s_steps_t;

static int s_step_cb(uint64_t seq, const char *escalation_id, const uint8_t *event, size_t len,
                     void *arg) {
  (void)event;
  (void)len;
  s_steps_t *s = arg;
  s->seq[s->n] = seq;
  snprintf(s->id[s->n], S_ID_LEN, "%s", escalation_id);
  s->n++;
  s->after = seq;
  return s->n >= S_CHUNK;
}

/* The next stored step (1), none left (0), or an error (negative). */
static int s_next(s_steps_t *s, uint64_t *seq, const char **id) {
  if (s->at == s->n && !s->done) {
    s->n = s->at = 0;
    int rc = mash_store_escalations_after(s->store, s->after, S_CHUNK, s_step_cb, s);
    if (rc < 0) {
      return rc;
    }
    s->done = s->n < S_CHUNK;
  }
  if (s->at == s->n) {
    return 0;
  }
  *seq = s->seq[s->at];
  *id = s->id[s->at];
  s->at++;
  return 1;
}

__attribute__((format(printf, 5, 6))) static int
s_broken(mash_esclog_audit_t *out, size_t line, char *err, size_t errlen, const char *fmt, ...) {
  out->bad_line = line;
  if (err && errlen > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return 1;
}

/* One line's seq and escalation id: 1 with seq, 0 without (a line from
 * before sequence numbers), -1 when the line is not a JSON object. */
static int s_parse(const char *buf, size_t len, uint64_t *seq, char id[S_ID_LEN]) {
  json_t *j = json_loadb(buf, len, 0, NULL);
  if (!json_is_object(j)) {
    json_decref(j);
    return -1;
  }
  const char *s = json_string_value(json_object_get(j, "escalation_id"));
  snprintf(id, S_ID_LEN, "%s", s ? s : "");
  json_t *v = json_object_get(j, "seq");
  int rc = 0;
  if (v) {
    rc = json_is_integer(v) && json_integer_value(v) > 0 ? 1 : -1;
    if (rc == 1) {
      *seq = (uint64_t)json_integer_value(v);
    }
  }
  json_decref(j);
  return rc;
}

static int s_audit(const char *path, mash_store_t *store, int per_node, mash_esclog_audit_t *out,
                   char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (err && errlen) {
    err[0] = '\0';
  }
  mash_store_esclog_state_t st;
  int rc = mash_store_esclog_state(store, &st);
  if (rc < 0) {
    snprintf(err, errlen, "cannot read the store: %s", strerror(-rc));
    return rc;
  }
  out->steps = st.steps;
  FILE *f = fopen(path, "r");
  if (!f && errno != ENOENT) {
    rc = -errno;
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return rc;
  }
  out->log_missing = f == NULL;

  s_steps_t *steps = calloc(1, sizeof *steps);
  if (!steps) {
    if (f) {
      fclose(f);
    }
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  steps->store = store;
  steps->after = st.legacy_seq; /* steps before it have no seq in the log */

  char *buf = NULL;
  size_t cap = 0;
  uint64_t last = st.legacy_seq; /* the last step matched */
  size_t last_line = 0;
  rc = 0;
  while (f && rc == 0) {
    ssize_t got = getline(&buf, &cap, f);
    if (got < 0) {
      break;
    }
    size_t line = ++out->lines;
    uint64_t seq = 0;
    char id[S_ID_LEN];
    int has = s_parse(buf, (size_t)got, &seq, id);
    if (has < 0) {
      rc = s_broken(out, line, err, errlen, "line %zu is not a log line with a valid seq", line);
      break;
    }
    if (has == 0) {
      if (last_line > 0) {
        rc = s_broken(out, line, err, errlen,
                      "line %zu has no seq, after line %zu which has one: inserted", line,
                      last_line);
        break;
      }
      out->legacy_lines++;
      continue;
    }
    if (seq <= last) {
      rc = s_broken(out, line, err, errlen,
                    seq <= st.legacy_seq && last_line == 0
                        ? "line %zu: step %" PRIu64 " was stored before sequence numbers (up "
                          "to %" PRIu64 "): not a line the log should hold"
                        : "line %zu: step %" PRIu64 " comes again or out of order (the line "
                          "before is step %" PRIu64 "): written twice",
                    line, seq, seq <= st.legacy_seq && last_line == 0 ? st.legacy_seq : last);
      break;
    }
    /* Every stored step before this one must have been in the log. */
    uint64_t sseq = 0;
    const char *sid = NULL;
    int n = s_next(steps, &sseq, &sid);
    if (n < 0) {
      rc = n;
      snprintf(err, errlen, "cannot read the store: %s", strerror(-n));
      break;
    }
    if (n == 0 || sseq > seq) {
      rc = s_broken(out, line, err, errlen,
                    "line %zu: step %" PRIu64 " (%s) is not a stored step: the log holds "
                    "what the store never recorded",
                    line, seq, id);
      break;
    }
    if (sseq < seq) {
      rc = s_broken(out, line, err, errlen,
                    "step %" PRIu64 " (%s) is stored but missing from the log: line %zu is "
                    "step %" PRIu64 " (a line was deleted)",
                    sseq, sid, line, seq);
      break;
    }
    if (strcmp(sid, id) != 0) {
      rc = s_broken(out, line, err, errlen,
                    "line %zu: step %" PRIu64 " names %s but the store's step %" PRIu64
                    " is %s: edited",
                    line, seq, id, seq, sid);
      break;
    }
    out->matched++;
    last = seq;
    last_line = line;
  }
  free(buf);
  if (f) {
    fclose(f);
  }
  if (rc == 0) {
    /* What is stored after the log's last line: not yet appended, unless
     * the store saw the log durable past it. */
    if (st.appended_seq > last && !per_node) {
      rc = s_broken(out, 0, err, errlen,
                    out->log_missing
                        ? "%s does not exist, but the store records the log durable up to step "
                          "%" PRIu64 " (%" PRIu64 " steps stored): the log was deleted"
                        : "%s ends at step %" PRIu64 ", but the store records it durable up to "
                          "step %" PRIu64 ": lines were cut off, or the log was deleted "
                          "(with its head file) and begun again",
                    path, out->log_missing ? st.appended_seq : last,
                    out->log_missing ? st.steps : st.appended_seq);
    } else {
      uint64_t sseq = 0;
      const char *sid = NULL;
      int n;
      while ((n = s_next(steps, &sseq, &sid)) > 0) {
        out->pending++;
      }
      if (n < 0) {
        rc = n;
        snprintf(err, errlen, "cannot read the store: %s", strerror(-n));
      }
    }
  }
  free(steps);
  return rc;
}

int mash_esclog_audit(const char *path, mash_store_t *store, mash_esclog_audit_t *out, char *err,
                      size_t errlen) {
  return s_audit(path, store, 0, out, err, errlen);
}

int mash_esclog_audit_node(const char *path, mash_store_t *store, mash_esclog_audit_t *out,
                           char *err, size_t errlen) {
  return s_audit(path, store, 1, out, err, errlen);
}
