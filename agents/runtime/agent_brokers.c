/* agent_brokers: the list of brokers an agent follows (see agent_brokers.h).
 * Must not: open sockets itself or hold anything but endpoints and public
 * keys. Loop thread only.
 */
#include "agent_brokers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "paths.h"

/* An endpoint's longest form (tcp://[v6 address]:port, ipc:// paths). */
#define S_ENDPOINT_MAX 256
/* A key file's longest path. */
#define S_PATH_MAX 1024

struct agent_brokers {
  size_t n;
  size_t current;
  size_t first;      /* where this run started: round the list is back here */
  size_t remembered; /* the endpoint the file names (n: none or unknown) */
  char endpoint[AGENT_BROKERS_MAX][S_ENDPOINT_MAX];
  mash_key_t key[AGENT_BROKERS_MAX];
};

/* Split `list` at commas and white space into at most AGENT_BROKERS_MAX
 * items of less than `width` bytes each, copied into out (rows of width).
 * Returns how many, or -1 with err when there are too many or one is too
 * long. */
static int s_split(const char *what, const char *list, char *out, size_t width, char *err,
                   size_t errlen) {
  size_t n = 0;
  const char *p = list;
  for (;;) {
    p += strspn(p, ", \t");
    if (*p == '\0') {
      break;
    }
    size_t len = strcspn(p, ", \t");
    if (n == AGENT_BROKERS_MAX) {
      snprintf(err, errlen, "more than %d %s", AGENT_BROKERS_MAX, what);
      return -1;
    }
    if (len >= width) {
      snprintf(err, errlen, "%s %zu is longer than %zu bytes", what, n + 1, width - 1);
      return -1;
    }
    memcpy(out + n * width, p, len);
    out[n * width + len] = '\0';
    n++;
    p += len;
  }
  return (int)n;
}

agent_brokers_t *agent_brokers_new(const char *endpoints, const char *keys, char *err,
                                   size_t errlen) {
  agent_brokers_t *b = calloc(1, sizeof *b);
  char(*paths)[S_PATH_MAX] = calloc(AGENT_BROKERS_MAX, S_PATH_MAX);
  if (!b || !paths) {
    snprintf(err, errlen, "out of memory");
    goto fail;
  }
  int ne = s_split("endpoints", endpoints ? endpoints : "", &b->endpoint[0][0], S_ENDPOINT_MAX, err,
                   errlen);
  if (ne < 0) {
    goto fail;
  }
  if (ne == 0) {
    snprintf(err, errlen, "no broker endpoint given");
    goto fail;
  }
  int nk = s_split("broker keys", keys ? keys : "", &paths[0][0], S_PATH_MAX, err, errlen);
  if (nk < 0) {
    goto fail;
  }
  if (nk != 1 && nk != ne) {
    snprintf(err, errlen,
             "%d broker key(s) for %d endpoint(s): give one key for all or one for each", nk, ne);
    goto fail;
  }
  b->n = (size_t)ne;
  b->remembered = b->n;
  for (size_t i = 0; i < b->n; i++) {
    /* One shared key is loaded once and copied. */
    if (nk == 1 && i > 0) {
      b->key[i] = b->key[0];
      continue;
    }
    char kerr[512];
    if (mash_key_load(paths[i], &b->key[i], kerr, sizeof kerr) != 0) {
      snprintf(err, errlen, "broker key %s: %s", paths[i], kerr);
      goto fail;
    }
  }
  free(paths);
  return b;
fail:
  free(paths);
  free(b);
  return NULL;
}

void agent_brokers_destroy(agent_brokers_t **self_p) {
  if (self_p && *self_p) {
    free(*self_p);
    *self_p = NULL;
  }
}

size_t agent_brokers_count(const agent_brokers_t *b) {
  return b->n;
}

const char *agent_brokers_endpoint(const agent_brokers_t *b) {
  return b->endpoint[b->current];
}

const mash_key_t *agent_brokers_key(const agent_brokers_t *b) {
  return &b->key[b->current];
}

int agent_brokers_next(agent_brokers_t *b) {
  b->current = (b->current + 1) % b->n;
  return b->current == b->first;
}

/* The file of the broker that answered last: STATE.broker, beside the
 * agent's state (its own data folder). */
static int s_memory_path(const char *state, char *dir, size_t dirlen, char *name, size_t namelen) {
  const char *slash = strrchr(state, '/');
  int nd = slash ? snprintf(dir, dirlen, "%.*s", (int)(slash - state), state)
                 : snprintf(dir, dirlen, ".");
  int nn = snprintf(name, namelen, "%s.broker", slash ? slash + 1 : state);
  return nd < 0 || (size_t)nd >= dirlen || nn < 0 || (size_t)nn >= namelen || dir[0] == '\0' ? -1
                                                                                             : 0;
}

int agent_brokers_recall(agent_brokers_t *b, const char *state) {
  char dir[S_PATH_MAX], name[S_PATH_MAX], path[2 * S_PATH_MAX + 2], line[S_ENDPOINT_MAX + 2];
  if (b->n < 2 || !state || s_memory_path(state, dir, sizeof dir, name, sizeof name) != 0) {
    return 0;
  }
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  if (!f) {
    return 0;
  }
  int found = 0;
  if (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    for (size_t i = 0; i < b->n; i++) {
      if (strcmp(b->endpoint[i], line) == 0) {
        b->current = b->first = b->remembered = i;
        found = 1;
        break;
      }
    }
  }
  fclose(f);
  return found;
}

int agent_brokers_remember(agent_brokers_t *b, const char *state, char *err, size_t errlen) {
  char dir[S_PATH_MAX], name[S_PATH_MAX], text[S_ENDPOINT_MAX + 2];
  if (b->n < 2 || !state || b->remembered == b->current) {
    return 0;
  }
  if (s_memory_path(state, dir, sizeof dir, name, sizeof name) != 0) {
    snprintf(err, errlen, "%s: path too long", state);
    return -1;
  }
  snprintf(text, sizeof text, "%s\n", b->endpoint[b->current]);
  if (mash_file_replace(dir, name, text, 0600, err, errlen) != 0) {
    return -1;
  }
  b->remembered = b->current;
  return 0;
}

int agent_brokers_reconnect(agent_brokers_t *b, mash_zsock_t **zs_p, void (*closed_cb)(void *arg),
                            int (*connect)(void *arg, char *err, size_t errlen), void *arg) {
  char err[256];
  mash_zsock_t *old = *zs_p;
  *zs_p = NULL;
  if (old) {
    mash_zsock_close(old, closed_cb, arg);
  }
  int wrapped = agent_brokers_next(b);
  if (b->n > 1) {
    mash_info("trying the broker at %s", agent_brokers_endpoint(b));
  }
  if (connect(arg, err, sizeof err) != 0) {
    mash_error("reconnect: %s", err);
  }
  return wrapped;
}

Mash__V1__Envelope *agent_brokers_decode(zmq_msg_t *parts, size_t n) {
  if (n != 1) {
    mash_warn_limited("dropped a message of %zu frames", n);
    return NULL;
  }
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Envelope *env =
      mash_codec_decode(zmq_msg_data(&parts[0]), zmq_msg_size(&parts[0]), &errs);
  if (!env) {
    mash_warn_limited("malformed message from the broker: %s", errs.items[0].message);
  }
  return env;
}
