/* restart: mashd reconnecting to its PostgreSQL store in place (issue 15).
 *
 * When the store's session is lost (the primary died and a standby is being
 * promoted, the server restarted) or the active lock's session is, mashd
 * does not exit: it executes itself again in the same process (same pid,
 * same arguments). The new image reconnects through the store_url (a libpq
 * multi-host string with target_session_attrs=read-write finds the promoted
 * server) with the shared backoff (retry.h), takes the active lock again
 * before it serves, or waits as a standby when another mashd took it
 * meanwhile, and loads everything from the store, as a takeover does:
 * nothing relies on the memory of the image that lost its session. The
 * batch in flight was never acknowledged; its senders resend and the
 * store's de-duplication keeps each message once.
 *
 * Responsible for: the decision (a pure function: which failures mean
 * "reconnect"), the count of reconnections and the instant the session was
 * lost, carried across the exec in the environment, and the exec itself.
 * Must not: log child data (only reasons and times), or decide anything
 * about the store's contents. Threads: decide and count on any thread;
 * mashd_restart_in_place on any thread (it replaces the whole process).
 */
#ifndef MASHD_RESTART_H
#define MASHD_RESTART_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "seal.h"
#include "store.h"

typedef enum mashd_on_failure {
  MASHD_STOP = 0,      /* stop with an error (SQLite, disk full, refused...) */
  MASHD_RECONNECT = 1, /* the session is lost: reconnect in place */
} mashd_on_failure_t;

/* What a failed commit means: store_postgres (1: the store is PostgreSQL)
 * and the storage thread's error (a negative errno). A lost session
 * (-ENOTCONN) or a read-only server (-EROFS: the URL reached a demoted
 * primary) is reconnected to on PostgreSQL; anything else stops the broker,
 * as every failure does on SQLite. Pure. */
mashd_on_failure_t mashd_on_store_failure(int store_postgres, int rc);

typedef struct mashd_restart mashd_restart_t;

/* Note the arguments to execute again (borrowed: main's argv) and read what
 * an earlier image of this process left in the environment (the count and
 * the instant the session was lost), then clear it. NULL when out of
 * memory. */
mashd_restart_t *mashd_restart_new(char **argv);
void mashd_restart_destroy(mashd_restart_t **self_p);

/* Reconnections of this process since it was started. */
unsigned long mashd_restart_count(const mashd_restart_t *r);

/* Called once serving again: when this image follows a lost session, logs
 * how long the reconnection took (from the loss to now) and the count.
 * Does nothing on a first start. */
void mashd_restart_served(const mashd_restart_t *r);

/* Log why (no child data), note the instant and the count in the
 * environment, and execute mashd again in this process. Never returns: if
 * the exec itself fails, the process exits with status 3 (a supervisor's
 * Restart=on-failure then starts it, as before). */
void mashd_restart_in_place(mashd_restart_t *r, const char *why);

/* Open mashd's store as cfg says: SQLite (DATA/mashd.db, with opts), or
 * PostgreSQL under the database's active lock (waiting as a standby while
 * another mashd holds it; a lost lock's session reconnects in place through
 * r). The lock in *active (NULL on SQLite), the store's name for messages in
 * name. The store, or NULL with a reason in err. Loop thread, at start. */
mash_store_t *mashd_store_open(const mashd_config_t *cfg, const mash_seal_t *seal,
                               mash_store_sqlite_opts_t *opts, mashd_restart_t *r,
                               mash_pg_active_t **active, char *name, size_t namelen, char *err,
                               size_t errlen);

#endif
