/* keys_cmd: mashctl's `keys` command (list, revoke NAME, add FILE) over the
 * trust folder `dir`. argv holds the words after "keys". Returns the exit
 * code: 0 done, 1 refused (the reason on stderr), 2 usage. */
#ifndef MASHCTL_KEYS_CMD_H
#define MASHCTL_KEYS_CMD_H

int mashctl_keys(const char *dir, int argc, char **argv);

#endif
