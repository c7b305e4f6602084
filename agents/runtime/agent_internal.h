/* agent_internal: the agent's state, shared by the files of the agent
 * runtime (agent.c: connection, outbox and timer; agent_inbox.c: messages
 * from the broker). Must not: be included outside agents/runtime/; adapters
 * see only agent.h. Loop thread only.
 */
#ifndef MASH_AGENT_INTERNAL_H
#define MASH_AGENT_INTERNAL_H

#include <stdint.h>
#include <uv.h>

#include "agent.h"
#include "agent_brokers.h"
#include "agent_seal.h"
#include "clock.h"
#include "keys.h"
#include "parts.h"
#include "retry.h"
#include "zsock.h"

typedef struct s_pending {
  char message_id[MASH_MAX_ID_LEN + 1];
  char label[256];
  uint8_t *frame;
  size_t len;
  int64_t next_at;
  int64_t sent_at;  /* the last send */
  int64_t order_at; /* its place in the broker's order: the first send on this link */
  unsigned attempts;
  int force; /* resend at once: the connection or the broker was new */
  struct s_pending *next;
} s_pending_t;

struct agent {
  uv_loop_t *loop;
  agent_config_t cfg;
  mash_key_t key;
  agent_brokers_t *brokers; /* the broker endpoints and keys, and the one followed */
  agent_store_t *store;
  mash_seal_t *seal;    /* the data key: the store's and the agent's files */
  agent_parts_t *parts; /* envelopes arriving in parts */
  void *ctx;
  mash_zsock_t *zs;
  uv_timer_t timer;
  s_pending_t *head, *tail;
  size_t npending;
  size_t inflight;                           /* entries sent at least once and not yet receipted */
  int64_t last_receipt;                      /* when the broker last answered one of ours */
  int64_t receipted_at;                      /* the latest order_at of an entry receipted */
  char broker_instance[MASH_MAX_ID_LEN + 1]; /* the broker process we last heard */
  int batching;                              /* inside agent_batch_begin/commit: nothing is sent */
  s_pending_t *batch_mark;                   /* the tail when the batch began (NULL: empty) */
  int64_t last_heard;
  int64_t last_tick;   /* the timer's previous run: a longer gap is our own stall */
  int64_t listen_from; /* since when we read the socket without a stall of our own */
  int64_t last_heartbeat;
  int64_t connected_at; /* when the current socket was made */
  int64_t reconnect_backoff_ms;
  unsigned reconnects;    /* reconnections in a row without an answer */
  mash_retry_t resend;    /* outbox entries not yet receipted */
  mash_retry_t reconnect; /* a silent socket replaced */
  int up;
  int closing;
  int handles_open;
  agent_receipt_cb on_receipt;
  agent_message_cb on_message;
  agent_link_cb on_link;
  void *arg;
  agent_clock_cb on_clock;
  void *clock_arg;
  mash_clock_t broker_clock; /* valid when have_broker_clock */
  int have_broker_clock;
  void (*close_cb)(void *arg);
  void *close_arg;
};

/* Fill env's header (a fresh message id, now) and send it once, outside the
 * outbox (heartbeats, acknowledgements). id_out (MASH_UUID_LEN + 1 bytes)
 * receives the id when not NULL. 0, or negative when not connected or the
 * queue is full (-ENOTCONN, -EAGAIN) or the encoding failed. */
int agent_send_env(agent_t *a, Mash__V1__Envelope *env, char *id_out);

/* A message from the broker for this agent (not a receipt, heartbeat,
 * error or part): handled once, inside a transaction with its
 * de-duplication, then acknowledged (agent_inbox.c). */
void agent_inbox_message(agent_t *a, const Mash__V1__Envelope *env);

/* A part of an envelope larger than one frame: kept until the whole is
 * here, which is then handled like agent_inbox_message and every part
 * acknowledged (agent_inbox.c). */
void agent_inbox_part(agent_t *a, const Mash__V1__Envelope *env);

#endif
