/* eval-match: the labelled evaluation of person matching (issue 9).
 *
 * Responsible for: a data key and a SQLite store in a temporary folder; a
 * synthetic population of families and a month of notifications about them
 * with the errors real agency data has (mentions.h), each stored as mashd
 * stores it (mash_store_intake, unresolved) and resolved by the broker's own
 * mash_resolve_contact, 64 to a transaction as the group commit does; then,
 * from what the store says, with no human review: pairwise precision and
 * recall over mentions, the review list as a share of mentions, and for the
 * pack of every contact (mash_resolve_family) whether a child of the contact
 * is listed as another child and how many listed "other children" are real,
 * distinct brothers and sisters. Must not: be run by ctest, change the
 * broker's code or settings, or leave the folder behind on a normal exit.
 *
 * Everything is a function of --seed and the sizes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "mentions.h"
#include "resolve.h"
#include "seal.h"
#include "store.h"

#define S_BATCH 64

typedef struct s_opts {
  unsigned long people, count;
  uint64_t seed;
  const char *parent_dir;
  int keep, quiet, json, check, no_tf;
} s_opts_t;

static void s_usage(FILE *f) {
  fprintf(f,
          "usage: eval-match [options]\n"
          "\n"
          "The labelled evaluation of person matching: a synthetic population of families\n"
          "and a month of notifications about them, with typos, nicknames, missing dates of\n"
          "birth, day/month swaps, moves, double-barrelled surnames used in part, NHS numbers\n"
          "typed from a sibling's record, twins, half-siblings and hostels, resolved by the\n"
          "broker's own code against a real SQLite store. Reports pairwise precision and\n"
          "recall, the review list, and the packs' \"other children\", without human review.\n"
          "\n"
          "  -n, --people N         true people (default 9000)\n"
          "  -m, --notifications M  notifications (default 9000)\n"
          "  -s, --seed S           seed (default 1)\n"
          "      --check            exit 1 unless issue 9's targets are met\n"
          "      --no-tf            weigh exact names by the table alone (no term frequencies)\n"
          "      --dir DIR          create the temporary folder in DIR (default $TMPDIR or /tmp)\n"
          "      --keep             keep the folder (data.key, mash.db)\n"
          "      --json             also print the results as one JSON line\n"
          "  -q, --quiet            no progress on standard error\n"
          "  -h, --help             this text\n"
          "\n"
          "Targets (issue 9): precision >= 0.995, recall >= 0.98, review list <= 5%% of\n"
          "mentions, no pack listing a child of the contact as another child, \"other\n"
          "children\" precision >= 0.98, each sibling listed once. Exit status: 0, or 1\n"
          "on failure (or a missed target with --check), 2 on bad usage.\n");
}

static int s_parse(int argc, char **argv, s_opts_t *o) {
  memset(o, 0, sizeof *o);
  o->people = 9000;
  o->count = 9000;
  o->seed = 1;
  o->parent_dir = getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp";
  const bench_opt_t opts[] = {
      BENCH_ULONG("people", 'n', &o->people, 10, 10000000),
      BENCH_ULONG("notifications", 'm', &o->count, 1, 10000000),
      BENCH_U64("seed", 's', &o->seed, 0, ~0UL),
      BENCH_TEXT("dir", 0, &o->parent_dir),
      BENCH_FLAG("keep", 0, &o->keep),
      BENCH_FLAG("json", 0, &o->json),
      BENCH_FLAG("check", 0, &o->check),
      BENCH_FLAG("quiet", 'q', &o->quiet),
      BENCH_FLAG("no-tf", 0, &o->no_tf),
  };
  return bench_parse("eval-match", argc, argv, opts, sizeof opts / sizeof opts[0], s_usage);
}

/* ---------------------------------------------------------------- the run */

typedef struct s_mention {
  uint32_t truth;   /* true person */
  uint32_t record;  /* person record it was linked to, P-n as n */
  uint32_t contact; /* note index */
  unsigned errors;
  char decision[16];
} s_mention_t;

typedef struct s_eval {
  s_opts_t o;
  char dir[512];
  mash_seal_t *seal;
  mash_store_t *store;
  mentions_world_t mw;
  mention_note_t *notes;
  char (*contact_ids)[MASH_CONTACT_ID_LEN];
  s_mention_t *m;
  size_t n_m;
  uint32_t *record_truth;  /* by record number: the true person of its first mention */
  unsigned *record_errors; /* and that mention's errors */
  size_t n_records;
  unsigned conflicts; /* contacts flagged identifier_conflict */
  uint8_t *seen;      /* by true person: mentioned before */
  size_t reviews;     /* possible matches opened */
  size_t missed[MENTION_E_KINDS + 1], with[MENTION_E_KINDS + 1];
} s_eval_t;

