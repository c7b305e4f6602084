/* store_sqlite_ids: the id mark, a small file beside the database
 * (mashd.db.ids) that remembers, outside SQLite, the contact, enquiry and
 * request ids the store has issued. SQLite cannot tell that its write-ahead
 * log was deleted or damaged: it opens what the main file holds and, before
 * this mark, issued MAX(id) + 1 again while agencies held receipts naming
 * the lost ids. With it, a database behind the mark is refused at start,
 * and no id is ever issued twice.
 *
 * Per series the mark holds three numbers: `reserved`, the end of the block
 * of ids the store may issue (written and synced before any id of a new
 * block is used, so before it is committed or receipted: one fsync per
 * block); `committed`, the highest id committed (written after each commit
 * that issued ids, without a sync: it survives a crash of the process, and
 * after a power cut the synced reservation still bounds it); and `floor`,
 * the lowest id the store may issue (set above the reservation when a loss
 * was accepted, so the lost ids are never issued again).
 *
 * Responsible for: reading, checking, creating and writing the mark;
 * clamping and reserving each new id. Must not: decide whether mashd starts
 * (it explains; main refuses), log, or be used from more than one thread at
 * a time (the storage thread in mashd).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_sqlite_int.h"

/* Ids reserved per synced write of the mark. */
#define S_BLOCK 64

static const struct {
  const char *word;   /* in the file */
  const char *plural; /* in messages */
  const char *prefix; /* of the ids shown */
  const char *sql;    /* the database's highest id */
} SERIES[STORE_IDS_N] = {
    [STORE_IDS_CONTACT] = {"contact", "contacts", "MASH-",
                           "SELECT COALESCE(MAX(id), 0) FROM contacts"},
    [STORE_IDS_ENQUIRY] = {"enquiry", "enquiries", "ENQ-",
                           "SELECT COALESCE(MAX(id), 0) FROM enquiries"},
    [STORE_IDS_REQUEST] = {"request", "requests", "REQ-",
                           "SELECT COALESCE(MAX(id), 0) FROM requests"},
};

typedef struct s_mark {
  int64_t reserved, committed, floor;
} s_mark_t;

struct store_ids {
  int fd; /* -1: no file (an in-memory database) */
  char path[1024];
  s_mark_t m[STORE_IDS_N];
  sqlite3_stmt *max[STORE_IDS_N];
  int dirty; /* ids were issued since the last commit */
};

/* The file: a line per series with three numbers of fixed width, so every
 * rewrite has the same length and is done in place; then a check line. */
#define S_HEADER "mash-ids 1\n"
#define S_LINE_FMT "%-8s %020" PRId64 " %020" PRId64 " %020" PRId64 "\n"

static uint32_t s_fnv1a(const char *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) {
    h = (h ^ (uint8_t)p[i]) * 16777619u;
  }
  return h;
}

static size_t s_format(const store_ids_t *ids, char *buf, size_t cap) {
  size_t n = (size_t)snprintf(buf, cap, S_HEADER);
  for (int i = 0; i < STORE_IDS_N && n < cap; i++) {
    n += (size_t)snprintf(buf + n, cap - n, S_LINE_FMT, SERIES[i].word, ids->m[i].reserved,
                          ids->m[i].committed, ids->m[i].floor);
  }
  if (n < cap) {
    n += (size_t)snprintf(buf + n, cap - n, "check %08" PRIx32 "\n", s_fnv1a(buf, n));
  }
  return n < cap ? n : 0;
}

/* Parse buf (NUL-terminated); 0, or -EBADMSG with the reason in why. */
static int s_parse(store_ids_t *ids, const char *buf, char *why, size_t whylen) {
  const char *check = strstr(buf, "check ");
  if (strncmp(buf, S_HEADER, strlen(S_HEADER)) != 0 || check == NULL) {
    snprintf(why, whylen, "not an id mark (no \"mash-ids 1\" header or check line)");
    return -EBADMSG;
  }
  unsigned long want = strtoul(check + 6, NULL, 16);
  if (want != s_fnv1a(buf, (size_t)(check - buf))) {
    snprintf(why, whylen, "its check line does not match its content (cut short or edited)");
    return -EBADMSG;
  }
  const char *p = buf + strlen(S_HEADER);
  for (int i = 0; i < STORE_IDS_N; i++) {
    char word[16];
    long long r = 0, c = 0, f = 0;
    int used = 0;
    if (sscanf(p, "%15s %lld %lld %lld%n", word, &r, &c, &f, &used) != 4 ||
        strcmp(word, SERIES[i].word) != 0 || r < 0 || c < 0 || f < 0) {
      snprintf(why, whylen, "its %s line cannot be read", SERIES[i].word);
      return -EBADMSG;
    }
    ids->m[i] = (s_mark_t){.reserved = r, .committed = c, .floor = f};
    p += used;
    while (*p == '\n') {
      p++;
    }
  }
  return 0;
}

