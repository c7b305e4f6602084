/* mash-hub: the hub staff desk. `run` receives contacts, consolidated packs
 * and escalations from the broker (each stored locally before it is
 * acknowledged) and sends the screening, outcome and match commands dropped
 * in its commands folder; `screen`, `decide` and `match` drop one such
 * command and wait for the broker's answer; `list`, `queue`, `matches` and
 * `packs` show what is stored; `pack` shows, prints or exports one pack and
 * `verify` checks the access log that records it (hub_access). This file
 * only reads options and wires modules (hub_desk, hub_oneshot). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "version.h"
#include "agent.h"
#include "agent_rekey.h"
#include "clock.h"
#include "hub_access.h"
#include "hub_desk.h"
#include "hub_oneshot.h"
#include "hub_pack_cmd.h"
#include "settings.h"
#include "hub_store.h"
#include "log.h"

typedef struct hub {
  uv_loop_t loop;
  agent_t *agent;
  hub_desk_t *desk;
  uv_signal_t sigint, sigterm;
  int closing;
} hub_t;

static void s_usage(FILE *f) {
  fprintf(
      f,
      "usage: mash-hub [options] run [--json [--include-child-data]] [--packs DIR]\n"
      "                [--commands DIR] [--pack-days N]\n"
      "       mash-hub [options] screen CONTACT_ID --rag RAG [--ask AGENCY,...] --consent STATUS\n"
      "                [--reason TEXT] --basis BASIS --by NAME [--rationale TEXT] [--wait "
      "SECONDS]\n"
      "       mash-hub [options] decide CONTACT_ID --outcome OUTCOME --by NAME [--rationale TEXT]\n"
      "                [--wait SECONDS]\n"
      "       mash-hub [options] match confirm|reject MATCH_ID --by NAME [--rationale TEXT]\n"
      "                [--wait SECONDS]\n"
      "       mash-hub [options] list [--json [--include-child-data]]\n"
      "       mash-hub [options] queue [--json]\n"
      "       mash-hub [options] matches [--json]\n"
      "       mash-hub [options] packs [--json] [--packs DIR]\n"
      "       mash-hub [options] pack show|print|export ENQ_ID --by NAME [--pack-version N]\n"
      "                [--to FILE] [--stdout | --viewer CMD] [--packs DIR]\n"
      "       mash-hub [options] verify [LOG]\n"
      "       mash-hub [options] rekey NEW-KEY-FILE [--packs DIR] [--commands DIR]\n"
      "\n"
      "The hub staff desk.\n"
      "  run     connect to the broker; store each contact, consolidated pack and\n"
      "          escalation locally before acknowledging it, and print one line for each\n"
      "          (\"P65 MASH-000001  police  ...  priority: dash_high, children_present\",\n"
      "          \"PACK ENQ-000001 v1 PARTIAL (missing: housing) -> DIR/ENQ-000001-v1.html\",\n"
      "          \"ESCALATION level 2 overdue: housing has not answered ...\", \"MATCH M-000001\n"
      "          confirmed: P-000009 is P-000007 from now on (2 contacts re-linked)\": the\n"
      "          contacts held follow a match decided), or one JSON object per line with\n"
      "          --json (\"type\": contact, pack, escalation, command, match_outcome).\n"
      "          --json leaves child data out (names, dates of birth, identifiers,\n"
      "          addresses, the notification and its DASH): ids, source, times, flags,\n"
      "          priority and person links only, with \"child_data\": false. Add\n"
      "          --include-child-data to print each contact in full to standard output:\n"
      "          send it only where that data may go (never to a shared log).\n"
      "          Each pack is also kept as DIR/ENQ-xxxxxx-vN.pack, sealed with the desk's\n"
      "          data key (mode 0600; pack show|print|export render it); --pack-days N\n"
      "          deletes those files N days after they were written (default 0: keep;\n"
      "          ini [hub] pack_days = N).\n"
      "          Watches the commands folder: each FILE.json there is a screening,\n"
      "          outcome or match command, sent to the broker and moved to accepted/,\n"
      "          sealed (with FILE.json.receipt), or rejected/ (with FILE.json.error)\n"
      "          when it answers; --accepted-days N (default 30) deletes accepted ones.\n"
      "          A contact with possible person matches to review is marked \"REVIEW 1\n"
      "          possible match\" (\"open_matches\" in JSON); its line shows how each person\n"
      "          was resolved (\"persons: c1=P-000007 (identifier), c2=P-000009 (possible\n"
      "          P-000003, M-000001)\"; \"persons\" in JSON).\n"
      "  screen  record the screening of a contact: RAG, the agencies to ask and the\n"
      "          consent record. Red, amber and green open an enquiry to the agencies;\n"
      "          blue (information only) asks none.\n"
      "  decide  record the outcome decision that closes a contact.\n"
      "  match   confirm or reject a possible person match the broker found (see\n"
      "          matches): confirm when the new person record is the candidate person.\n"
      "          screen, decide and match check the command, drop it in the commands folder\n"
      "          of the running desk and wait for the broker's answer: exit 0 accepted,\n"
      "          1 refused, 2 invalid options (nothing sent), 3 no answer in time (the\n"
      "          desk, mash-hub run, must be running to send it; the command stays queued).\n"
      "  list    print the contacts stored locally (lines as run prints them).\n"
      "  queue   print the open contacts (no screening or outcome accepted by the broker\n"
      "          yet) in screening order: the broker's priority, highest first, then the\n"
      "          oldest first. Each line: priority, contact, source, age, screening due\n"
      "          time (OVERDUE when past), the reasons for the priority, category:\n"
      "          \"P65  MASH-000001  police  age 4h12m  due 2026-11-23T09:55:58Z OVERDUE\n"
      "          [DASH high risk; children present at the incident]  domestic abuse\".\n"
      "          With --json: {\"priority\", \"priority_reasons\" (codes), \"contact_id\",\n"
      "          \"source\", \"received_at\", \"age_ms\", \"screening_due_at\", \"overdue\",\n"
      "          \"category\"} per line.\n"
      "  matches print the possible person matches awaiting review (no decision accepted\n"
      "          by the broker yet), the oldest first, without names: \"M-000001  MASH-000003\n"
      "          c1 -> P-000007 (new P-000009)  confidence 0.80  dob+surname+postcode  age\n"
      "          2h10m\": the person c1 of the contact was given the new record P-000009 and\n"
      "          may be P-000007. With --json: {\"match_id\", \"contact_id\", \"ref\",\n"
      "          \"person_id\", \"candidate_person_id\", \"confidence\", \"confidence_permille\",\n"
      "          \"why\", \"received_at\", \"age_ms\"} per line.\n"
      "  packs   print the consolidated packs stored locally (enquiry, version, partial or\n"
      "          complete, contact, RAG, issued, page).\n"
      "  pack    put a pack in front of a person, recorded first in the access log\n"
      "          (access.log beside the state file: hash-chained, one JSON line per act\n"
      "          with the operating-system account, the name given with --by, the\n"
      "          enquiry and version), then opened with the desk's data key and rendered:\n"
      "          show prints its JSON; print writes the printable page to a private\n"
      "          temporary file (0600) and prints its path (delete it once printed),\n"
      "          or with --viewer CMD runs CMD FILE and removes the file when CMD exits,\n"
      "          or with --stdout writes the page to standard output; export writes it\n"
      "          (.json, or .pb when FILE ends in .pb) to a new FILE (0600).\n"
      "          match confirm|reject is recorded there too. An act that cannot be\n"
      "          recorded is not done.\n"
      "  verify  check the access log's hash chain (LOG: default access.log beside the\n"
      "          state file): prints 'ok: N entries' and exits 0, or names the first\n"
      "          line edited, deleted or inserted and exits 1\n"
      "  rekey   rotate the desk's data key (the desk stopped): write a new key to\n"
      "          NEW-KEY-FILE (0600) and re-seal the state (one transaction), the\n"
      "          packs and the accepted commands under it; then start the desk with\n"
      "          --data-key NEW-KEY-FILE and destroy the old key. Rerun it if it stops.\n"
      "\n"
      "  --json               JSON lines instead of readable lines\n"
      "  --packs DIR          pack files (default: packs/ beside the state file,\n"
      "                       var/hub/packs; ini [hub] packs = DIR)\n"
      "  --commands DIR       commands folder (default: commands/ beside the state file,\n"
      "                       var/hub/commands; ini [hub] commands = DIR)\n"
      "  --rag RAG            red, amber, green or blue\n"
      "  --ask LIST           agencies to ask, comma-separated: police,health,education,housing\n"
      "  --consent STATUS     given, refused or not_sought\n"
      "  --reason TEXT        why consent was refused or not sought (required then)\n"
      "  --basis BASIS        lawful basis: consent, public_task, legal_obligation,\n"
      "                       vital_interests or safeguarding (DPA 2018 Sch. 1 Pt 2 para 18)\n"
      "  --outcome OUTCOME    no_further_action, early_help, assessment or strategy_discussion\n"
      "  --by NAME            who screened or decided (or decided the match, or asks for\n"
      "                       the pack)\n"
      "  --pack-version N     pack: that version of the pack (default: the latest)\n"
      "  --to FILE            pack export: where to write it (never replaced)\n"
      "  --rationale TEXT     why (optional)\n"
      "  --wait SECONDS       how long screen, decide and match wait for the answer\n"
      "                       (default 30; 0: drop the command and return)\n"
      "\n"
      "Command file (FILE.json in the commands folder):\n"
      "  {\"type\":\"screening\",\"contact_id\":\"MASH-000001\",\"rag\":\"red\",\n"
      "   \"agencies\":[\"police\",\"health\"],\"consent\":{\"status\":\"not_sought\",\n"
      "   \"reason\":\"...\",\"lawful_basis\":\"safeguarding\"},\"screened_by\":\"J Smith\",\n"
      "   \"rationale\":\"...\"}\n"
      "  "
      "{\"type\":\"outcome\",\"contact_id\":\"MASH-000001\",\"outcome\":\"strategy_discussion\",\n"
      "   \"decided_by\":\"J Smith\",\"rationale\":\"...\"}\n"
      "  {\"type\":\"match\",\"match_id\":\"M-000001\",\"decision\":\"confirm\",\n"
      "   \"decided_by\":\"J Smith\",\"rationale\":\"...\"}   (decision: confirm or reject)\n"
      "\n"
      "%s",
      AGENT_COMMON_HELP);
}

/* The commands an option belongs to (bit per command). */
enum {
  C_RUN = 1,
  C_LIST = 2,
  C_PACKS = 4,
  C_SCREEN = 8,
  C_DECIDE = 16,
  C_QUEUE = 32,
  C_MATCH = 64,
  C_MATCHES = 128,
  C_PACK = 256,
  C_VERIFY = 512,
  C_REKEY = 1024
};

