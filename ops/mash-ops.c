/* mash-ops: the operations console. Wires the site (HTTP, site.c) to the
 * link (mashd, link.c) on one libuv loop, and writes the users file
 * (`mash-ops passwd USER`). Holds no logic of its own. Main thread. */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <uv.h>

#include "agent.h"
#include "auth.h"
#include "link.h"
#include "log.h"
#include "settings.h"
#include "site.h"
#include "version.h"

typedef struct s_opts {
  char listen[64]; /* ADDRESS:PORT */
  char users[1024];
  int refresh_ms;
  char tls_cert[1024], tls_key[1024], tls_client_ca[1024]; /* "": plain HTTP */
} s_opts_t;

static void s_usage(FILE *f) {
  fprintf(f, "usage: mash-ops [run] [options]         serve the console\n"
             "       mash-ops passwd USER [--users FILE]  set USER's password (read from the\n"
             "                                        terminal, or the first line of stdin)\n"
             "\n"
             "The console shows ids, counts, times and agencies (never child data): open work\n"
             "by RAG, contacts awaiting screening, overdue requests, live escalations,\n"
             "connections (/), management information with charts and CSV (/mi, /mi.csv);\n"
             "/metrics (Prometheus), /healthz (alive) and /readyz (mashd and its store\n"
             "answer) need no sign-in; every other page needs a user of the users file\n"
             "(HTTP Basic) and is logged with the user.\n"
             "\n"
             "  --listen ADDR:PORT   where to serve (default 127.0.0.1:7480; loopback only\n"
             "                       unless you put TLS in front)\n"
             "  --users FILE         the users file (default var/ops/users; mode 0600)\n"
             "  --tls-cert FILE      serve HTTPS with this certificate (PEM, chain first)\n"
             "  --tls-key FILE       ... and its private key (PEM, mode 0600)\n"
             "  --tls-client-ca FILE sign users in by TLS client certificate from this\n"
             "                       authority (PEM) instead of passwords: the user is the\n"
             "                       certificate's common name\n"
             "  --refresh-ms N       how often to ask mashd (default 2000)\n"
             "  --config FILE        ini file: [agent], then [ops] (listen, users, refresh_ms,\n"
             "                       tls_cert, tls_key, tls_client_ca)\n"
             "  --endpoint EP        mashd (default tcp://127.0.0.1:7400)\n"
             "  --server-key FILE    mashd's public key (default certs/mashd.pub)\n"
             "  --key FILE           the console's secret key, role ops (default\n"
             "                       certs/ops.secret; mash-keygen ops --role ops)\n"
             "  --log-level LEVEL    debug, info, warn or error (default info)\n"
             "  --log-format F       text or json (JSON lines; default text)\n"
             "  --version            print the version\n"
             "  -h, --help           this text\n");
}

static int s_set(s_opts_t *o, const char *key, const char *value) {
  long v;
  if (strcmp(key, "listen") == 0) {
    return mash_settings_text(o->listen, sizeof o->listen, value);
  }
  if (strcmp(key, "users") == 0) {
    return mash_settings_text(o->users, sizeof o->users, value);
  }
  struct {
    const char *name;
    char *into;
  } files[] = {
      {"tls-cert", o->tls_cert}, {"tls-key", o->tls_key}, {"tls-client-ca", o->tls_client_ca}};
  char dashed[32]; /* tls_cert in the file, --tls-cert on the command line */
  snprintf(dashed, sizeof dashed, "%s", key);
  for (char *p = dashed; *p; p++) {
    *p = *p == '_' ? '-' : *p;
  }
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    if (strcmp(dashed, files[i].name) == 0) {
      return mash_settings_text(files[i].into, sizeof o->tls_cert, value);
    }
  }
  if (strcmp(key, "refresh_ms") == 0 || strcmp(key, "refresh-ms") == 0) {
    if (mash_settings_long(value, 100, 600000, &v) != 0) {
      return -1;
    }
    o->refresh_ms = (int)v;
    return 0;
  }
  return -1;
}

static int s_ini_cb(const char *key, const char *value, void *arg) {
  return s_set(arg, key, value);
}

/* A password from the terminal (twice, without echo) or stdin's first line. */
static int s_read_password(char *out, size_t cap) {
  int tty = isatty(STDIN_FILENO);
  char again[OPS_PASSWORD_MAX];
  for (int round = 0; round < (tty ? 2 : 1); round++) {
    char *dst = round ? again : out;
    struct termios old, quiet;
    if (tty) {
      fprintf(stderr, round ? "again: " : "password: ");
      tcgetattr(STDIN_FILENO, &old);
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t)ECHO;
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets(dst, (int)cap, stdin);
    if (tty) {
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
      fprintf(stderr, "\n");
    }
    if (!got) {
      return -1;
    }
    dst[strcspn(dst, "\r\n")] = '\0';
  }
  int same = !tty || strcmp(out, again) == 0;
  memset(again, 0, sizeof again);
  return same ? 0 : -2;
}

