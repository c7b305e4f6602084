/* hub_oneshot: `mash-hub screen|decide|match` (see hub_oneshot.h). Responsible
 * for turning options into a command file, refusing a bad one before it is
 * written (naming the option at fault), writing it atomically, and polling
 * accepted/ and rejected/ for its result. Must not: talk to the broker or
 * open the desk's database (the desk may be running). */
#include "hub_oneshot.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "paths.h"
#include "uuid.h"

#define POLL_MS 100

/* ---------------------------------------------------------------- building */

static int s_set_str(json_t *o, const char *key, const char *value) {
  return value == NULL ? 0 : json_object_set_new(o, key, json_string(value));
}

/* "police, health" -> ["police", "health"]: items trimmed of spaces, empty
 * items kept so that a stray comma is reported, not ignored. */
static json_t *s_agencies(const char *list) {
  json_t *arr = json_array();
  const char *s = list;
  while (arr != NULL && s != NULL && *s != '\0') {
    const char *comma = strchr(s, ',');
    const char *end = comma ? comma : s + strlen(s);
    const char *b = s;
    while (b < end && *b == ' ') {
      b++;
    }
    const char *e = end;
    while (e > b && e[-1] == ' ') {
      e--;
    }
    json_t *item = json_stringn(b, (size_t)(e - b));
    if (item == NULL || json_array_append_new(arr, item) != 0) {
      json_decref(arr);
      return NULL;
    }
    if (comma == NULL) {
      break;
    }
    s = comma + 1;
    if (*s == '\0' && json_array_append_new(arr, json_string("")) != 0) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

/* The command as JSON text (malloc'd, ending in a newline), NULL when memory
 * ran out or an option is not valid UTF-8 (json_string refuses it). */
static char *s_build(const hub_oneshot_t *o) {
  json_t *root = json_object();
  int bad = root == NULL;
  if (o->kind == HUB_COMMAND_SCREENING) {
    json_t *consent = json_object();
    bad |= s_set_str(root, "type", "screening");
    bad |= s_set_str(root, "contact_id", o->contact_id);
    bad |= s_set_str(root, "rag", o->rag);
    bad |= json_object_set_new(root, "agencies", s_agencies(o->ask ? o->ask : ""));
    bad |= consent == NULL;
    bad |= s_set_str(consent, "status", o->consent);
    bad |= s_set_str(consent, "reason", o->reason);
    bad |= s_set_str(consent, "lawful_basis", o->basis);
    /* An empty consent object is "not given": let the parser say so. */
    if (consent != NULL && json_object_size(consent) == 0) {
      json_decref(consent);
      consent = NULL;
    }
    if (consent != NULL) {
      bad |= json_object_set_new(root, "consent", consent);
    }
    bad |= s_set_str(root, "screened_by", o->by);
  } else if (o->kind == HUB_COMMAND_MATCH) {
    bad |= s_set_str(root, "type", "match");
    bad |= s_set_str(root, "match_id", o->match_id);
    bad |= s_set_str(root, "decision", o->decision);
    bad |= s_set_str(root, "decided_by", o->by);
  } else {
    bad |= s_set_str(root, "type", "outcome");
    bad |= s_set_str(root, "contact_id", o->contact_id);
    bad |= s_set_str(root, "outcome", o->outcome);
    bad |= s_set_str(root, "decided_by", o->by);
  }
  bad |= s_set_str(root, "rationale", o->rationale);
  char *text = bad ? NULL : json_dumps(root, JSON_INDENT(2));
  json_decref(root);
  if (text == NULL) {
    return NULL;
  }
  size_t n = strlen(text);
  char *out = realloc(text, n + 2);
  if (out == NULL) {
    free(text);
    return NULL;
  }
  out[n] = '\n';
  out[n + 1] = '\0';
  return out;
}

/* The option a command file's field comes from, for error messages:
 * "agencies[1]" is "--ask (item 2)". */
static const char *s_option_of(const char *field, char *buf, size_t cap) {
  static const struct {
    const char *field, *option;
  } map[] = {
      {"contact_id", "CONTACT_ID"},    {"rag", "--rag"},
      {"agencies", "--ask"},           {"consent.status", "--consent"},
      {"consent.reason", "--reason"},  {"consent.lawful_basis", "--basis"},
      {"consent.recorded_by", "--by"}, {"consent", "--consent"},
      {"screened_by", "--by"},         {"decided_by", "--by"},
      {"outcome", "--outcome"},        {"rationale", "--rationale"},
      {"match_id", "MATCH_ID"},        {"decision", "confirm|reject"},
  };
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
    size_t n = strlen(map[i].field);
    if (strncmp(field, map[i].field, n) == 0 && field[n] == '[') {
      snprintf(buf, cap, "%s (item %ld)", map[i].option, strtol(field + n + 1, NULL, 10) + 1);
      return buf;
    }
    if (strncmp(field, map[i].field, n) == 0 && field[n] == '\0') {
      return map[i].option;
    }
  }
  return field;
}

/* ---------------------------------------------------------------- the folder */

/* A result file, once complete (the desk writes a line then closes it):
 * 1 with its text in buf, 0 not there (yet). */
static int s_read_result(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    return 0;
  }
  size_t n = fread(buf, 1, cap - 1, f);
  fclose(f);
  buf[n] = '\0';
  return n > 0 && (buf[n - 1] == '\n' || n == cap - 1);
}