static uint32_t s_person_no(const char *id) {
  return id[0] == 'P' && id[1] == '-' ? (uint32_t)strtoul(id + 2, NULL, 10) : 0;
}

static int s_ref_index(const mention_note_t *n, const char *ref) {
  if (ref == NULL || (ref[0] != 'c' && ref[0] != 'a') || ref[1] < '1' || ref[1] > '9') {
    return -1;
  }
  int k = ref[1] - '1';
  return ref[0] == 'c' ? k : (int)n->n_children + k;
}

/* EVAL_MATCH_TRACE=N: every mention of true person N, as written and as
 * resolved (synthetic people only: this is the evaluation's own data). */
static void s_trace(const s_eval_t *e, size_t i, const Mash__V1__Contact *c,
                    const Mash__V1__PersonLink *l, const s_mention_t *m) {
  const char *want = getenv("EVAL_MATCH_TRACE");
  if (want == NULL || strtoul(want, NULL, 10) != m->truth) {
    return;
  }
  const Mash__V1__Notification *n = c->notification;
  const Mash__V1__Person *p = NULL;
  for (size_t k = 0; n != NULL && k < n->n_children + n->n_adults && p == NULL; k++) {
    const Mash__V1__Person *q = k < n->n_children ? n->children[k] : n->adults[k - n->n_children];
    p = strcmp(q->ref, l->ref) == 0 ? q : NULL;
  }
  if (p == NULL) {
    return;
  }
  mash_match_person_t mp;
  mash_match_person_from_pb(&mp, p);
  fprintf(stderr,
          "trace: contact %zu %s errors %#x: %s / %s / %04d-%02d-%02d sex %d %s | %s -> %s %s %s\n",
          i, l->ref, m->errors, mp.forename, mp.surname, mp.dob_year, mp.dob_month, mp.dob_day,
          (int)mp.sex, mp.postcode, mp.address, l->person_id, l->decision, l->why);
  (void)e;
}

static int s_record_links(s_eval_t *e, size_t i, const uint8_t *blob, size_t len) {
  Mash__V1__Contact *c = mash__v1__contact__unpack(NULL, len, blob);
  if (c == NULL) {
    return -EBADMSG;
  }
  const mention_note_t *n = &e->notes[i];
  for (size_t q = 0; q < c->n_quality_flags; q++) {
    e->conflicts += strcmp(c->quality_flags[q], "identifier_conflict") == 0;
  }
  for (size_t k = 0; k < c->n_persons; k++) {
    const Mash__V1__PersonLink *l = c->persons[k];
    int who = s_ref_index(n, l->ref);
    if (who < 0 || (size_t)who >= n->n_children + n->n_adults) {
      continue;
    }
    s_mention_t *m = &e->m[e->n_m++];
    m->truth = n->who[who];
    m->record = s_person_no(l->person_id);
    m->contact = (uint32_t)i;
    m->errors = n->errors[who];
    snprintf(m->decision, sizeof m->decision, "%s", l->decision);
    /* A person mentioned before who got a record of their own. */
    bool missed = e->seen[m->truth] &&
                  (strcmp(l->decision, "new") == 0 || strcmp(l->decision, "possible") == 0);
    for (int k = 0; k <= MENTION_E_KINDS && e->seen[m->truth]; k++) {
      bool has = k == MENTION_E_KINDS ? m->errors == 0 : (m->errors & (1u << k)) != 0;
      e->with[k] += has;
      e->missed[k] += has && missed;
    }
    if (missed && getenv("EVAL_MATCH_DEBUG") != NULL) {
      fprintf(stderr, "missed: person %u errors %#x agency %d -> %s %s\n", m->truth, m->errors,
              n->agency, l->decision, l->why);
    }
    s_trace(e, i, c, l, m);
    e->seen[m->truth] = 1;
  }
  mash__v1__contact__free_unpacked(c, NULL);
  return 0;
}