/* Write the mark in place (the file exists, same length), synced if asked. */
static int s_write(store_ids_t *ids, int sync) {
  if (ids->fd < 0) {
    return 0;
  }
  char buf[512];
  size_t n = s_format(ids, buf, sizeof buf);
  if (n == 0) {
    return -EOVERFLOW;
  }
  ssize_t w = pwrite(ids->fd, buf, n, 0);
  if (w != (ssize_t)n) {
    return w < 0 ? -errno : -EIO;
  }
  if (sync && fdatasync(ids->fd) != 0) {
    return -errno;
  }
  return 0;
}

/* Make the file anew (a temporary file synced, renamed over, the folder
 * synced), so a crash leaves the old mark or the new one, never half. */
static int s_create(store_ids_t *ids, char *err, size_t errlen) {
  char tmp[sizeof ids->path + 8];
  snprintf(tmp, sizeof tmp, "%s.tmp", ids->path);
  char buf[512];
  size_t n = s_format(ids, buf, sizeof buf);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int rc = fd < 0 ? -errno : 0;
  if (rc == 0 && write(fd, buf, n) != (ssize_t)n) {
    rc = errno ? -errno : -EIO;
  }
  if (rc == 0 && fsync(fd) != 0) {
    rc = -errno;
  }
  if (fd >= 0) {
    close(fd);
  }
  if (rc == 0 && rename(tmp, ids->path) != 0) {
    rc = -errno;
  }
  if (rc == 0) {
    char dir[sizeof ids->path];
    snprintf(dir, sizeof dir, "%s", ids->path);
    char *slash = strrchr(dir, '/');
    if (slash == dir) {
      slash[1] = '\0';
    } else if (slash) {
      *slash = '\0';
    } else {
      snprintf(dir, sizeof dir, ".");
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      fsync(dfd);
      close(dfd);
    }
  }
  if (rc != 0) {
    unlink(tmp);
    snprintf(err, errlen, "cannot write the id mark %s: %s", ids->path, strerror(-rc));
    return rc;
  }
  if (ids->fd >= 0) {
    close(ids->fd);
  }
  ids->fd = open(ids->path, O_RDWR | O_CLOEXEC);
  if (ids->fd < 0) {
    rc = -errno;
    snprintf(err, errlen, "cannot open the id mark %s: %s", ids->path, strerror(-rc));
  }
  return rc;
}

static int s_db_max(store_ids_t *ids, int series, int64_t *v) {
  return store_sql_int64(ids->max[series], v);
}