static void s_sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static int64_t s_monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------- run */

int hub_oneshot_run(const hub_oneshot_t *o) {
  char *text = s_build(o);
  if (text == NULL) {
    fprintf(stderr, "mash-hub: cannot build the command (options must be UTF-8 text)\n");
    return 2;
  }
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  hub_command_t *c = hub_command_parse(text, strlen(text), &errs);
  if (c == NULL) {
    for (size_t i = 0; i < errs.count; i++) {
      char opt[64];
      fprintf(stderr, "mash-hub: %s: %s\n", s_option_of(errs.items[i].field, opt, sizeof opt),
              errs.items[i].message);
    }
    if (errs.dropped) {
      fprintf(stderr, "mash-hub: ... and %zu more problem(s)\n", errs.dropped);
    }
    fprintf(stderr, "mash-hub: nothing was sent (see mash-hub --help)\n");
    free(text);
    return 2;
  }
  hub_command_destroy(&c);

  /* Named by content: the same command made twice is the same file and,
   * through the desk, the same message id. */
  char id[MASH_UUID_LEN + 1], name[160];
  mash_uuid_from_content(text, strlen(text), id);
  const char *verb = o->kind == HUB_COMMAND_SCREENING ? "screen"
                     : o->kind == HUB_COMMAND_OUTCOME ? "decide"
                                                      : "match";
  /* The id was checked by the parser (a safe id: no '/'), so it can name
   * the file. */
  snprintf(name, sizeof name, "%s-%s-%.8s.json", verb,
           o->kind == HUB_COMMAND_MATCH ? o->match_id : o->contact_id, id);
  char err[2400], probe[1100];
  snprintf(probe, sizeof probe, "%s/.", o->commands_dir);
  if (agent_dirs_for(probe, err, sizeof err) != 0) {
    fprintf(stderr, "mash-hub: %s\n", err);
    free(text);
    return 1;
  }
  char receipt[2300], error[2300];
  snprintf(receipt, sizeof receipt, "%s/accepted/%s.receipt", o->commands_dir, name);
  snprintf(error, sizeof error, "%s/rejected/%s.error", o->commands_dir, name);
  /* An answer to an earlier drop of the same file is not this one's. */
  unlink(receipt);
  unlink(error);
  int rc = mash_file_replace(o->commands_dir, name, text, 0600, err, sizeof err);
  free(text);
  if (rc != 0) {
    fprintf(stderr, "mash-hub: %s\n", err);
    return 1;
  }
  if (o->wait_s == 0) {
    printf("queued %s/%s: the hub desk (mash-hub run) sends it\n", o->commands_dir, name);
    return 0;
  }
  fprintf(stderr, "mash-hub: %s/%s handed to the hub desk; waiting for the broker's answer\n",
          o->commands_dir, name);
  int64_t deadline = s_monotonic_ms() + (int64_t)o->wait_s * 1000;
  char result[4096];
  for (;;) {
    if (s_read_result(receipt, result, sizeof result)) {
      fputs(result, stdout);
      return 0;
    }
    if (s_read_result(error, result, sizeof result)) {
      /* The broker's refusals say so; the desk's own (file problems) do not. */
      if (strncmp(result, "refused", 7) != 0) {
        printf("refused by the hub desk\n");
      }
      fputs(result, stdout);
      return 1;
    }
    if (s_monotonic_ms() >= deadline) {
      break;
    }
    s_sleep_ms(POLL_MS);
  }
  fprintf(stderr,
          "mash-hub: no answer within %d s: the hub desk (mash-hub run) must be running to send "
          "it; %s/%s stays queued and is sent when the desk runs\n",
          o->wait_s, o->commands_dir, name);
  return 3;
}
