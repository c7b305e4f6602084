/* site: the console's web server (libmicrohttpd) and the state it serves.
 *
 * Responsible for: serving the pages (/, /mi, /mi.csv), the live feed
 * (/events, Server-Sent Events), /metrics, /healthz and /readyz; HTTP Basic
 * authentication against the users file (or a TLS client certificate) for
 * everything but the last three;
 * a log line for every page view with its user; and the hand-over between
 * the loop thread, which talks to mashd and publishes what it hears, and the
 * server's threads, which read it under one mutex.
 * Must not: talk to mashd itself (it asks the loop through `wake`), or
 * render anything it was not given: pages come from console.h's model.
 * Threads: ops_site_new/destroy and the publish/answer calls on the loop
 * thread; libmicrohttpd runs one thread per connection.
 */
#ifndef MASH_OPS_SITE_H
#define MASH_OPS_SITE_H

#include <stdint.h>

#include "auth.h"
#include "console.h"
#include "tls.h"

typedef struct ops_site ops_site_t;

/* Listen on address:port (port 0: any free port, see ops_site_port); over
 * HTTPS when tls (borrowed, read at once) has a certificate, signing users
 * in by client certificate instead of password when it has an authority.
 * `users` is borrowed and must outlive the site. wake(arg) is called from a
 * server thread when a range query waits for the loop (it must be
 * thread-safe, e.g. uv_async_send). Returns NULL with err on failure. */
ops_site_t *ops_site_new(const char *address, int port, const ops_users_t *users,
                         const ops_tls_t *tls, void (*wake)(void *arg), void *arg, char *err,
                         size_t errlen);

/* Stop serving (open feeds end) and free the site. Accepts NULL. */
void ops_site_destroy(ops_site_t **self_p);

/* The port it listens on. */
int ops_site_port(const ops_site_t *s);

/* The loop's latest picture of the broker (copied) and whether mashd is
 * heard now. */
void ops_site_publish(ops_site_t *s, const ops_model_t *m);
void ops_site_set_linked(ops_site_t *s, int linked);

/* A new escalation for the feed (copied; its seq is assigned here). */
void ops_site_event(ops_site_t *s, const ops_event_t *e);

/* Loop thread: 1 when a page waits for management information over a range
 * (from/to filled, *ticket to give back), 0 when none waits. */
int ops_site_range_wanted(ops_site_t *s, int64_t *from_ms, int64_t *to_ms, uint64_t *ticket);
/* Loop thread: the answer for ticket (copied). */
void ops_site_range_answer(ops_site_t *s, uint64_t ticket, const ops_model_t *m);

#endif
