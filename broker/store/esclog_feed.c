/* esclog_feed: appends the escalation log from the store on a thread of its
 * own. See esclog_feed.h.
 *
 * Responsible for: the thread, its wake-ups (kick, poll, backoff), reading
 * the stored steps after the log's last line in chunks, turning each into
 * its log line with its sequence number, appending and syncing them, and
 * recovering from a failing log by reopening it (which cuts an unfinished
 * tail) and trying again later. Must not: write to the store, block the
 * loop or the storage thread (they only take its mutex to kick or read a
 * counter), or log child data (ids only).
 */
#include "esclog_feed.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "log.h"
#include "store.h"

#define S_DEFAULT_POLL_MS 1000u
#define S_DEFAULT_CHUNK 256u
#define S_DEFAULT_BASE_MS 200
#define S_DEFAULT_MAX_MS 5000
/* A kick within this long of the last pass's start waits for the rest of
 * it: during a storm of escalations (a slice committed every few ms) the
 * kicks are gathered into one pass, one fsync and one head file for all
 * their lines, rather than one for each slice. The log lags the store by
 * at most this much more; nothing waits on it. */
#define S_GATHER_MS 20u

struct mash_esclog_feed {
  char *log_path;
  char *db_path; /* names the store in messages */
  uint64_t legacy_seq;
  mash_retry_t retry;
  unsigned poll_ms;
  size_t chunk;
  unsigned long long crash_after; /* tests: MASH_FAULT_ESCLOG_CRASH (0: never) */
  uv_thread_t thread;

  /* The feed's thread only. */
  mash_esclog_t *log;   /* NULL after a failure until reopened */
  mash_store_t *reader; /* read-only; NULL until opened */
  int stale;            /* the reader failed: replace it before the next read */
  uint64_t cursor;      /* the last step in the log */
  unsigned attempts;    /* failed attempts in a row */
  char reason[320];     /* the last failure's reason, said once per change */
  uint64_t written;     /* lines written, synced or not (for crash_after) */
  uint64_t pass_ns;     /* when the last pass began (uv_hrtime) */

  /* Guarded by mu. */
  uv_mutex_t mu;
  uv_cond_t cv;
  int kicked;
  int stopping;
  int joined; /* the thread has ended (mash_esclog_feed_stop) */
  mash_esclog_feed_stats_t stats;
};

/* ------------------------------------------------------------ one pass */

/* The lines of one chunk, read from the store before any is written (so
 * no read transaction stays open across the log's fsync). */
typedef struct s_chunk {
  json_t **lines;
  size_t n, cap;
  uint64_t last_seq;
  int rc;
} s_chunk_t;

/* A stored step as its log line: the event's ids and times, and its seq. */
static json_t *s_line(uint64_t seq, const char *escalation_id, const uint8_t *event, size_t len) {
  Mash__V1__EscalationEvent *ev = mash__v1__escalation_event__unpack(NULL, len, event);
  json_t *j = NULL;
  if (ev) {
    j = mash_esclog_event_json(ev);
    mash__v1__escalation_event__free_unpacked(ev, NULL);
  } else {
    /* Stored but unreadable: the line still records that the step exists
     * (and verify finds it in its place); the store keeps the bytes. */
    j = json_object();
    if (j && (json_object_set_new(j, "escalation_id", json_string(escalation_id)) != 0 ||
              json_object_set_new(j, "unreadable", json_true()) != 0)) {
      json_decref(j);
      j = NULL;
    }
  }
  if (j && json_object_set_new(j, "seq", json_integer((json_int_t)seq)) != 0) {
    json_decref(j);
    j = NULL;
  }
  return j;
}

static int s_collect_cb(uint64_t seq, const char *escalation_id, const uint8_t *event, size_t len,
                        void *arg) {
  s_chunk_t *c = arg;
  json_t *j = s_line(seq, escalation_id, event, len);
  if (!j) {
    c->rc = -ENOMEM;
    return 1;
  }
  c->lines[c->n++] = j;
  c->last_seq = seq;
  return c->n >= c->cap;
}

static void s_chunk_free(s_chunk_t *c) {
  for (size_t i = 0; i < c->n; i++) {
    json_decref(c->lines[i]);
  }
  c->n = 0;
}