static int s_run(s_eval_t *e) {
  int rc = 0;
  time_t last = time(NULL);
  for (size_t i = 0; rc == 0 && i < e->o.count; i++) {
    const mention_note_t *n = &e->notes[i];
    uint8_t *contact = NULL;
    size_t len = 0;
    rc = mentions_contact(&e->mw, n, i, &contact, &len);
    if (rc != 0) {
      break;
    }
    char message_id[32];
    snprintf(message_id, sizeof message_id, "eval-%zu", i);
    mash_intake_t in;
    mash_resolve_job_t job;
    people_intake(&in, &job, MENTION_AGENCIES[n->agency], message_id, n->received_ms, contact, len);
    job.no_term_frequencies = e->o.no_tf;
    if (i % S_BATCH == 0) {
      rc = mash_store_begin(e->store);
    }
    rc = rc ? rc : mash_store_intake(e->store, &in);
    snprintf(job.contact_id, sizeof job.contact_id, "%s", in.contact_id);
    snprintf(e->contact_ids[i], MASH_CONTACT_ID_LEN, "%s", in.contact_id);
    rc = rc ? rc : mash_resolve_contact(e->store, &job);
    rc = rc ? rc : s_record_links(e, i, job.contact, job.contact_len);
    e->reviews += job.reviews;
    if (rc == 0 && ((i + 1) % S_BATCH == 0 || i + 1 == e->o.count)) {
      rc = mash_store_commit(e->store);
    }
    free(job.contact);
    free(contact);
    if (rc != 0) {
      fprintf(stderr, "eval-match: notification %zu failed: %s\n", i, strerror(-rc));
      mash_store_rollback(e->store);
    }
    if (!e->o.quiet && (time(NULL) - last >= 2 || i + 1 == e->o.count)) {
      fprintf(stderr, "eval-match: resolved %zu/%lu notifications\n", i + 1, e->o.count);
      last = time(NULL);
    }
  }
  return rc;
}

/* ---------------------------------------------------------------- measures */

static int s_by_record(const void *a, const void *b) {
  const s_mention_t *x = a, *y = b;
  if (x->record != y->record) {
    return x->record < y->record ? -1 : 1;
  }
  return x->truth < y->truth ? -1 : x->truth > y->truth;
}

static int s_by_truth(const void *a, const void *b) {
  const s_mention_t *x = a, *y = b;
  if (x->truth != y->truth) {
    return x->truth < y->truth ? -1 : 1;
  }
  return x->record < y->record ? -1 : x->record > y->record;
}

typedef struct s_result {
  double precision, recall, review_pct, others_precision, others_recall;
  unsigned long long tp, pred_pairs, true_pairs;
  size_t mentions, review, packs, packs_self, others, others_ok, others_dup, others_expected;
  size_t split_people, people_seen, records;
  size_t err_count[MENTION_E_KINDS], err_review[MENTION_E_KINDS], err_new[MENTION_E_KINDS];
} s_result_t;

static unsigned long long s_pairs(size_t n) {
  return (unsigned long long)n * (n - 1) / 2;
}

static void s_pairwise(s_eval_t *e, s_result_t *r) {
  s_mention_t *m = malloc(e->n_m * sizeof *m);
  if (m == NULL) {
    return;
  }
  memcpy(m, e->m, e->n_m * sizeof *m);
  qsort(m, e->n_m, sizeof *m, s_by_record);
  for (size_t i = 0, j; i < e->n_m; i = j) {
    for (j = i + 1; j < e->n_m && m[j].record == m[i].record; j++) {
    }
    r->pred_pairs += s_pairs(j - i);
    r->records++;
    for (size_t k = i, l; k < j; k = l) {
      for (l = k + 1; l < j && m[l].truth == m[k].truth; l++) {
      }
      r->tp += s_pairs(l - k);
    }
  }
  qsort(m, e->n_m, sizeof *m, s_by_truth);
  for (size_t i = 0, j; i < e->n_m; i = j) {
    bool split = false;
    for (j = i + 1; j < e->n_m && m[j].truth == m[i].truth; j++) {
      split = split || m[j].record != m[i].record;
    }
    if (split && getenv("EVAL_MATCH_DEBUG") != NULL) {
      /* The pairs of this person's mentions on different records: the
       * recall it costs (sorted by truth, then record). */
      unsigned long long same = 0;
      for (size_t k = i, l; k < j; k = l) {
        for (l = k + 1; l < j && m[l].record == m[k].record; l++) {
        }
        same += s_pairs(l - k);
      }
      fprintf(stderr, "split: person %u mentions %zu pairs lost %llu\n", m[i].truth, j - i,
              s_pairs(j - i) - same);
    }
    r->true_pairs += s_pairs(j - i);
    r->people_seen++;
    r->split_people += split;
  }
  free(m);
  r->precision = r->pred_pairs ? (double)r->tp / (double)r->pred_pairs : 1.0;
  r->recall = r->true_pairs ? (double)r->tp / (double)r->true_pairs : 1.0;
}

