/* config: mashd settings. Responsible for defaults, parsing and range checks
 * of every setting. Must not: open sockets or files other than the ini. */
#include "config.h"

#include "clock.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "settings.h"
#include "store.h"

void mashd_config_defaults(mashd_config_t *c) {
  memset(c, 0, sizeof *c);
  snprintf(c->endpoint, sizeof c->endpoint, "tcp://127.0.0.1:7400");
  snprintf(c->data_dir, sizeof c->data_dir, "var/mashd");
  snprintf(c->trust_dir, sizeof c->trust_dir, "certs/trusted");
  snprintf(c->key_file, sizeof c->key_file, "certs/mashd.secret");
  c->heartbeat_ms = 2000;
  c->stats_seconds = 300;
  c->summary_cache_mb = MASH_STORE_SUMMARY_CACHE_MB;
  c->screening_ms = 240 * 60 * 1000;
  c->log_level = MASH_LOG_INFO;
  c->clock_rate = 1.0;
  snprintf(c->timezone, sizeof c->timezone, "GMT0BST,M3.5.0/1,M10.5.0");
  snprintf(c->hours, sizeof c->hours, "mon-fri 09:00-17:00");
  /* England and Wales bank holidays, 2026-2027 (extend in the config file). */
  snprintf(c->holidays, sizeof c->holidays,
           "2026-01-01,2026-04-03,2026-04-06,2026-05-04,2026-05-25,2026-08-31,2026-12-25,"
           "2026-12-28,2027-01-01,2027-03-26,2027-03-29,2027-05-03,2027-05-31,2027-08-30,"
           "2027-12-27,2027-12-28");
  mash_deadline_policy_default(&c->policy);
  c->ladder = *mash_ladder_default();
  c->screening_ladder = *mash_ladder_default_hub();
  c->decision_ladder = *mash_ladder_default_hub();
  c->matching = mash_match_policy_default();
}

