/* spool: the drop-folder intake shared by every adapter. Responsible for
 * picking up files, moving them through sent/, accepted/ and rejected/, and
 * writing error and receipt files. With a data key, a file is sealed as it
 * moves into sent/ and stays sealed in accepted/; a refused one goes back
 * to the agency as its own plaintext in rejected/ (0600), and both folders
 * are swept after the retention. Must not: parse records (the adapter's
 * callback does) or log their content. */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agent_seal.h"
#include "log.h"

/* Files worked per loop turn: one durable write each batch, and the loop
 * (heartbeats, receipts) runs between batches: at most one batch per turn,
 * whatever wakes the spool (its timers, or the folder's notifications). */
#define S_BATCH 128
#define S_RETRY_FIRST_MS 1000
#define S_RETRY_MAX_MS 60000
/* accepted/ is swept for expired files once an hour (in ticks of the 1 s
 * timer), and at start. */
#define S_EXPIRE_TICKS 3600

struct spool {
  uv_loop_t *loop;
  char dir[1024];
  spool_submit_cb cb;
  void *arg;
  spool_batch_begin_cb batch_begin;
  spool_batch_commit_cb batch_commit;
  spool_rejected_cb rejected_cb; /* optional: a file moved to rejected/ */
  uv_fs_event_t watch;
  uv_timer_t timer;
  /* The next batch, on the next loop turn: an idle handle, not a 0 ms
   * timer, which libuv (1.44) runs again in the same turn when it is armed
   * from a timer callback, so a drop's batches all ran in one turn. */
  uv_idle_t more;
  int watching;
  int open_handles;
  const mash_seal_t *seal;  /* borrowed: accepted/ sealed with it (NULL: not) */
  unsigned keep_days;       /* accepted/ retention, 0: forever */
  unsigned ticks;           /* timer ticks since the last sweep */
  uint64_t retry_at;        /* loop time before which a failing store is left alone */
  uint64_t retry_ms;        /* the current backoff; 0 when storing works */
  size_t retry_files;       /* files waiting when the failure began */
  char names[S_BATCH][256]; /* the batch being worked */
};

static void s_path(char *out, size_t cap, const spool_t *s, const char *sub, const char *name,
                   const char *suffix) {
  snprintf(out, cap, "%s%s%s/%s%s", s->dir, sub ? "/" : "", sub ? sub : "", name,
           suffix ? suffix : "");
}

/* Write NAME.SUFFIX in sub/ whole or not at all: a hidden temporary file
 * renamed over it, so a kill never leaves an empty or cut receipt (not
 * synced: the move beside it is not either). 0, or -1 (logged). */
