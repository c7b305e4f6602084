/* store_pg_active: one active mashd per PostgreSQL database (issue 15), by a
 * session-level advisory lock held on a connection of its own.
 *
 * Responsible for: taking the lock (waiting for it as a standby, and
 * reconnecting with backoff while the server is unreachable), and watching
 * the session that holds it on a thread of its own: a watch that fails
 * (the connection broke, the server restarted or failed over) means the
 * lock may be another broker's now, and the owner is told at once. Must
 * not: touch the store's tables or its connection, or block the caller's
 * loop once acquired (the watch runs on its own thread). Threads: acquire
 * and release on the owning thread; the lost callback on the watcher's.
 *
 * The lock is advisory: it fences brokers that use this code. A mashd that
 * lost its session is told (the lost callback) within one watch interval
 * and serves no more (mashd reconnects in place: broker/process/restart.c);
 * the server frees a killed broker's lock as soon as it sees the session
 * end (at once on a Unix socket or a closed TCP connection; after the TCP
 * keepalive settings when a host vanishes: see README, High availability).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <uv.h>

#include "log.h"
#include "retry.h"
#include "store.h"
#include "store_row.h"

/* The advisory lock key of the active broker ("mash" + 1; migrations use
 * "mash" itself, transaction-level). */
#define ACTIVE_LOCK "1835102057"

struct mash_pg_active {
  PGconn *conn;
  unsigned watch_ms;
  mash_pg_active_lost_cb lost;
  void *arg;
  uv_thread_t thread;
  uv_mutex_t mu;
  uv_cond_t cv;
  int stopping; /* guarded by mu */
};

static void s_sleep_ms(unsigned ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static void s_no_notice(void *arg, const char *message) {
  (void)arg;
  (void)message;
}

/* One statement answering one boolean row: 1 true, 0 false, -1 failed. */
static int s_bool(PGconn *c, const char *sql) {
  PGresult *r = PQexec(c, sql);
  int out = -1;
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
    out = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  }
  PQclear(r);
  return out;
}

static void s_trim(char *s) {
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ')) {
    s[--n] = '\0';
  }
}

/* Connect and take the lock, waiting for it. 0 with the session in *out;
 * -EAGAIN when the server went away meanwhile (try again). */
static int s_take(const char *conninfo, PGconn **out, int *said_standby, char *err, size_t errlen) {
  PGconn *c = PQconnectdb(conninfo);
  if (!c || PQstatus(c) != CONNECTION_OK) {
    snprintf(err, errlen, "cannot connect to PostgreSQL: %s",
             c ? PQerrorMessage(c) : "out of memory");
    s_trim(err);
    PQfinish(c);
    return -EAGAIN;
  }
  PQsetNoticeProcessor(c, s_no_notice, NULL);
  PGresult *r = PQexec(c, "SET application_name = 'mashd'");
  PQclear(r);
  /* A hot standby grants advisory locks of its own: a lock taken there
   * fences nothing on the primary. Only a read-write server's lock counts
   * (the URL's target_session_attrs=read-write picks it among its hosts). */
  if (s_bool(c, "SELECT pg_is_in_recovery()") != 0) {
    snprintf(err, errlen,
             "%s is a standby (read-only) server: waiting for a read-write one "
             "(target_session_attrs=read-write in store_url)",
             PQhost(c) ? PQhost(c) : "the server");
    PQfinish(c);
    return -EAGAIN;
  }
  int got = s_bool(c, "SELECT pg_try_advisory_lock(" ACTIVE_LOCK ")");
  if (got == 0) {
    if (!*said_standby) {
      mash_info("standby: another mashd holds this database's active lock; waiting to take "
                "over when its session ends");
      printf("mashd: standby, waiting for the active broker's lock\n");
      fflush(stdout);
      *said_standby = 1;
    }
    PGresult *w = PQexec(c, "SELECT pg_advisory_lock(" ACTIVE_LOCK ")");
    got = PQresultStatus(w) == PGRES_TUPLES_OK ? 1 : -1;
    PQclear(w);
  }
  if (got != 1) {
    snprintf(err, errlen, "the active lock's session failed: %s", PQerrorMessage(c));
    s_trim(err);
    PQfinish(c);
    return -EAGAIN;
  }
  *out = c;
  return 0;
}