static int s_passwd(const s_opts_t *o, const char *user) {
  char password[OPS_PASSWORD_MAX], err[512];
  int rc = s_read_password(password, sizeof password);
  if (rc != 0) {
    fprintf(stderr, "mash-ops: %s\n",
            rc == -2 ? "the passwords differ; nothing changed" : "no password given");
    return 1;
  }
  if (agent_dirs_for(o->users, err, sizeof err) != 0 ||
      ops_passwd_set(o->users, user, password, 0, err, sizeof err) != 0) {
    memset(password, 0, sizeof password);
    fprintf(stderr, "mash-ops: %s\n", err);
    return 1;
  }
  memset(password, 0, sizeof password);
  printf("password set for %s in %s\n", user, o->users);
  return 0;
}

/* Split ADDRESS:PORT. 0 or -1. */
static int s_listen_split(const char *listen, char *address, size_t cap, long *port) {
  snprintf(address, cap, "%s", listen);
  char *colon = strrchr(address, ':');
  if (!colon) {
    return -1;
  }
  *colon = '\0';
  return mash_settings_long(colon + 1, 0, 65535, port);
}

/* GET /healthz on the console at o->listen: 0 when it answers 200. */
static int s_check(const s_opts_t *o) {
  char address[64];
  long port;
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  if (s_listen_split(o->listen, address, sizeof address, &port) != 0 ||
      inet_pton(AF_INET, strcmp(address, "0.0.0.0") == 0 ? "127.0.0.1" : address, &sin.sin_addr) !=
          1) {
    fprintf(stderr, "mash-ops: --listen wants ADDRESS:PORT, not '%s'\n", o->listen);
    return 2;
  }
  sin.sin_port = htons((uint16_t)port);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct timeval tv = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  char buf[256] = "";
  const char req[] = "GET /healthz HTTP/1.0\r\n\r\n";
  ssize_t n = -1;
  if (fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0 &&
      write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1)) {
    n = read(fd, buf, sizeof buf - 1);
  }
  if (fd >= 0) {
    close(fd);
  }
  int code = 0;
  if (n > 0) {
    buf[n] = '\0';
    sscanf(buf, "HTTP/%*s %d", &code);
  }
  if (code != 200) {
    fprintf(stderr, "mash-ops: no healthy console at %s\n", o->listen);
    return 1;
  }
  printf("ok\n");
  return 0;
}

typedef struct s_app {
  uv_loop_t *loop;
  ops_site_t *site;
  ops_link_t *link;
  uv_async_t wake;
  uv_signal_t sigint, sigterm;
} s_app_t;

static void s_wake(void *arg) {
  uv_async_send(arg); /* from a server thread: uv_async_send is thread-safe */
}

static void s_wake_cb(uv_async_t *h) {
  s_app_t *app = h->data;
  if (app->link) {
    ops_link_poke(app->link);
  }
}

static void s_link_closed(void *arg) {
  s_app_t *app = arg;
  app->link = NULL;
  uv_close((uv_handle_t *)&app->wake, NULL);
  uv_close((uv_handle_t *)&app->sigint, NULL);
  uv_close((uv_handle_t *)&app->sigterm, NULL);
}

static void s_signal_cb(uv_signal_t *h, int sig) {
  s_app_t *app = h->data;
  mash_info("signal %d: stopping", sig);
  uv_signal_stop(&app->sigint);
  uv_signal_stop(&app->sigterm);
  /* Stop serving first: open feeds end, server threads are joined. */
  ops_site_destroy(&app->site);
  if (app->link) {
    ops_link_close(app->link, s_link_closed, app);
  }
}

