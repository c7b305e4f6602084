/* hub_pack_cmd: showing, printing and exporting a stored pack, recorded
 * first. Responsible for: finding the pack's sealed file (the latest version
 * unless one is asked for), opening and rendering it, the record in the
 * access log, then the act.
 * Must not: show anything whose act was not recorded, replace a file, or
 * leave a copy readable by others. */
#include "hub_pack_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "hub_access.h"
#include "pack_files.h"
#include "pack_view.h"
#include "paths.h"

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

/* The highest N of DIR/ID-vN.pack, or 0 when there is none. */
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
    if (end != s + n + 2 && strcmp(end, PACK_FILES_EXT) == 0 && v > best && v < 1000000) {
      best = (int)v;
    }
  }
  closedir(d);
  return best;
}

/* Write all of buf to out (synced unless standard output). */
static int s_write_fd(int out, const void *data, size_t len) {
  int rc = mash_write_all(out, data, len);
  if (rc != 0) {
    return rc;
  }
  if (out != STDOUT_FILENO && fsync(out) != 0) {
    return -errno;
  }
  return 0;
}

/* The pack rendered for the act: the page (print), the protobuf (export to
 * FILE.pb) or the indented JSON with a newline (show, export). 0 or -ENOMEM. */
static int s_render(const Mash__V1__ConsolidatedPack *p, int print, int pb, char **out,
                    size_t *len) {
  if (print) {
    return pack_view_html(p, out, len) == 0 ? 0 : -ENOMEM;
  }
  if (pb) {
    *len = mash__v1__consolidated_pack__get_packed_size(p);
    *out = malloc(*len ? *len : 1);
    if (*out == NULL) {
      return -ENOMEM;
    }
    mash__v1__consolidated_pack__pack(p, (uint8_t *)*out);
    return 0;
  }
  json_t *j = pack_view_json(p);
  char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
  json_decref(j);
  size_t n = text ? strlen(text) : 0;
  *out = text ? malloc(n + 2) : NULL;
  if (*out != NULL) {
    memcpy(*out, text, n);
    (*out)[n] = '\n';
    (*out)[n + 1] = '\0';
    *len = n + 1;
  }
  if (text) {
    json_free_t free_fn = NULL;
    json_get_alloc_funcs(NULL, &free_fn);
    OPENSSL_cleanse(text, n);
    (free_fn ? free_fn : free)(text);
  }
  return *out ? 0 : -ENOMEM;
}

/* Run `viewer FILE` (no shell) and wait for it: its exit status, or -1. */
static int s_view(const char *viewer, const char *file) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    return -1;
  }
  if (pid == 0) {
    execlp(viewer, viewer, file, (char *)NULL);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return -1;
    }
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
  if ((c->to_stdout || c->viewer) && !print) {
    fprintf(stderr, "mash-hub pack: --stdout and --viewer are for print (show always writes "
                    "to stdout)\n");
    return 2;
  }
  if (c->to_stdout && c->viewer) {
    fprintf(stderr, "mash-hub pack print: --stdout or --viewer, not both\n");
    return 2;
  }
  int version = c->version ? c->version : s_latest(c->packs_dir, c->enquiry_id);
  int pb = export_ && strlen(c->to) > 3 && strcmp(c->to + strlen(c->to) - 3, ".pb") == 0;
  char err[1024];
  Mash__V1__ConsolidatedPack *p = NULL;
  int rc = version == 0 ? -ENOENT
                        : pack_files_read(c->packs_dir, c->enquiry_id, version, c->seal, &p, err,
                                          sizeof err);
  if (rc == -ENOENT) {
    fprintf(stderr, "mash-hub pack: no pack %s%s%s in %s (mash-hub packs lists them)\n",
            c->enquiry_id, c->version ? " version " : "", c->version ? "given" : "", c->packs_dir);
    return 1;
  }
  if (rc != 0) {
    fprintf(stderr, "mash-hub pack %s: %s\n", c->action, err);
    return 1;
  }
  char *data = NULL;
  size_t len = 0;
  if (s_render(p, print, pb, &data, &len) != 0) {
    fprintf(stderr, "mash-hub pack %s: out of memory rendering the pack\n", c->action);
    mash__v1__consolidated_pack__free_unpacked(p, NULL);
    return 1;
  }
  mash__v1__consolidated_pack__free_unpacked(p, NULL);
  /* The destination first (an export that cannot be made is no act), the
   * record next, the act last. */
  int out = STDOUT_FILENO;
  char tmp[1100] = "";
  if (print && !c->to_stdout) {
    const char *td = getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/mash-pack-%s-v%d-XXXXXX.html", td && td[0] ? td : "/tmp",
             c->enquiry_id, version);
    out = mkstemps(tmp, 5); /* mode 0600 */
  } else if (export_) {
    out = open(c->to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  }
  if (out < 0) {
    fprintf(stderr, "mash-hub pack %s: %s: %s\n", c->action, tmp[0] ? tmp : c->to, strerror(errno));
    OPENSSL_cleanse(data, len);
    free(data);
    return 1;
  }
  json_t *fields = json_pack("{s:s, s:i}", "enquiry_id", c->enquiry_id, "version", version);
  if (fields && export_) {
    json_object_set_new(fields, "file", json_string(c->to));
  }
  rc = fields ? hub_access_record(c->access_log, c->action, c->staff, fields, err, sizeof err) : -1;
  json_decref(fields);
  if (rc != 0) {
    fprintf(stderr, "mash-hub pack %s: not done: the access log refused it: %s\n", c->action,
            fields ? err : "out of memory");
  } else if ((rc = s_write_fd(out, data, len)) != 0) {
    fprintf(stderr, "mash-hub pack %s: %s: %s\n", c->action,
            tmp[0]    ? tmp
            : export_ ? c->to
                      : "standard output",
            strerror(-rc));
  }
  OPENSSL_cleanse(data, len);
  free(data);
  if (out != STDOUT_FILENO) {
    close(out);
  }
  if (rc != 0 && (tmp[0] || export_)) {
    unlink(tmp[0] ? tmp : c->to);
  }
  if (rc == 0 && tmp[0] && c->viewer) {
    /* The person's viewer opens the private copy; it is removed after. */
    int v = s_view(c->viewer, tmp);
    unlink(tmp);
    if (v != 0) {
      fprintf(stderr, "mash-hub pack print: the viewer %s %s (the copy is removed)\n", c->viewer,
              v < 0 ? "could not be run" : "failed");
      rc = -1;
    }
  } else if (rc == 0 && tmp[0]) {
    printf("%s\n", tmp);
  } else if (rc == 0 && export_) {
    fprintf(stderr, "mash-hub pack export: %s version %d written to %s (mode 0600)\n",
            c->enquiry_id, version, c->to);
  }
  return rc == 0 ? 0 : 1;
}
