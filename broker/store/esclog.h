/* esclog: the append-only, hash-chained escalation log (DESIGN.md §4, §6).
 *
 * The log is a file of JSON lines. Each line is one compact JSON object with
 * sorted keys (jansson JSON_COMPACT | JSON_SORT_KEYS, so a line's bytes are
 * canonical): the event's fields plus "prev", the lower-case hex SHA-256 of
 * the previous line's bytes without its newline. The first line's prev is 64
 * zeros. A side file PATH.head holds "HASH COUNT\n": the SHA-256 of the last
 * line and the number of lines. It is rewritten atomically (write, fsync,
 * rename, fsync of the directory) after each append, so editing or deleting
 * the last line, or cutting lines off the end, is detected too.
 *
 * An edit anywhere is detected by mash_esclog_verify; the side file is not a
 * defence against someone who can rewrite both files (publish the head hash
 * elsewhere for that).
 *
 * Must not: hold child names or other personal details. Callers pass ids
 * only; append refuses events with person-identifying keys (name, given_name,
 * family_name, surname, forename, date_of_birth, dob, address, postcode,
 * nhs_number, ... at any depth).
 *
 * Sequence numbers (DESIGN.md §6): the store is the truth. Each stored
 * escalation step has a sequence number (the store's, given in the same
 * transaction as the step), and its line carries it as "seq". The log is
 * appended from the store after commit (esclog_feed.h), so a line is never
 * written for a step that was not stored; a line whose seq is not above the
 * last line's is not written again, so appending after a crash is
 * idempotent. Lines of logs written before sequence numbers have no "seq".
 *
 * Fault injection (tests only): when the environment variable
 * MASH_FAULT_ESCLOG_FAIL names a file when the log is opened, every write
 * and fsync of the log fails with ENOSPC while that file exists.
 *
 * Blocking I/O with fsync: call from the thread that owns the handle (the
 * escalation log's own thread in mashd, esclog_feed.c), never the loop.
 * One writer per log: a handle is not thread-safe and two handles (or two
 * processes) must not append to one file.
 */
#ifndef MASH_BROKER_ESCLOG_H
#define MASH_BROKER_ESCLOG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mash.pb-c.h"

#define MASH_ESCLOG_HASH_HEX 64    /* hex digits of a SHA-256 */
#define MASH_ESCLOG_MAX_LINE 65536 /* bytes of one line, newline excluded */

/* Error codes (negative); mash_esclog_strerror names them. */
#define MASH_ESCLOG_EIO (-1)      /* open, read, write, fsync or rename failed */
#define MASH_ESCLOG_EINVAL (-2)   /* the event is not acceptable (see append) */
#define MASH_ESCLOG_ECORRUPT (-3) /* open: the log and its head file disagree */
#define MASH_ESCLOG_EFAILED (-4)  /* an earlier append failed: the handle is unusable */

typedef struct mash_esclog mash_esclog_t;

/* Open (creating if absent, mode 0600) the log at `path` for appending, and
 * recover the chain head: the SHA-256 of the last line and the line count.
 * It does not verify the chain (no JSON parsing, one hash), but it does
 * compare the end of the file with PATH.head:
 *  - they agree: opened;
 *  - the file holds up to MASH_ESCLOG_MAX_PENDING more complete lines, and
 *    perhaps a torn line (no newline), beyond what the head covers, and the
 *    head's hash is that of the last line it covers: appends that crashed
 *    before their sync returned. That tail was never acknowledged, so it is
 *    cut off (ftruncate + fsync) and the log opens;
 *  - anything else: NULL, with the reason in `err` (run mash_esclog_verify).
 * Returns a new handle (the caller owns it; mash_esclog_close frees it), or
 * NULL with a reason in `err`. `path` is copied. */
mash_esclog_t *mash_esclog_open(const char *path, char *err, size_t errlen);

/* Close the log and free the handle; accepts NULL and *self_p == NULL, and
 * sets *self_p to NULL. */
void mash_esclog_close(mash_esclog_t **self_p);