static void s_reviews(s_eval_t *e, s_result_t *r) {
  r->mentions = e->n_m;
  for (size_t i = 0; i < e->n_m; i++) {
    bool review = strcmp(e->m[i].decision, "possible") == 0;
    bool created = review || strcmp(e->m[i].decision, "new") == 0;
    r->review += review;
    for (int k = 0; k < MENTION_E_KINDS; k++) {
      if (e->m[i].errors & (1u << k)) {
        r->err_count[k]++;
        r->err_review[k] += review;
        r->err_new[k] += created;
      }
    }
  }
  r->review_pct = e->n_m ? 100.0 * (double)e->reviews / (double)e->n_m : 0.0;
}

/* The record a true person was first given; records number from 1. */
static int s_record_truth(s_eval_t *e) {
  uint32_t max = 0;
  for (size_t i = 0; i < e->n_m; i++) {
    max = e->m[i].record > max ? e->m[i].record : max;
  }
  e->n_records = (size_t)max + 1;
  e->record_truth = malloc(e->n_records * sizeof *e->record_truth);
  if (e->record_truth == NULL) {
    return -ENOMEM;
  }
  memset(e->record_truth, 0xff, e->n_records * sizeof *e->record_truth);
  e->record_errors = calloc(e->n_records, sizeof *e->record_errors);
  if (e->record_errors == NULL) {
    return -ENOMEM;
  }
  for (size_t i = 0; i < e->n_m; i++) {
    if (e->record_truth[e->m[i].record] == UINT32_MAX) {
      e->record_truth[e->m[i].record] = e->m[i].truth;
      e->record_errors[e->m[i].record] = e->m[i].errors;
    }
  }
  return 0;
}

/* EVAL_MATCH_DEBUG: the record listed as another child beside the records
 * of the contact's children, field by field, and how they compare
 * (synthetic people only: this is the evaluation's own data). */
static void s_debug_record(s_eval_t *e, const char *label, const char *person_id,
                           mash_match_person_t *mp) {
  memset(mp, 0, sizeof *mp);
  mash_person_row_t row;
  if (mash_store_person_get(e->store, person_id, &row) != 0) {
    return;
  }
  Mash__V1__Person *p = mash__v1__person__unpack(NULL, row.len, row.record);
  free(row.record);
  if (p == NULL) {
    return;
  }
  mash_match_person_from_pb(mp, p);
  mash__v1__person__free_unpacked(p, NULL);
  fprintf(stderr, "    %s %s: %s / %s / %04d-%02d-%02d sex %d %s | %s ids %zu%s%s\n", label,
          person_id, mp->forename, mp->surname, mp->dob_year, mp->dob_month, mp->dob_day,
          (int)mp->sex, mp->postcode, mp->address, mp->n_ids, mp->n_ids ? " " : "",
          mp->n_ids ? mp->ids[0].value : "");
}

static void s_debug_self(s_eval_t *e, size_t i, const char *listed_id) {
  mash_contact_row_t row;
  if (mash_store_contact_get(e->store, e->contact_ids[i], &row) != 0) {
    return;
  }
  Mash__V1__Contact *c = mash__v1__contact__unpack(NULL, row.len, row.blob);
  free(row.blob);
  if (c == NULL) {
    return;
  }
  mash_match_person_t listed, seed;
  s_debug_record(e, "listed", listed_id, &listed);
  for (size_t k = 0; k < c->n_persons; k++) {
    if (c->persons[k]->ref[0] != 'c') {
      continue;
    }
    s_debug_record(e, c->persons[k]->ref, c->persons[k]->person_id, &seed);
    mash_match_why_t why;
    double sc = mash_match_score(&seed, &listed, &why);
    fprintf(stderr, "      score %.3f (%s) same_in_household %d; linked %s %s\n", sc, why.text,
            (int)mash_match_same_in_household(&seed, &listed), c->persons[k]->decision,
            c->persons[k]->why);
  }
  mash__v1__contact__free_unpacked(c, NULL);
}