/* The explanation of a database behind its mark, for an operator. */
static void s_behind_message(const store_ids_t *ids, const char *db_path, const int64_t *db_max,
                             char *err, size_t errlen) {
  size_t n = (size_t)snprintf(err, errlen, "%s is behind its id mark %s:", db_path, ids->path);
  const char *sep = " ";
  for (int i = 0; i < STORE_IDS_N && n < errlen; i++) {
    if (db_max[i] >= ids->m[i].committed) {
      continue;
    }
    n += (size_t)snprintf(err + n, errlen - n,
                          "%s%s up to %s%06" PRId64 " were stored and receipted, but the "
                          "database ",
                          sep, SERIES[i].plural, SERIES[i].prefix, ids->m[i].committed);
    if (n < errlen) {
      n += db_max[i] > 0 ? (size_t)snprintf(err + n, errlen - n, "ends at %s%06" PRId64,
                                            SERIES[i].prefix, db_max[i])
                         : (size_t)snprintf(err + n, errlen - n, "holds none");
    }
    if (n < errlen) {
      n += (size_t)snprintf(err + n, errlen - n, " (%" PRId64 " missing)",
                            ids->m[i].committed - db_max[i]);
    }
    sep = "; ";
  }
  if (n < errlen) {
    snprintf(err + n, errlen - n,
             ". Its write-ahead log (%s-wal) was deleted or damaged, or an older copy of the "
             "database was put back; nothing has been changed. Put back the database together "
             "with its -wal file from one backup, or start mashd once with --accept-id-loss to "
             "go on without the missing records: new ids then start above every id ever "
             "issued (%s%06" PRId64 "), so none is reused, and the agencies holding receipts "
             "for the missing contacts must send them again",
             db_path, SERIES[STORE_IDS_CONTACT].prefix,
             ids->m[STORE_IDS_CONTACT].reserved + 1 > ids->m[STORE_IDS_CONTACT].floor
                 ? ids->m[STORE_IDS_CONTACT].reserved + 1
                 : ids->m[STORE_IDS_CONTACT].floor);
  }
}

/* Accept the loss: for each series behind, issue from above every id ever
 * reserved, and take the database's highest as committed. */
static void s_accept(store_ids_t *ids, const int64_t *db_max, char *note, size_t notelen) {
  size_t n = (size_t)snprintf(note, notelen, "the loss was accepted (--accept-id-loss):");
  for (int i = 0; i < STORE_IDS_N; i++) {
    s_mark_t *m = &ids->m[i];
    if (db_max[i] >= m->committed) {
      continue;
    }
    int64_t from = m->reserved + 1 > m->floor ? m->reserved + 1 : m->floor;
    if (n < notelen) {
      n += (size_t)snprintf(note + n, notelen - n,
                            " %" PRId64 " %s missing (%s%06" PRId64 " to %s%06" PRId64
                            "); new ones start at %s%06" PRId64 ";",
                            m->committed - db_max[i], SERIES[i].plural, SERIES[i].prefix,
                            db_max[i] + 1, SERIES[i].prefix, m->committed, SERIES[i].prefix, from);
    }
    m->floor = from;
    m->reserved = from - 1;
    m->committed = db_max[i];
  }
}