/* Append one event: `event` must be a JSON object without a "prev" key and
 * without person-identifying keys; it is not modified or stolen (the caller
 * keeps its reference). An event with an integer "seq" not above
 * mash_esclog_last_seq is already in the log: nothing is written and 0 is
 * returned (the count does not change). Writes the line with "prev" set to the chain head,
 * fsyncs the log, then replaces PATH.head atomically. Returns 0 once both are
 * durable; MASH_ESCLOG_EINVAL (nothing written, the handle stays usable);
 * MASH_ESCLOG_EIO on an I/O failure, after which the handle refuses further
 * appends (MASH_ESCLOG_EFAILED): reopen, which cuts off an unfinished tail.
 * `err` gets the reason; it may be NULL. */
int mash_esclog_append(mash_esclog_t *log, const json_t *event, char *err, size_t errlen);

/* The most lines written and not yet synced: a crash can leave at most this
 * many lines past the head, which open cuts off. */
#define MASH_ESCLOG_MAX_PENDING 64

/* Append as mash_esclog_append, but without the fsync and the head file: the
 * line is written and the chain moves on in memory; mash_esclog_sync makes
 * every line written so far durable with one fsync and one head file (a group
 * of steps stored in one transaction costs one sync, not one per step). Call
 * mash_esclog_sync before the store commits what the lines record. After
 * MASH_ESCLOG_MAX_PENDING unsynced lines it syncs by itself, and the first
 * line of a log is synced at once (so a missing head file never stands for
 * more than one unfinished line). */
int mash_esclog_append_deferred(mash_esclog_t *log, const json_t *event, char *err, size_t errlen);
int mash_esclog_sync(mash_esclog_t *log, char *err, size_t errlen);

/* The chain head: hex SHA-256 of the last line (64 zeros when empty),
 * NUL-terminated, owned by the handle and valid until the next append. */
const char *mash_esclog_head(const mash_esclog_t *log);

/* Number of lines in the log. */
size_t mash_esclog_count(const mash_esclog_t *log);

/* The "seq" of the last line (0 when the log is empty or its last line,
 * written before sequence numbers, has none). */
uint64_t mash_esclog_last_seq(const mash_esclog_t *log);

/* Check the whole log at `path` and its head file. Returns 0 if the chain
 * holds; a positive 1-based line number where it breaks (also stored in
 * *bad_line, which may be NULL), with the reason in `err`; or
 * MASH_ESCLOG_EIO if the log cannot be read at all.
 *
 * The line reported is the first line L that fails, in this order:
 *  - L has no newline at its end (a truncated last line), is longer than
 *    MASH_ESCLOG_MAX_LINE, is not a JSON object, or has no 64-hex "prev";
 *  - L's prev is not the SHA-256 of line L-1 (zeros for L = 1).
 * So an edit of line k < n is reported at k + 1 (or at k if the edit leaves
 * k unparseable); deleting line k < n is reported at k (the line now there
 * points at the deleted one); inserting a line at k is reported at k or k + 1.
 * If every line chains, the head file (HASH COUNT) is checked against the
 * n lines read:
 *  - COUNT > n: lines were cut off the end: reported at n + 1;
 *  - COUNT < n: lines after COUNT are not covered: reported at COUNT + 1;
 *  - COUNT == n but HASH is not line n's: the last line was edited: n.
 * A missing head file reads as "0 lines" (so a non-empty log breaks at 1);
 * an unreadable or malformed head file is reported at n + 1.
 * Any thread; reads only. */
int mash_esclog_verify(const char *path, size_t *bad_line, char *err, size_t errlen);

/* Translate an escalation event to the log's JSON object: ids, agency,
 * level, step, parties, due_at_ms, at_ms and rag ("red", "amber", "green",
 * "blue" or "unspecified"); never names. Returns a new reference (the caller
 * json_decref's it), or NULL on allocation failure. */
json_t *mash_esclog_event_json(const Mash__V1__EscalationEvent *ev);

/* "I/O error", "invalid event", ... for a MASH_ESCLOG_E* code. */
const char *mash_esclog_strerror(int rc);

#endif
