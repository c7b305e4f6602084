/* agent_brokers: the brokers an agent may talk to, in order, and which one
 * it follows now. Two or more mashd nodes share one store (PostgreSQL); only
 * the active one binds its endpoint, so an agent given every node's endpoint
 * (and key) moves to the next one whenever the one it follows falls silent,
 * round the list, until one answers.
 *
 * Responsible for: parsing the endpoint and key lists, loading each broker's
 * public key, the current position, the move to the next broker (the agent
 * runtime and mash-ops's link both follow a list). Must not: open sockets
 * itself (its caller's connect does) or decide when to move (agent.c and
 * ops/link.c do, on silence). Loop thread only (no locking).
 */
#ifndef MASH_AGENT_BROKERS_H
#define MASH_AGENT_BROKERS_H

#include <stddef.h>

#include "codec.h"
#include "keys.h"
#include "zsock.h"

/* At most this many brokers in one list. */
#define AGENT_BROKERS_MAX 8

typedef struct agent_brokers agent_brokers_t;

/* Parse `endpoints` (one or more ZeroMQ endpoints separated by commas or
 * spaces) and `keys` (the broker public key files, separated likewise: one
 * for every endpoint, in the same order, or a single one that every node
 * shares) and load the keys. The first endpoint is current. Returns NULL with
 * err on an empty or over-long list, a count of keys that fits neither rule,
 * or a key that does not load. */
agent_brokers_t *agent_brokers_new(const char *endpoints, const char *keys, char *err,
                                   size_t errlen);

/* Free; accepts NULL and nulls the caller's pointer. */
void agent_brokers_destroy(agent_brokers_t **self_p);

/* How many brokers the list holds (1 or more). */
size_t agent_brokers_count(const agent_brokers_t *b);

/* The broker followed now: its endpoint and its public key. */
const char *agent_brokers_endpoint(const agent_brokers_t *b);
const mash_key_t *agent_brokers_key(const agent_brokers_t *b);

/* Follow the next broker of the list (after the last, the first again).
 * Returns 1 when this came round to the broker the run started with (every
 * one was tried), else 0 (and always 1 for a list of one). */
int agent_brokers_next(agent_brokers_t *b);

/* The broker that answered last, remembered across runs in the agent's own
 * data folder (STATE.broker beside the state file `state`), so that a
 * one-shot `submit` starts at the active node rather than waiting out a
 * dead first one. recall: follow the remembered endpoint when it is still
 * in the list (1), else keep the first (0; no file, or a list of one).
 * remember: note the broker followed now, when it differs from the file
 * (call it when the broker answers); 0, or -1 with err (the file could
 * not be written: the agent works on, starting at the first next time). */
int agent_brokers_recall(agent_brokers_t *b, const char *state);
int agent_brokers_remember(agent_brokers_t *b, const char *state, char *err, size_t errlen);

/* Move from a silent broker to the next of the list: close *zs_p when it is
 * open (closed_cb(arg) runs once it is closed) and NULL it, follow the next
 * broker and call connect(arg, ...) to open a socket to it, logging the new
 * endpoint when there are several and a failure to connect (the caller's
 * timer tries again). Returns what agent_brokers_next returns: 1 when the
 * list wrapped round (every broker was tried: time to back off), else 0. */
/* Decode what the broker sent (`n` frames: one envelope, or a larger
 * message's part, one frame too). Returns the envelope (the caller frees it
 * with mash_codec_free), or NULL after a rate-limited warning when it is not
 * one frame or does not decode. Unvalidated: the caller validates what it
 * acts on. */
Mash__V1__Envelope *agent_brokers_decode(zmq_msg_t *parts, size_t n);

int agent_brokers_reconnect(agent_brokers_t *b, mash_zsock_t **zs_p, void (*closed_cb)(void *arg),
                            int (*connect)(void *arg, char *err, size_t errlen), void *arg);

#endif
