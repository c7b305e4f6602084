/* spool: a drop folder an agency system writes records into (FILE.json;
 * write FILE.tmp then rename, so a half-written file is never read).
 *
 * Each file is handed to the adapter's submit callback; once the message is
 * durable in the outbox the file moves to sent/, and when the broker's
 * receipt comes, to accepted/ (with FILE.receipt) or rejected/ (with
 * FILE.error). A file the adapter cannot parse goes straight to rejected/
 * with its errors. Nothing is dropped silently. Loop thread only.
 */
#ifndef MASH_SPOOL_H
#define MASH_SPOOL_H

#include <uv.h>

#include "codec.h"

typedef struct spool spool_t;

/* Submit the file at `path` (its name is `name`): return 0 once durable in the
 * outbox with `name` as its label, or -1 with the reasons in errs. */
typedef int (*spool_submit_cb)(const char *path, const char *name, mash_errors_t *errs, void *arg);

/* Create DIR and DIR/{sent,accepted,rejected}, then watch DIR. Files present
 * now are picked up on the first loop turn. NULL with err on failure. */
spool_t *spool_new(uv_loop_t *loop, const char *dir, spool_submit_cb cb, void *arg, char *err,
                   size_t errlen);

/* The broker answered for file `name`: ok moves it to accepted/ with detail
 * (e.g. "accepted as MASH-000042") in NAME.receipt; otherwise to rejected/
 * with detail in NAME.error. */
void spool_settle(spool_t *s, const char *name, int ok, const char *detail);

/* Stop watching; frees s once its handles are closed. Accepts NULL. */
void spool_close(spool_t *s);

#endif