static int s_run(const s_opts_t *o, const agent_config_t *cfg) {
  char err[1024], address[64];
  long port = -1;
  if (s_listen_split(o->listen, address, sizeof address, &port) != 0) {
    fprintf(stderr, "mash-ops: --listen wants ADDRESS:PORT, not '%s'\n", o->listen);
    return 2;
  }
  if (!o->tls_cert[0] != !o->tls_key[0] || (o->tls_client_ca[0] && !o->tls_cert[0])) {
    fprintf(stderr, "mash-ops: HTTPS needs both --tls-cert and --tls-key (and they are needed "
                    "for --tls-client-ca)\n");
    return 2;
  }
  ops_tls_t tls;
  memset(&tls, 0, sizeof tls);
  if (o->tls_cert[0] &&
      ops_tls_load(&tls, o->tls_cert, o->tls_key, o->tls_client_ca, err, sizeof err) != 0) {
    fprintf(stderr, "mash-ops: %s\n", err);
    return 1;
  }
  /* Signed in by client certificate, no one uses a password. */
  ops_users_t *users = NULL;
  if (!tls.client_ca_pem && !(users = ops_users_load(o->users, err, sizeof err))) {
    fprintf(stderr, "mash-ops: %s\n", err);
    ops_tls_free(&tls);
    return 1;
  }
  if (users && ops_users_count(users) == 0) {
    mash_warn("%s holds no users: only /healthz, /readyz and /metrics can be used", o->users);
  }
  signal(SIGPIPE, SIG_IGN);
  s_app_t app;
  memset(&app, 0, sizeof app);
  uv_loop_t loop;
  uv_loop_init(&loop);
  app.loop = &loop;
  uv_async_init(&loop, &app.wake, s_wake_cb);
  app.wake.data = &app;
  app.site = ops_site_new(address, (int)port, users, &tls, s_wake, &app.wake, err, sizeof err);
  ops_tls_free(&tls); /* the server has its own copies */
  ops_link_config_t lc;
  memset(&lc, 0, sizeof lc);
  snprintf(lc.endpoint, sizeof lc.endpoint, "%s", cfg->endpoint);
  snprintf(lc.server_key, sizeof lc.server_key, "%s", cfg->server_key);
  snprintf(lc.key, sizeof lc.key, "%s", cfg->key);
  lc.refresh_ms = o->refresh_ms;
  if (app.site) {
    app.link = ops_link_new(&loop, &lc, app.site, err, sizeof err);
  }
  if (!app.site || !app.link) {
    fprintf(stderr, "mash-ops: %s\n", err);
    ops_site_destroy(&app.site);
    uv_close((uv_handle_t *)&app.wake, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    ops_users_destroy(&users);
    return 1;
  }
  uv_signal_init(&loop, &app.sigint);
  uv_signal_init(&loop, &app.sigterm);
  app.sigint.data = app.sigterm.data = &app;
  uv_signal_start(&app.sigint, s_signal_cb, SIGINT);
  uv_signal_start(&app.sigterm, s_signal_cb, SIGTERM);
  mash_info("serving the console on %s://%s:%d/ (users %s %s); mashd at %s",
            o->tls_cert[0] ? "https" : "http", address, ops_site_port(app.site),
            o->tls_client_ca[0] ? "by client certificate from" : "from",
            o->tls_client_ca[0] ? o->tls_client_ca : o->users, cfg->endpoint);
  uv_run(&loop, UV_RUN_DEFAULT);
  int rc = uv_loop_close(&loop) == 0 ? 0 : 1;
  ops_users_destroy(&users);
  mash_info("stopped");
  return rc;
}

int main(int argc, char **argv) {
  if (mash_version_check(argc, argv, "mash-ops")) {
    return 0;
  }
  mash_log_init("mash-ops", MASH_LOG_INFO);
  s_opts_t o;
  memset(&o, 0, sizeof o);
  snprintf(o.listen, sizeof o.listen, "127.0.0.1:7480");
  snprintf(o.users, sizeof o.users, "var/ops/users");
  o.refresh_ms = 2000;
  agent_config_t cfg;
  agent_config_defaults(&cfg, "mash-ops", "ops");
  char err[1024];
  if (agent_config_args(&cfg, argc, argv, "ops", s_ini_cb, &o, err, sizeof err) != 0) {
    fprintf(stderr, "mash-ops: %s\n", err);
    return 2;
  }
  static const struct option opts[] = {
      {"config", required_argument, 0, 'c'},   {"endpoint", required_argument, 0, 0},
      {"server-key", required_argument, 0, 0}, {"key", required_argument, 0, 0},
      {"log-level", required_argument, 0, 0},  {"log-format", required_argument, 0, 0},
      {"listen", required_argument, 0, 0},     {"users", required_argument, 0, 0},
      {"refresh-ms", required_argument, 0, 0}, {"tls-cert", required_argument, 0, 0},
      {"tls-key", required_argument, 0, 0},    {"tls-client-ca", required_argument, 0, 0},
      {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
  int c, idx;
  while ((c = getopt_long(argc, argv, "c:h", opts, &idx)) != -1) {
    if (c == 'h') {
      s_usage(stdout);
      return 0;
    }
    if (c == 'c') {
      continue; /* read above, before the options it may be overridden by */
    }
    if (c != 0) {
      s_usage(stderr);
      return 2;
    }
    int r = agent_config_option(&cfg, opts[idx].name, optarg, err, sizeof err);
    if (r < 0 || (r == 0 && s_set(&o, opts[idx].name, optarg) != 0)) {
      fprintf(stderr, "mash-ops: bad value for --%s: '%s'\n", opts[idx].name, optarg);
      return 2;
    }
  }
  mash_log_set_level(cfg.log_level);
  const char *cmd = optind < argc ? argv[optind] : "run";
  if (strcmp(cmd, "passwd") == 0) {
    if (optind + 2 != argc) {
      fprintf(stderr, "mash-ops: say passwd USER\n");
      return 2;
    }
    return s_passwd(&o, argv[optind + 1]);
  }
  if (strcmp(cmd, "check") == 0 && optind + 1 == argc) {
    return s_check(&o);
  }
  if (strcmp(cmd, "run") != 0 || optind + 1 < argc) {
    fprintf(stderr, "mash-ops: unknown command '%s' (try --help)\n", cmd);
    return 2;
  }
  return s_run(&o, &cfg);
}
