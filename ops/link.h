/* link: mash-ops's connection to mashd, as a CURVE client with the ops role.
 *
 * Responsible for: the DEALER socket (keys as every client has them), asking
 * mashd for an OpsReport every refresh interval (the question doubles as the
 * heartbeat and keeps the live feed flowing to us), reconnecting when mashd
 * is silent, answering the site's range queries, and handing reports and
 * escalation events to the site.
 * Must not: send anything but OpsQuery, or store anything: the console is
 * read-only and keeps no state of its own.
 * Loop thread only (the loop is passed in); the site is told through its
 * thread-safe calls.
 */
#ifndef MASH_OPS_LINK_H
#define MASH_OPS_LINK_H

#include <uv.h>

#include "site.h"

typedef struct ops_link ops_link_t;

typedef struct ops_link_config {
  char endpoint[1024];   /* one or more mashd nodes, comma-separated (agent_brokers.h) */
  char server_key[1024]; /* mashd's .pub */
  char key[1024];        /* our .secret (role ops) */
  int refresh_ms;        /* how often to ask; silent for 3 of these: link down */
} ops_link_config_t;

/* Load keys and connect (the connection completes in the background).
 * Returns NULL with err on failure. */
ops_link_t *ops_link_new(uv_loop_t *loop, const ops_link_config_t *cfg, ops_site_t *site, char *err,
                         size_t errlen);

/* The site wants a range answered: call from the loop (an async handle's
 * callback). */
void ops_link_poke(ops_link_t *l);

/* Close the socket and timer; close_cb(arg) once everything is closed and
 * l is freed. */
void ops_link_close(ops_link_t *l, void (*close_cb)(void *arg), void *arg);

#endif
