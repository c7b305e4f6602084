/* hub_desk: the running desk (see hub_desk.h). Wires the agent runtime's
 * callbacks and the commands spool to the desk's store, files and output.
 * The formats live elsewhere: hub_view (contacts), hub_notice (packs,
 * escalations, command results), hub_command (command files), pack_files. */
#include "hub_desk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "hub_command.h"
#include "hub_matches.h"
#include "hub_notice.h"
#include "hub_queue.h"
#include "hub_store.h"
#include "hub_view.h"
#include "errbuf.h"
#include "log.h"
#include "pack_files.h"
#include "spool.h"
#include "uuid.h"

struct hub_desk {
  uv_loop_t *loop;
  agent_t *agent;
  spool_t *spool;
  char packs_dir[1024];
  char commands_dir[1024];
  int json;
  int child_data;
  unsigned accepted_days;
  unsigned pack_days;
};

/* ---------------------------------------------------------------- output */

/* One JSON object as one line; takes o. */
static void s_print_json(json_t *o) {
  /* Confidences are thousandths: 0.8, not 0.80000000000000004. */
  char *text = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
  if (text) {
    printf("%s\n", text);
  } else {
    mash_error("out of memory printing an event");
  }
  free(text);
  json_decref(o);
  fflush(stdout);
}

static void s_print_line(const char *line) {
  printf("%s\n", line);
  fflush(stdout);
}

/* The mark of a contact with possible matches still to review. */
static void s_mark_matches(char *line, size_t cap, int open_matches) {
  size_t used = strlen(line);
  if (open_matches > 0 && used < cap) {
    snprintf(line + used, cap - used, "  REVIEW %d possible match%s (mash-hub matches)",
             open_matches, open_matches == 1 ? "" : "es");
  }
}

/* With "open_matches" set; takes o (NULL when memory ran out). */
static json_t *s_with_open_matches(json_t *o, int open_matches) {
  if (o && json_object_set_new(o, "open_matches", json_integer(open_matches)) != 0) {
    json_decref(o);
    o = NULL;
  }
  return o;
}

/* The contact's JSON without child data (issue 13: standard output goes to
 * logs and terminals): the notification (names, dates of birth,
 * identifiers, addresses, the concern) and the DASH answers are left out;
 * ids, source, times, flags, priority and person links stay. Takes o. */
static json_t *s_without_child_data(json_t *o) {
  if (o && (json_object_del(o, "notification") != 0 || json_object_del(o, "dash") != 0 ||
            json_object_set_new(o, "child_data", json_false()) != 0)) {
    json_decref(o);
    o = NULL;
  }
  return o;
}

/* A contact as run and list print it; open_matches is how many of its
 * possible matches await review. */
static void s_show_contact(const Mash__V1__Contact *c, int open_matches, int json, int child_data) {
  if (json) {
    json_t *o = hub_view_json(c);
    if (!child_data) {
      o = s_without_child_data(o);
    }
    o = s_with_open_matches(o, open_matches);
    if (o && json_object_set_new(o, "type", json_string("contact")) != 0) {
      json_decref(o);
      o = NULL;
    }
    s_print_json(o);
  } else {
    char line[2048];
    hub_queue_contact_line(c, line, sizeof line - 64);
    s_mark_matches(line, sizeof line, open_matches);
    s_print_line(line);
  }
}

static void s_show_pack(const Mash__V1__ConsolidatedPack *p, const char *base, int json,
                        bool listing) {
  if (json) {
    s_print_json(hub_notice_pack_json(p, base));
  } else {
    char line[3000];
    hub_notice_pack_line(p, base, listing, line, sizeof line);
    s_print_line(line);
  }
}

/* ---------------------------------------------------------------- from the broker */

/* Now by the broker's clock (as last heard), else the wall clock: every time
 * the desk records is on the clock the listings read ages by. */
static int64_t s_now(const agent_t *a) {
  mash_clock_t broker;
  return agent_broker_clock(a, &broker) == 0 ? mash_clock_read(&broker) : mash_clock_now_ms();
}

