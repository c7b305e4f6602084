/* store_sqlite_ids: the id mark, a small file beside the database
 * (mashd.db.ids) that remembers, outside SQLite, the contact, enquiry,
 * request, person and match ids the store has issued (each of them leaves
 * the database: in receipts, requests, packs, and the match reviews the desk
 * answers by id, so a reused one would name another record). SQLite cannot tell that its
 * write-ahead log was deleted or damaged: it opens what the main file holds and, before this mark,
 * issued MAX(id) + 1 again while agencies held receipts naming the lost ids. With it, a database
 * behind the mark is refused at start, and no id is ever issued twice.
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
 * A last line holds the boot the mark was written in (the kernel's boot id)
 * and whether the store was closed cleanly (committed synced). `committed`
 * is not synced after each commit, so a power cut can leave it behind by up
 * to a block (63 ids): a -wal lost in the same power cut could then lose
 * those ids undetected. They are never reused: a start in another boot
 * after a stop that was not clean issues from above the reservation (the
 * ids of the unsure block are skipped, and the log says so).
 *
 * The mark is kept twice, written together: DB_PATH.ids and a hidden copy
 * beside it, DIR/.NAME.ids, which neither a glob of the database's name
 * (mashd.db*) nor of the folder (*) removes. Both are read at start and the
 * higher number of each wins, so a -wal deleted with one of them is still
 * caught; one missing or damaged is made again from the other, and said
 * so. The -wal deleted together with both marks cannot be caught (they are
 * made again from the database, and said so); see README.md.
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
    [STORE_IDS_PERSON] = {"person", "persons", "P-", "SELECT COALESCE(MAX(id), 0) FROM persons"},
    [STORE_IDS_MATCH] = {"match", "matches", "M-", "SELECT COALESCE(MAX(id), 0) FROM matches"},
};

/* Series in a version 1 mark (before persons and matches). */
#define S_V1_SERIES 3
/* The kernel's boot id is 36 characters. */
#define S_BOOT_LEN 36

typedef struct s_mark {
  int64_t reserved, committed, floor;
} s_mark_t;

/* The two files of the mark. */
#define S_FILES 2

struct store_ids {
  int fd; /* -1: no file (an in-memory database) */
  char path[1024];
  int copy_fd; /* the copy, written with it */
  char copy_path[1024];
  s_mark_t m[STORE_IDS_N];
  sqlite3_stmt *max[STORE_IDS_N];
  int dirty;  /* ids were issued since the last commit */
  int opened; /* checked and written as in use: a clean stop is recorded */
  char boot[S_BOOT_LEN + 1];
};

/* The file: a line per series with three numbers of fixed width, so every
 * rewrite has the same length and is done in place; then a check line. */
#define S_HEADER "mash-ids 2\n"
#define S_HEADER_V1 "mash-ids 1\n"
#define S_LINE_FMT "%-8s %020" PRId64 " %020" PRId64 " %020" PRId64 "\n"

static uint32_t s_fnv1a(const char *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) {
    h = (h ^ (uint8_t)p[i]) * 16777619u;
  }
  return h;
}

/* The boot this process runs in ("unknown" when the kernel does not say:
 * then every start looks like the same boot). Padded only in the file. */
static void s_boot_id(char out[S_BOOT_LEN + 1]) {
  char got[64] = "";
  FILE *fp = fopen("/proc/sys/kernel/random/boot_id", "r");
  if (fp) {
    if (!fgets(got, sizeof got, fp)) {
      got[0] = '\0';
    }
    fclose(fp);
  }
  got[strcspn(got, " \n")] = '\0';
  snprintf(out, S_BOOT_LEN + 1, "%s", got[0] ? got : "unknown");
}

static size_t s_format(const store_ids_t *ids, int clean, char *buf, size_t cap) {
  size_t n = (size_t)snprintf(buf, cap, S_HEADER);
  for (int i = 0; i < STORE_IDS_N && n < cap; i++) {
    n += (size_t)snprintf(buf + n, cap - n, S_LINE_FMT, SERIES[i].word, ids->m[i].reserved,
                          ids->m[i].committed, ids->m[i].floor);
  }
  if (n < cap) {
    n += (size_t)snprintf(buf + n, cap - n, "boot %-36.36s %s\n", ids->boot,
                          clean ? "clean" : "open ");
  }
  if (n < cap) {
    n += (size_t)snprintf(buf + n, cap - n, "check %08" PRIx32 "\n", s_fnv1a(buf, n));
  }
  return n < cap ? n : 0;
}

