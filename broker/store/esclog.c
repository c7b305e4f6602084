/* esclog: the append-only, hash-chained escalation log. See esclog.h.
 * Holds one file descriptor and the chain head; no global state. */
#include "esclog.h"
#include "names.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "paths.h"

#define HEAD_SUFFIX ".head"
#define TMP_SUFFIX ".tmp"
#define HEAD_FILE_MAX 128 /* "HASH COUNT\n" is at most 64 + 1 + 20 + 1 bytes */
#define MAX_KEY_DEPTH 16  /* deeper events are refused, not searched */

static const char ZERO_HASH[MASH_ESCLOG_HASH_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* Keys that would put a person's details in the log. */
static const char *const s_banned_keys[] = {
    "name",          "names",   "given_name", "family_name", "first_name",
    "last_name",     "surname", "forename",   "full_name",   "middle_name",
    "date_of_birth", "dob",     "address",    "postcode",    "nhs_number",
    "person",        "persons", "household",  "child",       "children",
};

struct mash_esclog {
  int fd;
  char *path;
  char *head_path;
  char *tmp_path;
  char *dir_path;
  char head[MASH_ESCLOG_HASH_HEX + 1];
  size_t count;
  size_t pending;    /* lines written since the last sync (not yet in the head file) */
  uint64_t last_seq; /* "seq" of the last line, 0 if none */
  bool failed;
  char *fault_path; /* tests: MASH_FAULT_ESCLOG_FAIL (see esclog.h) */
};

/* Tests: while the file named by MASH_FAULT_ESCLOG_FAIL exists, writes and
 * syncs of the log fail as on a full disk. */
static bool s_fault(const mash_esclog_t *log) {
  if (!log->fault_path || access(log->fault_path, F_OK) != 0)
    return false;
  errno = ENOSPC;
  return true;
}

/* The integer "seq" of a line's JSON object: 1 with *seq, 0 when it has
 * none, -1 when it is not a non-negative integer. */
static int s_event_seq(const json_t *event, uint64_t *seq) {
  const json_t *v = json_object_get(event, "seq");
  if (!v)
    return 0;
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return -1;
  *seq = (uint64_t)json_integer_value(v);
  return 1;
}

__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errlen, int rc,
                                                      const char *fmt, ...) {
  if (err && errlen > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return rc;
}

const char *mash_esclog_strerror(int rc) {
  switch (rc) {
  case 0:
    return "ok";
  case MASH_ESCLOG_EIO:
    return "I/O error";
  case MASH_ESCLOG_EINVAL:
    return "invalid event";
  case MASH_ESCLOG_ECORRUPT:
    return "log and head file disagree";
  case MASH_ESCLOG_EFAILED:
    return "an earlier append failed";
  default:
    return rc > 0 ? "chain broken" : "unknown error";
  }
}

/* ---------------------------------------------------------------- helpers */

static void sha256_hex(const void *data, size_t len, char out[MASH_ESCLOG_HASH_HEX + 1]) {
  static const char hex[] = "0123456789abcdef";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
    /* Only on an OpenSSL failure; a hash that matches nothing breaks the
     * chain loudly rather than silently. */
    memset(out, 'x', MASH_ESCLOG_HASH_HEX);
    out[MASH_ESCLOG_HASH_HEX] = '\0';
    return;
  }
  for (unsigned i = 0; i < 32; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 0xf];
  }
  out[MASH_ESCLOG_HASH_HEX] = '\0';
}

static bool is_hash_hex(const char *s, size_t len) {
  if (len != MASH_ESCLOG_HASH_HEX)
    return false;
  for (size_t i = 0; i < len; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

static char *concat(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *s = malloc(la + lb + 1);
  if (!s)
    return NULL;
  memcpy(s, a, la);
  memcpy(s + la, b, lb + 1);
  return s;
}

/* The directory holding `path` ("." when it has no slash). */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash)
    return concat(".", "");
  if (slash == path)
    return concat("/", "");
  size_t n = (size_t)(slash - path);
  char *d = malloc(n + 1);
  if (!d)
    return NULL;
  memcpy(d, path, n);
  d[n] = '\0';
  return d;
}

