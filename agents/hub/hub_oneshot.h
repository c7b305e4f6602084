/* hub_oneshot: `mash-hub screen`, `decide` and `match`, one command from
 * the shell. Builds the command file (hub_command.h format) from options,
 * checks it exactly as the desk will, drops it atomically into the running
 * desk's commands folder, and waits for the desk to settle it with the
 * broker's answer. Never connects to the broker: the running desk owns the
 * connection and the outbox, so a command made while the broker is away is
 * still sent, once, when it is back.
 * Must not: print or log the rationale or reason (they may name a child)
 * beyond the command file itself, which is mode 0600.
 */
#ifndef MASH_HUB_ONESHOT_H
#define MASH_HUB_ONESHOT_H

#include "hub_command.h"

typedef struct hub_oneshot {
  hub_command_kind_t kind;
  const char *contact_id; /* screening and outcome */
  /* match: the match id and "confirm" or "reject" (anything else is
   * refused with the parser's message) */
  const char *match_id, *decision;
  /* screening: RAG name, agencies "police,health", consent status, reason,
   * lawful basis (names as in hub_command.h); NULL when not given */
  const char *rag, *ask, *consent, *reason, *basis;
  /* outcome: the decision's name */
  const char *outcome;
  const char *by, *rationale;
  const char *commands_dir;
  int wait_s; /* seconds to wait for the answer; 0: drop it and return */
} hub_oneshot_t;

/* Run it. Prints the answer (the .receipt or .error text) on stdout, or
 * problems on stderr. Returns the exit code: 0 accepted (or dropped, with
 * wait_s 0), 1 refused or not written, 2 invalid options (nothing written),
 * 3 no answer within wait_s (the command stays queued for the desk). */
int hub_oneshot_run(const hub_oneshot_t *o);

#endif
