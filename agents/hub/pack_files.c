/* pack_files: the pack sealed on disk (see pack_files.h). Responsible for
 * naming the files, sealing and opening them, and their retention. Must
 * not: write a pack unsealed, or log content (ids and paths only). */
#include "pack_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "agent_seal.h"

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

int pack_files_write(const char *dir, const Mash__V1__ConsolidatedPack *p, const mash_seal_t *seal,
                     char *base, size_t cap, char *err, size_t errlen) {
  int rc = pack_files_base(dir, p, base, cap);
  if (rc != 0) {
    snprintf(err, errlen, "pack file name too long under %s", dir);
    return rc;
  }
  size_t len = mash__v1__consolidated_pack__get_packed_size(p);
  uint8_t *pb = malloc(len ? len : 1);
  if (pb == NULL) {
    snprintf(err, errlen, "out of memory writing pack %s v%u", p->enquiry_id, (unsigned)p->version);
    return -ENOMEM;
  }
  mash__v1__consolidated_pack__pack(p, pb);
  char path[2200];
  snprintf(path, sizeof path, "%s%s", base, PACK_FILES_EXT);
  /* The name without the folder binds the blob to this pack and version. */
  rc = agent_seal_write(seal, pb, len, path, base + strlen(dir) + 1, 1, err, errlen);
  OPENSSL_cleanse(pb, len);
  free(pb);
  return rc;
}

int pack_files_read(const char *dir, const char *enquiry_id, int version, const mash_seal_t *seal,
                    Mash__V1__ConsolidatedPack **out, char *err, size_t errlen) {
  char name[200], path[2400];
  snprintf(name, sizeof name, "%s-v%d", enquiry_id, version);
  snprintf(path, sizeof path, "%s/%s%s", dir, name, PACK_FILES_EXT);
  uint8_t *pb = NULL;
  size_t len = 0;
  int rc = agent_seal_read(seal, path, name, &pb, &len, err, errlen);
  if (rc != 0) {
    return rc;
  }
  *out = mash__v1__consolidated_pack__unpack(NULL, len, pb);
  OPENSSL_cleanse(pb, len);
  free(pb);
  if (*out == NULL) {
    snprintf(err, errlen, "%s opened but is not a pack", path);
    return -EBADMSG;
  }
  return 0;
}

size_t pack_files_expire(const char *dir, unsigned days, int64_t now_s) {
  if (days == 0) {
    return 0;
  }
  DIR *d = opendir(dir);
  if (d == NULL) {
    return 0;
  }
  size_t removed = 0;
  struct dirent *de;
  size_t k = strlen(PACK_FILES_EXT);
  while ((de = readdir(d)) != NULL) {
    size_t n = strlen(de->d_name);
    if (de->d_name[0] == '.' || n <= k || strcmp(de->d_name + n - k, PACK_FILES_EXT) != 0) {
      continue;
    }
    char path[2400];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
        (int64_t)st.st_mtime + (int64_t)days * 86400 < now_s && unlink(path) == 0) {
      removed++;
    }
  }
  closedir(d);
  return removed;
}
