/* spool: the drop-folder intake shared by every adapter. Responsible for
 * picking up files, moving them through sent/, accepted/ and rejected/, and
 * writing error and receipt files. Must not: parse records (the adapter's
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

#include "log.h"

struct spool {
  uv_loop_t *loop;
  char dir[1024];
  spool_submit_cb cb;
  void *arg;
  uv_fs_event_t watch;
  uv_timer_t timer;
  int watching;
  int open_handles;
};

static void s_path(char *out, size_t cap, const spool_t *s, const char *sub, const char *name,
                   const char *suffix) {
  snprintf(out, cap, "%s%s%s/%s%s", s->dir, sub ? "/" : "", sub ? sub : "", name,
           suffix ? suffix : "");
}

static void s_write_note(const spool_t *s, const char *sub, const char *name, const char *suffix,
                         const char *text) {
  char path[2300];
  s_path(path, sizeof path, s, sub, name, suffix);
  /* Owner-only, like the records beside it. */
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) {
    mash_error("spool: cannot write %s: %s", path, strerror(errno));
    if (fd >= 0) {
      close(fd);
    }
    return;
  }
  fputs(text, f);
  fputc('\n', f);
  fclose(f);
}

static int s_move(const spool_t *s, const char *from_sub, const char *to_sub, const char *name) {
  char from[2300], to[2300];
  s_path(from, sizeof from, s, from_sub, name, NULL);
  s_path(to, sizeof to, s, to_sub, name, NULL);
  if (rename(from, to) != 0) {
    mash_error("spool: cannot move %s to %s/: %s", name, to_sub, strerror(errno));
    return -1;
  }
  return 0;
}

static int s_is_record(const char *name) {
  size_t n = strlen(name);
  return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".json") == 0;
}

static void s_scan(spool_t *s) {
  DIR *d = opendir(s->dir);
  if (!d) {
    mash_error("spool: cannot read %s: %s", s->dir, strerror(errno));
    return;
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (!s_is_record(de->d_name)) {
      continue;
    }
    char path[2300];
    struct stat st;
    s_path(path, sizeof path, s, NULL, de->d_name, NULL);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
      continue;
    }
    mash_errors_t errs;
    memset(&errs, 0, sizeof errs);
    if (s->cb(path, de->d_name, &errs, s->arg) == 0) {
      s_move(s, NULL, "sent", de->d_name);
      mash_info("spool: %s sent", de->d_name);
      continue;
    }
    char text[MASH_MAX_FIELD_ERRORS * 260 + 64];
    size_t off = 0;
    for (size_t i = 0; i < errs.count && off < sizeof text; i++) {
      int w = snprintf(text + off, sizeof text - off, "%s%s: %s", i ? "\n" : "",
                       errs.items[i].field, errs.items[i].message);
      off += w > 0 ? (size_t)w : 0;
    }
    if (errs.dropped && off < sizeof text) {
      snprintf(text + off, sizeof text - off, "\n... and %zu more problem(s)", errs.dropped);
    }
    if (s_move(s, NULL, "rejected", de->d_name) == 0) {
      s_write_note(s, "rejected", de->d_name, ".error", text);
    }
    mash_warn("spool: %s rejected: %zu problem(s), see rejected/%s.error", de->d_name,
              errs.count + errs.dropped, de->d_name);
  }
  closedir(d);
}

static void s_event_cb(uv_fs_event_t *h, const char *filename, int events, int status) {
  (void)filename;
  (void)events;
  (void)status;
  s_scan(h->data);
}

static void s_timer_cb(uv_timer_t *t) {
  s_scan(t->data);
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
  s->open_handles = 1;
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

void spool_settle(spool_t *s, const char *name, int ok, const char *detail) {
  if (!s || strchr(name, '/')) {
    return;
  }
  const char *to = ok ? "accepted" : "rejected";
  if (s_move(s, "sent", to, name) == 0) {
    s_write_note(s, to, name, ok ? ".receipt" : ".error", detail);
  }
  if (ok) {
    mash_info("spool: %s %s", name, detail);
  } else {
    mash_warn("spool: %s refused by the broker, see rejected/%s.error", name, name);
  }
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
  if (s->open_handles == 2) {
    uv_close((uv_handle_t *)&s->watch, s_closed);
  }
}