static int s_write_note(const spool_t *s, const char *sub, const char *name, const char *suffix,
                        const char *text) {
  char path[2300], tmp[2400], hidden[300];
  s_path(path, sizeof path, s, sub, name, suffix);
  snprintf(hidden, sizeof hidden, ".%s%s", name, suffix ? suffix : "");
  s_path(tmp, sizeof tmp, s, sub, hidden, ".tmp");
  /* Owner-only, like the records beside it. */
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) {
    mash_error("spool: cannot write %s: %s", path, strerror(errno));
    if (fd >= 0) {
      close(fd);
    }
    return -1;
  }
  fputs(text, f);
  fputc('\n', f);
  if (fclose(f) != 0 || rename(tmp, path) != 0) {
    mash_error("spool: cannot write %s: %s", path, strerror(errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}

static int s_move(const spool_t *s, const char *from_sub, const char *to_sub, const char *name) {
  char from[2300], to[2300];
  s_path(from, sizeof from, s, from_sub, name, NULL);
  s_path(to, sizeof to, s, to_sub, name, NULL);
  if (rename(from, to) != 0) {
    mash_error("spool: cannot move %s to %s/: %s", name, to_sub ? to_sub : "the spool folder",
               strerror(errno));
    return -1;
  }
  return 0;
}

/* Into sent/: sealed with the data key when there is one (the agency's
 * plaintext waits for its receipt only in the outbox, sealed too), else
 * moved. Not synced, like the rename it replaces. 0 or -1. */
static int s_to_sent(const spool_t *s, const char *name) {
  if (!s->seal) {
    return s_move(s, NULL, "sent", name);
  }
  char from[2300], to[2300], err[2600];
  s_path(from, sizeof from, s, NULL, name, NULL);
  s_path(to, sizeof to, s, "sent", name, NULL);
  if (agent_seal_file(s->seal, from, to, name, 0, err, sizeof err) != 0) {
    mash_error("spool: %s: %s", name, err);
    return -1;
  }
  return 0;
}

/* Out of sent/ as the agency's own plaintext (to rejected/, or back to the
 * spool folder to be sent again), mode 0600: opened when it was sealed
 * there; a file a version before sealing left in sent/ is moved as it is.
 * 0 or -1. */
static int s_from_sent(const spool_t *s, const char *to_sub, const char *name) {
  char from[2300], to[2300], tmp[2400], err[2600];
  s_path(from, sizeof from, s, "sent", name, NULL);
  s_path(to, sizeof to, s, to_sub, name, NULL);
  uint8_t *data = NULL;
  size_t len = 0;
  if (!s->seal || agent_seal_read(s->seal, from, name, &data, &len, err, sizeof err) != 0) {
    int rc = s_move(s, "sent", to_sub, name);
    if (rc == 0) {
      chmod(to, 0600); /* the agency may have written it 0644 */
    }
    return rc;
  }
  snprintf(tmp, sizeof tmp, "%s.opening", to);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  int rc = fd >= 0 && write(fd, data, len) == (ssize_t)len ? 0 : -1;
  if (fd >= 0 && close(fd) != 0) {
    rc = -1;
  }
  memset(data, 0, len);
  free(data);
  if (rc == 0 && rename(tmp, to) == 0) {
    unlink(from);
    return 0;
  }
  mash_error("spool: cannot move %s out of sent/: %s", name, strerror(errno));
  unlink(tmp);
  return -1;
}

static void s_more_cb(uv_idle_t *h);

static int s_ends_with(const char *name, const char *suffix) {
  size_t n = strlen(name), k = strlen(suffix);
  return n > k && strcmp(name + n - k, suffix) == 0;
}

/* Render errs as the lines of a NAME.error file. */
static void s_errors_text(const mash_errors_t *errs, char *text, size_t cap) {
  size_t off = 0;
  text[0] = '\0';
  for (size_t i = 0; i < errs->count && off < cap; i++) {
    int w = snprintf(text + off, cap - off, "%s%s: %s", i ? "\n" : "", errs->items[i].field,
                     errs->items[i].message);
    off += w > 0 ? (size_t)w : 0;
  }
  if (errs->dropped && off < cap) {
    snprintf(text + off, cap - off, "\n... and %zu more problem(s)", errs->dropped);
  }
}

static void s_reject(spool_t *s, const char *name, const char *text, size_t problems,
                     const char *reason, const mash_errors_t *errs) {
  if (s_move(s, NULL, "rejected", name) == 0) {
    char path[2300];
    s_path(path, sizeof path, s, "rejected", name, NULL);
    chmod(path, 0600); /* the agency's own file, kept accepted_days */
    s_write_note(s, "rejected", name, ".error", text);
    if (s->rejected_cb) {
      s->rejected_cb(name, reason, errs, s->arg);
    }
  }
  mash_warn("spool: %s rejected: %zu problem(s), see rejected/%s.error", name, problems, name);
}

/* A failing local store: leave the files where they are and look again
 * later, backing off, saying why once per doubling of the wait. */
static void s_retry_later(spool_t *s, const char *why, size_t waiting) {
  s->retry_ms = s->retry_ms ? s->retry_ms * 2 : S_RETRY_FIRST_MS;
  if (s->retry_ms > S_RETRY_MAX_MS) {
    s->retry_ms = S_RETRY_MAX_MS;
  }
  if (s->retry_files == 0) {
    s->retry_files = waiting;
  }
  s->retry_at = uv_now(s->loop) + s->retry_ms;
  mash_warn("spool: cannot store files for sending (%s); %zu file(s) stay in %s and are "
            "tried again in %llu s",
            why, waiting, s->dir, (unsigned long long)(s->retry_ms / 1000));
}

static void s_scan(spool_t *s) {
  if (s->retry_ms && uv_now(s->loop) < s->retry_at) {
    return;
  }
  DIR *d = opendir(s->dir);
  if (!d) {
    mash_error("spool: cannot read %s: %s", s->dir, strerror(errno));
    return;
  }
  char(*names)[256] = s->names;
  size_t n = 0;
  int more = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    const char *name = de->d_name;
    char path[2300];
    struct stat st;
    if (name[0] == '.' || strlen(name) >= sizeof s->names[0]) {
      continue;
    }
    s_path(path, sizeof path, s, NULL, name, NULL);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
      continue; /* sent/, accepted/, rejected/, or gone meanwhile */
    }
    if (s_ends_with(name, ".tmp")) {
      continue; /* still being written: the writer renames it when done */
    }
    if (!s_ends_with(name, ".json")) {
      mash_errors_t ferrs;
      memset(&ferrs, 0, sizeof ferrs);
      mash_errors_add(&ferrs, "file",
                      "not a notification: the spool reads only NAME.json files "
                      "(write NAME.tmp, then rename it to NAME.json)");
      s_reject(s, name,
               "file: not a notification: the spool reads only NAME.json files "
               "(write NAME.tmp, then rename it to NAME.json)",
               1, "not_json", &ferrs);
      continue;
    }
    if (n == S_BATCH) {
      more = 1;
      break;
    }
    snprintf(names[n++], sizeof s->names[0], "%s", name);
  }
  closedir(d);
  if (n == 0) {
    return;
  }
  char why[512] = "";
  if (s->batch_begin && s->batch_begin(s->arg) != 0) {
    s_retry_later(s, "cannot begin a write", n);
    return;
  }
  size_t submitted[S_BATCH];
  size_t nsub = 0;
  int failed = 0;
  for (size_t i = 0; i < n && !failed; i++) {
    char path[2300];
    s_path(path, sizeof path, s, NULL, names[i], NULL);
    mash_errors_t errs;
    memset(&errs, 0, sizeof errs);
    int rc = s->cb(path, names[i], &errs, s->arg);
    char text[MASH_MAX_FIELD_ERRORS * 260 + 64];
    s_errors_text(&errs, text, sizeof text);
    if (rc == SPOOL_SUBMITTED) {
      submitted[nsub++] = i;
    } else if (rc == SPOOL_RETRY) {
      snprintf(why, sizeof why, "%s", text[0] ? text : "local failure");
      failed = 1;
    } else {
      s_reject(s, names[i], text, errs.count + errs.dropped, "invalid", &errs);
    }
  }
  char cwhy[512] = "";
  if (s->batch_commit && s->batch_commit(s->arg, cwhy, sizeof cwhy) != 0) {
    if (!failed) {
      snprintf(why, sizeof why, "%s", cwhy[0] ? cwhy : "the write failed");
    }
    failed = 1;
    nsub = 0; /* nothing of this batch is durable: every file stays */
  }
  for (size_t k = 0; k < nsub; k++) {
    s_to_sent(s, names[submitted[k]]);
    mash_debug("spool: %s sent", names[submitted[k]]);
  }
  if (nsub > 0) {
    mash_info("spool: %zu file(s) stored and sent", nsub);
  }
  if (failed) {
    s_retry_later(s, why[0] ? why : "local failure", n - nsub + (more ? 1 : 0));
    return;
  }
  if (s->retry_ms) {
    mash_info("spool: storing works again (%zu file(s) were waiting)", s->retry_files);
    s->retry_ms = 0;
    s->retry_files = 0;
  }
  if (more) {
    uv_idle_start(&s->more, s_more_cb);
  }
}