static int s_on_pack(hub_desk_t *d, sqlite3 *db, const Mash__V1__ConsolidatedPack *p) {
  int fresh = hub_store_pack_put(db, p, s_now(d->agent));
  if (fresh < 0) {
    mash_error("cannot store pack %s v%u: %s", p->enquiry_id, (unsigned)p->version,
               sqlite3_errmsg(db));
    return -1;
  }
  if (fresh == 0) {
    return 0; /* this version is stored and was written out before */
  }
  char base[2048], err[2400];
  /* Not acknowledged until the staff can open it: a failure rolls back and
   * the broker delivers the pack again. */
  if (pack_files_write(d->packs_dir, p, agent_get_seal(d->agent), base, sizeof base, err,
                       sizeof err) != 0) {
    mash_error("pack %s v%u: %s", p->enquiry_id, (unsigned)p->version, err);
    return -1;
  }
  mash_info("pack %s v%u stored and written sealed to %s%s", p->enquiry_id, (unsigned)p->version,
            base, PACK_FILES_EXT);
  size_t expired = pack_files_expire(d->packs_dir, d->pack_days, mash_clock_now_ms() / 1000);
  if (expired) {
    mash_info("%zu pack file(s) older than %u days deleted", expired, d->pack_days);
  }
  s_show_pack(p, base, d->json, false);
  return 0;
}

static int s_on_escalation(hub_desk_t *d, sqlite3 *db, const Mash__V1__EscalationEvent *e) {
  int fresh = hub_store_escalation_put(db, e, s_now(d->agent));
  if (fresh < 0) {
    mash_error("cannot store escalation %s: %s", e->escalation_id, sqlite3_errmsg(db));
    return -1;
  }
  if (fresh == 1) {
    if (d->json) {
      s_print_json(hub_notice_escalation_json(e));
    } else {
      char line[2048];
      hub_notice_escalation_line(e, line, sizeof line);
      s_print_line(line);
    }
  }
  return 0;
}

/* A match decided: the contacts held are re-linked before the outcome is
 * acknowledged (a failure rolls back and the broker sends it again). */
static int s_on_match_outcome(hub_desk_t *d, sqlite3 *db, const Mash__V1__MatchOutcome *o) {
  int n = hub_store_match_outcome(db, o, s_now(d->agent));
  if (n < 0) {
    mash_error("cannot re-link the contacts of match %s: %s", o->match_id, sqlite3_errmsg(db));
    return -1;
  }
  mash_info("match %s %s: %d contact(s) re-linked", o->match_id,
            o->confirmed ? "confirmed" : "rejected", n);
  if (d->json) {
    json_t *j = json_pack("{s:s, s:s, s:b, s:s, s:s, s:i}", "type", "match_outcome", "match_id",
                          o->match_id, "confirmed", o->confirmed, "person_id", o->person_id,
                          "merged_person_id", o->merged_person_id, "contacts_relinked", n);
    s_print_json(j);
  } else {
    char line[512];
    if (o->confirmed) {
      snprintf(line, sizeof line,
               "MATCH %s confirmed: %s is %s from now on (%d contact%s re-linked)", o->match_id,
               o->merged_person_id, o->person_id, n, n == 1 ? "" : "s");
    } else {
      snprintf(line, sizeof line, "MATCH %s rejected: kept apart from %s (%d contact%s re-linked)",
               o->match_id, o->person_id, n, n == 1 ? "" : "s");
    }
    s_print_line(line);
  }
  return 0;
}

static int s_message_cb(agent_t *a, const Mash__V1__Envelope *env, void *arg) {
  hub_desk_t *d = arg;
  sqlite3 *db = agent_store_db(agent_get_store(a));
  switch (env->body_case) {
  case MASH__V1__ENVELOPE__BODY_CONTACT: {
    int fresh = hub_store_contact_put(db, env->contact, s_now(d->agent));
    if (fresh < 0) {
      mash_error("cannot store contact %s: %s", env->contact->contact_id, sqlite3_errmsg(db));
      return -1;
    }
    int open = fresh == 1 ? hub_store_contact_open_matches(db, env->contact->contact_id) : 0;
    if (open < 0) {
      mash_error("cannot count the matches of contact %s: %s", env->contact->contact_id,
                 sqlite3_errmsg(db));
      return -1;
    }
    if (fresh == 1) {
      s_show_contact(env->contact, open, d->json, d->child_data);
    }
    return 0;
  }
  case MASH__V1__ENVELOPE__BODY_PACK:
    return s_on_pack(d, db, env->pack);
  case MASH__V1__ENVELOPE__BODY_ESCALATION:
    return s_on_escalation(d, db, env->escalation);
  case MASH__V1__ENVELOPE__BODY_MATCH_OUTCOME:
    return s_on_match_outcome(d, db, env->match_outcome);
  default:
    mash_warn("message %s of kind %d is not for the hub desk; acknowledged and ignored",
              env->message_id, (int)env->body_case);
    return 0;
  }
}

