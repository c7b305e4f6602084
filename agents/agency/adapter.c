/* adapter: the one agency adapter program, built as mash-police,
 * mash-health, mash-education and mash-housing (MASH_AGENCY set at build
 * time) and as mash-agency for any agency added by configuration
 * (--agency NAME). It translates the agency's records into mash.v1 messages
 * and back, through the agent runtime: notifications from `submit FILE...`
 * or a spool folder; enquiry requests answered from a records file, or by
 * people in manual mode; escalations shown to the operator. Every file ends
 * up accepted, or rejected with an error file beside it: nothing is dropped
 * silently. Must not: log child data (ids only). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "version.h"
#include "agency_file.h"
#include "agency_json.h"
#include "agent.h"
#include "clock.h"
#include "keys.h"
#include "log.h"
#include "manual.h"
#include "police_json.h"
#include "records.h"
#include "agent_rekey.h"
#include "spool.h"
#include "uuid.h"

#ifndef MASH_AGENCY
#define MASH_AGENCY ""
#endif

#define S_MAX_NOTIFICATION (4u * 1024u * 1024u)

typedef struct adapter {
  uv_loop_t loop;
  agent_t *agent;
  char agency[64];  /* the agency this adapter speaks for: police, health, ... */
  char program[80]; /* mash-police, mash-agency, ... */
  records_t *records;
  char manual_dir[1024];
  uv_timer_t manual_timer;
  uv_signal_t sigint, sigterm;
  uv_timer_t deadline;
  spool_t *spool; /* run mode */
  int submit_mode;
  int closing;
  size_t waiting; /* submit mode: receipts still expected */
  int failures;
  int timed_out;
  int timeout_s;
  int unknown_reject; /* unknown_fields = reject: refuse a file with unknown fields */
} adapter_t;

static void s_usage(FILE *f, const char *program, const char *agency) {
  const char *a = agency[0] ? agency : "NAME";
  fprintf(f,
          "usage: %s [options] submit FILE...\n"
          "       %s [options] run [--spool DIR] [--records FILE | --manual DIR]\n"
          "       %s [options] accepted FILE [--spool DIR]\n"
          "       %s [options] rekey NEW-KEY-FILE [--spool DIR] [--manual DIR]\n"
          "       %s [options] request|answer ID [--manual DIR]\n"
          "\n"
          "The %s adapter: sends %s notifications (JSON; formats in agents/police/README.md\n"
          "and agents/agency/README.md) to the mash broker over CURVE, and answers the\n"
          "hub's enquiries from the agency's records.\n"
          "\n"
          "  submit FILE...   send each file, wait for every receipt, print it, exit\n"
          "                   (0 all accepted, 1 some refused, 3 timed out)\n"
          "  run              stay connected: send each FILE.json dropped in the spool folder\n"
          "                   (moved to accepted/ or rejected/ with FILE.json.error), answer\n"
          "                   enquiry requests, and show escalations. A file accepted is\n"
          "                   sealed in accepted/ with the adapter's data key and deleted\n"
          "                   after --accepted-days (30)\n"
          "  accepted FILE    print a file of the spool's accepted/ folder, opened with the\n"
          "                   data key\n"
          "  request ID       print manual mode's request ID (sealed in requests/), opened\n"
          "                   with the data key; answer ID: the answer sent (answers/sent/)\n"
          "  rekey NEW        rotate the data key (the adapter stopped): write a new key to\n"
          "                   NEW (0600), re-seal the state (one transaction) and the\n"
          "                   spool's sealed files under it; then start the adapter with\n"
          "                   --data-key NEW and destroy the old key. Rerun it if it stops\n"
          "\n"
          "%s"
          "  --spool DIR          spool folder for run (default var/%s/spool)\n"
          "  --records FILE       answer enquiries from this records file (JSON)\n"
          "  --manual DIR         answer enquiries by hand: requests are written to\n"
          "                       DIR/requests/ID.json, answers read from DIR/answers/ID.json\n"
          "                       (the default when no --records is given: var/%s/manual)\n"
          "  --timeout SECONDS    submit: how long to wait for receipts (default 60)\n"
          "  --unknown-fields warn|reject\n"
          "                       a field this format does not know (a misspelt red_flg):\n"
          "                       warn in the receipt file and send (warn, the default), or\n"
          "                       refuse the file (reject); config: unknown_fields in the\n"
          "                       agency's section\n"
          "%s",
          program, program, program, program, program, a, a,
          agency[0] ? "" : "  --agency NAME        the agency (as in the broker's trust list)\n", a,
          a, AGENT_COMMON_HELP);
}

