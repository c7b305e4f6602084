/* notification_json_unknown: which members of a JSON document were read.
 *
 * Responsible for: noting each member a reader of notification_json.c (or
 * an agency format) asks for, and listing afterwards every member no reader
 * used: a misspelt "red_flg" or "children[0].nhs_numbr", which would
 * otherwise be dropped silently. Must not: do I/O, log, or judge: the
 * adapter decides to warn or refuse. Safe from any thread (state lives in
 * the caller's njson_seen_t).
 */
#include <stdlib.h>
#include <string.h>

#include "notification_json.h"

#define S_SEEN_MAX 8192 /* members noted; past this, unknown fields are not checked */

struct njson_seen {
  size_t n;
  int overflow;
  struct {
    const json_t *obj;
    const char *key; /* the reader's key: a string literal or the document's own */
  } items[S_SEEN_MAX];
};

const json_t *njson_member(njson_ctx_t *ctx, const json_t *obj, const char *key) {
  njson_seen_t *seen = ctx->seen;
  if (seen && json_is_object(obj)) {
    if (seen->n < S_SEEN_MAX) {
      seen->items[seen->n].obj = obj;
      seen->items[seen->n].key = key;
      seen->n++;
    } else {
      seen->overflow = 1;
    }
  }
  return json_object_get(obj, key);
}

static int s_was_read(const njson_seen_t *seen, const json_t *obj, const char *key) {
  for (size_t i = 0; i < seen->n; i++) {
    if (seen->items[i].obj == obj && strcmp(seen->items[i].key, key) == 0) {
      return 1;
    }
  }
  return 0;
}

static void s_unknown_walk(const njson_seen_t *seen, const json_t *v, const char *path,
                           mash_errors_t *unknown, unsigned depth) {
  if (depth > 16) {
    return;
  }
  if (json_is_array(v)) {
    size_t i;
    const json_t *item;
    json_array_foreach(v, i, item) {
      char p[NJSON_PATH_LEN];
      njson_path_index(p, path, i);
      s_unknown_walk(seen, item, p, unknown, depth + 1);
    }
    return;
  }
  if (!json_is_object(v)) {
    return;
  }
  const char *key;
  const json_t *member;
  json_object_foreach((json_t *)v, key, member) {
    char p[NJSON_PATH_LEN];
    njson_path_key(p, path, key);
    if (!s_was_read(seen, v, key)) {
      mash_errors_add(unknown, p, "unknown field: not read (misspelt, or not part of this format)");
    } else {
      s_unknown_walk(seen, member, p, unknown, depth + 1);
    }
  }
}

njson_seen_t *njson_seen_new(void) {
  /* Not calloc: the table is 128 KiB and only its first n entries are ever
   * read; zeroing it cost an adapter an eighth of each file's parse. */
  njson_seen_t *seen = malloc(sizeof *seen);
  if (seen) {
    seen->n = 0;
    seen->overflow = 0;
  }
  return seen;
}

void njson_seen_free(njson_seen_t *seen) {
  free(seen);
}

void njson_unknown_list(const njson_seen_t *seen, const json_t *root, mash_errors_t *unknown) {
  if (seen && !seen->overflow) {
    s_unknown_walk(seen, root, "", unknown, 0);
  }
}