/* ---------------------------------------------------------------- commands */

/* Read at most HUB_COMMAND_MAX_BYTES + 1 bytes (one more tells "too big"). */
static int s_read_command(const char *path, char **out, size_t *len, mash_errors_t *errs) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    mash_errors_add(errs, "file", "cannot open: %s", strerror(errno));
    return -1;
  }
  size_t cap = HUB_COMMAND_MAX_BYTES + 1, n = 0;
  char *buf = malloc(cap);
  if (buf == NULL) {
    close(fd);
    mash_errors_add(errs, "file", "out of memory");
    return -1;
  }
  while (n < cap) {
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r < 0) {
      mash_errors_add(errs, "file", "cannot read: %s", strerror(errno));
      free(buf);
      close(fd);
      return -1;
    }
    if (r == 0) {
      break;
    }
    n += (size_t)r;
  }
  close(fd);
  *out = buf;
  *len = n;
  return 0;
}

static void s_show_refusal(const hub_desk_t *d, const char *name, const mash_errors_t *errs) {
  if (d->json) {
    s_print_json(hub_notice_refusal_json(name, errs));
    return;
  }
  char detail[MASH_MAX_FIELD_ERRORS * 260 + 64];
  size_t off = (size_t)snprintf(detail, sizeof detail, "refused by the hub desk");
  for (size_t i = 0; i < errs->count && off < sizeof detail; i++) {
    int w = snprintf(detail + off, sizeof detail - off, "\n%s: %s", errs->items[i].field,
                     errs->items[i].message);
    off += w > 0 ? (size_t)w : 0;
  }
  char line[sizeof detail + 1200];
  hub_notice_result_line(name, detail, line, sizeof line);
  s_print_line(line);
}

/* A command file: parse it, then put it in the outbox under a message id
 * made from its bytes, so a file dropped twice is one message. */
static int s_submit_cb(const char *path, const char *name, mash_errors_t *errs, void *arg) {
  hub_desk_t *d = arg;
  char *text = NULL;
  size_t len = 0;
  if (s_read_command(path, &text, &len, errs) != 0) {
    s_show_refusal(d, name, errs);
    return -1;
  }
  hub_command_t *c = hub_command_parse(text, len, errs);
  int rc = -1;
  if (c != NULL) {
    Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
    hub_command_to_envelope(c, &env);
    char id[MASH_UUID_LEN + 1];
    mash_uuid_from_content(text, len, id);
    /* Recorded first, so that the receipt, which names neither the kind
     * nor (for a refusal) the contact, finds them: the queue then knows the
     * contact is screened or decided. A row for a command that is not sent
     * after all is never matched by a receipt. */
    sqlite3 *db = agent_store_db(agent_get_store(d->agent));
    hub_command_kind_t kind = hub_command_kind(c);
    const char *about =
        kind == HUB_COMMAND_MATCH ? hub_command_match_id(c) : hub_command_contact_id(c);
    int put = kind == HUB_COMMAND_MATCH
                  ? hub_store_match_command_put(db, id, about, hub_command_match_confirm(c),
                                                s_now(d->agent))
                  : hub_store_command_put(db, id, kind, about, s_now(d->agent));
    if (put != 0) {
      mash_errors_add(errs, "state", "cannot record the command: %s", sqlite3_errmsg(db));
      rc = -1;
    } else if ((rc = agent_submit(d->agent, &env, name, id, NULL)) != 0) {
      mash_errors_add(errs, "outbox", "cannot store for sending: %s", mash_strerror(rc));
      rc = -1;
    } else {
      mash_info("command %s (%s for %s) sent as %s", name,
                kind == HUB_COMMAND_SCREENING ? "screening"
                : kind == HUB_COMMAND_OUTCOME ? "outcome"
                                              : "match decision",
                about, id);
    }
    hub_command_destroy(&c);
  }
  free(text);
  if (rc != 0) {
    s_show_refusal(d, name, errs);
  }
  return rc;
}