/* ------------------------------------------------------------ notifications */

static Mash__V1__Notification *s_parse(const adapter_t *p, const char *text, size_t len,
                                       mash_errors_t *errs, mash_errors_t *unknown) {
  if (strcmp(p->agency, "police") == 0) {
    return police_json_parse_ex(text, len, errs, unknown);
  }
  return agency_json_parse_ex(p->agency, text, len, errs, unknown);
}

/* Unknown fields (a misspelt "red_flg" would be dropped silently): refused
 * like any invalid input when unknown_fields = reject; otherwise warned
 * about, in the receipt file (run) or on standard output (submit). Returns
 * 1 when the file is refused (the fields are in errs). */
static int s_unknown_fields(adapter_t *p, const char *label, const mash_errors_t *unknown,
                            mash_errors_t *errs) {
  if (unknown->count == 0) {
    return 0;
  }
  if (p->unknown_reject) {
    for (size_t i = 0; i < unknown->count; i++) {
      mash_errors_add(errs, unknown->items[i].field,
                      "unknown field (this adapter refuses them: unknown_fields = reject)");
    }
    return 1;
  }
  char text[MASH_MAX_FIELD_ERRORS * 200 + 64];
  size_t off = 0;
  text[0] = '\0';
  for (size_t i = 0; i < unknown->count && off < sizeof text; i++) {
    int w = snprintf(text + off, sizeof text - off, "\nwarning: %s: %s", unknown->items[i].field,
                     unknown->items[i].message);
    off += w > 0 ? (size_t)w : 0;
  }
  if (unknown->dropped && off < sizeof text) {
    snprintf(text + off, sizeof text - off, "\nwarning: ... and %zu more unknown field(s)",
             unknown->dropped);
  }
  if (p->submit_mode) {
    printf("%s: %zu unknown field(s), not read:%s\n", label, unknown->count + unknown->dropped,
           text);
    fflush(stdout);
  } else {
    spool_warn(p->spool, label, text);
  }
  mash_warn("%s: %zu unknown field(s), first %s: not read", label,
            unknown->count + unknown->dropped, unknown->items[0].field);
  return 0;
}

static void s_free_notification(const adapter_t *p, Mash__V1__Notification *n) {
  if (strcmp(p->agency, "police") == 0) {
    police_json_free(n);
  } else {
    agency_json_free(n);
  }
}

/* Parse a file and submit it; 0 when durable in the outbox, -1 with the
 * reasons in errs otherwise. */
static int s_submit_file(adapter_t *p, const char *path, const char *label, mash_errors_t *errs) {
  char *text = NULL;
  size_t len = 0;
  int rc = agency_read_file(path, S_MAX_NOTIFICATION, false, &text, &len);
  if (rc < 0) {
    mash_errors_add(errs, "file", "%s",
                    rc == -EFBIG ? "larger than 4 MiB: not a notification" : strerror(-rc));
    return -1;
  }
  mash_errors_t unknown;
  memset(&unknown, 0, sizeof unknown);
  Mash__V1__Notification *n = s_parse(p, text, len, errs, &unknown);
  rc = -1;
  if (n && s_unknown_fields(p, label, &unknown, errs)) {
    s_free_notification(p, n);
    n = NULL;
  }
  if (n) {
    Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
    env.body_case = MASH__V1__ENVELOPE__BODY_NOTIFICATION;
    env.notification = n;
    char id[MASH_UUID_LEN + 1];
    /* The same file content is the same message: resubmitting never duplicates. */
    mash_uuid_from_content(text, len, id);
    rc = agent_submit(p->agent, &env, label, id, NULL);
    if (rc != 0) {
      /* A local failure (the disk is full): the file is fine, try it later. */
      mash_errors_add(errs, "outbox", "cannot store for sending: %s",
                      agent_store_errmsg(agent_get_store(p->agent)));
      rc = SPOOL_RETRY;
    }
    s_free_notification(p, n);
  }
  free(text);
  return rc;
}

static void s_print_errors(const char *label, const mash_errors_t *errs) {
  for (size_t i = 0; i < errs->count; i++) {
    printf("%s: refused: %s: %s\n", label, errs->items[i].field, errs->items[i].message);
  }
  if (errs->dropped) {
    printf("%s: ... and %zu more problem(s)\n", label, errs->dropped);
  }
}

