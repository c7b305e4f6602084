/* esclog_feed: the escalation log's own thread, which appends the log from
 * the store (DESIGN.md §6: the store is the truth).
 *
 * A step is stored (with its sequence number) in the transaction that
 * fires it; after commit the loop kicks the feed, whose thread reads the
 * stored steps after the log's last line from its own reader of the store
 * (mash_store_open_reader: SQLite or PostgreSQL alike) and appends them, one fsync and one head
 * file per chunk. The same pass runs at start (steps committed before a crash and never appended),
 * after every kick, and every poll interval, so a line is never written for a step that was not
 * stored, never twice, and never missing for long. Neither the loop nor the storage thread ever
 * waits on the log.
 *
 * A failing log (disk full, I/O error, a damaged file) does not stop
 * escalations: they are stored and sent as ever; the feed retries with
 * backoff (common/retry.h), says why once per change of reason (the system
 * error text and the file, rate-limited), and catches up by itself when
 * the log can be written again. No restart is needed.
 *
 * Fault injection (tests only): MASH_FAULT_ESCLOG_CRASH=K kills the process
 * (SIGKILL) once the thread has written K lines, before they are synced:
 * a crash between the store's commit and the log's append.
 *
 * Must not: write to the store, or hold child data (the log holds ids;
 * esclog.h refuses names). Threads: new, kick, durable_seq, get_stats and
 * destroy from any one owning thread (kick and the getters from any); the
 * log and the read-only store are used by the feed's thread only.
 */
#ifndef MASH_ESCLOG_FEED_H
#define MASH_ESCLOG_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "esclog.h"
#include "retry.h"
#include "store.h"

typedef struct mash_esclog_feed mash_esclog_feed_t;

typedef struct mash_esclog_feed_config {
  const char *log_path; /* the log, reopened after a failure (copied) */
  /* The store the thread reads through a reader of its own, opened by
   * mash_esclog_feed_new (mash_store_open_reader; the store is not kept),
   * or NULL to open db_path read-only as SQLite. */
  mash_store_t *store;
  const char *db_path; /* SQLite's file without `store`; else names it in messages (copied) */
  /* Steps up to this one were logged without sequence numbers
   * (mash_store_esclog_state's legacy_seq): never appended again. */
  uint64_t legacy_seq;
  mash_retry_t retry; /* backoff while failing; zeros: 200 ms doubling to 5 s */
  unsigned poll_ms;   /* look for unappended steps at least this often (0: 1000) */
  size_t chunk;       /* steps read and synced at once (0: 256) */
} mash_esclog_feed_config_t;

typedef struct mash_esclog_feed_stats {
  uint64_t appended;    /* lines appended (and synced) by this feed */
  uint64_t durable_seq; /* the log is durable up to this step */
  uint64_t failures;    /* failed attempts (open, read, write, sync) */
  int failing;          /* the last attempt failed: retrying with backoff */
} mash_esclog_feed_stats_t;

/* Start the feed's thread over an open log (`*log`: ownership moves, and
 * *log is set to NULL, also on failure) and make its first pass at once.
 * Returns NULL on failure (out of memory, no thread, no reader of
 * cfg->store). */
mash_esclog_feed_t *mash_esclog_feed_new(mash_esclog_t **log, const mash_esclog_feed_config_t *cfg);

/* Steps were committed: look now (unless backing off after a failure).
 * Cheap (a lock and a signal); any thread. Accepts NULL. */
void mash_esclog_feed_kick(mash_esclog_feed_t *f);

/* The log is durable up to this sequence number (any thread; 0 for NULL).
 * The escalation transaction records it in the store (esclog_mark). */
uint64_t mash_esclog_feed_durable_seq(mash_esclog_feed_t *f);

/* Counters (any thread). */
void mash_esclog_feed_get_stats(mash_esclog_feed_t *f, mash_esclog_feed_stats_t *out);

/* Make one last pass (unless the log is failing), stop and join the thread;
 * the durable sequence stays readable. Call after the storage thread has
 * stopped, then record mash_esclog_feed_durable_seq in the store, so a log
 * deleted after a clean stop is caught. Accepts NULL; idempotent. */
void mash_esclog_feed_stop(mash_esclog_feed_t *f);

/* mash_esclog_feed_stop if not done yet, then close the log and free the feed. Accepts NULL and
 * *self_p == NULL; sets *self_p to NULL. Call after the storage thread has stopped, so the last
 * pass sees every committed step. */
void mash_esclog_feed_destroy(mash_esclog_feed_t **self_p);

#endif