/* Open what a pass needs: the log (after a failure) and the reader. */
static int s_open(mash_esclog_feed_t *f, char *why, size_t len) {
  char err[256] = "";
  if (!f->log) {
    f->log = mash_esclog_open(f->log_path, err, sizeof err);
    if (!f->log) {
      snprintf(why, len, "%s", err);
      return -EIO;
    }
  }
  uint64_t last = mash_esclog_last_seq(f->log);
  f->cursor = last > f->legacy_seq ? last : f->legacy_seq;
  uv_mutex_lock(&f->mu);
  if (f->cursor > f->stats.durable_seq) {
    f->stats.durable_seq = f->cursor; /* what the log held when (re)opened */
  }
  uv_mutex_unlock(&f->mu);
  if (f->stale) {
    /* After a failed read: a new session (the database may have been
     * replaced, or the server restarted), opened through the old reader,
     * which keeps only what it was opened with. */
    mash_store_t *fresh = NULL;
    if (mash_store_open_reader(f->reader, &fresh, err, sizeof err) != 0 || !fresh) {
      snprintf(why, len, "%s", err[0] ? err : "cannot open a reader of the store");
      return -EIO;
    }
    mash_store_destroy(&f->reader);
    f->reader = fresh;
    f->stale = 0;
  }
  if (!f->reader) {
    f->reader = mash_store_sqlite_open_readonly(f->db_path, err, sizeof err);
    if (!f->reader) {
      snprintf(why, len, "%s", err);
      return -EIO;
    }
  }
  return 0;
}

/* Tests: a crash after the commit and before the append is durable. */
static void s_maybe_crash(mash_esclog_feed_t *f) {
  if (f->crash_after && f->written >= f->crash_after) {
    mash_warn("MASH_FAULT_ESCLOG_CRASH: killing the process after %llu log lines",
              (unsigned long long)f->written);
    raise(SIGKILL);
  }
}

/* Append every stored step after the cursor, a chunk at a time. 0, or a
 * negative error with the reason in `why` (the log is then closed). */
static int s_pass(mash_esclog_feed_t *f, char *why, size_t len) {
  int rc = s_open(f, why, len);
  if (rc < 0) {
    return rc;
  }
  s_chunk_t c = {.lines = calloc(f->chunk, sizeof(json_t *)), .cap = f->chunk};
  if (!c.lines) {
    snprintf(why, len, "out of memory");
    return -ENOMEM;
  }
  for (;;) {
    c.rc = 0;
    c.last_seq = 0;
    rc = mash_store_escalations_after(f->reader, f->cursor, f->chunk, s_collect_cb, &c);
    if (rc < 0 || c.rc < 0) {
      rc = rc < 0 ? rc : c.rc;
      snprintf(why, len, "%s: reading the stored steps: %s", f->db_path, strerror(-rc));
      /* A new connection next time (the database may have been replaced). */
      f->stale = 1;
      break;
    }
    if (c.n == 0) {
      break;
    }
    char err[320] = "";
    for (size_t i = 0; rc == 0 && i < c.n; i++) {
      rc = mash_esclog_append_deferred(f->log, c.lines[i], err, sizeof err);
      if (rc == 0) {
        f->written++;
        s_maybe_crash(f);
      }
    }
    if (rc == 0) {
      rc = mash_esclog_sync(f->log, err, sizeof err);
    }
    if (rc != 0) {
      snprintf(why, len, "%s", err);
      rc = -EIO;
      /* The handle refuses appends now: reopen (cutting what was not
       * synced) on the next attempt, and append from its last line. */
      mash_esclog_close(&f->log);
      break;
    }
    uv_mutex_lock(&f->mu);
    f->stats.appended += c.n;
    f->stats.durable_seq = c.last_seq;
    f->stats.failing = 0; /* synced: whoever sees this step durable sees the log healthy */
    uv_mutex_unlock(&f->mu);
    f->cursor = c.last_seq;
    s_chunk_free(&c);
  }
  s_chunk_free(&c);
  free(c.lines);
  return rc;
}

/* ------------------------------------------------------------ the thread */

/* Say why the log fails, once per change of reason (rate-limited), and
 * when it recovers. */
static void s_report(mash_esclog_feed_t *f, int rc, const char *why) {
  if (rc == 0) {
    if (f->attempts > 0) {
      mash_info("escalation log %s: written again after %u failed attempt(s); caught up to "
                "step %llu",
                f->log_path, f->attempts, (unsigned long long)f->cursor);
    }
    f->attempts = 0;
    f->reason[0] = '\0';
    return;
  }
  f->attempts++;
  if (strcmp(why, f->reason) != 0) {
    snprintf(f->reason, sizeof f->reason, "%s", why);
    mash_warn_limited("escalation log %s cannot be written: %s; escalations are still stored "
                      "and sent, and the log catches up from the store when it can be written "
                      "(retrying with backoff up to %d ms)",
                      f->log_path, why, f->retry.max_ms);
  }
}