static void s_close_all(adapter_t *p) {
  if (p->closing) {
    return;
  }
  p->closing = 1;
  uv_close((uv_handle_t *)&p->sigint, NULL);
  uv_close((uv_handle_t *)&p->sigterm, NULL);
  uv_close((uv_handle_t *)&p->deadline, NULL);
  uv_close((uv_handle_t *)&p->manual_timer, NULL);
  spool_close(p->spool);
  p->spool = NULL;
  agent_close(p->agent, NULL, NULL);
}

/* A start that failed after the loop's handles were made: say why, close
 * every handle, let their close callbacks run, and free the rest. */
static int s_abort_start(adapter_t *p, const char *err) {
  fprintf(stderr, "%s: %s\n", p->program, err);
  s_close_all(p);
  uv_run(&p->loop, UV_RUN_DEFAULT);
  uv_loop_close(&p->loop);
  records_destroy(&p->records);
  return 1;
}

/* The broker answered a message of the outbox: a notification or an answer. */
static void s_receipt_cb(agent_t *a, const char *message_id, const char *label,
                         const Mash__V1__Envelope *env, void *arg) {
  (void)a;
  adapter_t *p = arg;
  char detail[600] = "";
  int ok = 0;
  if (env->body_case == MASH__V1__ENVELOPE__BODY_RECEIPT) {
    const Mash__V1__Receipt *r = env->receipt;
    ok = r->status != MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED;
    const char *what = r->contact_id[0] ? r->contact_id : r->enquiry_id;
    if (ok) {
      snprintf(detail, sizeof detail, "%s %s",
               r->status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE
                   ? "already received as"
                   : "accepted as",
               what);
    } else {
      size_t off = (size_t)snprintf(detail, sizeof detail, "refused by the broker:");
      for (size_t i = 0; i < r->n_errors && off < sizeof detail; i++) {
        int w = snprintf(detail + off, sizeof detail - off, " %s: %s;", r->errors[i]->field,
                         r->errors[i]->message);
        off += w > 0 ? (size_t)w : 0;
      }
    }
  } else {
    snprintf(detail, sizeof detail, "refused by the broker: %s", env->error->message);
  }
  if (strncmp(label, "answer ", 7) == 0 || strncmp(label, "rejection ", 10) == 0) {
    printf("%s: %s\n", label, detail);
    fflush(stdout);
    return;
  }
  if (p->submit_mode) {
    printf("%s: %s\n", label[0] ? label : message_id, detail);
    fflush(stdout);
    p->failures += !ok;
    if (p->waiting > 0 && --p->waiting == 0) {
      s_close_all(p);
    }
  } else {
    spool_settle(p->spool, label, ok, detail);
  }
}

static int s_spool_submit_cb(const char *path, const char *name, mash_errors_t *errs, void *arg) {
  return s_submit_file(arg, path, name, errs);
}

/* A file refused here: the broker is told (durably), so the hub and
 * operations see that a notification about a child was refused. */
static void s_spool_rejected_cb(const char *name, const char *reason, const mash_errors_t *errs,
                                void *arg) {
  adapter_t *p = arg;
  if (agent_report_rejection(p->agent, name, reason, errs) != 0) {
    mash_warn("cannot store the report of %s for the broker: %s", name,
              agent_store_errmsg(agent_get_store(p->agent)));
  }
}

static int s_spool_begin_cb(void *arg) {
  adapter_t *p = arg;
  return agent_batch_begin(p->agent);
}

static int s_spool_commit_cb(void *arg, char *why, size_t whylen) {
  adapter_t *p = arg;
  int rc = agent_batch_commit(p->agent);
  if (rc != 0) {
    snprintf(why, whylen, "%s", agent_store_errmsg(agent_get_store(p->agent)));
  }
  return rc;
}

/* A file a crash left in sent/: what does the outbox say of it? */
static int s_spool_lookup_cb(const char *name, int *ok, char *detail, size_t detaillen, void *arg) {
  adapter_t *p = arg;
  int state = 0;
  char contact[64] = "", text[512] = "";
  int found = agent_store_outbox_by_label(agent_get_store(p->agent), name, &state, contact,
                                          sizeof contact, text, sizeof text);
  if (found < 0) {
    return 0; /* cannot tell now: leave it for its receipt */
  }
  if (found == 0) {
    return -1;
  }
  if (state == AGENT_OUTBOX_PENDING) {
    return 0;
  }
  *ok = state != AGENT_OUTBOX_REJECTED;
  if (*ok) {
    snprintf(detail, detaillen, "%s %s",
             state == AGENT_OUTBOX_DUPLICATE ? "already received as" : "accepted as", contact);
  } else {
    snprintf(detail, detaillen, "refused by the broker: %s", text);
  }
  return 1;
}