static int pread_all(int fd, char *buf, size_t len, off_t off) {
  while (len > 0) {
    ssize_t n = pread(fd, buf, len, off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    buf += n;
    len -= (size_t)n;
    off += n;
  }
  return 0;
}

/* Read PATH.head. Returns 1 if present and well formed, 0 if absent, -1 if
 * unreadable or malformed. */
static int read_head(const char *head_path, char hash[MASH_ESCLOG_HASH_HEX + 1], size_t *count) {
  FILE *f = fopen(head_path, "r");
  if (!f)
    return errno == ENOENT ? 0 : -1;
  char buf[HEAD_FILE_MAX];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  bool bad = ferror(f) != 0;
  fclose(f);
  if (bad)
    return -1;
  buf[n] = '\0';
  /* "HASH COUNT\n", exactly. */
  if (n < MASH_ESCLOG_HASH_HEX + 3 || !is_hash_hex(buf, MASH_ESCLOG_HASH_HEX) ||
      buf[MASH_ESCLOG_HASH_HEX] != ' ' || buf[n - 1] != '\n')
    return -1;
  const char *num = buf + MASH_ESCLOG_HASH_HEX + 1;
  for (const char *p = num; p < buf + n - 1; p++)
    if (*p < '0' || *p > '9')
      return -1;
  errno = 0;
  char *end = NULL;
  unsigned long long c = strtoull(num, &end, 10);
  if (errno != 0 || end != buf + n - 1 || end == num || c > SIZE_MAX)
    return -1;
  memcpy(hash, buf, MASH_ESCLOG_HASH_HEX);
  hash[MASH_ESCLOG_HASH_HEX] = '\0';
  *count = (size_t)c;
  return 1;
}

/* Replace PATH.head atomically and durably: temporary file, fsync, rename,
 * fsync of the directory (so the rename itself survives a crash). */
static int write_head(const mash_esclog_t *log, const char *hash, size_t count) {
  char buf[HEAD_FILE_MAX];
  int n = snprintf(buf, sizeof buf, "%s %zu\n", hash, count);
  if (n < 0 || (size_t)n >= sizeof buf)
    return -1;
  int fd = open(log->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return -1;
  if (mash_write_all(fd, buf, (size_t)n) != 0 || fsync(fd) != 0) {
    close(fd);
    return -1;
  }
  if (close(fd) != 0 || rename(log->tmp_path, log->head_path) != 0)
    return -1;
  int dfd = open(log->dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return -1;
  int rc = fsync(dfd);
  close(dfd);
  return rc == 0 ? 0 : -1;
}

/* SHA-256 of the `len` bytes at `off` in `fd` (a line without its newline). */
static int hash_range(int fd, off_t off, size_t len, char out[MASH_ESCLOG_HASH_HEX + 1]) {
  if (len > MASH_ESCLOG_MAX_LINE)
    return -1;
  char *buf = malloc(len ? len : 1);
  if (!buf)
    return -1;
  int rc = pread_all(fd, buf, len, off);
  if (rc == 0)
    sha256_hex(buf, len, out);
  free(buf);
  return rc;
}

/* ---------------------------------------------------------------- open / close */

/* Where the lines of the file are: the count of complete lines, the offset
 * just past the last newline, the starts of the last two complete lines. */
typedef struct scan {
  size_t lines;
  off_t size;
  off_t end_complete;      /* offset after the last '\n' (0 if none) */
  off_t start_last;        /* start of the last complete line */
  off_t start_before_last; /* start of the one before it */
} scan_t;

static int scan_file(int fd, scan_t *s) {
  memset(s, 0, sizeof *s);
  char buf[65536];
  off_t off = 0;
  for (;;) {
    ssize_t n = pread(fd, buf, sizeof buf, off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    if (n == 0)
      break;
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] != '\n')
        continue;
      s->lines++;
      s->start_before_last = s->start_last;
      s->start_last = s->end_complete;
      s->end_complete = off + i + 1;
    }
    off += n;
  }
  s->size = off;
  return 0;
}

/* The offsets of line k (1-based): its start and just past its newline. */
static int line_bounds(int fd, size_t k, off_t *start, off_t *end) {
  char buf[65536];
  off_t off = 0, line_start = 0;
  size_t seen = 0;
  for (;;) {
    ssize_t n = pread(fd, buf, sizeof buf, off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] != '\n')
        continue;
      if (++seen == k) {
        *start = line_start;
        *end = off + i + 1;
        return 0;
      }
      line_start = off + i + 1;
    }
    off += n;
  }
}

/* Compare the end of the file with the head file; cut off appends that
 * did not finish (see esclog.h). */
