/* agent: the runtime shared by every agency adapter and the hub desk.
 *
 * Responsible for: the CURVE connection to mashd, heartbeats, reconnection
 * with backoff, the durable outbox (a message is stored before it is sent and
 * resent with backoff until receipted), and receive dispatch with
 * de-duplication (a redelivered message is acknowledged again, not handled
 * twice). Adapters only translate records to messages and back.
 * Loop thread only; the loop is passed in.
 */
#ifndef MASH_AGENT_H
#define MASH_AGENT_H

#include <stdint.h>
#include <uv.h>

#include "agent_store.h"
#include "clock.h"
#include "codec.h"

typedef struct agent_config {
  char name[32];         /* program name, for heartbeats and logs */
  char endpoint[1024];   /* endpoint = tcp://127.0.0.1:7400 (several: the mashd nodes, in order) */
  char server_key[1024]; /* server_key = certs/mashd.pub (one for all nodes, or one each) */
  char key[1024];        /* key = certs/NAME.secret */
  char state[1024];      /* state = var/NAME/state.db */
  char data_key[1024];   /* data_key = certs/NAME.data.key ("" until set: from key) */
  int heartbeat_ms;      /* heartbeat_ms = 2000 */
  int resend_ms;         /* resend_ms = 2000: first resend when no receipt came */
  int resend_max_ms;     /* resend_max_ms = 30000 */
  int log_level;
  unsigned accepted_days; /* accepted_days = 30: how long accepted/ keeps a file */
} agent_config_t;

typedef struct agent agent_t;

/* A receipt (or a refusal) for a message of the outbox, after the outbox has
 * recorded it. env->body_case is RECEIPT or ERROR. */
typedef void (*agent_receipt_cb)(agent_t *a, const char *message_id, const char *label,
                                 const Mash__V1__Envelope *env, void *arg);

/* A message for this agent (a contact, later an enquiry request). Runs inside
 * a transaction on the agent's store: write your own tables there. Return 0
 * to commit and acknowledge, negative to roll back (it will be redelivered). */
typedef int (*agent_message_cb)(agent_t *a, const Mash__V1__Envelope *env, void *arg);

/* Connection state changes (1 connected, 0 lost), for operators' output. */
typedef void (*agent_link_cb)(agent_t *a, int up, void *arg);

/* The broker's clock was learned or changed (its heartbeat answers carry it:
 * a rehearsal's broker runs at another time and rate than the wall). */
typedef void (*agent_clock_cb)(agent_t *a, const mash_clock_t *broker, void *arg);

/* Load keys and open the store. Returns NULL with err on failure. */
agent_t *agent_new(uv_loop_t *loop, const agent_config_t *cfg, char *err, size_t errlen);

void agent_set_handlers(agent_t *a, agent_receipt_cb on_receipt, agent_message_cb on_message,
                        agent_link_cb on_link, void *arg);

/* Called when the broker's clock is first known and when it changes. */
void agent_set_clock_handler(agent_t *a, agent_clock_cb on_clock, void *arg);

/* The broker's clock as last heard: 0 and *out, or -ENOENT before the
 * broker has answered a heartbeat. */
int agent_broker_clock(const agent_t *a, mash_clock_t *out);

/* Connect and start timers; pending outbox entries are resent. */
int agent_start(agent_t *a, char *err, size_t errlen);

/* Store env (body set by the caller; header filled here) in the outbox, then
 * send it. The message id is `want_id` when given (a content-derived id makes
 * resubmission idempotent), else a fresh UUID; out_id (MASH_MAX_ID_LEN + 1 bytes) receives it
 * when not NULL. Submitting an id already in the outbox stores nothing new.
 * Returns 0 once durable, negative otherwise (nothing was sent). */
int agent_submit(agent_t *a, Mash__V1__Envelope *env, const char *label, const char *want_id,
                 char *out_id);

/* Report to the broker a file this adapter refused as invalid input
 * (rejection.c): an AdapterRejection with the file's name made safe as the
 * reference, a reason kind ("invalid", "not_json") and the field paths of
 * errs (never their messages), stored in the outbox under the label
 * "rejection NAME" and resent until receipted. Returns as agent_submit. */