/* ------------------------------------------------------------ enquiries */

/* Queue the answer to a request (durable in the outbox; its id derives from
 * the request, so answering twice sends one answer). */
static int s_send_answer(adapter_t *p, Mash__V1__EnquiryResponse *resp) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  env.body_case = MASH__V1__ENVELOPE__BODY_ENQUIRY_RESPONSE;
  env.enquiry_response = resp;
  char seed[160], id[MASH_UUID_LEN + 1], label[96];
  int n = snprintf(seed, sizeof seed, "answer:%s:%s", p->agency, resp->request_id);
  mash_uuid_from_content(seed, (size_t)n, id);
  snprintf(label, sizeof label, "answer %s", resp->request_id);
  return agent_submit(p->agent, &env, label, id, NULL);
}

static void s_on_request(adapter_t *p, const Mash__V1__EnquiryRequest *req, int *rc) {
  char due[32];
  mash_clock_format(req->due_at_ms, due, sizeof due);
  if (p->records) {
    Mash__V1__EnquiryResponse *resp = records_answer(p->records, req, p->agency);
    if (!resp) {
      *rc = -ENOMEM;
      return;
    }
    *rc = s_send_answer(p, resp);
    printf("REQUEST %s (%s, due %s): answered from records: %s\n", req->request_id, req->enquiry_id,
           due, resp->no_information_held ? "no information held" : "information held");
    records_response_free(resp);
  } else {
    char err[256];
    *rc = manual_write_request_sealed(p->manual_dir, req, agent_get_seal(p->agent), err,
                                      sizeof err) == 0
              ? 0
              : -EIO;
    if (*rc != 0) {
      mash_error("request %s: %s", req->request_id, err);
      return;
    }
    printf("REQUEST %s (%s, due %s): written to %s/requests/%s.json (sealed: read it with "
           "`%s request %s`); put the answer in %s/answers/%s.json\n",
           req->request_id, req->enquiry_id, due, p->manual_dir, req->request_id, p->program,
           req->request_id, p->manual_dir, req->request_id);
  }
  fflush(stdout);
}

static void s_on_escalation(const Mash__V1__EscalationEvent *ev) {
  char due[32];
  mash_clock_format(ev->due_at_ms, due, sizeof due);
  /* By the broker's clock: at_ms is its reading when the step fired (a
   * reminder comes before the deadline, which then still falls due). */
  const char *when = ev->at_ms != 0 && ev->at_ms < ev->due_at_ms ? "falls due at" : "was due at";
  printf("ESCALATION level %u %s: request %s (%s) %s %s; notified:", ev->level, ev->step,
         ev->request_id, ev->enquiry_id, when, due);
  for (size_t i = 0; i < ev->n_parties; i++) {
    printf(" %s", ev->parties[i]);
  }
  printf("\n");
  fflush(stdout);
}

/* A message for this agency, inside the runtime's transaction: whatever is
 * queued here commits with the inbox mark, and the broker gets its
 * acknowledgement only after that. */
static int s_message_cb(agent_t *a, const Mash__V1__Envelope *env, void *arg) {
  (void)a;
  adapter_t *p = arg;
  int rc = 0;
  switch (env->body_case) {
  case MASH__V1__ENVELOPE__BODY_ENQUIRY_REQUEST:
    s_on_request(p, env->enquiry_request, &rc);
    break;
  case MASH__V1__ENVELOPE__BODY_ESCALATION:
    s_on_escalation(env->escalation);
    break;
  default:
    mash_warn("message %s of kind %d is not for an agency; acknowledged and ignored",
              env->message_id, (int)env->body_case);
  }
  return rc;
}