static void s_receipt_cb(agent_t *a, const char *message_id, const char *label,
                         const Mash__V1__Envelope *env, void *arg) {
  hub_desk_t *d = arg;
  const char *name = label[0] ? label : message_id;
  char detail[MASH_MAX_FIELD_ERRORS * 260 + 64];
  int ok = hub_command_answer_text(env, detail, sizeof detail);
  if (ok) {
    /* The contact leaves the queue, or the match the list of matches. On
     * failure it stays: shown once too often rather than hidden. */
    sqlite3 *db = agent_store_db(agent_get_store(a));
    int marked = hub_store_command_accepted(db, message_id, s_now(a));
    if (marked < 0) {
      mash_error("command %s accepted, but the queue cannot record it: %s", message_id,
                 sqlite3_errmsg(db));
    } else if (marked == 0) {
      mash_warn("command %s accepted, but it is not in the desk's command table; the queue"
                " still shows its contact",
                message_id);
    }
  }
  spool_settle(d->spool, name, ok, detail);
  if (d->json) {
    s_print_json(hub_notice_answer_json(name, env));
  } else {
    char line[sizeof detail + 1200];
    hub_notice_result_line(name, detail, line, sizeof line);
    s_print_line(line);
  }
}

/* ---------------------------------------------------------------- life */

static void s_link_cb(agent_t *a, int up, void *arg) {
  (void)a;
  (void)arg;
  fprintf(stderr, "mash-hub: %s\n", up ? "connected to the broker" : "broker not answering");
}

/* The broker's clock, kept for the one-shot listings (queue, matches), which
 * read ages and OVERDUE by it rather than by the wall clock. */
static void s_clock_cb(agent_t *a, const mash_clock_t *broker, void *arg) {
  (void)a;
  hub_desk_t *d = arg;
  sqlite3 *db = agent_store_db(agent_get_store(d->agent));
  if (hub_store_clock_put(db, broker) != 0) {
    mash_warn("cannot keep the broker's clock: %s", sqlite3_errmsg(db));
  }
}

int hub_desk_schema(sqlite3 *db) {
  return hub_store_init(db);
}

hub_desk_t *hub_desk_new(uv_loop_t *loop, agent_t *agent, const hub_desk_options_t *o, char *err,
                         size_t errlen) {
  sqlite3 *db = agent_store_db(agent_get_store(agent));
  if (hub_store_init(db) != 0) {
    snprintf(err, errlen, "desk tables: %s", sqlite3_errmsg(db));
    return NULL;
  }
  hub_desk_t *d = calloc(1, sizeof *d);
  if (d == NULL) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  d->loop = loop;
  d->agent = agent;
  d->json = o->json;
  d->child_data = o->child_data;
  d->accepted_days = o->accepted_days;
  d->pack_days = o->pack_days;
  int w1 = snprintf(d->packs_dir, sizeof d->packs_dir, "%s", o->packs_dir);
  int w2 = snprintf(d->commands_dir, sizeof d->commands_dir, "%s", o->commands_dir);
  if (w1 <= 0 || (size_t)w1 >= sizeof d->packs_dir || w2 <= 0 ||
      (size_t)w2 >= sizeof d->commands_dir) {
    snprintf(err, errlen, "packs or commands folder name empty or too long");
    free(d);
    return NULL;
  }
  /* agent_dirs_for creates the folder holding a file: name one inside. */
  char probe[1100];
  snprintf(probe, sizeof probe, "%s/.", d->packs_dir);
  if (agent_dirs_for(probe, err, errlen) != 0) {
    free(d);
    return NULL;
  }
  snprintf(probe, sizeof probe, "%s/.", d->commands_dir);
  if (agent_dirs_for(probe, err, errlen) != 0) {
    free(d);
    return NULL;
  }
  agent_set_handlers(agent, s_receipt_cb, s_message_cb, s_link_cb, d);
  agent_set_clock_handler(agent, s_clock_cb, d);
  return d;
}

int hub_desk_start(hub_desk_t *d, char *err, size_t errlen) {
  d->spool = spool_new(d->loop, d->commands_dir, s_submit_cb, d, err, errlen);
  if (d->spool == NULL) {
    return -1;
  }
  /* Accepted commands hold screeners' and consent reasons: sealed. */
  spool_set_seal(d->spool, agent_get_seal(d->agent), d->accepted_days);
  size_t expired = pack_files_expire(d->packs_dir, d->pack_days, mash_clock_now_ms() / 1000);
  if (expired) {
    mash_info("%zu pack file(s) older than %u days deleted", expired, d->pack_days);
  }
  return 0;
}

void hub_desk_close(hub_desk_t *d) {
  if (d == NULL) {
    return;
  }
  spool_close(d->spool);
  agent_set_handlers(d->agent, NULL, NULL, NULL, NULL);
  agent_set_clock_handler(d->agent, NULL, NULL);
  free(d);
}

/* ---------------------------------------------------------------- listings */