int agent_report_rejection(agent_t *a, const char *reference, const char *reason,
                           const mash_errors_t *errs);

/* Group several agent_submit calls into one durable write (one fsync): after
 * agent_batch_begin, submissions are stored in one transaction and sent only
 * once agent_batch_commit has made them durable. A failed commit forgets the
 * batch's messages (nothing was sent) and returns negative: submit them
 * again later. Loop thread only. */
int agent_batch_begin(agent_t *a);
int agent_batch_commit(agent_t *a);

/* Outbox entries not yet receipted. */
size_t agent_pending(const agent_t *a);

/* 1 when the broker answered within the last three heartbeats. */
int agent_connected(const agent_t *a);

agent_store_t *agent_get_store(agent_t *a);

/* The agent's data key (its store and sealed files are sealed with it). */
const mash_seal_t *agent_get_seal(const agent_t *a);

/* Load the data key of cfg (data_key, else the one beside the secret key:
 * agent_seal_default_path), creating it (mode 0600) when `create` and it
 * does not exist. Refused when group or others can read it. NULL with err. */
mash_seal_t *agent_seal_load(const agent_config_t *cfg, int create, char *err, size_t errlen);

/* Close the socket and timers; close_cb(arg) once all handles are closed and a
 * is freed. */
void agent_close(agent_t *a, void (*close_cb)(void *arg), void *arg);

/* ---- configuration shared by every agent's command line (cli.c) ---- */

/* Defaults for agent `name` (police, hub...): key certs/NAME.secret, state
 * var/NAME/state.db, endpoint tcp://127.0.0.1:7400, server key certs/mashd.pub. */
void agent_config_defaults(agent_config_t *c, const char *program, const char *name);

/* Set one setting as in the ini file. Returns 0 or -1 with err. */
int agent_config_set(agent_config_t *c, const char *key, const char *value, char *err,
                     size_t errlen);

/* Apply the [agent] and [SECTION] sections of an ini file. Unknown keys in
 * [SECTION] are passed to extra(key, value, extra_arg) when given. */
int agent_config_load(agent_config_t *c, const char *path, const char *section,
                      int (*extra)(const char *key, const char *value, void *arg), void *extra_arg,
                      char *err, size_t errlen);

/* Apply the ini file each --config FILE (or -c FILE) of argv names, in
 * order, as agent_config_load does: called before getopt so that the other
 * options override the file. 0 (also when none is named) or -1 with err. */
int agent_config_args(agent_config_t *c, int argc, char **argv, const char *section,
                      int (*extra)(const char *key, const char *value, void *arg), void *extra_arg,
                      char *err, size_t errlen);

/* Create the folder that holds `file` (mode 0700), parents too. 0 or -1 with err. */
int agent_dirs_for(const char *file, char *err, size_t errlen);

/* Text describing the common options, for --help. */
extern const char AGENT_COMMON_HELP[];

/* The struct option entries of the common options (AGENT_COMMON_HELP), for
 * the head of an agent's getopt_long table: --config is 'c' (read by
 * agent_config_args), the others 0 (handled by agent_config_option). */
#define AGENT_COMMON_OPTIONS                                                                       \
  {"config", required_argument, 0, 'c'}, {"endpoint", required_argument, 0, 0},                    \
      {"server-key", required_argument, 0, 0}, {"key", required_argument, 0, 0},                   \
      {"state", required_argument, 0, 0}, {"data-key", required_argument, 0, 0},                   \
      {"accepted-days", required_argument, 0, 0}, {"log-level", required_argument, 0, 0}, {        \
    "log-format", required_argument, 0, 0                                                          \
  }

/* Handle a common long option by name (endpoint, server-key, key, state,
 * data-key, log-level). Returns 1 handled, 0 not a common option, -1 bad value (err). */
int agent_config_option(agent_config_t *c, const char *name, const char *value, char *err,
                        size_t errlen);

#endif