/* What a mark read says besides the numbers. */
typedef struct s_read {
  int series;                /* series it held (S_V1_SERIES in a version 1 mark) */
  int clean;                 /* its store was closed cleanly */
  char boot[S_BOOT_LEN + 1]; /* the boot it was last written in ("" for version 1) */
} s_read_t;

/* Parse buf (NUL-terminated); 0, or -EBADMSG with the reason in why. */
static int s_parse(s_mark_t m[STORE_IDS_N], const char *buf, s_read_t *rd, char *why,
                   size_t whylen) {
  const char *check = strstr(buf, "check ");
  int v1 = strncmp(buf, S_HEADER_V1, strlen(S_HEADER_V1)) == 0;
  if ((!v1 && strncmp(buf, S_HEADER, strlen(S_HEADER)) != 0) || check == NULL) {
    snprintf(why, whylen, "not an id mark (no \"mash-ids\" header or check line)");
    return -EBADMSG;
  }
  *rd = (s_read_t){.series = v1 ? S_V1_SERIES : STORE_IDS_N};
  unsigned long want = strtoul(check + 6, NULL, 16);
  if (want != s_fnv1a(buf, (size_t)(check - buf))) {
    snprintf(why, whylen, "its check line does not match its content (cut short or edited)");
    return -EBADMSG;
  }
  const char *p = buf + strlen(S_HEADER);
  for (int i = 0; i < rd->series; i++) {
    char word[16];
    long long r = 0, c = 0, f = 0;
    int used = 0;
    if (sscanf(p, "%15s %lld %lld %lld%n", word, &r, &c, &f, &used) != 4 ||
        strcmp(word, SERIES[i].word) != 0 || r < 0 || c < 0 || f < 0) {
      snprintf(why, whylen, "its %s line cannot be read", SERIES[i].word);
      return -EBADMSG;
    }
    m[i] = (s_mark_t){.reserved = r, .committed = c, .floor = f};
    p += used;
    while (*p == '\n') {
      p++;
    }
  }
  if (!v1) {
    char state[8] = "";
    if (sscanf(p, "boot %36s %7s", rd->boot, state) != 2) {
      snprintf(why, whylen, "its boot line cannot be read");
      return -EBADMSG;
    }
    rd->clean = strcmp(state, "clean") == 0;
  }
  return 0;
}

/* Write the mark in place (the file exists, same length), synced if asked;
 * `clean` only at a clean stop. */
static int s_write(store_ids_t *ids, int sync, int clean) {
  if (ids->fd < 0) {
    return 0;
  }
  char buf[768];
  size_t n = s_format(ids, clean, buf, sizeof buf);
  if (n == 0) {
    return -EOVERFLOW;
  }
  /* Both copies, each synced if asked: a reservation counts only once both
   * hold it. */
  const int fds[S_FILES] = {ids->fd, ids->copy_fd};
  for (int i = 0; i < S_FILES; i++) {
    ssize_t w = pwrite(fds[i], buf, n, 0);
    if (w != (ssize_t)n) {
      return w < 0 ? -errno : -EIO;
    }
    if (sync && fdatasync(fds[i]) != 0) {
      return -errno;
    }
  }
  return 0;
}

/* Make the file at `path` anew (a temporary file synced, renamed over, the
 * folder synced), so a crash leaves the old mark or the new one, never
 * half; *fd is then open on it. */
static int s_create_one(const char *path, const char *buf, size_t n, int *fd_out, char *err,
                        size_t errlen) {
  char tmp[1100];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
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
  if (rc == 0 && rename(tmp, path) != 0) {
    rc = -errno;
  }
  if (rc == 0) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
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
    snprintf(err, errlen, "cannot write the id mark %s: %s", path, strerror(-rc));
    return rc;
  }
  if (*fd_out >= 0) {
    close(*fd_out);
  }
  *fd_out = open(path, O_RDWR | O_CLOEXEC);
  if (*fd_out < 0) {
    rc = -errno;
    snprintf(err, errlen, "cannot open the id mark %s: %s", path, strerror(-rc));
  }
  return rc;
}

/* Make both files anew, the mark first. */
static int s_create(store_ids_t *ids, char *err, size_t errlen) {
  char buf[768];
  size_t n = s_format(ids, 0, buf, sizeof buf);
  if (n == 0) {
    snprintf(err, errlen, "cannot format the id mark");
    return -EOVERFLOW;
  }
  int rc = s_create_one(ids->path, buf, n, &ids->fd, err, errlen);
  return rc == 0 ? s_create_one(ids->copy_path, buf, n, &ids->copy_fd, err, errlen) : rc;
}