static int s_packs(s_eval_t *e, s_result_t *r) {
  time_t last = time(NULL);
  for (size_t i = 0; i < e->o.count; i++) {
    const mention_note_t *n = &e->notes[i];
    mash_resolve_family_t fam;
    int rc = mash_resolve_family(e->store, e->contact_ids[i], n->received_ms, &fam);
    if (rc != 0) {
      fprintf(stderr, "eval-match: the family of %s failed: %s\n", e->contact_ids[i],
              strerror(-rc));
      return rc;
    }
    r->packs++;
    bool self = false;
    uint32_t seen[MASH_RESOLVE_HOUSEHOLD_MAX];
    size_t n_seen = 0;
    for (size_t k = 0; k < fam.n_others; k++) {
      uint32_t rec = s_person_no(fam.others[k]->ref);
      uint32_t t = rec < e->n_records ? e->record_truth[rec] : UINT32_MAX;
      r->others++;
      bool mine = false;
      for (size_t c = 0; c < n->n_children; c++) {
        mine = mine || n->who[c] == t;
      }
      bool dup = false;
      for (size_t s = 0; s < n_seen; s++) {
        dup = dup || seen[s] == t;
      }
      self = self || mine;
      r->others_dup += dup;
      bool sibling = false;
      for (size_t c = 0; c < n->n_children && t != UINT32_MAX; c++) {
        sibling = sibling || mentions_siblings(&e->mw, n->who[c], t);
      }
      r->others_ok += sibling && !mine && !dup;
      if (getenv("EVAL_MATCH_DEBUG") != NULL && (!sibling || mine || dup)) {
        const mentions_person_t *tp = t != UINT32_MAX ? &e->mw.people[t] : NULL;
        const mentions_person_t *sp = &e->mw.people[n->who[0]];
        fprintf(stderr,
                "other: %s contact %zu record %u (errors %#x) truth %d child %d fam %u/%u hostel "
                "%d/%d\n",
                mine  ? "self"
                : dup ? "dup"
                      : "not-sibling",
                i, rec, rec < e->n_records ? e->record_errors[rec] : 0, tp ? (int)t : -1,
                tp ? tp->child : -1, tp ? tp->family : 0, sp->family,
                tp ? e->mw.families[tp->family].hostel : -1, e->mw.families[sp->family].hostel);
        if (mine || dup) {
          s_debug_self(e, i, fam.others[k]->ref);
        }
      }
      if (n_seen < MASH_RESOLVE_HOUSEHOLD_MAX) {
        seen[n_seen++] = t;
      }
    }
    r->packs_self += self;
    mash_resolve_family_free(&fam);
    if (!e->o.quiet && (time(NULL) - last >= 2 || i + 1 == e->o.count)) {
      fprintf(stderr, "eval-match: assembled the family of %zu/%lu contacts\n", i + 1, e->o.count);
      last = time(NULL);
    }
  }
  r->others_precision = r->others ? (double)r->others_ok / (double)r->others : 1.0;
  return 0;
}

/* ---------------------------------------------------------------- main */

static void s_cleanup(s_eval_t *e) {
  mash_store_destroy(&e->store);
  mash_seal_destroy(&e->seal);
  if (e->o.keep || e->dir[0] == '\0') {
    return;
  }
  bench_remove_store_dir(e->dir);
}

static void s_print(const s_eval_t *e, const s_result_t *r) {
  printf("eval-match: %zu people, %lu notifications, seed %" PRIu64 "\n", e->mw.n_people,
         e->o.count, e->o.seed);
  printf("  mentions %zu of %zu people; %zu records; %zu people split over 2+ records\n",
         r->mentions, r->people_seen, r->records, r->split_people);
  printf("  pairwise precision %.4f  recall %.4f  (true pairs %llu, linked pairs %llu, both "
         "%llu)\n",
         r->precision, r->recall, r->true_pairs, r->pred_pairs, r->tp);
  printf(
      "  review list %zu possible matches, %.2f%% of mentions (%zu mentions decided \"possible\");"
      " identifier_conflict on %u contacts\n",
      e->reviews, r->review_pct, r->review, e->conflicts);
  printf("  packs %zu: %zu list a child of the contact as another child\n", r->packs,
         r->packs_self);
  printf("  other children listed %zu: %zu real distinct siblings (precision %.4f), %zu "
         "repeats\n",
         r->others, r->others_ok, r->others_precision, r->others_dup);
  printf("  repeat mentions (the person mentioned before), by error kind: how many, and how\n"
         "  many got a record of their own (new or possible):\n");
  for (int k = 0; k <= MENTION_E_KINDS; k++) {
    printf("    %-22s %6zu: %5zu (%.1f%%)\n", k < MENTION_E_KINDS ? MENTION_E_NAMES[k] : "no error",
           e->with[k], e->missed[k],
           e->with[k] ? 100.0 * (double)e->missed[k] / (double)e->with[k] : 0.0);
  }
}