static int recover(mash_esclog_t *log, char *err, size_t errlen) {
  scan_t s;
  if (scan_file(log->fd, &s) != 0)
    return fail(err, errlen, MASH_ESCLOG_EIO, "%s: read: %s", log->path, strerror(errno));
  char hh[MASH_ESCLOG_HASH_HEX + 1];
  size_t hc = 0;
  int have = read_head(log->head_path, hh, &hc);
  if (have < 0)
    return fail(err, errlen, MASH_ESCLOG_ECORRUPT, "%s: unreadable or malformed head file",
                log->head_path);
  if (have == 0) {
    memcpy(hh, ZERO_HASH, sizeof hh);
    hc = 0;
  }

  bool torn = s.size > s.end_complete;
  off_t keep = -1; /* where the file should end */
  /* The head covers lines 1..hc. Lines past it (at most one group of
   * deferred appends, and a torn tail) were never synced with a head, so
   * never acknowledged: they are cut off, once line hc is the head's.
   * Without a head file only the very first line can be unfinished (the
   * first append syncs at once), so a deleted head never empties a log. */
  size_t max_past = have ? MASH_ESCLOG_MAX_PENDING : 1;
  off_t start = 0, end = 0; /* line hc */
  if (s.lines >= hc && s.lines - hc <= max_past) {
    char covered[MASH_ESCLOG_HASH_HEX + 1];
    if (hc == 0) {
      memcpy(covered, ZERO_HASH, sizeof covered);
    } else if (hc == s.lines) {
      /* The usual case (nothing past the head): the scan found line hc, so
       * a long log is not read again. */
      start = s.start_last;
      end = s.end_complete;
      if (hash_range(log->fd, start, (size_t)(end - start - 1), covered) != 0)
        return fail(err, errlen, MASH_ESCLOG_ECORRUPT, "%s: line %zu unreadable or too long",
                    log->path, hc);
    } else if (line_bounds(log->fd, hc, &start, &end) != 0 ||
               hash_range(log->fd, start, (size_t)(end - start - 1), covered) != 0) {
      return fail(err, errlen, MASH_ESCLOG_ECORRUPT, "%s: line %zu unreadable or too long",
                  log->path, hc);
    }
    if (strcmp(covered, hh) == 0)
      keep = end;
  }
  if (keep < 0)
    return fail(err, errlen, MASH_ESCLOG_ECORRUPT,
                "%s: %zu line%s%s, but %s says %zu line%s ending in %.12s...: the log was "
                "edited or cut; run verify",
                log->path, s.lines, s.lines == 1 ? "" : "s", torn ? " and a torn tail" : "",
                have ? log->head_path : "a missing head file", hc, hc == 1 ? "" : "s", hh);
  if (keep < s.size) {
    if (ftruncate(log->fd, keep) != 0 || fsync(log->fd) != 0)
      return fail(err, errlen, MASH_ESCLOG_EIO, "%s: cutting an unfinished append: %s", log->path,
                  strerror(errno));
  }
  memcpy(log->head, hh, sizeof log->head);
  log->count = hc;
  log->last_seq = 0;
  if (hc > 0) {
    /* The last line's sequence number: where appending from the store
     * resumes (line hc's bounds, found above). */
    if (end - start - 1 > MASH_ESCLOG_MAX_LINE)
      return fail(err, errlen, MASH_ESCLOG_ECORRUPT, "%s: line %zu unreadable or too long",
                  log->path, hc);
    size_t len = (size_t)(end - start - 1);
    char *buf = malloc(len ? len : 1);
    if (!buf)
      return fail(err, errlen, MASH_ESCLOG_EIO, "out of memory");
    json_t *last = NULL;
    if (pread_all(log->fd, buf, len, start) == 0)
      last = json_loadb(buf, len, 0, NULL);
    free(buf);
    uint64_t seq = 0;
    int has = last ? s_event_seq(last, &seq) : -1;
    json_decref(last);
    if (has < 0)
      return fail(err, errlen, MASH_ESCLOG_ECORRUPT,
                  "%s: line %zu is not a log line with a valid seq; run verify", log->path, hc);
    log->last_seq = has ? seq : 0;
  }
  return 0;
}