typedef struct hub_opts {
  char packs[1024], commands[1024];
  hub_oneshot_t one;
  int json;
  int child_data;     /* --include-child-data */
  int to_stdout;      /* pack print --stdout */
  const char *viewer; /* pack print --viewer CMD */
  unsigned pack_days;
  int version;    /* pack --version */
  const char *to; /* pack export --to */
} hub_opts_t;

static int s_hub_ini_cb(const char *key, const char *value, void *arg) {
  hub_opts_t *o = arg;
  if (strcmp(key, "pack_days") == 0) {
    long d;
    if (mash_settings_long(value, 0, 36500, &d) != 0) {
      return -1;
    }
    o->pack_days = (unsigned)d;
    return 0;
  }
  char *dst = strcmp(key, "packs") == 0      ? o->packs
              : strcmp(key, "commands") == 0 ? o->commands
                                             : NULL;
  size_t n = strlen(value);
  if (dst == NULL || n == 0 || n >= sizeof o->packs) {
    return -1;
  }
  memcpy(dst, value, n + 1);
  return 0;
}

/* "DIR/packs" beside the state file (var/hub/state.db -> var/hub/packs). */
static void s_beside_state(char *out, size_t cap, const char *state, const char *name) {
  const char *slash = strrchr(state, '/');
  if (slash == NULL) {
    snprintf(out, cap, "%s", name);
  } else {
    snprintf(out, cap, "%.*s/%s", (int)(slash - state), state, name);
  }
}

