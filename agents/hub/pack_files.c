/* pack_files: the pack's three files (see pack_files.h). Responsible for
 * naming them, rendering them with pack_view, and writing them atomically
 * and privately. Must not: log their content (ids and paths only). */
#include "pack_files.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pack_view.h"

int pack_files_base(const char *dir, const Mash__V1__ConsolidatedPack *p, char *base, size_t cap) {
  char id[80];
  size_t n = 0;
  for (const char *s = p->enquiry_id; s != NULL && *s != '\0' && n + 1 < sizeof id; s++) {
    char c = *s;
    int safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    id[n++] = safe ? c : '_';
  }
  id[n] = '\0';
  int w = snprintf(base, cap, "%s/%s-v%u", dir, n ? id : "pack", (unsigned)p->version);
  return w < 0 || (size_t)w >= cap ? -ENAMETOOLONG : 0;
}

/* Text from json_dumps goes back to jansson's allocator (which a caller
 * may have replaced), not necessarily libc's. */
static void s_json_text_free(char *text) {
  json_free_t free_fn = NULL;
  json_get_alloc_funcs(NULL, &free_fn);
  if (text != NULL) {
    (free_fn ? free_fn : free)(text);
  }
}

/* Write all of buf to fd, through short writes and interruptions. */
static int s_write_all(int fd, const void *buf, size_t len) {
  const uint8_t *b = buf;
  while (len > 0) {
    ssize_t w = write(fd, b, len);
    if (w < 0 && errno == EINTR) {
      continue;
    }
    if (w <= 0) {
      return w < 0 ? -errno : -EIO;
    }
    b += w;
    len -= (size_t)w;
  }
  return 0;
}

/* Write base+ext through a hidden temporary file in the same folder. */
static int s_put(const char *dir, const char *base, const char *ext, const void *data, size_t len,
                 char *err, size_t errlen) {
  char path[2200], tmp[2300];
  snprintf(path, sizeof path, "%s%s", base, ext);
  const char *name = base + strlen(dir) + 1;
  snprintf(tmp, sizeof tmp, "%s/.%s%s.tmp", dir, name, ext);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    int e = errno;
    snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(e));
    return -e;
  }
  /* An older temporary file keeps its mode through O_TRUNC: set it again. */
  int rc = fchmod(fd, 0600) != 0 ? -errno : 0;
  if (rc == 0) {
    rc = s_write_all(fd, data, len);
  }
  if (rc == 0 && fsync(fd) != 0) {
    rc = -errno;
  }
  if (close(fd) != 0 && rc == 0) {
    rc = -errno;
  }
  if (rc == 0 && rename(tmp, path) != 0) {
    rc = -errno;
  }
  if (rc != 0) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
    unlink(tmp);
  }
  return rc;
}

int pack_files_write(const char *dir, const Mash__V1__ConsolidatedPack *p, char *base, size_t cap,
                     char *err, size_t errlen) {
  int rc = pack_files_base(dir, p, base, cap);
  if (rc != 0) {
    snprintf(err, errlen, "pack file name too long under %s", dir);
    return rc;
  }
  uint8_t *pb = NULL;
  char *json = NULL, *html = NULL;
  size_t pb_len = mash__v1__consolidated_pack__get_packed_size(p), html_len = 0;
  pb = malloc(pb_len ? pb_len : 1);
  json_t *j = pack_view_json(p);
  if (j != NULL) {
    json = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
  }
  if (pb == NULL || json == NULL || pack_view_html(p, &html, &html_len) != 0) {
    snprintf(err, errlen, "out of memory rendering pack %s v%u", p->enquiry_id,
             (unsigned)p->version);
    rc = -ENOMEM;
    goto out;
  }
  mash__v1__consolidated_pack__pack(p, pb);
  /* The page last: once it is there, its .pb and .json are too. */
  rc = s_put(dir, base, ".pb", pb, pb_len, err, errlen);
  if (rc == 0) {
    size_t n = strlen(json);
    json[n] = '\n'; /* json_dumps leaves no newline; the NUL is not written */
    rc = s_put(dir, base, ".json", json, n + 1, err, errlen);
    json[n] = '\0';
  }
  if (rc == 0) {
    rc = s_put(dir, base, ".html", html, html_len, err, errlen);
  }
  if (rc == 0) {
    /* The renames are durable once the folder is. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      fsync(dfd);
      close(dfd);
    }
  }
out:
  free(pb);
  s_json_text_free(json);
  free(html);
  return rc;
}