int mashd_config_set(mashd_config_t *c, const char *key, const char *value, char *err,
                     size_t errlen) {
  long x;
  int rc = -1;
  const char *want = "a value";
  if (strcmp(key, "endpoint") == 0) {
    rc = mash_settings_text(c->endpoint, sizeof c->endpoint, value);
  } else if (strcmp(key, "data") == 0) {
    rc = mash_settings_text(c->data_dir, sizeof c->data_dir, value);
  } else if (strcmp(key, "data_key") == 0) {
    rc = mash_settings_text(c->data_key, sizeof c->data_key, value);
  } else if (strcmp(key, "store") == 0) {
    want = "sqlite or postgresql";
    rc = strcmp(value, "sqlite") == 0 ? 0 : strcmp(value, "postgresql") == 0 ? 0 : -1;
    if (rc == 0) {
      c->store_postgres = value[0] == 'p';
    }
  } else if (strcmp(key, "store_url") == 0) {
    want = "a libpq connection string (e.g. host=/run/postgresql dbname=mash)";
    rc = mash_settings_text(c->store_url, sizeof c->store_url, value);
  } else if (strcmp(key, "summary_cache_mb") == 0) {
    want = "MiB from 0 (none) to 65536";
    rc = mash_settings_long(value, 0, 65536, &c->summary_cache_mb);
  } else if (strcmp(key, "trust") == 0) {
    rc = mash_settings_text(c->trust_dir, sizeof c->trust_dir, value);
  } else if (strcmp(key, "key") == 0) {
    rc = mash_settings_text(c->key_file, sizeof c->key_file, value);
  } else if (strcmp(key, "heartbeat_ms") == 0) {
    want = "milliseconds from 100 to 600000";
    rc = mash_settings_long(value, 100, 600000, &x);
    if (rc == 0) {
      c->heartbeat_ms = (int)x;
    }
  } else if (strcmp(key, "stats_seconds") == 0) {
    want = "seconds from 0 (never) to 86400";
    rc = mash_settings_long(value, 0, 86400, &x);
    if (rc == 0) {
      c->stats_seconds = (int)x;
    }
  } else if (strcmp(key, "screening_minutes") == 0) {
    want = "minutes from 1 to 10080";
    rc = mash_settings_long(value, 1, 10080, &x);
    if (rc == 0) {
      c->screening_ms = (int64_t)x * 60 * 1000;
      c->policy.screening.minutes = x;
    }
  } else if (strcmp(key, "clock_rate") == 0) {
    want = "a rate from 1 to 1000000";
    char *end;
    errno = 0;
    double r = strtod(value, &end);
    rc = (errno || end == value || *end || r < 1 || r > 1e6) ? -1 : 0;
    if (rc == 0) {
      c->clock_rate = r;
    }
  } else if (strcmp(key, "clock_start") == 0) {
    want = "a UTC time such as 2026-03-02T09:00:00Z";
    int64_t ms = 0;
    rc = mash_clock_parse(value, &ms) == 0 && ms > 0 ? 0 : -1;
    if (rc == 0) {
      c->clock_start_ms = ms;
    }
  } else if (strcmp(key, "timezone") == 0) {
    rc = mash_settings_text(c->timezone, sizeof c->timezone, value);
  } else if (strcmp(key, "working_hours") == 0) {
    rc = mash_settings_text(c->hours, sizeof c->hours, value);
  } else if (strcmp(key, "bank_holidays") == 0) {
    rc = strlen(value) < sizeof c->holidays ? 0 : -1;
    if (rc == 0) {
      memcpy(c->holidays, value, strlen(value) + 1);
    }
  } else if (strcmp(key, "red_minutes") == 0 || strcmp(key, "amber_minutes") == 0 ||
             strcmp(key, "green_minutes") == 0 || strcmp(key, "decision_minutes") == 0) {
    want = "minutes from 1 to 527040";
    rc = mash_settings_long(value, 1, 527040, &x);
    if (rc == 0) {
      mash_deadline_window_t *w = key[0] == 'r'   ? &c->policy.red
                                  : key[0] == 'a' ? &c->policy.amber
                                  : key[0] == 'g' ? &c->policy.green
                                                  : &c->policy.decision;
      w->minutes = x;
    }
  } else if (strcmp(key, "auto_link") == 0 || strcmp(key, "review") == 0) {
    /* Person matching thresholds; mash_match_policy_check keeps them ordered. */
    want = "a confidence above 0 and at most 1 (auto_link >= review)";
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    mash_match_policy_t m = c->matching;
    *(key[0] == 'a' ? &m.auto_link : &m.review) = v;
    rc = (errno || end == value || *end || !(v > 0 && v <= 1)) ? -1 : 0;
    if (rc == 0) {
      c->matching = m;
    }
  } else if (strcmp(key, "step") == 0) {
    /* [escalation] step = LEVEL NAME AT PARTIES [pack] [repeat=DURATION] */
    if (!c->ladder_from_file) {
      mash_ladder_clear(&c->ladder);
      c->ladder_from_file = 1;
    }
    if (mash_ladder_add(&c->ladder, value, err, errlen) != 0) {
      return -1;
    }
    return 0;
  } else if (strcmp(key, "screening_step") == 0 || strcmp(key, "decision_step") == 0) {
    /* [escalation] screening_step = / decision_step = : the hub's own
     * duties' ladders, in the syntax of step. */
    int screening = key[0] == 's';
    mash_ladder_t *l = screening ? &c->screening_ladder : &c->decision_ladder;
    int *from_file = screening ? &c->screening_ladder_from_file : &c->decision_ladder_from_file;
    if (!*from_file) {
      mash_ladder_clear(l);
      *from_file = 1;
    }
    return mash_ladder_add(l, value, err, errlen) != 0 ? -1 : 0;
  } else if (strcmp(key, "log_level") == 0) {
    want = "debug, info, warn or error";
    int lvl = mash_log_level_parse(value);
    rc = lvl < 0 ? -1 : 0;
    if (rc == 0) {
      c->log_level = lvl;
    }
  } else if (strcmp(key, "log_format") == 0) {
    want = "text or json";
    int fmt = mash_log_format_parse(value);
    rc = fmt < 0 ? -1 : 0;
    if (rc == 0) {
      c->log_format = fmt;
    }
  } else if (strcmp(key, "log_file") == 0) {
    want = "a file name";
    rc = value[0] == '\0' || strlen(value) >= sizeof c->log_file ? -1 : 0;
    if (rc == 0) {
      snprintf(c->log_file, sizeof c->log_file, "%s", value);
    }
  } else {
    snprintf(err, errlen, "unknown setting '%s'", key);
    return -1;
  }
  if (rc != 0) {
    snprintf(err, errlen, "%s: expected %s, got '%s'", key, want, value);
  }
  return rc;
}

typedef struct {
  mashd_config_t *c;
  char *err;
  size_t errlen;
  int failed;
} s_load_t;

static int s_ini_cb(void *user, const char *section, const char *name, const char *value) {
  s_load_t *l = user;
  if (strcmp(section, "mashd") != 0 && strcmp(section, "escalation") != 0) {
    return 1; /* other programs' sections share the file */
  }
  if (mashd_config_set(l->c, name, value, l->err, l->errlen) != 0) {
    l->failed = 1;
    return 0;
  }
  return 1;
}

int mashd_config_load(mashd_config_t *c, const char *path, char *err, size_t errlen) {
  char inner[256] = "";
  s_load_t l = {c, inner, sizeof inner, 0};
  return mash_settings_load(path, s_ini_cb, &l, inner, err, errlen);
}