/* Manual mode: look for answers people have written. */
static void s_manual_scan(uv_timer_t *t) {
  adapter_t *p = t->data;
  char dir[1100];
  snprintf(dir, sizeof dir, "%s/requests", p->manual_dir);
  DIR *d = opendir(dir);
  if (!d) {
    return;
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    size_t n = strlen(de->d_name);
    if (de->d_name[0] == '.' || n < 6 || n > 64 || strcmp(de->d_name + n - 5, ".json") != 0) {
      continue;
    }
    char id[64];
    snprintf(id, sizeof id, "%.*s", (int)(n - 5), de->d_name);
    Mash__V1__EnquiryResponse *resp = NULL;
    mash_errors_t errs;
    memset(&errs, 0, sizeof errs);
    int rc = manual_read_answer(p->manual_dir, id, &resp, &errs);
    char err[256];
    if (rc == 1) {
      continue; /* not answered yet */
    }
    if (rc < 0) {
      manual_reject_answer(p->manual_dir, id, &errs, err, sizeof err);
      printf("ANSWER %s refused: %s: %s (see %s/answers/rejected/)\n", id, errs.items[0].field,
             errs.items[0].message, p->manual_dir);
      fflush(stdout);
      continue;
    }
    if (s_send_answer(p, resp) == 0) {
      if (manual_finish_answer_sealed(p->manual_dir, id, agent_get_seal(p->agent), err,
                                      sizeof err) != 0) {
        mash_error("answer %s: %s", id, err);
      }
      printf("ANSWER %s: queued for the broker\n", id);
      fflush(stdout);
    }
    manual_answer_free(resp);
  }
  closedir(d);
}

/* ------------------------------------------------------------ main */

static void s_signal_cb(uv_signal_t *h, int signum) {
  adapter_t *p = h->data;
  mash_info("signal %d: stopping (%zu message(s) kept in the outbox)", signum,
            agent_pending(p->agent));
  s_close_all(p);
}

static void s_deadline_cb(uv_timer_t *t) {
  adapter_t *p = t->data;
  fprintf(stderr,
          "%s: no receipt for %zu message(s) within %d s; they stay in the outbox and are "
          "resent next time\n",
          p->program, p->waiting, p->timeout_s);
  p->timed_out = 1;
  s_close_all(p);
}