mash_esclog_t *mash_esclog_open(const char *path, char *err, size_t errlen) {
  mash_esclog_t *log = calloc(1, sizeof *log);
  if (!log) {
    fail(err, errlen, MASH_ESCLOG_EIO, "out of memory");
    return NULL;
  }
  log->fd = -1;
  log->path = concat(path, "");
  log->head_path = concat(path, HEAD_SUFFIX);
  log->tmp_path = concat(path, HEAD_SUFFIX TMP_SUFFIX);
  log->dir_path = dir_of(path);
  const char *fault = getenv("MASH_FAULT_ESCLOG_FAIL");
  if (fault && fault[0]) {
    log->fault_path = concat(fault, "");
    if (!log->fault_path) {
      fail(err, errlen, MASH_ESCLOG_EIO, "out of memory");
      goto fail;
    }
  }
  if (!log->path || !log->head_path || !log->tmp_path || !log->dir_path) {
    fail(err, errlen, MASH_ESCLOG_EIO, "out of memory");
    goto fail;
  }
  log->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log->fd < 0) {
    fail(err, errlen, MASH_ESCLOG_EIO, "%s: open: %s", path, strerror(errno));
    goto fail;
  }
  if (recover(log, err, errlen) != 0)
    goto fail;
  return log;
fail:
  mash_esclog_close(&log);
  return NULL;
}

void mash_esclog_close(mash_esclog_t **self_p) {
  if (!self_p || !*self_p)
    return;
  mash_esclog_t *log = *self_p;
  if (log->fd >= 0)
    close(log->fd);
  free(log->path);
  free(log->head_path);
  free(log->tmp_path);
  free(log->dir_path);
  free(log->fault_path);
  free(log);
  *self_p = NULL;
}

const char *mash_esclog_head(const mash_esclog_t *log) {
  return log->head;
}

size_t mash_esclog_count(const mash_esclog_t *log) {
  return log->count;
}

uint64_t mash_esclog_last_seq(const mash_esclog_t *log) {
  return log->last_seq;
}

/* ---------------------------------------------------------------- append */

/* The first banned key in `v` at any depth, or NULL. */
static const char *banned_key(const json_t *v, int depth) {
  if (depth > MAX_KEY_DEPTH)
    return "(nested too deeply)";
  if (json_is_object(v)) {
    const char *key;
    json_t *child;
    json_object_foreach((json_t *)v, key, child) {
      for (size_t i = 0; i < sizeof s_banned_keys / sizeof s_banned_keys[0]; i++)
        if (strcmp(key, s_banned_keys[i]) == 0)
          return s_banned_keys[i];
      const char *b = banned_key(child, depth + 1);
      if (b)
        return b;
    }
  } else if (json_is_array(v)) {
    for (size_t i = 0; i < json_array_size(v); i++) {
      const char *b = banned_key(json_array_get(v, i), depth + 1);
      if (b)
        return b;
    }
  }
  return NULL;
}

int mash_esclog_append_deferred(mash_esclog_t *log, const json_t *event, char *err, size_t errlen) {
  if (log->failed)
    return fail(err, errlen, MASH_ESCLOG_EFAILED, "%s: an earlier append failed; reopen the log",
                log->path);
  if (!json_is_object(event))
    return fail(err, errlen, MASH_ESCLOG_EINVAL, "event is not a JSON object");
  if (json_object_get(event, "prev"))
    return fail(err, errlen, MASH_ESCLOG_EINVAL, "event has a \"prev\" key (reserved)");
  const char *banned = banned_key(event, 0);
  if (banned)
    return fail(err, errlen, MASH_ESCLOG_EINVAL,
                "event has key \"%s\": the escalation log holds ids only", banned);
  uint64_t seq = 0;
  int has_seq = s_event_seq(event, &seq);
  if (has_seq < 0)
    return fail(err, errlen, MASH_ESCLOG_EINVAL, "event's \"seq\" is not a whole number");
  if (has_seq && seq <= log->last_seq)
    return 0; /* that step is in the log already: never twice */

  int rc = 0;
  char *line = NULL;
  json_t *copy = json_deep_copy(event);
  if (!copy || json_object_set_new(copy, "prev", json_string(log->head)) != 0) {
    rc = fail(err, errlen, MASH_ESCLOG_EINVAL, "out of memory or bad event");
    goto out;
  }
  line = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
  if (!line) {
    rc = fail(err, errlen, MASH_ESCLOG_EINVAL, "event cannot be written as JSON");
    goto out;
  }
  size_t len = strlen(line);
  if (len > MASH_ESCLOG_MAX_LINE) {
    rc = fail(err, errlen, MASH_ESCLOG_EINVAL, "event is %zu bytes: at most %d", len,
              MASH_ESCLOG_MAX_LINE);
    goto out;
  }
  char hash[MASH_ESCLOG_HASH_HEX + 1];
  sha256_hex(line, len, hash);

  /* The newline goes in the same write: json_dumps allocated len + 1 bytes,
   * so the terminating NUL can become the newline. */
  line[len] = '\n';
  if (s_fault(log) || mash_write_all(log->fd, line, len + 1) != 0) {
    log->failed = true;
    rc = fail(err, errlen, MASH_ESCLOG_EIO, "%s: write: %s", log->path, strerror(errno));
    goto out;
  }
  memcpy(log->head, hash, sizeof log->head);
  log->count++;
  log->pending++;
  if (has_seq)
    log->last_seq = seq;
  /* A crash may leave at most MASH_ESCLOG_MAX_PENDING lines past the head
   * for open to cut: sync before there are more. */
  if (log->pending >= MASH_ESCLOG_MAX_PENDING || log->count == 1)
    rc = mash_esclog_sync(log, err, errlen);
out:
  free(line);
  json_decref(copy);
  return rc;
}

