/* hub_access: appending to and verifying the desk's hash-chained access
 * log. Responsible for: who did it (the operating-system account, the name
 * given), the lock that keeps one writer, and reusing the escalation log's
 * chain (esclog.h) rather than a second one. Must not: write a child's
 * details, or show anything itself. */
#include "hub_access.h"

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "clock.h"
#include "esclog.h"

static void s_os_user(char *out, size_t cap) {
  struct passwd pw, *res = NULL;
  char buf[1024];
  if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) == 0 && res && res->pw_name) {
    snprintf(out, cap, "%s", res->pw_name);
  } else {
    snprintf(out, cap, "uid-%u", (unsigned)geteuid());
  }
}

int hub_access_record(const char *path, const char *action, const char *staff, const json_t *fields,
                      char *err, size_t errlen) {
  char lock_path[4200], user[256];
  snprintf(lock_path, sizeof lock_path, "%s.lock", path);
  int lfd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lfd < 0 || flock(lfd, LOCK_EX) != 0) {
    snprintf(err, errlen, "access log %s: cannot lock %s", path, lock_path);
    if (lfd >= 0) {
      close(lfd);
    }
    return -1;
  }
  int rc = -1;
  json_t *ev = json_deep_copy(fields);
  s_os_user(user, sizeof user);
  if (ev && json_object_set_new(ev, "action", json_string(action)) == 0 &&
      json_object_set_new(ev, "at_ms", json_integer(mash_clock_now_ms())) == 0 &&
      json_object_set_new(ev, "os_user", json_string(user)) == 0 &&
      json_object_set_new(ev, "uid", json_integer((json_int_t)geteuid())) == 0 &&
      json_object_set_new(ev, "staff", json_string(staff ? staff : "")) == 0) {
    char why[512];
    mash_esclog_t *log = mash_esclog_open(path, why, sizeof why);
    if (!log) {
      snprintf(err, errlen, "access log %s: %s (mash-hub verify)", path, why);
    } else if (mash_esclog_append(log, ev, why, sizeof why) != 0) {
      snprintf(err, errlen, "access log %s: %s", path, why);
    } else {
      rc = 0;
    }
    mash_esclog_close(&log);
  } else {
    snprintf(err, errlen, "access log %s: out of memory", path);
  }
  json_decref(ev);
  flock(lfd, LOCK_UN);
  close(lfd);
  return rc;
}

int hub_access_verify(const char *path) {
  size_t bad = 0;
  char err[512] = "";
  if (access(path, F_OK) != 0) {
    printf("cannot verify %s: no access log there (nothing was viewed yet?)\n", path);
    return 1;
  }
  int rc = mash_esclog_verify(path, &bad, err, sizeof err);
  if (rc == 0) {
    /* Counted by reading, never by opening for append: verify writes nothing. */
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int ch;
    while (f && (ch = fgetc(f)) != EOF) {
      n += ch == '\n';
    }
    if (f) {
      fclose(f);
    }
    printf("ok: %s holds %zu entries and its chain is intact\n", path, n);
    return 0;
  }
  if (bad > 0) {
    printf("BROKEN: %s: the chain breaks at line %zu: %s\n", path, bad, err);
  } else {
    printf("cannot verify %s: %s\n", path, err);
  }
  return 1;
}
