/* rekey_cmd: mashctl's `rekey` command, data-key rotation of the store in
 * DATA/mashd.db, or of the PostgreSQL store at store_url when it is not
 * empty, from the key file key_path to a new key written to new_path
 * (rekey_cmd.c says why it is crash-safe). mashd must be stopped (every
 * node, on PostgreSQL). Returns
 * the exit code: 0 done, 1 refused or failed (the reason on stderr), 2
 * usage. */
#ifndef MASHCTL_REKEY_CMD_H
#define MASHCTL_REKEY_CMD_H

int mashctl_rekey(const char *data_dir, const char *store_url, const char *key_path,
                  const char *new_path);

#endif