/* A change in the folder schedules one scan on the next loop turn; it never
 * scans here. Each file a batch moves to sent/ is itself a change, and libuv
 * reads every queued notification in one go: scanning per notification ran
 * batch after batch inside one turn (a drop of 20,000 files held the loop
 * for as long as the drop took), so receipts and heartbeats went unread
 * until ZeroMQ's receive queue filled. */
static void s_event_cb(uv_fs_event_t *h, const char *filename, int events, int status) {
  (void)filename;
  (void)events;
  (void)status;
  spool_t *s = h->data;
  uv_idle_start(&s->more, s_more_cb);
}

static void s_timer_cb(uv_timer_t *t) {
  spool_t *s = t->data;
  if (s->keep_days && ++s->ticks >= S_EXPIRE_TICKS) {
    s->ticks = 0;
    spool_expire(s, (int64_t)time(NULL));
  }
  uv_idle_start(&s->more, s_more_cb);
}

static void s_more_cb(uv_idle_t *h) {
  uv_idle_stop(h);
  s_scan(h->data); /* starts it again while files remain */
}

spool_t *spool_new(uv_loop_t *loop, const char *dir, spool_submit_cb cb, void *arg, char *err,
                   size_t errlen) {
  spool_t *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  snprintf(s->dir, sizeof s->dir, "%s", dir);
  s->loop = loop;
  s->cb = cb;
  s->arg = arg;
  static const char *const subs[] = {NULL, "sent", "accepted", "rejected"};
  for (size_t i = 0; i < 4; i++) {
    char path[1100];
    snprintf(path, sizeof path, "%s%s%s", dir, subs[i] ? "/" : "", subs[i] ? subs[i] : "");
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
      snprintf(err, errlen, "spool %s: %s", path, strerror(errno));
      free(s);
      return NULL;
    }
  }
  uv_timer_init(loop, &s->timer);
  s->timer.data = s;
  uv_idle_init(loop, &s->more);
  s->more.data = s;
  s->open_handles = 2;
  /* The timer is the safety net for file systems without notifications, and
   * picks up files present at start on the first turn. */
  uv_timer_start(&s->timer, s_timer_cb, 0, 1000);
  if (uv_fs_event_init(loop, &s->watch) == 0) {
    s->watch.data = s;
    s->open_handles++;
    if (uv_fs_event_start(&s->watch, s_event_cb, dir, 0) == 0) {
      s->watching = 1;
    }
  }
  return s;
}