static const char *s_base(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* The adapter's own keys in its config section. */
static int s_config_extra(const char *key, const char *value, void *arg) {
  adapter_t *p = arg;
  if (strcmp(key, "unknown_fields") == 0) {
    if (strcmp(value, "warn") == 0 || strcmp(value, "reject") == 0) {
      p->unknown_reject = strcmp(value, "reject") == 0;
      return 0;
    }
  }
  return -1;
}

/* `accepted NAME`: a file of the spool's accepted/ folder (sealed there);
 * `request ID` / `answer ID`: manual mode's request (or the answer sent),
 * sealed in its folder. Opened with the adapter's data key for a person. */
static int s_show(const adapter_t *p, const agent_config_t *cfg, const char *spool_dir,
                  const char *name, int manual, int answer) {
  char err[1400];
  mash_seal_t *seal = agent_seal_load(cfg, 0, err, sizeof err);
  if (!seal) {
    fprintf(stderr, "%s: %s\n", p->program, err);
    return 1;
  }
  uint8_t *data = NULL;
  size_t len = 0;
  int rc = manual ? manual_open(p->manual_dir, name, answer, seal, &data, &len, err, sizeof err)
                  : spool_open_accepted(spool_dir, name, seal, &data, &len, err, sizeof err);
  mash_seal_destroy(&seal);
  if (rc != 0) {
    fprintf(stderr, "%s: %s\n", p->program, err);
    return 1;
  }
  int ok = fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0;
  memset(data, 0, len);
  free(data);
  return ok ? 0 : 1;
}

int main(int argc, char **argv) {
  if (mash_version_check(argc, argv, NULL)) {
    return 0;
  }
  static const struct option opts[] = {AGENT_COMMON_OPTIONS,
                                       {"spool", required_argument, 0, 's'},
                                       {"timeout", required_argument, 0, 'T'},
                                       {"records", required_argument, 0, 'r'},
                                       {"manual", required_argument, 0, 'm'},
                                       {"agency", required_argument, 0, 'a'},
                                       {"unknown-fields", required_argument, 0, 'u'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  adapter_t p;
  memset(&p, 0, sizeof p);
  p.timeout_s = 60;
  snprintf(p.program, sizeof p.program, "%s", s_base(argv[0]));
  snprintf(p.agency, sizeof p.agency, "%s", MASH_AGENCY);
  char spool_dir[1024] = "", records_path[1024] = "", err[1024];
  int c, idx;
  /* The agency first: it names the defaults and the config section. */
  for (int i = 1; i < argc - 1; i++) {
    if (strcmp(argv[i], "--agency") == 0) {
      snprintf(p.agency, sizeof p.agency, "%s", argv[i + 1]);
    }
  }
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      s_usage(stdout, p.program, MASH_AGENCY);
      return 0;
    }
  }
  if (!mash_principal_valid(p.agency)) {
    fprintf(stderr, "%s: %s\n\n", p.program,
            p.agency[0] ? "--agency: not a valid agency name" : "say which agency: --agency NAME");
    s_usage(stderr, p.program, MASH_AGENCY);
    return 2;
  }
  agent_config_t cfg;
  agent_config_defaults(&cfg, p.program, p.agency);
  if (agent_config_args(&cfg, argc, argv, p.agency, s_config_extra, &p, err, sizeof err) != 0) {
    fprintf(stderr, "%s: %s\n", p.program, err);
    return 2;
  }
  while ((c = getopt_long(argc, argv, "c:h", opts, &idx)) != -1) {
    if (c == 0) {
      if (agent_config_option(&cfg, opts[idx].name, optarg, err, sizeof err) < 0) {
        fprintf(stderr, "%s: %s\n", p.program, err);
        return 2;
      }
    } else if (c == 's') {
      snprintf(spool_dir, sizeof spool_dir, "%s", optarg);
    } else if (c == 'r') {
      snprintf(records_path, sizeof records_path, "%s", optarg);
    } else if (c == 'm') {
      snprintf(p.manual_dir, sizeof p.manual_dir, "%s", optarg);
    } else if (c == 'u') {
      if (s_config_extra("unknown_fields", optarg, &p) != 0) {
        fprintf(stderr, "%s: --unknown-fields takes warn or reject\n", p.program);
        return 2;
      }
    } else if (c == 'T') {
      char *end;
      long t = strtol(optarg, &end, 10);
      if (*end || t < 1 || t > 86400) {
        fprintf(stderr, "%s: --timeout takes seconds from 1 to 86400\n", p.program);
        return 2;
      }
      p.timeout_s = (int)t;
    } else if (c != 'c' && c != 'a') {
      s_usage(stderr, p.program, MASH_AGENCY);
      return 2;
    }
  }
  /* The folders every command below uses, unless given. */
  if (!spool_dir[0]) {
    snprintf(spool_dir, sizeof spool_dir, "var/%s/spool", p.agency);
  }
  if (!p.manual_dir[0]) {
    snprintf(p.manual_dir, sizeof p.manual_dir, "var/%s/manual", p.agency);
  }
  if (optind < argc && strcmp(argv[optind], "accepted") == 0) {
    if (optind + 1 >= argc) {
      fprintf(stderr, "%s: accepted needs a FILE name of the spool's accepted/ folder\n",
              p.program);
      return 2;
    }
    return s_show(&p, &cfg, spool_dir, argv[optind + 1], 0, 0);
  }
  if (optind < argc &&
      (strcmp(argv[optind], "request") == 0 || strcmp(argv[optind], "answer") == 0)) {
    if (optind + 1 >= argc) {
      fprintf(stderr, "%s: %s needs a request ID\n", p.program, argv[optind]);
      return 2;
    }
    return s_show(&p, &cfg, NULL, argv[optind + 1], 1, strcmp(argv[optind], "answer") == 0);
  }
  if (optind < argc && strcmp(argv[optind], "rekey") == 0) {
    if (optind + 1 >= argc) {
      fprintf(stderr, "%s: rekey needs the path to write the new key to\n", p.program);
      return 2;
    }
    char accepted[1100], sent[1100], requests[1100], answered[1100], answers[1100];
    snprintf(accepted, sizeof accepted, "%s/accepted", spool_dir);
    snprintf(sent, sizeof sent, "%s/sent", spool_dir);
    snprintf(requests, sizeof requests, "%s/requests", p.manual_dir);
    snprintf(answered, sizeof answered, "%s/requests/answered", p.manual_dir);
    snprintf(answers, sizeof answers, "%s/answers/sent", p.manual_dir);
    const agent_rekey_dir_t dirs[5] = {{accepted, ".json", 0},
                                       {sent, ".json", 0},
                                       {requests, ".json", 0},
                                       {answered, ".json", 0},
                                       {answers, ".json", 0}};
    agent_rekey_spec_t spec = {NULL, dirs, 5};
    return agent_rekey(p.program, &cfg, argv[optind + 1], &spec);
  }
  if (optind >= argc || (strcmp(argv[optind], "submit") != 0 && strcmp(argv[optind], "run") != 0)) {
    fprintf(stderr, "%s: say submit FILE..., run, accepted FILE or rekey NEW\n\n", p.program);
    s_usage(stderr, p.program, MASH_AGENCY);
    return 2;
  }
  p.submit_mode = strcmp(argv[optind], "submit") == 0;
  if (p.submit_mode && optind + 1 >= argc) {
    fprintf(stderr, "%s: submit needs at least one FILE\n", p.program);
    return 2;
  }
  mash_log_init(p.program, cfg.log_level);
  if (agent_dirs_for(cfg.state, err, sizeof err) != 0) {
    fprintf(stderr, "%s: %s\n", p.program, err);
    return 1;
  }
  if (records_path[0]) {
    p.records = records_load(records_path, err, sizeof err);
    if (!p.records) {
      fprintf(stderr, "%s: records: %s\n", p.program, err);
      return 1;
    }
  }
  uv_loop_init(&p.loop);
  p.agent = agent_new(&p.loop, &cfg, err, sizeof err);
  if (!p.agent) {
    fprintf(stderr, "%s: %s\n", p.program, err);
    records_destroy(&p.records);
    uv_loop_close(&p.loop);
    return 1;
  }
  /* Only `run` takes requests: a one-shot `submit` sharing the key must not
   * take (and acknowledge) what the running adapter should answer. */
  agent_set_handlers(p.agent, s_receipt_cb, p.submit_mode ? NULL : s_message_cb, NULL, &p);
  uv_signal_init(&p.loop, &p.sigint);
  uv_signal_init(&p.loop, &p.sigterm);
  uv_timer_init(&p.loop, &p.deadline);
  uv_timer_init(&p.loop, &p.manual_timer);
  p.sigint.data = p.sigterm.data = p.deadline.data = p.manual_timer.data = &p;
  uv_signal_start(&p.sigint, s_signal_cb, SIGINT);
  uv_signal_start(&p.sigterm, s_signal_cb, SIGTERM);
  if (agent_start(p.agent, err, sizeof err) != 0) {
    return s_abort_start(&p, err);
  }
  if (p.submit_mode) {
    /* Receipts for entries left by an earlier run are awaited as well. */
    p.waiting = agent_pending(p.agent);
    for (int i = optind + 1; i < argc; i++) {
      mash_errors_t errs;
      memset(&errs, 0, sizeof errs);
      size_t before = agent_pending(p.agent);
      if (s_submit_file(&p, argv[i], argv[i], &errs) != 0) {
        s_print_errors(argv[i], &errs);
        p.failures++;
      } else {
        p.waiting += agent_pending(p.agent) - before;
      }
    }
    fflush(stdout);
    if (p.waiting == 0) {
      s_close_all(&p);
    } else {
      uv_timer_start(&p.deadline, s_deadline_cb, (uint64_t)p.timeout_s * 1000, 0);
    }
  } else {
    p.spool = spool_new(&p.loop, spool_dir, s_spool_submit_cb, &p, err, sizeof err);
    if (!p.spool) {
      return s_abort_start(&p, err);
    }
    spool_set_batch(p.spool, s_spool_begin_cb, s_spool_commit_cb);
    spool_set_rejected(p.spool, s_spool_rejected_cb);
    /* accepted/ sealed with the adapter's data key, kept accepted_days. */
    spool_set_seal(p.spool, agent_get_seal(p.agent), cfg.accepted_days);
    spool_recover(p.spool, s_spool_lookup_cb, &p);
    if (!p.records) {
      uv_timer_start(&p.manual_timer, s_manual_scan, 0, 500);
    }
    printf("%s: watching %s (drop FILE.json there); enquiries answered %s%s\n", p.program,
           spool_dir, p.records ? "from " : "by hand in ", p.records ? records_path : p.manual_dir);
    fflush(stdout);
  }
  uv_run(&p.loop, UV_RUN_DEFAULT);
  int lc = uv_loop_close(&p.loop);
  if (lc != 0) {
    mash_error("loop closed with open handles");
  }
  records_destroy(&p.records);
  return p.timed_out ? 3 : (p.failures ? 1 : 0);
}