int mash_esclog_sync(mash_esclog_t *log, char *err, size_t errlen) {
  if (log->failed)
    return fail(err, errlen, MASH_ESCLOG_EFAILED, "%s: an earlier append failed; reopen the log",
                log->path);
  if (log->pending == 0)
    return 0;
  if (s_fault(log) || fsync(log->fd) != 0) {
    log->failed = true;
    return fail(err, errlen, MASH_ESCLOG_EIO, "%s: fsync: %s", log->path, strerror(errno));
  }
  if (write_head(log, log->head, log->count) != 0) {
    log->failed = true;
    return fail(err, errlen, MASH_ESCLOG_EIO, "%s: head: %s", log->head_path, strerror(errno));
  }
  log->pending = 0;
  return 0;
}

int mash_esclog_append(mash_esclog_t *log, const json_t *event, char *err, size_t errlen) {
  size_t count = log->count;
  uint64_t last_seq = log->last_seq;
  char head[MASH_ESCLOG_HASH_HEX + 1];
  memcpy(head, log->head, sizeof head);
  int rc = mash_esclog_append_deferred(log, event, err, errlen);
  if (rc == 0)
    rc = mash_esclog_sync(log, err, errlen);
  if (rc != 0 && log->failed) {
    /* Not acknowledged: the handle reports the chain as it was. */
    log->count = count;
    log->last_seq = last_seq;
    memcpy(log->head, head, sizeof log->head);
  }
  return rc;
}

/* ---------------------------------------------------------------- verify */

__attribute__((format(printf, 5, 6))) static int broken(size_t line, size_t *bad_line, char *err,
                                                        size_t errlen, const char *fmt, ...) {
  if (bad_line)
    *bad_line = line;
  if (err && errlen > 0) {
    int n = snprintf(err, errlen, "line %zu: ", line);
    if (n >= 0 && (size_t)n < errlen) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
      va_end(ap);
    }
  }
  return line > INT32_MAX ? INT32_MAX : (int)line;
}