static int s_which(const char *cmd) {
  static const struct {
    const char *name;
    int bit;
  } cmds[] = {{"run", C_RUN},         {"list", C_LIST},     {"queue", C_QUEUE},
              {"packs", C_PACKS},     {"screen", C_SCREEN}, {"decide", C_DECIDE},
              {"matches", C_MATCHES}, {"match", C_MATCH},   {"pack", C_PACK},
              {"verify", C_VERIFY},   {"rekey", C_REKEY}};
  for (size_t i = 0; cmd != NULL && i < sizeof cmds / sizeof cmds[0]; i++) {
    if (strcmp(cmd, cmds[i].name) == 0) {
      return cmds[i].bit;
    }
  }
  return 0;
}

static void s_close_all(hub_t *h) {
  if (h->closing) {
    return;
  }
  h->closing = 1;
  uv_close((uv_handle_t *)&h->sigint, NULL);
  uv_close((uv_handle_t *)&h->sigterm, NULL);
  hub_desk_close(h->desk);
  h->desk = NULL;
  agent_close(h->agent, NULL, NULL);
}

static void s_signal_cb(uv_signal_t *s, int signum) {
  mash_info("signal %d: stopping", signum);
  s_close_all(s->data);
}

/* list, queue, matches, packs: read the desk's state, nothing else. They
 * need no CURVE key (they never talk to the broker), but the desk's data
 * key, which opens the state. */
