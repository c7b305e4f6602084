/* cli: the settings every agent shares (endpoint, keys, state file), from an
 * ini file ([agent] and the agent's own section) and long options. Must not:
 * hold agency-specific settings (those go through the `extra` callback). */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "agent_seal.h"
#include "log.h"
#include "settings.h"
#include "paths.h"

const char AGENT_COMMON_HELP[] =
    "  --config FILE        ini file: [agent] for all agents, then the agent's own section\n"
    "  --endpoint EP[,EP]   the broker (default tcp://127.0.0.1:7400); for several mashd\n"
    "                       nodes (high availability) each node's endpoint, comma-separated:\n"
    "                       on silence the agent tries the next one\n"
    "  --server-key F[,F]   the broker's public key (default certs/mashd.pub): one for\n"
    "                       every node, or one per endpoint in the same order\n"
    "  --key FILE           this agent's secret key (default certs/NAME.secret)\n"
    "  --state FILE         local state: outbox and inbox (default var/NAME/state.db)\n"
    "  --data-key FILE      the key sealing the state and this agent's files at rest\n"
    "                       (default: beside --key, certs/NAME.data.key; made at first\n"
    "                       start, mode 0600; refused when group or others can read it)\n"
    "  --accepted-days N    delete files of the spool's accepted/ folder (sealed there)\n"
    "                       N days after they were accepted (default 30; 0 keeps them)\n"
    "  --log-level LEVEL    debug, info, warn or error (default info)\n"
    "  --log-format F       text or json (JSON lines; default text)\n"
    "  -h, --help           this text\n";

void agent_config_defaults(agent_config_t *c, const char *program, const char *name) {
  memset(c, 0, sizeof *c);
  snprintf(c->name, sizeof c->name, "%s", program);
  snprintf(c->endpoint, sizeof c->endpoint, "tcp://127.0.0.1:7400");
  snprintf(c->server_key, sizeof c->server_key, "certs/mashd.pub");
  snprintf(c->key, sizeof c->key, "certs/%s.secret", name);
  snprintf(c->state, sizeof c->state, "var/%s/state.db", name);
  c->heartbeat_ms = 2000;
  c->resend_ms = 2000;
  c->resend_max_ms = 30000;
  c->log_level = MASH_LOG_INFO;
  c->accepted_days = 30;
}

static int s_ms(const char *v, int *out) {
  long x;
  if (mash_settings_long(v, 10, 3600000, &x) != 0) {
    return -1;
  }
  *out = (int)x;
  return 0;
}

int agent_config_set(agent_config_t *c, const char *key, const char *value, char *err,
                     size_t errlen) {
  int rc;
  if (strcmp(key, "endpoint") == 0) {
    rc = mash_settings_text(c->endpoint, sizeof c->endpoint, value);
  } else if (strcmp(key, "server_key") == 0 || strcmp(key, "server-key") == 0) {
    rc = mash_settings_text(c->server_key, sizeof c->server_key, value);
  } else if (strcmp(key, "key") == 0) {
    rc = mash_settings_text(c->key, sizeof c->key, value);
  } else if (strcmp(key, "state") == 0) {
    rc = mash_settings_text(c->state, sizeof c->state, value);
  } else if (strcmp(key, "data_key") == 0 || strcmp(key, "data-key") == 0) {
    rc = mash_settings_text(c->data_key, sizeof c->data_key, value);
  } else if (strcmp(key, "accepted_days") == 0 || strcmp(key, "accepted-days") == 0) {
    long days;
    rc = mash_settings_long(value, 0, 36500, &days);
    c->accepted_days = rc == 0 ? (unsigned)days : c->accepted_days;
  } else if (strcmp(key, "heartbeat_ms") == 0) {
    rc = s_ms(value, &c->heartbeat_ms);
  } else if (strcmp(key, "resend_ms") == 0) {
    rc = s_ms(value, &c->resend_ms);
  } else if (strcmp(key, "resend_max_ms") == 0) {
    rc = s_ms(value, &c->resend_max_ms);
  } else if (strcmp(key, "log_level") == 0 || strcmp(key, "log-level") == 0) {
    int lvl = mash_log_level_parse(value);
    rc = lvl < 0 ? -1 : 0;
    c->log_level = lvl < 0 ? c->log_level : lvl;
  } else if (strcmp(key, "log_format") == 0 || strcmp(key, "log-format") == 0) {
    /* The logger is the one process-wide object: set it here, at parse time. */
    int fmt = mash_log_format_parse(value);
    rc = fmt < 0 ? -1 : 0;
    if (rc == 0) {
      mash_log_set_format(fmt);
    }
  } else {
    snprintf(err, errlen, "unknown setting '%s'", key);
    return -1;
  }
  if (rc != 0) {
    snprintf(err, errlen, "bad value for %s: '%s'", key, value);
  }
  return rc;
}

