/* restart: mashd reconnecting to its PostgreSQL store in place (restart.h).
 *
 * Responsible for: the reconnect decision, the count and the instant of the
 * loss carried across exec, and the exec. Must not: log child data or touch
 * the store. Any thread (the exec replaces every thread at once, as a
 * kill -9 would end them: nothing unacknowledged was promised to anyone).
 *
 * Why exec rather than a new connection under the running loop: the loop
 * holds the timetable, the outbox and the resolve queue in memory, and
 * after a lost session another node may have served and fired steps from
 * the same database. Loading all of it afresh is what a takeover does and
 * what its tests prove; an image that reconnects under its old memory would
 * need every one of those reconciled with the store.
 */
#include "restart.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define ENV_COUNT "MASHD_RECONNECTS"
#define ENV_SINCE "MASHD_RECONNECT_SINCE_NS"
#define ENV_WHY "MASHD_RECONNECT_WHY"

struct mashd_restart {
  char **argv;
  unsigned long count;
  uint64_t since_ns; /* CLOCK_MONOTONIC at the loss (0: a first start) */
  char why[128];
};

mashd_on_failure_t mashd_on_store_failure(int store_postgres, int rc) {
  if (!store_postgres) {
    return MASHD_STOP;
  }
  return rc == -ENOTCONN || rc == -EROFS ? MASHD_RECONNECT : MASHD_STOP;
}

static uint64_t s_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

mashd_restart_t *mashd_restart_new(char **argv) {
  mashd_restart_t *r = calloc(1, sizeof *r);
  if (!r) {
    return NULL;
  }
  r->argv = argv;
  const char *count = getenv(ENV_COUNT), *since = getenv(ENV_SINCE), *why = getenv(ENV_WHY);
  if (count && since) {
    r->count = strtoul(count, NULL, 10);
    r->since_ns = strtoull(since, NULL, 10);
    snprintf(r->why, sizeof r->why, "%s", why ? why : "a lost session");
  }
  /* A process this mashd starts must not inherit them. */
  unsetenv(ENV_COUNT);
  unsetenv(ENV_SINCE);
  unsetenv(ENV_WHY);
  return r;
}

void mashd_restart_destroy(mashd_restart_t **self_p) {
  if (self_p && *self_p) {
    free(*self_p);
    *self_p = NULL;
  }
}

unsigned long mashd_restart_count(const mashd_restart_t *r) {
  return r ? r->count : 0;
}

void mashd_restart_served(const mashd_restart_t *r) {
  if (!r || r->since_ns == 0) {
    return;
  }
  uint64_t now = s_now_ns();
  uint64_t ms = now > r->since_ns ? (now - r->since_ns) / 1000000u : 0;
  mash_info("reconnected: serving again %" PRIu64 " ms after %s (reconnection %lu of this "
            "process)",
            ms, r->why, r->count);
}

void mashd_restart_in_place(mashd_restart_t *r, const char *why) {
  char n[32], at[32];
  snprintf(n, sizeof n, "%lu", r->count + 1);
  snprintf(at, sizeof at, "%" PRIu64, s_now_ns());
  mash_warn("%s: failing the work in flight unacknowledged (senders resend) and reconnecting "
            "in place (same process) through store_url; the active lock is taken again before "
            "serving, or this mashd waits as a standby",
            why);
  if (setenv(ENV_COUNT, n, 1) != 0 || setenv(ENV_SINCE, at, 1) != 0 ||
      setenv(ENV_WHY, why, 1) != 0) {
    mash_error("cannot note the reconnection (out of memory): stopping");
    _exit(3);
  }
  fflush(stdout);
  fflush(stderr);
  /* The new image starts with no signal blocked, whichever thread this is
   * (a blocked mask is inherited across exec). */
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, NULL);
  execv("/proc/self/exe", r->argv);
  mash_error("cannot execute mashd again (%s): stopping", strerror(errno));
  _exit(3);
}

static void s_active_lost(void *arg) {
  mashd_restart_in_place(arg, "the active lock's session is lost");
}

mash_store_t *mashd_store_open(const mashd_config_t *cfg, const mash_seal_t *seal,
                               mash_store_sqlite_opts_t *opts, mashd_restart_t *r,
                               mash_pg_active_t **active, char *name, size_t namelen, char *err,
                               size_t errlen) {
  if (!cfg->store_postgres) {
    snprintf(name, namelen, "%s/mashd.db", cfg->data_dir);
    opts->summary_cache_mb = cfg->summary_cache_mb > 0 ? cfg->summary_cache_mb : -1;
    return mash_store_sqlite_open(name, seal, opts, err, errlen);
  }
  snprintf(name, namelen, "the PostgreSQL store");
  if (cfg->store_url[0] == '\0') {
    snprintf(err, errlen, "store = postgresql needs store_url (--store-url)");
    return NULL;
  }
  /* One active broker per database: a standby waits here, before it reads
   * anything, until the active one's session ends. */
  char why[512];
  *active = mash_pg_active_acquire(cfg->store_url, 1000, s_active_lost, r, why, sizeof why);
  if (!*active) {
    snprintf(err, errlen, "active lock: %s", why);
    return NULL;
  }
  return mash_store_postgres_new(cfg->store_url, seal, err, errlen);
}