static int s_read_only(const agent_config_t *cfg, int cmd, hub_opts_t *o) {
  char err[1024];
  if (access(cfg->state, F_OK) != 0) {
    fprintf(stderr, "mash-hub: no desk state at %s (give --state, or run the desk first)\n",
            cfg->state);
    return 1;
  }
  mash_seal_t *seal = agent_seal_load(cfg, 0, err, sizeof err);
  agent_store_t *st = seal ? agent_store_new(cfg->state, seal, err, sizeof err) : NULL;
  if (!st) {
    fprintf(stderr, "mash-hub: state %s: %s\n", cfg->state, err);
    mash_seal_destroy(&seal);
    return 1;
  }
  sqlite3 *db = agent_store_db(st);
  int rc;
  if (hub_desk_schema(db) != 0) {
    fprintf(stderr, "mash-hub: state %s: %s\n", cfg->state, sqlite3_errmsg(db));
    rc = 1;
  } else {
    /* Ages and OVERDUE by the broker's clock, as the desk last heard it. */
    mash_clock_t broker;
    int64_t now =
        hub_store_clock_get(db, &broker) == 0 ? mash_clock_read(&broker) : mash_clock_now_ms();
    rc = cmd == C_LIST      ? hub_desk_list_contacts(db, o->json, o->child_data)
         : cmd == C_QUEUE   ? hub_desk_list_queue(db, o->json, now)
         : cmd == C_MATCHES ? hub_desk_list_matches(db, o->json, now)
                            : hub_desk_list_packs(db, o->packs, o->json);
  }
  agent_store_destroy(&st);
  mash_seal_destroy(&seal);
  return rc;
}

/* run: the desk itself, connected to the broker. */
static int s_with_agent(const agent_config_t *cfg, int cmd, hub_opts_t *o) {
  char err[1024];
  if (cmd != C_RUN) {
    return s_read_only(cfg, cmd, o);
  }
  if (agent_dirs_for(cfg->state, err, sizeof err) != 0) {
    fprintf(stderr, "mash-hub: %s\n", err);
    return 1;
  }
  hub_t h;
  memset(&h, 0, sizeof h);
  uv_loop_init(&h.loop);
  h.agent = agent_new(&h.loop, cfg, err, sizeof err);
  if (!h.agent) {
    fprintf(stderr, "mash-hub: %s\n", err);
    uv_loop_close(&h.loop);
    return 1;
  }
  int rc = 0;
  {
    hub_desk_options_t dopt = {o->packs,      o->commands,        o->json,
                               o->child_data, cfg->accepted_days, o->pack_days};
    h.desk = hub_desk_new(&h.loop, h.agent, &dopt, err, sizeof err);
    uv_signal_init(&h.loop, &h.sigint);
    uv_signal_init(&h.loop, &h.sigterm);
    h.sigint.data = h.sigterm.data = &h;
    if (!h.desk || agent_start(h.agent, err, sizeof err) != 0 ||
        hub_desk_start(h.desk, err, sizeof err) != 0) {
      fprintf(stderr, "mash-hub: %s\n", err);
      rc = 1;
      s_close_all(&h);
    } else {
      uv_signal_start(&h.sigint, s_signal_cb, SIGINT);
      uv_signal_start(&h.sigterm, s_signal_cb, SIGTERM);
      fprintf(stderr, "mash-hub: packs in %s; commands from %s\n", o->packs, o->commands);
    }
  }
  uv_run(&h.loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&h.loop) != 0) {
    mash_error("loop closed with open handles");
    rc = rc ? rc : 1;
  }
  return rc;
}

