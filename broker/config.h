/* config: mashd's settings from an ini file ([mashd] section) and flags.
 * Flags override the file; defaults suit a development machine. */
#ifndef MASH_BROKER_CONFIG_H
#define MASH_BROKER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

typedef struct mashd_config {
  char endpoint[256];   /* endpoint = tcp://127.0.0.1:7400 */
  char data_dir[1024];  /* data = var/mashd: mashd.db, data.key */
  char trust_dir[1024]; /* trust = certs/trusted: the .pub files of every client */
  char key_file[1024];  /* key = certs/mashd.secret: the broker's own key pair */
  int heartbeat_ms;     /* heartbeat_ms = 2000 */
  int64_t screening_ms; /* screening_minutes = 240 */
  int log_level;        /* log_level = info */
} mashd_config_t;

void mashd_config_defaults(mashd_config_t *c);

/* Apply an ini file. Returns 0, or -1 with a reason (file and line) in err. */
int mashd_config_load(mashd_config_t *c, const char *path, char *err, size_t errlen);

/* Set one key as in the file ("endpoint", "data", ...). Returns 0 or -1 with err. */
int mashd_config_set(mashd_config_t *c, const char *key, const char *value, char *err,
                     size_t errlen);

#endif
