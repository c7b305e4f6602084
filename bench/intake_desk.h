/* intake_desk: bench-intake's hub desk and its pre-populated person index.
 *
 * A desk is a DEALER client with the hub role, on its own thread, that
 * acknowledges every contact mashd delivers (a Receipt, as mash-hub's runtime
 * sends one) and notes when each arrived: the time from the start of a burst
 * until its last contact reached the desk is "resolved and queued for the
 * desk", issue 14's burst figure. Bench only: not thread-safe beyond what
 * each function says.
 */
#ifndef MASH_BENCH_INTAKE_DESK_H
#define MASH_BENCH_INTAKE_DESK_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

typedef struct intake_desk intake_desk_t;

/* Connect a desk with key to endpoint (server_public: mashd's key) in the
 * ZeroMQ context ctx and wait (up to timeout_ms) for the answer to its first
 * heartbeat, so mashd knows the route before the burst. NULL on failure,
 * with a message printed. The thread then counts contacts until destroyed. */
intake_desk_t *intake_desk_start(void *ctx, const char *endpoint, const char *server_public,
                                 const mash_key_t *key, int timeout_ms);

/* Wait until the desk has received at least want distinct contacts, or no
 * contact came for idle_ms. Returns the number received; *last_ns is the
 * CLOCK_MONOTONIC time the last new one arrived (0 when none). Any thread. */
unsigned long intake_desk_wait(intake_desk_t *d, unsigned long want, int idle_ms, int64_t *last_ns);

/* Stop the thread, close the socket, free. Accepts NULL. */
void intake_desk_destroy(intake_desk_t **self_p);

/* Copy a folder kept by bench-resolve (--keep: mash.db, its -wal when there
 * is one, and data.key) into DATA as mashd's store (mashd.db) and data key
 * (data.key), creating DATA. Returns 0 or -1 with a message printed. */
int intake_people_copy(const char *from_dir, const char *data_dir);

#endif