void spool_set_rejected(spool_t *s, spool_rejected_cb cb) {
  s->rejected_cb = cb;
}

void spool_set_batch(spool_t *s, spool_batch_begin_cb begin, spool_batch_commit_cb commit) {
  s->batch_begin = begin;
  s->batch_commit = commit;
}

size_t spool_recover(spool_t *s, spool_lookup_cb lookup, void *arg) {
  char sent[1100];
  snprintf(sent, sizeof sent, "%s/sent", s->dir);
  DIR *d = opendir(sent);
  if (!d) {
    mash_error("spool: cannot read %s: %s", sent, strerror(errno));
    return 0;
  }
  size_t moved = 0, waiting = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.' || !s_ends_with(de->d_name, ".json")) {
      continue;
    }
    int ok = 0;
    char detail[600] = "";
    int r = lookup(de->d_name, &ok, detail, sizeof detail, arg);
    if (r == 1) {
      spool_settle(s, de->d_name, ok, detail);
      moved++;
    } else if (r < 0) {
      if (s_from_sent(s, NULL, de->d_name) == 0) {
        mash_warn("spool: %s was in sent/ with no record of sending it: submitting it again",
                  de->d_name);
        moved++;
      }
    } else {
      waiting++;
    }
  }
  closedir(d);
  if (moved || waiting) {
    mash_info("spool: at start, %zu file(s) in sent/ settled, %zu wait for their receipt", moved,
              waiting);
  }
  return moved;
}

void spool_warn(spool_t *s, const char *name, const char *text) {
  if (s && !strchr(name, '/')) {
    s_write_note(s, "sent", name, ".warnings", text);
  }
}

