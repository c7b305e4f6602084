/* agent_rekey: rotation of an agent's data key (`mash-police rekey NEW`,
 * `mash-hub rekey NEW`), the agents' counterpart of `mashctl rekey`.
 *
 * Responsible for: the order of the steps, which makes it safe to rerun:
 *   1. the current key (--data-key, or certs/NAME.data.key) must open the
 *      agent's store (its seal_check value);
 *   2. a fresh key is written to NEW first (O_EXCL, 0600, fsynced), or
 *      reused when NEW exists from an interrupted run and shares nothing
 *      with the current key;
 *   3. every sealed value of the state database is re-sealed and every
 *      blind index made again under NEW, in one transaction, under SQLite's
 *      exclusive lock (a running agent holds the database: refused);
 *   4. with that lock still held (no agent can start and seal with the old
 *      key meanwhile), each sealed file of the given folders is re-sealed
 *      in place (a new file renamed over the old one: each file is wholly
 *      under one key; a rerun skips those NEW opens already);
 *   5. the database is checkpointed and vacuumed, so no old ciphertext stays.
 * Must not: delete or overwrite a key file, print key bytes or plaintext.
 * Main thread of a stopped agent's command line.
 */
#ifndef MASH_AGENT_REKEY_H
#define MASH_AGENT_REKEY_H

#include <stddef.h>

#include "agent.h"

typedef struct agent_rekey_dir {
  const char *dir, *suffix;
  int bare; /* the associated data is the name without the suffix (packs) */
} agent_rekey_dir_t;

typedef struct agent_rekey_spec {
  /* Statements re-sealing the agent's own tables beyond the runtime's
   * outbox (the desk's contacts, packs, escalations), written with
   * mash_open_old(X, AAD) (the current key), mash_seal and mash_blind (the
   * new one); NULL for none. */
  const char *sql;
  /* Folders whose files ending in `suffix` are sealed with their file name
   * as associated data (the spool's accepted/ "*.json", the desk's packs
   * "*.pack"); other files (receipts) and hidden ones are left alone. */
  const agent_rekey_dir_t *dirs;
  size_t n_dirs;
} agent_rekey_spec_t;

/* Rotate the data key of the agent configured by cfg to a key written to
 * new_key. Prints what it did on stdout. Returns the exit code: 0 done, 1
 * refused or failed (the reason on stderr, naming `program`). */
int agent_rekey(const char *program, const agent_config_t *cfg, const char *new_key,
                const agent_rekey_spec_t *spec);

#endif
