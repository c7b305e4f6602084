/* esclog_audit: the escalation log checked against the store (DESIGN.md
 * §6: the store is the truth, and verify checks the log against it).
 *
 * mash_esclog_verify (esclog.h) proves the chain was not edited; this
 * proves the log holds what the store says happened: every stored step
 * once, in sequence order, under its own escalation id, and nothing that
 * was not stored. Steps stored after the log's last line are not yet
 * appended (the log's own thread appends them after commit) unless the
 * store records the log durable past them (esclog_mark): then lines were
 * cut off, or the log was deleted together with its head file.
 *
 * Must not: write anything. Any thread; the store is used for the call.
 */
#ifndef MASH_ESCLOG_AUDIT_H
#define MASH_ESCLOG_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct mash_esclog_audit {
  int log_missing;     /* the log file does not exist */
  size_t lines;        /* lines read */
  size_t legacy_lines; /* lines without "seq" (written before sequence numbers) */
  uint64_t steps;      /* steps stored */
  uint64_t matched;    /* stored steps found in the log in their place */
  uint64_t pending;    /* stored after the log's last line, not yet appended */
  size_t bad_line;     /* broken: the line it breaks at (0: at the end) */
} mash_esclog_audit_t;

/* Check the log at `path` against `store` (a read-only store will do).
 * Returns 0 when they agree (out says how, pending steps included); 1 when
 * they do not, with the first disagreement in err; or a negative error when
 * the check could not be made (unreadable log, store error), with the
 * reason in err. `out` may not be NULL. */
int mash_esclog_audit(const char *path, mash_store_t *store, mash_esclog_audit_t *out, char *err,
                      size_t errlen);

/* As mash_esclog_audit, for one node's own log on a store several mashd
 * nodes share (PostgreSQL: each node appends its own log from the store
 * while active). The store's mark is then any node's, so a log that ends
 * before it is behind, not cut: the steps after its last line count as
 * pending (the node appends them when it is next active). Every line the
 * log holds is still checked against the store, and its chain. */
int mash_esclog_audit_node(const char *path, mash_store_t *store, mash_esclog_audit_t *out,
                           char *err, size_t errlen);

#endif
