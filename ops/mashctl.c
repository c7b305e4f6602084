/* mashctl: operations from the shell. verify checks the hash chain of the
 * escalation log and says where it breaks; escalations prints the log (and
 * follows it with -f). Reads files only; never writes. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "version.h"
#include "clock.h"
#include "esclog.h"
#include "stats.h"

static void s_usage(FILE *f) {
  fprintf(f, "usage: mashctl [--data DIR] verify [LOG]\n"
             "       mashctl [--data DIR] escalations [-f]\n"
             "       mashctl [--data DIR] stats [--json]\n"
             "\n"
             "  verify         check the escalation log's hash chain (each line carries the\n"
             "                 SHA-256 of the line before; the head is kept in LOG.head): prints\n"
             "                 'ok: N entries' and exits 0, or names the first line that was\n"
             "                 edited, deleted or inserted and exits 1\n"
             "  escalations    print the escalation log, one line per step; -f keeps following\n"
             "                 it like tail -f\n"
             "  stats          management information from the store: contacts by source,\n"
             "                 time to screen / pack / decision, agency reply times by agency\n"
             "                 and RAG (p50, p90), open and overdue enquiries, escalations by\n"
             "                 level, DASH completeness, consent recorded, contacts waiting\n"
             "                 for resolution, possible matches awaiting review,\n"
             "                 data-quality flags, oldest open item\n"
             "                 (--json for one JSON object)\n"
             "\n"
             "  --data DIR     mashd's data folder (default var/mashd); LOG defaults to\n"
             "                 DIR/escalations.log\n"
             "  -h, --help     this text\n");
}

static int s_verify(const char *path) {
  size_t bad = 0;
  char err[512] = "";
  int rc = mash_esclog_verify(path, &bad, err, sizeof err);
  if (rc == 0) {
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int ch;
    while (f && (ch = fgetc(f)) != EOF) {
      n += ch == '\n';
    }
    if (f) {
      fclose(f);
    }
    printf("ok: %s holds %zu entries and its chain is intact\n", path, n);
    return 0;
  }
  if (bad > 0) {
    printf("BROKEN: %s: the chain breaks at line %zu: %s\n", path, bad, err);
  } else {
    printf("cannot verify %s: %s\n", path, err);
  }
  return 1;
}

static const char *s_str(json_t *j, const char *key) {
  const char *v = json_string_value(json_object_get(j, key));
  return v ? v : "";
}

static void s_print_line(const char *line) {
  json_error_t jerr;
  json_t *j = json_loads(line, 0, &jerr);
  if (!j) {
    printf("(unreadable line) %s", line);
    return;
  }
  char at[32];
  mash_clock_format((int64_t)json_integer_value(json_object_get(j, "at_ms")), at, sizeof at);
  /* The hub's own duties (screening, decision) name no request or agency. */
  const char *duty = s_str(j, "duty");
  if (duty[0]) {
    printf("%s  level %lld %-16s %s %s duty=%s\n", at,
           (long long)json_integer_value(json_object_get(j, "level")), s_str(j, "step"),
           s_str(j, "contact_id"), s_str(j, "enquiry_id"), duty);
  } else {
    printf("%s  level %lld %-16s %s %s %s agency=%s\n", at,
           (long long)json_integer_value(json_object_get(j, "level")), s_str(j, "step"),
           s_str(j, "enquiry_id"), s_str(j, "request_id"), s_str(j, "contact_id"),
           s_str(j, "agency"));
  }
  json_decref(j);
}

static int s_escalations(const char *path, int follow) {
  FILE *f = fopen(path, "r");
  if (!f && !follow) {
    printf("no escalations yet (%s does not exist)\n", path);
    return 0;
  }
  char line[8192];
  for (;;) {
    while (f && fgets(line, sizeof line, f)) {
      s_print_line(line);
    }
    fflush(stdout);
    if (!follow) {
      break;
    }
    /* Following a file: wait for it to grow, as tail -f does. */
    sleep(1);
    if (!f) {
      f = fopen(path, "r");
    } else {
      clearerr(f);
    }
  }
  if (f) {
    fclose(f);
  }
  return 0;
}

/* "Now" is the broker's clock: read its origin when it runs accelerated. */
static int64_t s_broker_now(const char *data) {
  char path[1100];
  snprintf(path, sizeof path, "%s/clock", data);
  mash_clock_t c;
  if (mash_clock_load(path, &c) == 0) {
    return mash_clock_read(&c);
  }
  return mash_clock_now_ms();
}

static int s_stats(const char *data, int json) {
  char path[1100], err[512];
  snprintf(path, sizeof path, "%s/mashd.db", data);
  json_t *s = mash_stats_compute(path, s_broker_now(data), err, sizeof err);
  if (!s) {
    fprintf(stderr, "mashctl: %s\n", err);
    return 1;
  }
  if (json) {
    char *text = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
    printf("%s\n", text ? text : "{}");
    free(text);
  } else {
    mash_stats_print(s);
  }
  json_decref(s);
  return 0;
}

int main(int argc, char **argv) {
  if (mash_version_check(argc, argv, "mashctl")) {
    return 0;
  }
  static const struct option opts[] = {{"data", required_argument, 0, 'd'},
                                       {"follow", no_argument, 0, 'f'},
                                       {"json", no_argument, 0, 'j'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *data = "var/mashd";
  int follow = 0, json = 0, c;
  while ((c = getopt_long(argc, argv, "d:fjh", opts, NULL)) != -1) {
    if (c == 'd') {
      data = optarg;
    } else if (c == 'f') {
      follow = 1;
    } else if (c == 'j') {
      json = 1;
    } else if (c == 'h') {
      s_usage(stdout);
      return 0;
    } else {
      s_usage(stderr);
      return 2;
    }
  }
  if (optind >= argc) {
    fprintf(stderr, "mashctl: say verify or escalations\n\n");
    s_usage(stderr);
    return 2;
  }
  char path[1100];
  snprintf(path, sizeof path, "%s/escalations.log", data);
  const char *cmd = argv[optind];
  if (strcmp(cmd, "verify") == 0) {
    return s_verify(optind + 1 < argc ? argv[optind + 1] : path);
  }
  if (strcmp(cmd, "escalations") == 0) {
    return s_escalations(path, follow);
  }
  if (strcmp(cmd, "stats") == 0) {
    return s_stats(data, json);
  }
  fprintf(stderr, "mashctl: unknown command '%s'\n\n", cmd);
  s_usage(stderr);
  return 2;
}