static void s_thread(void *arg) {
  mash_esclog_feed_t *f = arg;
  uv_mutex_lock(&f->mu);
  for (;;) {
    int stopping = f->stopping;
    f->kicked = 0;
    uv_mutex_unlock(&f->mu);

    char why[320] = "";
    /* On the way out, one last pass only if the log is not failing: a
     * failing log is caught up from the store at the next start. */
    f->pass_ns = uv_hrtime();
    int rc = (stopping && f->attempts > 0) ? 0 : s_pass(f, why, sizeof why);
    if (!stopping || f->attempts == 0) {
      s_report(f, rc, why);
    }

    uv_mutex_lock(&f->mu);
    if (rc < 0) {
      f->stats.failures++;
    }
    f->stats.failing = f->attempts > 0;
    if (stopping) {
      break;
    }
    /* Wait for a kick or the poll; while failing, for the backoff only
     * (kicks do not shorten it: no spinning on a failing disk). */
    uint64_t wait_ms =
        f->attempts > 0 ? (uint64_t)mash_retry_delay_ms(&f->retry, f->attempts) : f->poll_ms;
    uint64_t until = uv_hrtime() + wait_ms * 1000000u;
    uint64_t gather = f->pass_ns + S_GATHER_MS * 1000000u;
    for (;;) {
      uint64_t now = uv_hrtime();
      if (f->stopping || now >= until) {
        break;
      }
      if (f->kicked && f->attempts == 0) {
        if (now >= gather) {
          break;
        }
        until = gather; /* kicked soon after the last pass: gather more */
      }
      uv_cond_timedwait(&f->cv, &f->mu, until - now);
    }
  }
  uv_mutex_unlock(&f->mu);
}

/* ------------------------------------------------------------ public */

mash_esclog_feed_t *mash_esclog_feed_new(mash_esclog_t **log,
                                         const mash_esclog_feed_config_t *cfg) {
  mash_esclog_feed_t *f = calloc(1, sizeof *f);
  if (!f || !log || !*log || !cfg || !cfg->log_path || (!cfg->db_path && !cfg->store)) {
    free(f);
    if (log) {
      mash_esclog_close(log);
    }
    return NULL;
  }
  f->log = *log;
  *log = NULL;
  f->log_path = strdup(cfg->log_path);
  f->db_path = strdup(cfg->db_path ? cfg->db_path : "the store");
  if (cfg->store) {
    /* Opened here, on the caller's thread, while the store is still the
     * caller's: later readers are opened through this one. */
    char err[256] = "";
    if (mash_store_open_reader(cfg->store, &f->reader, err, sizeof err) != 0 || !f->reader) {
      mash_error("escalation log: cannot open a reader of the store: %s", err);
      f->reader = NULL;
      goto fail;
    }
  }
  f->legacy_seq = cfg->legacy_seq;
  f->retry = mash_retry_policy(cfg->retry.base_ms, S_DEFAULT_BASE_MS, cfg->retry.max_ms,
                               S_DEFAULT_MAX_MS, 0);
  f->poll_ms = cfg->poll_ms ? cfg->poll_ms : S_DEFAULT_POLL_MS;
  f->chunk = cfg->chunk ? cfg->chunk : S_DEFAULT_CHUNK;
  const char *crash = getenv("MASH_FAULT_ESCLOG_CRASH");
  f->crash_after = crash && crash[0] ? strtoull(crash, NULL, 10) : 0;
  if (!f->log_path || !f->db_path || uv_mutex_init(&f->mu) != 0) {
    goto fail;
  }
  if (uv_cond_init(&f->cv) != 0) {
    uv_mutex_destroy(&f->mu);
    goto fail;
  }
  if (uv_thread_create(&f->thread, s_thread, f) != 0) {
    uv_cond_destroy(&f->cv);
    uv_mutex_destroy(&f->mu);
    goto fail;
  }
  return f;
fail:
  mash_esclog_close(&f->log);
  mash_store_destroy(&f->reader);
  free(f->log_path);
  free(f->db_path);
  free(f);
  return NULL;
}

void mash_esclog_feed_kick(mash_esclog_feed_t *f) {
  if (!f) {
    return;
  }
  uv_mutex_lock(&f->mu);
  f->kicked = 1;
  uv_cond_signal(&f->cv);
  uv_mutex_unlock(&f->mu);
}

uint64_t mash_esclog_feed_durable_seq(mash_esclog_feed_t *f) {
  if (!f) {
    return 0;
  }
  uv_mutex_lock(&f->mu);
  uint64_t seq = f->stats.durable_seq;
  uv_mutex_unlock(&f->mu);
  return seq;
}

void mash_esclog_feed_get_stats(mash_esclog_feed_t *f, mash_esclog_feed_stats_t *out) {
  uv_mutex_lock(&f->mu);
  *out = f->stats;
  uv_mutex_unlock(&f->mu);
}

void mash_esclog_feed_stop(mash_esclog_feed_t *f) {
  if (!f || f->joined) {
    return;
  }
  uv_mutex_lock(&f->mu);
  f->stopping = 1;
  uv_cond_signal(&f->cv);
  uv_mutex_unlock(&f->mu);
  uv_thread_join(&f->thread);
  f->joined = 1;
}

void mash_esclog_feed_destroy(mash_esclog_feed_t **self_p) {
  if (!self_p || !*self_p) {
    return;
  }
  mash_esclog_feed_t *f = *self_p;
  mash_esclog_feed_stop(f);
  mash_esclog_close(&f->log);
  mash_store_destroy(&f->reader);
  uv_cond_destroy(&f->cv);
  uv_mutex_destroy(&f->mu);
  free(f->log_path);
  free(f->db_path);
  free(f);
  *self_p = NULL;
}