void spool_settle(spool_t *s, const char *name, int ok, const char *detail) {
  if (!s || strchr(name, '/')) {
    return;
  }
  const char *to = ok ? "accepted" : "rejected";
  /* The warnings found when it was submitted follow the broker's answer. */
  char wpath[2300], note[8192];
  s_path(wpath, sizeof wpath, s, "sent", name, ".warnings");
  snprintf(note, sizeof note, "%s", detail);
  FILE *wf = fopen(wpath, "r");
  if (wf) {
    size_t off = strlen(note);
    size_t n = fread(note + off, 1, sizeof note - off - 1, wf);
    note[off + n] = '\0';
    while (off + n > 0 && note[off + n - 1] == '\n') {
      note[off + --n] = '\0';
    }
    fclose(wf);
  }
  /* The note before the move: a kill between the two leaves the file in
   * sent/, settled again (note and move) at the next start, never a file in
   * accepted/ without its receipt. */
  const char *suffix = ok ? ".receipt" : ".error";
  int noted = s_write_note(s, to, name, suffix, note);
  int moved;
  if (ok && s->seal) {
    /* Into accepted/ sealed: sealed already in sent/ (moved as it is), or
     * sealed now (a file an older version left in sent/ in plaintext). */
    char from[2300], dest[2300], err[2600];
    s_path(from, sizeof from, s, "sent", name, NULL);
    s_path(dest, sizeof dest, s, "accepted", name, NULL);
    uint8_t *data = NULL;
    size_t len = 0;
    if (agent_seal_read(s->seal, from, name, &data, &len, err, sizeof err) == 0) {
      memset(data, 0, len);
      free(data);
      moved = s_move(s, "sent", "accepted", name);
    } else {
      /* Not synced: a rename was not either, and two fsyncs per file would
       * hold the loop (receipts, heartbeats) through a large drop. */
      moved = agent_seal_file(s->seal, from, dest, name, 0, err, sizeof err);
      if (moved != 0) {
        mash_error("spool: %s: %s (left in sent/)", name, err);
      }
    }
  } else if (ok) {
    moved = s_move(s, "sent", to, name);
    if (moved == 0) {
      char dest[2300];
      s_path(dest, sizeof dest, s, "accepted", name, NULL);
      chmod(dest, 0600); /* the agency may have written it 0644 */
    }
  } else {
    moved = s_from_sent(s, to, name); /* the agency's own file, to read and fix */
  }
  if (moved == 0) {
    if (wf) {
      unlink(wpath);
    }
  } else if (noted == 0) {
    char path[2300];
    s_path(path, sizeof path, s, to, name, suffix);
    unlink(path); /* the file stays in sent/: no note without it */
  }
  if (ok) {
    mash_info("spool: %s %s", name, detail);
  } else {
    mash_warn("spool: %s refused by the broker, see rejected/%s.error", name, name);
  }
}

void spool_set_seal(spool_t *s, const mash_seal_t *seal, unsigned keep_days) {
  s->seal = seal;
  s->keep_days = keep_days;
  if (keep_days) {
    spool_expire(s, (int64_t)time(NULL));
  }
}

/* Delete the files of DIR/sub older than keep_days. */
static size_t s_expire_dir(const spool_t *s, const char *sub, int64_t now_s) {
  char dir[1100];
  snprintf(dir, sizeof dir, "%s/%s", s->dir, sub);
  DIR *d = opendir(dir);
  if (!d) {
    return 0;
  }
  size_t removed = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.') {
      continue;
    }
    char path[2400];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
        (int64_t)st.st_mtime + (int64_t)s->keep_days * 86400 < now_s && unlink(path) == 0) {
      removed++;
    }
  }
  closedir(d);
  if (removed) {
    mash_info("spool: %zu file(s) of %s/ older than %u days deleted", removed, sub, s->keep_days);
  }
  return removed;
}

size_t spool_expire(spool_t *s, int64_t now_s) {
  if (!s || s->keep_days == 0) {
    return 0;
  }
  /* rejected/ holds the agency's own plaintext files (to read and fix):
   * kept no longer than the accepted ones. */
  return s_expire_dir(s, "accepted", now_s) + s_expire_dir(s, "rejected", now_s);
}

int spool_open_accepted(const char *dir, const char *name, const mash_seal_t *seal, uint8_t **out,
                        size_t *len, char *err, size_t errlen) {
  if (strchr(name, '/') || name[0] == '.') {
    snprintf(err, errlen, "'%s' is not a file name of accepted/", name);
    return -EINVAL;
  }
  char path[2400];
  snprintf(path, sizeof path, "%s/accepted/%s", dir, name);
  return agent_seal_read(seal, path, name, out, len, err, errlen);
}

static void s_closed(uv_handle_t *h) {
  spool_t *s = h->data;
  if (--s->open_handles == 0) {
    free(s);
  }
}

void spool_close(spool_t *s) {
  if (!s) {
    return;
  }
  uv_close((uv_handle_t *)&s->timer, s_closed);
  uv_close((uv_handle_t *)&s->more, s_closed);
  if (s->open_handles == 3) {
    uv_close((uv_handle_t *)&s->watch, s_closed);
  }
}