typedef struct {
  const char *packs_dir;
  int json;
  int child_data;
  sqlite3 *db;
  int64_t now_ms;
  int failed;
} s_list_t;

static int s_list_contact_cb(const Mash__V1__Contact *c, void *arg) {
  s_list_t *l = arg;
  int open = hub_store_contact_open_matches(l->db, c->contact_id);
  if (open < 0) {
    l->failed = 1;
    return 1;
  }
  s_show_contact(c, open, l->json, l->child_data);
  return 0;
}

static int s_list_pack_cb(const Mash__V1__ConsolidatedPack *p, void *arg) {
  const s_list_t *l = arg;
  char base[2048];
  if (pack_files_base(l->packs_dir, p, base, sizeof base) != 0) {
    base[0] = '\0';
  }
  s_show_pack(p, base, l->json, true);
  return 0;
}

int hub_desk_list_contacts(sqlite3 *db, int json, int child_data) {
  s_list_t l = {NULL, json, child_data, db, 0, 0};
  int skipped = 0;
  int n = hub_store_contacts(db, s_list_contact_cb, &l, &skipped);
  if (n < 0 || l.failed) {
    fprintf(stderr, "mash-hub: %s\n", sqlite3_errmsg(db));
    return 1;
  }
  if (skipped) {
    fprintf(stderr, "mash-hub: %d stored contact(s) no longer decode\n", skipped);
  }
  if (!json) {
    fprintf(stderr, "%d contact(s)\n", n);
  }
  return 0;
}

int hub_desk_list_packs(sqlite3 *db, const char *packs_dir, int json) {
  s_list_t l = {packs_dir, json, 0, db, 0, 0};
  int skipped = 0;
  int n = hub_store_packs(db, s_list_pack_cb, &l, &skipped);
  if (n < 0) {
    fprintf(stderr, "mash-hub: %s\n", sqlite3_errmsg(db));
    return 1;
  }
  if (skipped) {
    fprintf(stderr, "mash-hub: %d stored pack(s) no longer decode\n", skipped);
  }
  if (!json) {
    fprintf(stderr, "%d pack(s)\n", n);
  }
  return 0;
}

int hub_desk_list_queue(sqlite3 *db, int json, int64_t now_ms) {
  Mash__V1__Contact **v = NULL;
  size_t n = 0;
  int skipped = 0;
  if (hub_store_open_contacts(db, &v, &n, &skipped) != 0) {
    fprintf(stderr, "mash-hub: cannot read the queue: %s\n", sqlite3_errmsg(db));
    return 1;
  }
  hub_queue_sort(v, n);
  size_t overdue = 0;
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    int open = hub_store_contact_open_matches(db, v[i]->contact_id);
    if (open < 0) {
      fprintf(stderr, "mash-hub: cannot read the matches: %s\n", sqlite3_errmsg(db));
      rc = 1;
      break;
    }
    overdue += hub_queue_overdue(v[i], now_ms);
    if (json) {
      s_print_json(s_with_open_matches(hub_queue_json(v[i], now_ms), open));
    } else {
      char line[2048];
      hub_queue_line(v[i], now_ms, line, sizeof line - 64);
      s_mark_matches(line, sizeof line, open);
      s_print_line(line);
    }
  }
  hub_store_contacts_free(&v, n);
  if (rc != 0) {
    return rc;
  }
  if (skipped) {
    fprintf(stderr, "mash-hub: %d stored contact(s) no longer decode\n", skipped);
  }
  if (!json) {
    fprintf(stderr, "%zu open contact(s), %zu overdue\n", n, overdue);
  }
  return 0;
}

static int s_list_match_cb(const hub_match_t *m, void *arg) {
  const s_list_t *l = arg;
  if (l->json) {
    s_print_json(hub_matches_json(m, l->now_ms));
  } else {
    char line[1024];
    hub_matches_line(m, l->now_ms, line, sizeof line);
    s_print_line(line);
  }
  return 0;
}

int hub_desk_list_matches(sqlite3 *db, int json, int64_t now_ms) {
  s_list_t l = {NULL, json, 0, db, now_ms, 0};
  int n = hub_store_open_matches(db, s_list_match_cb, &l);
  if (n < 0) {
    fprintf(stderr, "mash-hub: cannot read the matches: %s\n", sqlite3_errmsg(db));
    return 1;
  }
  if (!json) {
    fprintf(stderr, "%d open possible match(es)\n", n);
  }
  return 0;
}