/* A match decision goes to the access log with what became of it (an
 * invalid command, rc 2, sent nothing and is not recorded). */
static int s_record_match(const char *access_log, const hub_oneshot_t *one, int rc) {
  if (rc == 2) {
    return rc;
  }
  char err[1024];
  json_t *f = json_pack("{s:s, s:s}", "match_id", one->match_id, "result",
                        rc == 0   ? "accepted"
                        : rc == 1 ? "refused"
                                  : "queued");
  if (!f ||
      hub_access_record(access_log,
                        strcmp(one->decision, "confirm") == 0 ? "match_confirm" : "match_reject",
                        one->by, f, err, sizeof err) != 0) {
    fprintf(stderr, "mash-hub: the match decision was sent but not recorded: %s\n",
            f ? err : "out of memory");
    rc = rc ? rc : 1;
  }
  json_decref(f);
  return rc;
}

int main(int argc, char **argv) {
  if (mash_version_check(argc, argv, "mash-hub")) {
    return 0;
  }
  enum {
    O_PACKS = 256,
    O_COMMANDS,
    O_RAG,
    O_ASK,
    O_CONSENT,
    O_REASON,
    O_BASIS,
    O_OUTCOME,
    O_BY,
    O_RATIONALE,
    O_WAIT,
    O_VERSION,
    O_TO,
    O_CHILD,
    O_PACK_DAYS,
    O_STDOUT,
    O_VIEWER
  };
  static const struct option opts[] = {AGENT_COMMON_OPTIONS,
                                       {"json", no_argument, 0, 'j'},
                                       {"include-child-data", no_argument, 0, O_CHILD},
                                       {"pack-days", required_argument, 0, O_PACK_DAYS},
                                       {"stdout", no_argument, 0, O_STDOUT},
                                       {"viewer", required_argument, 0, O_VIEWER},
                                       {"packs", required_argument, 0, O_PACKS},
                                       {"commands", required_argument, 0, O_COMMANDS},
                                       {"rag", required_argument, 0, O_RAG},
                                       {"ask", required_argument, 0, O_ASK},
                                       {"consent", required_argument, 0, O_CONSENT},
                                       {"reason", required_argument, 0, O_REASON},
                                       {"basis", required_argument, 0, O_BASIS},
                                       {"outcome", required_argument, 0, O_OUTCOME},
                                       {"by", required_argument, 0, O_BY},
                                       {"rationale", required_argument, 0, O_RATIONALE},
                                       {"wait", required_argument, 0, O_WAIT},
                                       {"pack-version", required_argument, 0, O_VERSION},
                                       {"to", required_argument, 0, O_TO},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  /* Which commands each command-specific option belongs to. */
  static const struct {
    int opt, cmds;
  } scope[] = {{'j', C_RUN | C_LIST | C_QUEUE | C_MATCHES | C_PACKS},
               {O_PACKS, C_RUN | C_PACKS | C_PACK | C_REKEY},
               {O_COMMANDS, C_RUN | C_SCREEN | C_DECIDE | C_MATCH | C_REKEY},
               {O_RAG, C_SCREEN},
               {O_ASK, C_SCREEN},
               {O_CONSENT, C_SCREEN},
               {O_REASON, C_SCREEN},
               {O_BASIS, C_SCREEN},
               {O_OUTCOME, C_DECIDE},
               {O_BY, C_SCREEN | C_DECIDE | C_MATCH | C_PACK},
               {O_RATIONALE, C_SCREEN | C_DECIDE | C_MATCH},
               {O_WAIT, C_SCREEN | C_DECIDE | C_MATCH},
               {O_VERSION, C_PACK},
               {O_TO, C_PACK},
               {O_CHILD, C_RUN | C_LIST},
               {O_PACK_DAYS, C_RUN},
               {O_STDOUT, C_PACK},
               {O_VIEWER, C_PACK}};
  hub_opts_t o;
  memset(&o, 0, sizeof o);
  o.one.wait_s = 30;
  int given[sizeof scope / sizeof scope[0]] = {0};
  agent_config_t cfg;
  agent_config_defaults(&cfg, "mash-hub", "hub");
  char err[1024];
  int c, idx;
  if (agent_config_args(&cfg, argc, argv, "hub", s_hub_ini_cb, &o, err, sizeof err) != 0) {
    fprintf(stderr, "mash-hub: %s\n", err);
    return 2;
  }
  /* Options may come before or after the command word (GNU getopt permutes). */
  while ((c = getopt_long(argc, argv, "c:h", opts, &idx)) != -1) {
    for (size_t i = 0; i < sizeof scope / sizeof scope[0]; i++) {
      given[i] |= scope[i].opt == c;
    }
    switch (c) {
    case 0:
      if (agent_config_option(&cfg, opts[idx].name, optarg, err, sizeof err) < 0) {
        fprintf(stderr, "mash-hub: %s\n", err);
        return 2;
      }
      break;
    case 'j':
      o.json = 1;
      break;
    case O_CHILD:
      o.child_data = 1;
      break;
    case O_STDOUT:
      o.to_stdout = 1;
      break;
    case O_VIEWER:
      o.viewer = optarg;
      break;
    case O_PACK_DAYS: {
      char *end;
      long d = strtol(optarg, &end, 10);
      if (end == optarg || *end || d < 0 || d > 36500) {
        fprintf(stderr, "mash-hub: --pack-days takes days from 0 (keep) to 36500\n");
        return 2;
      }
      o.pack_days = (unsigned)d;
      break;
    }
    case O_PACKS:
    case O_COMMANDS: {
      char *dst = c == O_PACKS ? o.packs : o.commands;
      size_t n = strlen(optarg);
      if (n == 0 || n >= sizeof o.packs - 64) {
        fprintf(stderr, "mash-hub: --%s needs a folder name\n", opts[idx].name);
        return 2;
      }
      memcpy(dst, optarg, n + 1);
      break;
    }
    case O_RAG:
      o.one.rag = optarg;
      break;
    case O_ASK:
      o.one.ask = optarg;
      break;
    case O_CONSENT:
      o.one.consent = optarg;
      break;
    case O_REASON:
      o.one.reason = optarg;
      break;
    case O_BASIS:
      o.one.basis = optarg;
      break;
    case O_OUTCOME:
      o.one.outcome = optarg;
      break;
    case O_BY:
      o.one.by = optarg;
      break;
    case O_RATIONALE:
      o.one.rationale = optarg;
      break;
    case O_WAIT: {
      char *end;
      long t = strtol(optarg, &end, 10);
      if (end == optarg || *end || t < 0 || t > 86400) {
        fprintf(stderr, "mash-hub: --wait takes seconds from 0 to 86400\n");
        return 2;
      }
      o.one.wait_s = (int)t;
      break;
    }
    case O_VERSION: {
      char *end;
      long v = strtol(optarg, &end, 10);
      if (end == optarg || *end || v < 1 || v > 999999) {
        fprintf(stderr, "mash-hub: --pack-version takes a pack version from 1\n");
        return 2;
      }
      o.version = (int)v;
      break;
    }
    case O_TO:
      o.to = optarg;
      break;
    case 'h':
      s_usage(stdout);
      return 0;
    case 'c':
      break;
    default:
      s_usage(stderr);
      return 2;
    }
  }
  const char *word = optind < argc ? argv[optind] : NULL;
  int cmd = s_which(word);
  if (!cmd) {
    fprintf(stderr, "mash-hub: say run, screen, decide, match, list, queue, matches, packs, "
                    "pack, verify or rekey\n\n");
    s_usage(stderr);
    return 2;
  }
  int nargs = cmd == C_MATCH || cmd == C_PACK                                           ? 2
              : cmd == C_SCREEN || cmd == C_DECIDE || cmd == C_VERIFY || cmd == C_REKEY ? 1
                                                                                        : 0;
  if (argc - optind - 1 < nargs && cmd != C_VERIFY) {
    fprintf(stderr, "mash-hub: %s needs %s\n", word,
            cmd == C_MATCH   ? "confirm or reject, then a MATCH_ID"
            : cmd == C_PACK  ? "show, print or export, then an ENQ_ID"
            : cmd == C_REKEY ? "the path to write the new key to"
                             : "a CONTACT_ID");
    return 2;
  }
  if (argc - optind - 1 > nargs) {
    fprintf(stderr, "mash-hub: unexpected argument '%s'\n", argv[optind + 1 + nargs]);
    return 2;
  }
  for (size_t i = 0; i < sizeof scope / sizeof scope[0]; i++) {
    if (given[i] && !(scope[i].cmds & cmd)) {
      const char *name = "?";
      for (size_t k = 0; opts[k].name != NULL; k++) {
        name = opts[k].val == scope[i].opt ? opts[k].name : name;
      }
      fprintf(stderr, "mash-hub: --%s is not an option of %s (see --help)\n", name, word);
      return 2;
    }
  }
  if (!o.packs[0]) {
    s_beside_state(o.packs, sizeof o.packs, cfg.state, "packs");
  }
  if (!o.commands[0]) {
    s_beside_state(o.commands, sizeof o.commands, cfg.state, "commands");
  }
  mash_log_init("mash-hub", cfg.log_level);
  char access_log[1100];
  s_beside_state(access_log, sizeof access_log, cfg.state, "access.log");
  if (cmd == C_VERIFY) {
    return hub_access_verify(argc - optind > 1 ? argv[optind + 1] : access_log);
  }
  if (cmd == C_REKEY) {
    char accepted[1100];
    snprintf(accepted, sizeof accepted, "%s/accepted", o.commands);
    const agent_rekey_dir_t dirs[2] = {{o.packs, ".pack", 1}, {accepted, ".json", 0}};
    agent_rekey_spec_t spec = {hub_store_rekey_sql(), dirs, 2};
    return agent_rekey("mash-hub", &cfg, argv[optind + 1], &spec);
  }
  if (cmd == C_PACK) {
    mash_seal_t *seal = agent_seal_load(&cfg, 0, err, sizeof err);
    if (!seal) {
      fprintf(stderr, "mash-hub pack: %s\n", err);
      return 1;
    }
    hub_pack_cmd_t pc = {.action = argv[optind + 1],
                         .seal = seal,
                         .to_stdout = o.to_stdout,
                         .viewer = o.viewer,
                         .enquiry_id = argv[optind + 2],
                         .version = o.version,
                         .packs_dir = o.packs,
                         .access_log = access_log,
                         .staff = o.one.by,
                         .to = o.to};
    int rc = hub_pack_cmd_run(&pc);
    mash_seal_destroy(&seal);
    return rc;
  }
  if (cmd == C_SCREEN || cmd == C_DECIDE) {
    o.one.kind = cmd == C_SCREEN ? HUB_COMMAND_SCREENING : HUB_COMMAND_OUTCOME;
    o.one.contact_id = argv[optind + 1];
    o.one.commands_dir = o.commands;
    return hub_oneshot_run(&o.one);
  }
  if (cmd == C_MATCH) {
    o.one.kind = HUB_COMMAND_MATCH;
    o.one.decision = argv[optind + 1];
    o.one.match_id = argv[optind + 2];
    o.one.commands_dir = o.commands;
    int rc = hub_oneshot_run(&o.one);
    return s_record_match(access_log, &o.one, rc);
  }
  return s_with_agent(&cfg, cmd, &o);
}
