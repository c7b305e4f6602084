/* zap: authentication of CURVE clients (ZeroMQ's ZAP, RFC 27) and the
 * secure set-up of the broker's server socket (DESIGN.md §5).
 *
 * Without a running handler libzmq lets any CURVE key in. mashd therefore
 * binds the handler first, sets a ZAP domain and ZMQ_ZAP_ENFORCE_DOMAIN on the
 * server socket, and at start-up proves that an unknown key is refused. The
 * User-Id of an accepted connection is the principal from the trust list;
 * every message received on it carries it (zmq_msg_gets "User-Id").
 */
#ifndef MASH_ZAP_H
#define MASH_ZAP_H

#include <stddef.h>
#include <zmq.h>

#include "keys.h"

#define MASH_ZAP_DOMAIN "mash"
#define MASH_ZAP_ENDPOINT "inproc://zeromq.zap.01"
/* The ZAP metadata property naming the CURVE public key (Z85) a connection
 * was allowed with; read per message with zmq_msg_gets, so that a key taken
 * off the trust list is refused on a connection opened before. */
#define MASH_ZAP_KEY_PROPERTY "X-Mash-Key"

/* Option 93: honoured by libzmq 4.3.4 though its header hides the name behind
 * the draft guard. */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

typedef struct mash_zap_stats {
  unsigned long allowed;
  unsigned long denied;
  unsigned long malformed;
} mash_zap_stats_t;

/* Create and bind the handler's REP socket in ctx. Returns NULL with err. */
void *mash_zap_bind(void *ctx, char *err, size_t errlen);

/* Answer one ZAP request given as its frames, sending the reply on `zap`.
 * Decides from the trust list only: the CURVE public key must be listed;
 * domain must be MASH_ZAP_DOMAIN; a revoked key is refused. An allowed
 * client gets its principal as User-Id and its key as the metadata property
 * MASH_ZAP_KEY_PROPERTY. Logs principal or key prefix, never more. */
void mash_zap_answer(void *zap, zmq_msg_t *parts, size_t nparts, const mash_trust_t *trust,
                     mash_zap_stats_t *stats);

/* Make `sock` a CURVE server with the broker's secret key, the ZAP domain and
 * the domain enforced. Returns 0 or -1 with err. */
int mash_zap_secure_server(void *sock, const mash_key_t *server_key, char *err, size_t errlen);

/* Prove that a CURVE client with a fresh unknown key is refused at `endpoint`
 * (the bound server socket), answering ZAP requests on `zap` meanwhile.
 * Blocks up to timeout_ms; start-up only, before the loop runs. Returns 0
 * when the refusal was observed, -1 with err otherwise (refuse to run). */
int mash_zap_selftest(void *ctx, void *zap, const mash_trust_t *trust, const char *endpoint,
                      const char *server_public, int timeout_ms, mash_zap_stats_t *stats, char *err,
                      size_t errlen);

#endif