int main(int argc, char **argv) {
  static s_eval_t eval;
  s_eval_t *e = &eval;
  int prc = s_parse(argc, argv, &e->o);
  if (prc != 0) {
    return prc == 1 ? 0 : 2;
  }
  int status = 1;
  char err[256], path[1024];
  s_result_t r;
  memset(&r, 0, sizeof r);
  snprintf(e->dir, sizeof e->dir, "%s/mash-eval-match-XXXXXX", e->o.parent_dir);
  if (mkdtemp(e->dir) == NULL) {
    fprintf(stderr, "eval-match: cannot create a folder in %s: %s\n", e->o.parent_dir,
            strerror(errno));
    e->dir[0] = '\0';
    return 1;
  }
  snprintf(path, sizeof path, "%s/data.key", e->dir);
  e->seal = mash_seal_new(path, 1, err, sizeof err);
  if (e->seal != NULL) {
    snprintf(path, sizeof path, "%s/mash.db", e->dir);
    e->store = mash_store_sqlite_new(path, e->seal, err, sizeof err);
  }
  if (e->seal == NULL || e->store == NULL) {
    fprintf(stderr, "eval-match: %s\n", err);
    goto out;
  }
  if (mentions_world_init(&e->mw, e->o.people, e->o.seed) != 0) {
    fprintf(stderr, "eval-match: out of memory\n");
    goto out;
  }
  e->notes = calloc(e->o.count, sizeof *e->notes);
  e->contact_ids = calloc(e->o.count, sizeof *e->contact_ids);
  e->m = calloc(e->o.count * MENTIONS_MAX_PEOPLE, sizeof *e->m);
  e->seen = calloc(e->mw.n_people + 1, 1);
  if (e->seen == NULL || e->notes == NULL || e->contact_ids == NULL || e->m == NULL) {
    fprintf(stderr, "eval-match: out of memory\n");
    goto out;
  }
  mentions_notes(&e->mw, e->notes, e->o.count, e->o.seed);
  if (s_run(e) != 0 || s_record_truth(e) != 0) {
    goto out;
  }
  s_pairwise(e, &r);
  s_reviews(e, &r);
  if (s_packs(e, &r) != 0) {
    goto out;
  }
  s_print(e, &r);
  if (e->o.json) {
    printf("{\"bench\":\"eval-match\",\"people\":%zu,\"notifications\":%lu,\"seed\":%" PRIu64
           ",\"mentions\":%zu,\"precision\":%.5f,\"recall\":%.5f,\"review_pct\":%.3f,"
           "\"packs\":%zu,\"packs_self\":%zu,\"others\":%zu,\"others_precision\":%.5f,"
           "\"conflicts\":%u,\"repeats\":%zu,\"tf\":%s}\n",
           e->mw.n_people, e->o.count, e->o.seed, r.mentions, r.precision, r.recall, r.review_pct,
           r.packs, r.packs_self, r.others, r.others_precision, e->conflicts, r.others_dup,
           e->o.no_tf ? "false" : "true");
  }
  bool met = r.precision >= 0.995 && r.recall >= 0.98 && r.review_pct <= 5.0 && r.packs_self == 0 &&
             r.others_precision >= 0.98 && r.others_dup == 0;
  printf("  targets (precision >= 0.995, recall >= 0.98, review <= 5%%, no self in a pack, "
         "others >= 0.98, each sibling once): %s\n",
         met ? "met" : "NOT met");
  status = e->o.check && !met ? 1 : 0;

out:
  if (status != 0 && e->dir[0] != '\0') {
    e->o.keep = 1;
    fprintf(stderr, "eval-match: kept %s\n", e->dir);
  }
  s_cleanup(e);
  mentions_world_free(&e->mw);
  free(e->notes);
  free(e->contact_ids);
  free(e->m);
  free(e->record_truth);
  free(e->record_errors);
  free(e->seen);
  return status;
}