int agent_config_option(agent_config_t *c, const char *name, const char *value, char *err,
                        size_t errlen) {
  static const char *const common[] = {"endpoint", "server-key",    "key",       "state",
                                       "data-key", "accepted-days", "log-level", "log-format"};
  for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
    if (strcmp(name, common[i]) == 0) {
      return agent_config_set(c, name, value, err, errlen) == 0 ? 1 : -1;
    }
  }
  return 0;
}

typedef struct {
  agent_config_t *c;
  const char *section;
  int (*extra)(const char *key, const char *value, void *arg);
  void *extra_arg;
  char *err;
  size_t errlen;
} s_load_t;

static int s_ini_cb(void *user, const char *section, const char *name, const char *value) {
  s_load_t *l = user;
  int mine = strcmp(section, l->section) == 0;
  if (strcmp(section, "agent") != 0 && !mine) {
    return 1;
  }
  char err[256];
  if (agent_config_set(l->c, name, value, err, sizeof err) == 0) {
    return 1;
  }
  if (mine && l->extra && strncmp(err, "unknown", 7) == 0) {
    if (l->extra(name, value, l->extra_arg) == 0) {
      return 1;
    }
    snprintf(err, sizeof err, "bad setting %s = '%s'", name, value);
  }
  snprintf(l->err, l->errlen, "[%s] %s", section, err);
  return 0;
}

int agent_config_load(agent_config_t *c, const char *path, const char *section,
                      int (*extra)(const char *key, const char *value, void *arg), void *extra_arg,
                      char *err, size_t errlen) {
  char inner[300] = "";
  s_load_t l = {c, section, extra, extra_arg, inner, sizeof inner};
  return mash_settings_load(path, s_ini_cb, &l, inner, err, errlen);
}

int agent_config_args(agent_config_t *c, int argc, char **argv, const char *section,
                      int (*extra)(const char *key, const char *value, void *arg), void *extra_arg,
                      char *err, size_t errlen) {
  for (int i = 1; i < argc - 1; i++) {
    if ((strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-c") == 0) &&
        agent_config_load(c, argv[i + 1], section, extra, extra_arg, err, errlen) != 0) {
      return -1;
    }
  }
  return 0;
}

int agent_dirs_for(const char *file, char *err, size_t errlen) {
  char path[1024];
  snprintf(path, sizeof path, "%s", file);
  char *slash = strrchr(path, '/');
  if (!slash) {
    return 0;
  }
  *slash = '\0';
  return path[0] ? mash_mkdir_p(path, err, errlen) : 0;
}

mash_seal_t *agent_seal_load(const agent_config_t *cfg, int create, char *err, size_t errlen) {
  char path[1100];
  if (cfg->data_key[0]) {
    snprintf(path, sizeof path, "%s", cfg->data_key);
  } else if (agent_seal_default_path(cfg->key, path, sizeof path) != 0) {
    snprintf(err, errlen, "data key: the path beside %s is too long", cfg->key);
    return NULL;
  }
  if (!create && access(path, F_OK) != 0) {
    snprintf(err, errlen, "data key %s: %s (the running agent makes it at first start)", path,
             strerror(errno));
    return NULL;
  }
  char inner[1400];
  mash_seal_t *s = mash_seal_new(path, create, inner, sizeof inner);
  if (!s) {
    snprintf(err, errlen, "data key: %s", inner);
  }
  return s;
}
