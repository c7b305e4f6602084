/* ask: one question to mashd as the ops role, for mashctl.
 * Responsible for: a blocking CURVE DEALER round trip (OpsQuery -> OpsReport)
 * with a time limit. Must not: be used on a loop thread (it blocks). */
#ifndef MASH_OPS_ASK_H
#define MASH_OPS_ASK_H

#include <stddef.h>
#include <stdint.h>

#include "console.h"

/* Ask mashd at endpoint (its public key in server_key; ours, role ops, in
 * key) for its report over [from_ms, to_ms); wait at most timeout_ms.
 * Several mashd nodes: endpoint and server_key are lists as an agent's
 * (agent_brokers.h); each node is asked in order, with its share of
 * timeout_ms, until one (the active one) answers.
 * Returns 0 with *out filled, or -1 with a reason in err. */
int ops_ask(const char *endpoint, const char *server_key, const char *key, int64_t from_ms,
            int64_t to_ms, int timeout_ms, ops_model_t *out, char *err, size_t errlen);

#endif
