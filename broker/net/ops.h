/* ops: the broker's side of the operations console (role ops, DESIGN.md §2).
 *
 * Responsible for: answering an OpsQuery with an OpsReport built from the
 * store's figures (read on the storage thread, in the background so that
 * acknowledgements never wait behind it) and what the loop knows live
 * (connections, counters, outbox depths, commit latency); and remembering,
 * per principal, the notifications refused and the fields at fault.
 * Must not: carry child data (ids, counts, times, agency names only), change
 * the store, or send anything itself (the router sends what it is handed).
 * Loop thread, except the figures read on the storage thread.
 */
#ifndef MASH_OPS_H
#define MASH_OPS_H

#include <stdint.h>

#include "codec.h"
#include "storage.h"

#define MASH_OPS_CLIENTS 64
#define MASH_OPS_FIELDS 8

typedef struct mash_ops mash_ops_t;

/* One principal as the loop sees it. */
typedef struct mash_ops_client {
  char principal[64];
  char role[16];
  int connected;
  int64_t last_seen_ms;
  int64_t outbox_depth;
} mash_ops_client_t;

typedef struct mash_ops_named {
  char name[64];
  int64_t n;
} mash_ops_named_t;

/* What the loop knows now, filled by the router for each question. */
typedef struct mash_ops_live {
  int64_t now_ms;      /* the broker's clock (accelerated in rehearsals) */
  int64_t wall_now_ms; /* the wall clock; every other time here is the broker's */
  int store_ok;
  mash_ops_client_t clients[MASH_OPS_CLIENTS];
  size_t n_clients;
  mash_ops_named_t counters[16]; /* intake, accepted, duplicate, rejected... */
  size_t n_counters;
  mash_ops_named_t rejections[8]; /* by reason */
  size_t n_rejections;
  mash_ops_named_t outbox[MASH_OPS_CLIENTS]; /* depth per target */
  size_t n_outbox;
  mash_storage_stats_t storage;
} mash_ops_live_t;

/* started_at_ms: when mashd started (for uptime); screening_ms: the
 * screening window. NULL on ENOMEM. */
mash_ops_t *mash_ops_new(int64_t started_at_ms, int64_t screening_ms);

/* Refused commands per principal (issue 13): each one refused is stored
 * for a while (its resend gets the same answer), so a peer may have at most
 * MASH_OPS_REFUSALS_BURST refused in any MASH_OPS_REFUSALS_WINDOW_MS; past
 * that its commands are answered with an error and neither run nor stored
 * until the window ends. */
#define MASH_OPS_REFUSALS_BURST 20
#define MASH_OPS_REFUSALS_WINDOW_MS 60000
/* A command of principal was refused at now_ms (wall clock). */
void mash_ops_note_refused_command(mash_ops_t *o, const char *principal, int64_t now_ms);
/* 1 when principal's commands are held back at now_ms (and counts it). */
int mash_ops_refusals_throttled(mash_ops_t *o, const char *principal, int64_t now_ms);
void mash_ops_destroy(mash_ops_t **self_p);

/* A message came from principal (of role) at now_ms (the wall clock): it
 * is connected. */
void mash_ops_seen(mash_ops_t *o, const char *principal, const char *role, int64_t now_ms);
/* When principal was last heard (wall clock), 0 when not since start. */
int64_t mash_ops_last_seen(const mash_ops_t *o, const char *principal);
/* Log, once, each principal heard before but silent for more than
 * silent_ms, and "heard again" when it comes back (via mash_ops_seen). */
void mash_ops_tick(mash_ops_t *o, int64_t now_ms, int64_t silent_ms);

/* A notification of principal was refused with these field errors. Field
 * paths are kept without their indices ("notification.children[].sex"),
 * at most MASH_OPS_FIELDS per principal. */
void mash_ops_note_rejected(mash_ops_t *o, const char *principal, const mash_errors_t *errs);

/* The adapter of principal refused one of the agency's files (an
 * AdapterRejection, stored) naming these fields ('\n'-separated paths):
 * counted per principal with the paths (indices stripped, at most
 * MASH_OPS_FIELDS). */
void mash_ops_note_adapter_rejected(mash_ops_t *o, const char *principal, const char *fields);

/* The answer is ready (env: the envelope to send, valid during the call), or
 * could not be made (env NULL). Always called once per mash_ops_answer. */
typedef void (*mash_ops_done_cb)(void *arg, const uint8_t *rid, size_t rid_len,
                                 Mash__V1__Envelope *env);

/* Answer q (live is copied) to the client at rid: the figures are read in
 * the background on st's thread, then done_cb runs on the loop. Returns 0,
 * or -ENOMEM (done_cb not called). */
int mash_ops_answer(mash_ops_t *o, mash_storage_t *st, const mash_ops_live_t *live,
                    const Mash__V1__OpsQuery *q, const char *correlation, const uint8_t *rid,
                    size_t rid_len, mash_ops_done_cb done_cb, void *arg);

/* Build the report from figures and live state into a new holder; *report
 * points into it. Pure; any thread. Free with mash_ops_report_free. */
typedef struct mash_ops_report mash_ops_report_t;
mash_ops_report_t *mash_ops_report_new(const mash_ops_t *o, const mash_ops_figures_t *f,
                                       const mash_ops_live_t *live, int64_t from_ms, int64_t to_ms,
                                       Mash__V1__OpsReport **report);
void mash_ops_report_free(mash_ops_report_t *h);

#endif