static int s_db_max(store_ids_t *ids, int series, int64_t *v) {
  return store_sql_int64(ids->max[series], v);
}

/* The explanation of a database behind its mark, for an operator. */
static void s_behind_message(const store_ids_t *ids, const char *db_path, const char *mark,
                             const int64_t *db_max, char *err, size_t errlen) {
  size_t n = (size_t)snprintf(err, errlen, "%s is behind its id mark %s:", db_path, mark);
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

/* The mark was in use (not closed cleanly) in an earlier boot of the
 * machine: a power cut, or a crash of the machine. Its committed numbers
 * were written without a sync and may trail what was committed and
 * receipted, by up to one block; a -wal file lost with the power cut would
 * lose those ids without the check above seeing it. Whatever happened, ids
 * of the unsure block are never issued again: issue from above each
 * reservation. */
static void s_skip_unsure(store_ids_t *ids, char *note, size_t notelen) {
  size_t n = strlen(note);
  int said = 0;
  for (int i = 0; i < STORE_IDS_N; i++) {
    s_mark_t *m = &ids->m[i];
    if (m->reserved <= m->committed || m->floor > m->reserved) {
      continue;
    }
    if (!said && n < notelen) {
      n += (size_t)snprintf(note + n, notelen - n,
                            "%sthe store was not closed cleanly before the machine restarted "
                            "(a power cut?), and the id mark records committed ids without a "
                            "sync: ids it reserved but may not have seen committed are skipped, "
                            "so none is reused:",
                            n ? " " : "");
      said = 1;
    }
    if (n < notelen) {
      n += (size_t)snprintf(note + n, notelen - n, " new %s start at %s%06" PRId64 ";",
                            SERIES[i].plural, SERIES[i].prefix, m->reserved + 1);
    }
    m->floor = m->reserved + 1;
  }
}

/* DB_PATH.ids, and the copy DIR/.NAME.ids. 0, or -1 when too long. */
static int s_paths(store_ids_t *ids, const char *db_path) {
  const char *slash = strrchr(db_path, '/');
  int dir_len = slash ? (int)(slash - db_path) + 1 : 0;
  int n = snprintf(ids->path, sizeof ids->path, "%s.ids", db_path);
  int c = snprintf(ids->copy_path, sizeof ids->copy_path, "%.*s.%s.ids", dir_len, db_path,
                   db_path + dir_len);
  return n < 0 || n >= (int)sizeof ids->path || c < 0 || c >= (int)sizeof ids->copy_path ? -1 : 0;
}

/* Read and parse the mark at `path` into m and rd: 1, 0 when there is no
 * such file, -1 when it is damaged (why says how), or -2 when it cannot be
 * read (err says why). */
static int s_read_file(const char *path, s_mark_t m[STORE_IDS_N], s_read_t *rd, char *why,
                       size_t whylen, char *err, size_t errlen) {
  memset(m, 0, sizeof(s_mark_t) * STORE_IDS_N);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return 0;
    }
    snprintf(err, errlen, "cannot open the id mark %s: %s", path, strerror(errno));
    return -2;
  }
  char buf[1024];
  ssize_t got = pread(fd, buf, sizeof buf - 1, 0);
  int saved = errno;
  close(fd);
  if (got < 0) {
    snprintf(err, errlen, "cannot read the id mark %s: %s", path, strerror(saved));
    return -2;
  }
  buf[got] = '\0';
  return s_parse(m, buf, rd, why, whylen) == 0 ? 1 : -1;
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
  ids->copy_fd = -1;
  s_boot_id(ids->boot);
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
  if (s_paths(ids, db_path) != 0) {
    snprintf(err, errlen, "database path too long for its id mark");
    goto fail;
  }
  int accept = opts && opts->accept_id_loss;
  const char *paths[S_FILES] = {ids->path, ids->copy_path};
  s_mark_t got[S_FILES][STORE_IDS_N];
  s_read_t rd[S_FILES];
  char why[S_FILES][128];
  int state[S_FILES]; /* 1 read, 0 missing, -1 damaged */
  for (int k = 0; k < S_FILES; k++) {
    state[k] = s_read_file(paths[k], got[k], &rd[k], why[k], sizeof why[k], err, errlen);
    if (state[k] < -1) {
      goto fail;
    }
  }
  if (state[0] == 0 && state[1] == 0) {
    /* The first start (or the first with a mark): the database is the
     * truth there is. So it is too when the -wal file went with both. */
    for (int i = 0; i < STORE_IDS_N; i++) {
      ids->m[i] = (s_mark_t){.reserved = db_max[i], .committed = db_max[i]};
    }
    if (s_create(ids, err, errlen) != 0) {
      goto fail;
    }
    if (db_max[STORE_IDS_CONTACT] > 0) {
      snprintf(note, notelen,
               "no id mark was found (neither %s nor its copy %s); made them from the database",
               ids->path, ids->copy_path);
    }
    ids->opened = 1;
    return ids;
  }
  if (state[0] != 1 && state[1] != 1) {
    /* Damaged, and no good copy to vouch for the database instead. */
    int k = state[0] == -1 ? 0 : 1;
    if (!accept) {
      snprintf(err, errlen,
               "the id mark %s is damaged: %s%s. It says which ids were issued, so the "
               "database cannot be checked against it; put it back from a backup, or start "
               "mashd once with --accept-id-loss to make it again from the database",
               paths[k], why[k],
               state[1 - k] == -1 ? " (its copy is damaged too)" : " (its copy is missing)");
      goto fail;
    }
    for (int i = 0; i < STORE_IDS_N; i++) {
      ids->m[i] = (s_mark_t){.reserved = db_max[i], .committed = db_max[i]};
    }
    snprintf(note, notelen, "the id mark %s was damaged (%s); made again from the database",
             paths[k], why[k]);
    if (s_create(ids, err, errlen) != 0) {
      goto fail;
    }
    ids->opened = 1;
    return ids;
  }
  /* One or both read: the higher number of each wins (each file only ever
   * rises, and a crash between the two writes leaves one a step behind). */
  int unsure = 0;
  const char *mark = NULL;
  for (int k = 0; k < S_FILES; k++) {
    if (state[k] != 1) {
      snprintf(note, notelen, "the id mark's %s %s was %s%s%s; made again from %s",
               k ? "copy" : "file", paths[k], state[k] ? "damaged (" : "missing",
               state[k] ? why[k] : "", state[k] ? ")" : "", paths[1 - k]);
      continue;
    }
    mark = mark ? mark : paths[k];
    for (int i = 0; i < STORE_IDS_N; i++) {
      s_mark_t *m = &ids->m[i];
      m->reserved = got[k][i].reserved > m->reserved ? got[k][i].reserved : m->reserved;
      m->committed = got[k][i].committed > m->committed ? got[k][i].committed : m->committed;
      m->floor = got[k][i].floor > m->floor ? got[k][i].floor : m->floor;
    }
    unsure |= rd[k].series == STORE_IDS_N && !rd[k].clean && strcmp(rd[k].boot, ids->boot) != 0;
  }
  int behind = 0;
  for (int i = 0; i < STORE_IDS_N; i++) {
    behind |= db_max[i] < ids->m[i].committed;
  }
  if (behind && !accept) {
    s_behind_message(ids, db_path, mark, db_max, err, errlen);
    goto fail;
  }
  if (behind) {
    size_t used = strlen(note);
    if (used > 0 && used + 2 < notelen) {
      note[used++] = ';';
      note[used++] = ' ';
    }
    s_accept(ids, db_max, note + used, notelen - used);
  }
  /* A database ahead of its mark (a mark put back from an older backup, or
   * rows written by a mashd before the mark): the database is the truth. */
  for (int i = 0; i < STORE_IDS_N; i++) {
    s_mark_t *m = &ids->m[i];
    if (db_max[i] > m->committed) {
      m->committed = db_max[i];
    }
    if (m->committed > m->reserved) {
      m->reserved = m->committed;
    }
  }
  if (unsure) {
    s_skip_unsure(ids, note, notelen);
  }
  /* Written anew at every start (in this boot, in use): a version 1 mark
   * becomes version 2, a missing or damaged file is made again, and a stop
   * that is not clean shows next time. */
  if (s_create(ids, err, errlen) != 0) {
    goto fail;
  }
  ids->opened = 1;
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
    /* A clean stop: the committed ids synced, so a start after a restart of
     * the machine need skip nothing. A failure only costs that skip. */
    if (ids->opened) {
      (void)s_write(ids, 1, 1);
    }
    close(ids->fd);
  }
  if (ids->copy_fd >= 0) {
    close(ids->copy_fd);
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
  int rc = s_write(ids, 1, 0);
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
  ids->dirty = changed && s_write(ids, 0, 0) != 0;
}

void store_ids_rolled_back(store_ids_t *ids) {
  if (ids) {
    ids->dirty = 0;
  }
}

const char *store_ids_path(const store_ids_t *ids) {
  return ids && ids->fd >= 0 ? ids->path : NULL;
}