int mash_esclog_verify(const char *path, size_t *bad_line, char *err, size_t errlen) {
  if (bad_line)
    *bad_line = 0;
  char *head_path = concat(path, HEAD_SUFFIX);
  if (!head_path)
    return fail(err, errlen, MASH_ESCLOG_EIO, "out of memory");
  FILE *f = fopen(path, "r");
  if (!f) {
    int rc = fail(err, errlen, MASH_ESCLOG_EIO, "%s: open: %s", path, strerror(errno));
    free(head_path);
    return rc;
  }

  int rc = 0;
  char *buf = NULL;
  size_t cap = 0;
  size_t n = 0; /* lines read and found good */
  char expect[MASH_ESCLOG_HASH_HEX + 1];
  memcpy(expect, ZERO_HASH, sizeof expect);

  char hh[MASH_ESCLOG_HASH_HEX + 1];
  size_t hc = 0;
  int have = read_head(head_path, hh, &hc);
  char at_hc[MASH_ESCLOG_HASH_HEX + 1]; /* hash of line hc, if reached */
  memcpy(at_hc, ZERO_HASH, sizeof at_hc);

  for (;;) {
    errno = 0;
    ssize_t got = getline(&buf, &cap, f);
    if (got < 0) {
      if (ferror(f)) {
        rc = fail(err, errlen, MASH_ESCLOG_EIO, "%s: read: %s", path, strerror(errno));
        goto out;
      }
      break;
    }
    size_t line = n + 1;
    size_t len = (size_t)got;
    if (buf[len - 1] != '\n') {
      rc = broken(line, bad_line, err, errlen, "no newline at the end: the line was cut short");
      goto out;
    }
    len--;
    if (len > MASH_ESCLOG_MAX_LINE) {
      rc = broken(line, bad_line, err, errlen, "longer than %d bytes", MASH_ESCLOG_MAX_LINE);
      goto out;
    }
    json_error_t jerr;
    json_t *obj = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    const char *prev = NULL;
    size_t prev_len = 0;
    if (json_is_object(obj)) {
      json_t *p = json_object_get(obj, "prev");
      if (json_is_string(p)) {
        prev = json_string_value(p);
        prev_len = json_string_length(p);
      }
    }
    if (!json_is_object(obj) || !prev || !is_hash_hex(prev, prev_len)) {
      json_decref(obj);
      rc = broken(line, bad_line, err, errlen,
                  "not a log line (a JSON object with a 64-hex \"prev\"): edited or inserted");
      goto out;
    }
    bool chained = strcmp(prev, expect) == 0;
    json_decref(obj);
    if (!chained) {
      if (line == 1)
        rc = broken(line, bad_line, err, errlen,
                    "prev is not 64 zeros: a line before it was deleted, or it was inserted");
      else
        rc = broken(line, bad_line, err, errlen,
                    "prev is not the hash of line %zu: line %zu was edited, or a line was "
                    "deleted or inserted here",
                    line - 1, line - 1);
      goto out;
    }
    sha256_hex(buf, len, expect);
    n = line;
    if (have > 0 && n == hc)
      memcpy(at_hc, expect, sizeof at_hc);
  }

  /* Every line chains; the head file says where the log should end. */
  if (have < 0) {
    rc = broken(n + 1, bad_line, err, errlen, "%s is unreadable or malformed", head_path);
  } else if (have == 0 && n > 0) {
    rc = broken(1, bad_line, err, errlen,
                "%s is missing: none of the %zu lines is covered by a head", head_path, n);
  } else if (have > 0 && hc > n) {
    rc = broken(n + 1, bad_line, err, errlen,
                "the log ends after %zu lines but the head records %zu: lines were cut off the "
                "end",
                n, hc);
  } else if (have > 0 && hc < n) {
    bool same = strcmp(at_hc, hh) == 0;
    rc = broken(hc + 1, bad_line, err, errlen,
                "the head records %zu lines: lines %zu-%zu are not covered (%s)", hc, hc + 1, n,
                same ? "appended after the head" : "and the head's hash is not that of any line");
  } else if (have > 0 && strcmp(expect, hh) != 0) {
    rc = broken(n, bad_line, err, errlen,
                "its hash differs from the head's: the last line was edited");
  }
out:
  free(buf);
  fclose(f);
  free(head_path);
  return rc;
}

/* ---------------------------------------------------------------- events */

static int set_str(json_t *o, const char *key, const char *v) {
  return json_object_set_new(o, key, json_string(v ? v : ""));
}

json_t *mash_esclog_event_json(const Mash__V1__EscalationEvent *ev) {
  json_t *o = json_object();
  json_t *parties = json_array();
  if (!o || !parties)
    goto fail;
  for (size_t i = 0; i < ev->n_parties; i++)
    if (json_array_append_new(parties, json_string(ev->parties[i] ? ev->parties[i] : "")) != 0)
      goto fail;
  int bad = 0;
  bad |= set_str(o, "escalation_id", ev->escalation_id);
  bad |= set_str(o, "enquiry_id", ev->enquiry_id);
  bad |= set_str(o, "request_id", ev->request_id);
  bad |= set_str(o, "contact_id", ev->contact_id);
  bad |= set_str(o, "agency", ev->agency);
  bad |= json_object_set_new(o, "level", json_integer(ev->level));
  bad |= set_str(o, "step", ev->step);
  bad |= json_object_set_new(o, "parties", parties);
  parties = NULL; /* stolen, even on failure */
  bad |= json_object_set_new(o, "due_at_ms", json_integer(ev->due_at_ms));
  bad |= json_object_set_new(o, "at_ms", json_integer(ev->at_ms));
  bad |= set_str(o, "rag", mash_rag_name(ev->rag));
  /* Only the hub's own duties say which: a request's line is as before. */
  if (ev->duty && ev->duty[0])
    bad |= set_str(o, "duty", ev->duty);
  if (bad)
    goto fail;
  return o;
fail:
  json_decref(parties);
  json_decref(o);
  return NULL;
}