static void s_watch(void *arg) {
  mash_pg_active_t *a = arg;
  uv_mutex_lock(&a->mu);
  while (!a->stopping) {
    uv_cond_timedwait(&a->cv, &a->mu, (uint64_t)a->watch_ms * 1000000u);
    if (a->stopping) {
      break;
    }
    uv_mutex_unlock(&a->mu);
    /* The lock is the session's: alive and still held by it. */
    int held = s_bool(a->conn, "SELECT count(*) = 1 FROM pg_locks WHERE locktype = 'advisory' "
                               "AND objid = " ACTIVE_LOCK " AND pid = pg_backend_pid() "
                               "AND granted");
    uv_mutex_lock(&a->mu);
    if (held != 1 && !a->stopping) {
      uv_mutex_unlock(&a->mu);
      mash_error("the active lock's session is lost (%s): another mashd may be active now",
                 held < 0 ? "connection failed" : "lock not held");
      a->lost(a->arg);
      uv_mutex_lock(&a->mu);
      break;
    }
  }
  uv_mutex_unlock(&a->mu);
}

mash_pg_active_t *mash_pg_active_acquire(const char *conninfo, unsigned watch_ms,
                                         mash_pg_active_lost_cb lost, void *arg, char *err,
                                         size_t errlen) {
  char dummy[1];
  store_row_err_init(&err, &errlen, dummy, sizeof dummy);
  if (!conninfo || !lost) {
    snprintf(err, errlen, "no connection string or callback");
    return NULL;
  }
  mash_pg_active_t *a = calloc(1, sizeof *a);
  if (!a) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  a->watch_ms = watch_ms ? watch_ms : 1000;
  a->lost = lost;
  a->arg = arg;
  int said = 0;
  /* The shared backoff: 200 ms doubled up to 5 s while the server is away
   * (a primary dead, its standby not yet promoted). */
  mash_retry_t retry = mash_retry_policy(200, 200, 5000, 5000, 0);
  unsigned attempts = 0;
  char last[512] = "";
  for (;;) {
    int rc = s_take(conninfo, &a->conn, &said, err, errlen);
    if (rc == 0) {
      break;
    }
    /* The server is away (restarting, failing over): keep waiting. */
    if (strcmp(last, err) != 0) {
      mash_warn("active lock: %s; retrying", err);
      snprintf(last, sizeof last, "%s", err);
    }
    s_sleep_ms((unsigned)mash_retry_delay_ms(&retry, ++attempts));
  }
  err[0] = '\0';
  mash_info("active: this mashd holds the database's active lock");
  if (uv_mutex_init(&a->mu) != 0) {
    PQfinish(a->conn);
    free(a);
    snprintf(err, errlen, "cannot make a mutex");
    return NULL;
  }
  if (uv_cond_init(&a->cv) != 0 || uv_thread_create(&a->thread, s_watch, a) != 0) {
    uv_mutex_destroy(&a->mu);
    PQfinish(a->conn);
    free(a);
    snprintf(err, errlen, "cannot start the lock's watcher");
    return NULL;
  }
  return a;
}

void mash_pg_active_release(mash_pg_active_t **self_p) {
  if (!self_p || !*self_p) {
    return;
  }
  mash_pg_active_t *a = *self_p;
  uv_mutex_lock(&a->mu);
  a->stopping = 1;
  uv_cond_signal(&a->cv);
  uv_mutex_unlock(&a->mu);
  uv_thread_join(&a->thread);
  uv_cond_destroy(&a->cv);
  uv_mutex_destroy(&a->mu);
  PQfinish(a->conn); /* ends the session: the server frees the lock */
  free(a);
  *self_p = NULL;
}
