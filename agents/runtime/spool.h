/* spool: a drop folder an agency system writes records into (FILE.json;
 * write FILE.tmp then rename, so a half-written file is never read).
 *
 * Each file is handed to the adapter's submit callback; once the message is
 * durable in the outbox the file moves to sent/, and when the broker's
 * receipt comes, to accepted/ (with FILE.receipt) or rejected/ (with
 * FILE.error). A file the adapter cannot parse goes straight to rejected/
 * with its errors; a file that is not NAME.json (nor a NAME.tmp being
 * written) is reported the same way. A file that could not be stored for a
 * local reason (the adapter's disk is full) stays in the folder and is tried
 * again with backoff: only invalid input is ever rejected. Files are worked
 * in bounded batches (one durable write per batch when the adapter gives
 * batch hooks), so a drop of thousands never blocks the loop for long.
 * Nothing is dropped silently. Loop thread only.
 */
#ifndef MASH_SPOOL_H
#define MASH_SPOOL_H

#include <uv.h>

#include "codec.h"
#include "seal.h"

typedef struct spool spool_t;

/* What a submit callback returns. */
enum {
  SPOOL_SUBMITTED = 0, /* queued (durable once the batch commits) */
  SPOOL_INVALID = -1,  /* the file is wrong: rejected/ with errs */
  SPOOL_RETRY = -2     /* a local failure (disk full...): leave it, retry later */
};

/* Submit the file at `path` (its name is `name`) with `name` as its label:
 * return SPOOL_SUBMITTED, or SPOOL_INVALID / SPOOL_RETRY with the reasons
 * in errs. */
typedef int (*spool_submit_cb)(const char *path, const char *name, mash_errors_t *errs, void *arg);

/* Create DIR and DIR/{sent,accepted,rejected}, then watch DIR. Files present
 * now are picked up on the first loop turn. NULL with err on failure. */
spool_t *spool_new(uv_loop_t *loop, const char *dir, spool_submit_cb cb, void *arg, char *err,
                   size_t errlen);

/* Optional: group a batch's submissions into one durable write. begin is
 * called before the first submission of a batch, commit after the last; a
 * non-zero commit leaves every file of the batch in the folder (reason in
 * why) to be tried again. Call right after spool_new. */
typedef int (*spool_batch_begin_cb)(void *arg);
typedef int (*spool_batch_commit_cb)(void *arg, char *why, size_t whylen);
void spool_set_batch(spool_t *s, spool_batch_begin_cb begin, spool_batch_commit_cb commit);

/* Optional: told of every file moved to rejected/ by the adapter or the
 * spool itself (not of a broker's refusal, which the broker counts): `name`,
 * a reason kind ("invalid", "not_json") and the errors (field paths and
 * messages). For reporting to the broker (agent_report_rejection). Called
 * inside the batch when batch hooks are set. */
typedef void (*spool_rejected_cb)(const char *name, const char *reason, const mash_errors_t *errs,
                                  void *arg);
void spool_set_rejected(spool_t *s, spool_rejected_cb cb);

/* What the adapter's store says of a file left in sent/ (by a crash between
 * storing its receipt and moving it): 1 settled (ok and detail filled), 0
 * still waiting for its receipt, -1 unknown (submit it again: its id derives
 * from its content, so the broker answers "already received"). */
typedef int (*spool_lookup_cb)(const char *name, int *ok, char *detail, size_t detaillen,
                               void *arg);

/* Settle the files a crash left in sent/: settled ones move on to accepted/
 * or rejected/, unknown ones back to the folder. Returns how many moved.
 * Call right after spool_new. */
size_t spool_recover(spool_t *s, spool_lookup_cb lookup, void *arg);

/* Warnings about file `name` found while submitting it (unknown fields):
 * kept in sent/NAME.warnings and added to its receipt (or error) file when
 * the broker answers. Call from the submit callback. */
void spool_warn(spool_t *s, const char *name, const char *text);

/* The broker answered for file `name`: ok moves it to accepted/ with detail
 * (e.g. "accepted as MASH-000042") in NAME.receipt; otherwise to rejected/
 * with detail in NAME.error; either followed by the file's warnings. */
void spool_settle(spool_t *s, const char *name, int ok, const char *detail);

/* Keep accepted/ sealed and short-lived: each file the broker accepted is
 * sealed with `seal` (borrowed; the file's name as associated data) as it
 * moves into accepted/ (mode 0600; its .receipt stays readable: ids and
 * warnings only), and the files of accepted/ older than keep_days days (by
 * their last change) are deleted, at start and then hourly; keep_days 0
 * keeps them. Without it (seal NULL) accepted files are kept as written,
 * made mode 0600. Call right after spool_new. */
void spool_set_seal(spool_t *s, const mash_seal_t *seal, unsigned keep_days);

/* Delete what accepted/ holds past its retention now (also done hourly).
 * Returns how many files were removed. */
size_t spool_expire(spool_t *s, int64_t now_s);

/* Open a sealed file of accepted/ (its name, e.g. "dash-high.json") for a
 * person: *out (malloc'd, *len bytes) or a negative errno with err set. */
int spool_open_accepted(const char *dir, const char *name, const mash_seal_t *seal, uint8_t **out,
                        size_t *len, char *err, size_t errlen);

/* Stop watching; frees s once its handles are closed. Accepts NULL. */
void spool_close(spool_t *s);

#endif
