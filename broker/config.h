/* config: mashd's settings from an ini file ([mashd] section) and flags.
 * Flags override the file; defaults suit a development machine. */
#ifndef MASH_BROKER_CONFIG_H
#define MASH_BROKER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "deadline.h"
#include "ladder.h"
#include "match.h"

typedef struct mashd_config {
  char endpoint[256];            /* endpoint = tcp://127.0.0.1:7400 */
  char data_dir[1024];           /* data = var/mashd: mashd.db, data.key */
  char data_key[1024];           /* data_key = FILE (default DATA/data.key) */
  int store_postgres;            /* store = sqlite (default) or postgresql */
  char store_url[1024];          /* store_url = a libpq connection string (postgresql) */
  long summary_cache_mb;         /* summary_cache_mb = 512: matcher's summaries held (0: none) */
  char trust_dir[1024];          /* trust = certs/trusted: the .pub files of every client */
  char key_file[1024];           /* key = certs/mashd.secret: the broker's own key pair */
  int heartbeat_ms;              /* heartbeat_ms = 2000 */
  int stats_seconds;             /* stats_seconds = 300: log the counters this often (0: never) */
  int64_t screening_ms;          /* screening_minutes = 240 */
  int log_level;                 /* log_level = info */
  int log_format;                /* log_format = text (or json: JSON lines) */
  char log_file[1024];           /* log_file = FILE: append the log there ("": stderr) */
  double clock_rate;             /* clock_rate = 1: N runs deadlines N times faster (rehearsals) */
  int64_t clock_start_ms;        /* clock_start = 2026-03-02T09:00:00Z (rehearsals); 0: now */
  char timezone[128];            /* timezone = GMT0BST,M3.5.0/1,M10.5.0 (POSIX TZ rule) */
  char hours[256];               /* working_hours = mon-fri 09:00-17:00 */
  char holidays[4096];           /* bank_holidays = 2026-12-25,2026-12-28,... */
  mash_deadline_policy_t policy; /* red/amber/green/screening/decision windows */
  mash_ladder_t ladder;          /* [escalation] step = ... lines; the default otherwise */
  int ladder_from_file;
  mash_ladder_t screening_ladder; /* [escalation] screening_step = ... lines */
  int screening_ladder_from_file;
  mash_ladder_t decision_ladder; /* [escalation] decision_step = ... lines */
  int decision_ladder_from_file;
  mash_match_policy_t matching; /* auto_link = 0.95, review = 0.70 */
} mashd_config_t;

void mashd_config_defaults(mashd_config_t *c);

/* Apply an ini file. Returns 0, or -1 with a reason (file and line) in err. */
int mashd_config_load(mashd_config_t *c, const char *path, char *err, size_t errlen);

/* Set one key as in the file ("endpoint", "data", ...). Returns 0 or -1 with err. */
int mashd_config_set(mashd_config_t *c, const char *key, const char *value, char *err,
                     size_t errlen);

#endif
