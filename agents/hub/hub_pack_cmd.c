/* hub_pack_cmd: showing, printing and exporting a stored pack, recorded
 * first. Responsible for: finding the pack's files (the latest version
 * unless one is asked for), the record in the access log, then the act.
 * Must not: show anything whose act was not recorded, replace a file, or
 * leave a copy readable by others. */
#include "hub_pack_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub_access.h"

static int s_id_ok(const char *id) {
  size_t n = strlen(id);
  if (n == 0 || n > 64) {
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    char c = id[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_')) {
      return 0;
    }
  }
  return 1;
}

/* The highest N of DIR/ID-vN.json, or 0 when there is none. */
static int s_latest(const char *dir, const char *id) {
  DIR *d = opendir(dir);
  if (!d) {
    return 0;
  }
  size_t n = strlen(id);
  int best = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    const char *s = de->d_name;
    if (strncmp(s, id, n) != 0 || s[n] != '-' || s[n + 1] != 'v') {
      continue;
    }
    char *end;
    long v = strtol(s + n + 2, &end, 10);
    if (end != s + n + 2 && strcmp(end, ".json") == 0 && v > best && v < 1000000) {
      best = (int)v;
    }
  }
  closedir(d);
  return best;
}

/* Copy `from` to the open descriptor `out`. */
static int s_copy_fd(const char *from, int out) {
  int in = open(from, O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    return -errno;
  }
  char buf[65536];
  ssize_t r;
  int rc = 0;
  while ((r = read(in, buf, sizeof buf)) > 0) {
    ssize_t off = 0;
    while (off < r) {
      ssize_t w = write(out, buf + off, (size_t)(r - off));
      if (w <= 0) {
        rc = -EIO;
        break;
      }
      off += w;
    }
    if (rc != 0) {
      break;
    }
  }
  if (r < 0) {
    rc = -errno;
  }
  close(in);
  if (rc == 0 && out != STDOUT_FILENO && fsync(out) != 0) {
    rc = -errno;
  }
  return rc;
}

int hub_pack_cmd_run(const hub_pack_cmd_t *c) {
  int print = strcmp(c->action, "print") == 0, show = strcmp(c->action, "show") == 0;
  int export_ = strcmp(c->action, "export") == 0;
  if (!print && !show && !export_) {
    fprintf(stderr, "mash-hub pack: say show, print or export, then an enquiry id\n");
    return 2;
  }
  if (!s_id_ok(c->enquiry_id)) {
    fprintf(stderr, "mash-hub pack: '%s' is not an enquiry id (ENQ-000001)\n", c->enquiry_id);
    return 2;
  }
  if (!c->staff || !c->staff[0]) {
    fprintf(stderr,
            "mash-hub pack %s: say who is asking (--by NAME): every view, print and "
            "export of a pack is recorded\n",
            c->action);
    return 2;
  }
  if (export_ != (c->to != NULL)) {
    fprintf(stderr, "mash-hub pack: --to FILE is for export, and export needs it\n");
    return 2;
  }
  int version = c->version ? c->version : s_latest(c->packs_dir, c->enquiry_id);
  char base[2048], file[2100];
  snprintf(base, sizeof base, "%s/%s-v%d", c->packs_dir, c->enquiry_id, version);
  int pb = export_ && strlen(c->to) > 3 && strcmp(c->to + strlen(c->to) - 3, ".pb") == 0;
  snprintf(file, sizeof file, "%s.%s", base, print ? "html" : pb ? "pb" : "json");
  if (version == 0 || access(file, R_OK) != 0) {
    fprintf(stderr, "mash-hub pack: no pack %s%s%s in %s (mash-hub packs lists them)\n",
            c->enquiry_id, c->version ? " version " : "", c->version ? "given" : "", c->packs_dir);
    return 1;
  }
  /* The destination first (an export that cannot be made is no act), the
   * record next, the act last. */
  int out = STDOUT_FILENO;
  char tmp[1100] = "";
  if (print) {
    const char *td = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/mash-pack-%s-v%d-XXXXXX.html", td && td[0] ? td : "/tmp",
             c->enquiry_id, version);
    out = mkstemps(tmp, 5); /* mode 0600 */
  } else if (export_) {
    out = open(c->to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  }
  if (out < 0) {
    fprintf(stderr, "mash-hub pack %s: %s: %s\n", c->action, print ? tmp : c->to, strerror(errno));
    return 1;
  }
  json_t *fields = json_pack("{s:s, s:i}", "enquiry_id", c->enquiry_id, "version", version);
  if (fields && export_) {
    json_object_set_new(fields, "file", json_string(c->to));
  }
  char err[1024];
  int rc =
      fields ? hub_access_record(c->access_log, c->action, c->staff, fields, err, sizeof err) : -1;
  json_decref(fields);
  if (rc != 0) {
    fprintf(stderr, "mash-hub pack %s: not done: the access log refused it: %s\n", c->action,
            fields ? err : "out of memory");
  } else if ((rc = s_copy_fd(file, out)) != 0) {
    fprintf(stderr, "mash-hub pack %s: %s: %s\n", c->action, file, strerror(-rc));
  }
  if (out != STDOUT_FILENO) {
    close(out);
  }
  if (rc != 0 && (print || export_)) {
    unlink(print ? tmp : c->to);
  }
  if (rc == 0 && print) {
    printf("%s\n", tmp);
  } else if (rc == 0 && export_) {
    fprintf(stderr, "mash-hub pack export: %s version %d written to %s (mode 0600)\n",
            c->enquiry_id, version, c->to);
  }
  return rc == 0 ? 0 : 1;
}