store_ids_t *store_ids_open(sqlite3 *db, const char *db_path, const store_ids_opts_t *opts,
                            char *note, size_t notelen, char *err, size_t errlen) {
  note[0] = '\0';
  store_ids_t *ids = calloc(1, sizeof *ids);
  if (!ids) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  ids->fd = -1;
  for (int i = 0; i < STORE_IDS_N; i++) {
    if (sqlite3_prepare_v3(db, SERIES[i].sql, -1, SQLITE_PREPARE_PERSISTENT, &ids->max[i], NULL) !=
        SQLITE_OK) {
      snprintf(err, errlen, "cannot prepare the id mark's statements: %s", sqlite3_errmsg(db));
      goto fail;
    }
  }
  int64_t db_max[STORE_IDS_N];
  for (int i = 0; i < STORE_IDS_N; i++) {
    int rc = s_db_max(ids, i, &db_max[i]);
    if (rc != 0) {
      snprintf(err, errlen, "cannot read the highest %s id: %s", SERIES[i].word, strerror(-rc));
      goto fail;
    }
  }
  if (strcmp(db_path, ":memory:") == 0 || strncmp(db_path, "file:", 5) == 0 || db_path[0] == '\0') {
    return ids; /* nothing survives the process: nothing to remember */
  }
  if (snprintf(ids->path, sizeof ids->path, "%s.ids", db_path) >= (int)sizeof ids->path) {
    snprintf(err, errlen, "database path too long for its id mark");
    goto fail;
  }
  int accept = opts && opts->accept_id_loss;
  ids->fd = open(ids->path, O_RDWR | O_CLOEXEC);
  if (ids->fd < 0 && errno != ENOENT) {
    snprintf(err, errlen, "cannot open the id mark %s: %s", ids->path, strerror(errno));
    goto fail;
  }
  if (ids->fd < 0) {
    /* The first start (or the first with a mark): the database is the
     * truth there is. */
    for (int i = 0; i < STORE_IDS_N; i++) {
      ids->m[i] = (s_mark_t){.reserved = db_max[i], .committed = db_max[i]};
    }
    if (s_create(ids, err, errlen) != 0) {
      goto fail;
    }
    if (db_max[STORE_IDS_CONTACT] > 0) {
      snprintf(note, notelen, "no id mark was found; made %s from the database", ids->path);
    }
    return ids;
  }
  char buf[1024];
  ssize_t got = pread(ids->fd, buf, sizeof buf - 1, 0);
  if (got < 0) {
    snprintf(err, errlen, "cannot read the id mark %s: %s", ids->path, strerror(errno));
    goto fail;
  }
  buf[got] = '\0';
  char why[128];
  if (s_parse(ids, buf, why, sizeof why) != 0) {
    if (!accept) {
      snprintf(err, errlen,
               "the id mark %s is damaged: %s. It says which ids were issued, so the "
               "database cannot be checked against it; put it back from a backup, or start "
               "mashd once with --accept-id-loss to make it again from the database",
               ids->path, why);
      goto fail;
    }
    for (int i = 0; i < STORE_IDS_N; i++) {
      ids->m[i] = (s_mark_t){.reserved = db_max[i], .committed = db_max[i]};
    }
    snprintf(note, notelen, "the id mark %s was damaged (%s); made again from the database",
             ids->path, why);
    if (s_create(ids, err, errlen) != 0) {
      goto fail;
    }
    return ids;
  }
  int behind = 0, changed = 0;
  for (int i = 0; i < STORE_IDS_N; i++) {
    behind |= db_max[i] < ids->m[i].committed;
  }
  if (behind && !accept) {
    s_behind_message(ids, db_path, db_max, err, errlen);
    goto fail;
  }
  if (behind) {
    s_accept(ids, db_max, note, notelen);
    changed = 1;
  }
  /* A database ahead of its mark (a mark put back from an older backup, or
   * rows written by a mashd before the mark): the database is the truth. */
  for (int i = 0; i < STORE_IDS_N; i++) {
    s_mark_t *m = &ids->m[i];
    if (db_max[i] > m->committed) {
      m->committed = db_max[i];
      changed = 1;
    }
    if (m->committed > m->reserved) {
      m->reserved = m->committed;
      changed = 1;
    }
  }
  if (changed && s_create(ids, err, errlen) != 0) {
    goto fail;
  }
  return ids;
fail:
  store_ids_destroy(ids);
  return NULL;
}

void store_ids_destroy(store_ids_t *ids) {
  if (!ids) {
    return;
  }
  for (int i = 0; i < STORE_IDS_N; i++) {
    sqlite3_finalize(ids->max[i]);
  }
  if (ids->fd >= 0) {
    close(ids->fd);
  }
  free(ids);
}

int store_ids_next(store_ids_t *ids, int series, int64_t *id) {
  if (!ids || series < 0 || series >= STORE_IDS_N || !id) {
    return -EINVAL;
  }
  s_mark_t *m = &ids->m[series];
  if (*id < m->floor) {
    *id = m->floor;
  }
  ids->dirty = 1;
  if (*id <= m->reserved || ids->fd < 0) {
    return 0;
  }
  int64_t before = m->reserved;
  m->reserved = *id + S_BLOCK - 1;
  int rc = s_write(ids, 1);
  if (rc != 0) {
    m->reserved = before; /* not durable: the id must not be used */
  }
  return rc;
}

void store_ids_committed(store_ids_t *ids) {
  if (!ids || !ids->dirty) {
    return;
  }
  int changed = 0;
  for (int i = 0; i < STORE_IDS_N; i++) {
    int64_t v = 0;
    if (s_db_max(ids, i, &v) == 0 && v > ids->m[i].committed) {
      ids->m[i].committed = v;
      changed = 1;
    }
  }
  /* A failed write leaves the mark lower than the truth: a later loss is
   * then caught less precisely, never wrongly. Tried again next commit. */
  ids->dirty = changed && s_write(ids, 0) != 0;
}

void store_ids_rolled_back(store_ids_t *ids) {
  if (ids) {
    ids->dirty = 0;
  }
}

const char *store_ids_path(const store_ids_t *ids) {
  return ids && ids->fd >= 0 ? ids->path : NULL;
}
