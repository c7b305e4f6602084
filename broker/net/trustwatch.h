/* trustwatch: the trust list in force, reloaded while mashd runs
 * (DESIGN.md §5: "The trust list is reloaded when it changes").
 *
 * The trust folder is watched (libuv fs_event: inotify on Linux); a change
 * (a .pub added or removed, the revocation list rewritten by `mashctl keys
 * revoke`) is followed, after a short settling delay, by a reload; SIGHUP
 * asks for one at once. A list that loads is handed to apply(), which puts it
 * in force (the router, the storage thread) and returns 0; the old list is
 * then freed. A list that does not load (a folder made writable by others, a
 * malformed file) is refused with a warning and the list in force stays:
 * a mistake while editing never opens the broker wider nor shuts every
 * agency out.
 *
 * Responsible for: when to reload and owning the lists. Must not: decide who
 * is trusted (keys.c does), or touch sockets. Loop thread only.
 */
#ifndef MASH_TRUSTWATCH_H
#define MASH_TRUSTWATCH_H

#include <uv.h>

#include "keys.h"

typedef struct mash_trustwatch mash_trustwatch_t;

/* Put `fresh` in force; 0 when done (the old list may then be freed), or
 * negative when it could not be (fresh is freed, the old list stays). */
typedef int (*mash_trustwatch_apply_fn)(const mash_trust_t *fresh, void *arg);

/* Watch `dir` (copied), whose list `*trust` was loaded from (ownership
 * moves; *trust is nulled). settle_ms: delay after the last change seen
 * before reloading (0: 200 ms). Returns NULL on failure (out of memory or
 * handles); *trust is then untouched. A folder that cannot be watched is
 * logged: SIGHUP still reloads it. */
mash_trustwatch_t *mash_trustwatch_new(uv_loop_t *loop, const char *dir, mash_trust_t **trust,
                                       unsigned settle_ms, mash_trustwatch_apply_fn apply,
                                       void *arg);

/* The list in force (owned by the watch; valid until the next reload). */
const mash_trust_t *mash_trustwatch_current(const mash_trustwatch_t *w);

/* Reload now (SIGHUP); `why` is named in the log. Returns 0 when a list was
 * put in force or nothing changed, negative when the list in force stays. */
int mash_trustwatch_reload(mash_trustwatch_t *w, const char *why);

/* Stop watching. The list in force moves to *trust (the caller frees it
 * once nothing reads it: after the storage thread stopped); the watch is
 * freed once its handles are closed. Accepts NULL. */
void mash_trustwatch_close(mash_trustwatch_t *w, mash_trust_t **trust);

#endif
