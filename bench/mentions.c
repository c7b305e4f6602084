/* mentions: the labelled population and notifications of eval-match. See
 * mentions.h. The rates below are this generator's assumptions, chosen to
 * be at least as hard as the month described in issue 9; each is named so
 * that bench/README.md can quote them. */
#include "mentions.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mash.pb-c.h"

const char *const MENTION_E_NAMES[MENTION_E_KINDS] = {
    "surname typo", "forename typo",  "nickname/variant",     "surname in part",
    "no dob",       "day/month swap", "dob digit slip",       "no sex",
    "no address",   "moved",          "sibling's NHS number",
};

const char *const MENTION_AGENCIES[4] = {"police", "health", "education", "housing"};

/* Rates, per family or per mention. */
#define R_TWINS 0.05         /* families with 2+ children whose first two are twins */
#define R_HALF 0.10          /* families whose children have a father in another family */
#define R_HOSTEL 0.04        /* families living in a hostel */
#define R_MOVES 0.10         /* families moving half way through the month */
#define R_SURNAME_TYPO 0.06  /* one letter of the surname wrong or swapped */
#define R_FORENAME_TYPO 0.04 /* one letter of the forename wrong or swapped */
#define R_NICKNAME 0.25      /* of people whose name has a usual variant */
#define R_PART 0.35          /* of double-barrelled surnames: one part only */
#define R_DOB_SWAP 0.03      /* day and month swapped (day <= 12) */
#define R_DOB_DIGIT 0.02     /* one digit of the date slipped */
#define R_NO_SEX 0.10        /* sex not recorded */
#define R_NO_ADDRESS 0.04    /* no address given */
#define R_SIBLING_NHS 0.02   /* of NHS numbers given: a sibling's typed instead */
static const double R_NO_DOB[4] = {0.30, 0.02, 0.03, 0.10}; /* by agency */
static const double R_NHS[4] = {0.05, 0.90, 0.40, 0.0};     /* NHS number given, when known */

static double s_unit(people_rng_t *r) {
  return (double)(people_next(r) >> 11) * 0x1.0p-53;
}

/* ---------------------------------------------------------------- variants */

/* Usual written variants of a given name (Mohammed, Muhammad; Jack, Jak;
 * Thomas, Tom): first the form in people.c's tables, then the variant. */
static const char *const VARIANTS[][2] = {
    {"Muhammad", "Mohammed"}, {"Mohammed", "Mohammad"}, {"Jack", "Jak"},
    {"Thomas", "Tom"},        {"William", "Will"},      {"Alexander", "Alex"},
    {"Samuel", "Sam"},        {"Joshua", "Josh"},       {"Daniel", "Danny"},
    {"Matthew", "Matt"},      {"Jessica", "Jess"},      {"Elizabeth", "Beth"},
    {"Isabella", "Bella"},    {"Sophia", "Sofia"},      {"Sofia", "Sophia"},
    {"Isabelle", "Isobel"},   {"Katie", "Katy"},        {"Rebecca", "Becky"},
    {"Abigail", "Abbie"},     {"Freddie", "Freddy"},    {"Alfie", "Alfy"},
    {"Theodore", "Theo"},     {"Benjamin", "Ben"},      {"Joseph", "Joe"},
    {"Christopher", "Chris"}, {"Michael", "Mike"},      {"Zoe", "Zoey"},
    {"Ayla", "Aila"},         {"Evie", "Evey"},         {"Aisha", "Ayesha"},
    {"Oliwia", "Olivia"},     {"Jakub", "Jacob"},       {"Leanne", "Lianne"},
    {"Niamh", "Neve"},        {"Siobhan", "Shivaun"},   {"Callum", "Calum"},
};
#define N_VARIANTS (sizeof VARIANTS / sizeof VARIANTS[0])

static const char *s_variant(const char *name) {
  for (size_t i = 0; i < N_VARIANTS; i++) {
    if (strcmp(VARIANTS[i][0], name) == 0) {
      return VARIANTS[i][1];
    }
  }
  return NULL;
}

/* One letter (not the first) changed, or two adjacent letters swapped. */
static void s_typo(char *name, people_rng_t *r) {
  size_t len = strlen(name);
  if (len < 3) {
    return;
  }
  size_t i = 1 + people_below(r, (uint32_t)(len - 2));
  if (people_below(r, 2) == 0 && name[i] != name[i + 1] && name[i + 1] != '-' && name[i] != '-') {
    char t = name[i];
    name[i] = name[i + 1];
    name[i + 1] = t;
  } else if (name[i] != '-' && name[i] != ' ' && name[i] != '\'') {
    char base = name[i] >= 'a' ? 'a' : 'A';
    name[i] = (char)(base + (name[i] - base + 1 + (int)people_below(r, 25)) % 26);
  }
}

/* ---------------------------------------------------------------- the population */

void mentions_world_free(mentions_world_t *mw) {
  people_world_free(&mw->w);
  free(mw->people);
  free(mw->families);
  memset(mw, 0, sizeof *mw);
}

int mentions_world_init(mentions_world_t *mw, size_t n_people, uint64_t seed) {
  memset(mw, 0, sizeof *mw);
  if (people_world_init(&mw->w, n_people, seed) != 0) {
    return -ENOMEM;
  }
  mw->people = calloc(n_people + 8, sizeof *mw->people);
  mw->families = calloc(n_people + 8, sizeof *mw->families);
  if (mw->people == NULL || mw->families == NULL) {
    return -ENOMEM;
  }
  people_rng_t r = {seed ^ 0xE7A1E7A1ULL};
  /* Hostels: a few addresses that many families pass through. */
  size_t n_hostels = n_people / 400 + 2;
  while (mw->n_people < n_people) {
    people_person_t hh[5];
    size_t size = people_household(&mw->w, &r, hh, (uint32_t)mw->n_people, 1, 4);
    if (size > n_people - mw->n_people) {
      break;
    }
    mentions_family_t *f = &mw->families[mw->n_families];
    f->first = (uint32_t)mw->n_people;
    f->size = (uint32_t)size;
    f->father = -1;
    f->hostel = s_unit(&r) < R_HOSTEL;
    if (f->hostel) {
      uint32_t h = people_below(&r, (uint32_t)n_hostels);
      for (size_t i = 0; i < size; i++) {
        hh[i].postcode = h; /* the first postcodes are the hostels' */
        hh[i].house = 1;
        hh[i].flat = 0;
      }
    }
    f->moves = !f->hostel && s_unit(&r) < R_MOVES;
    f->new_postcode =
        (uint32_t)(n_hostels + people_below(&r, (uint32_t)(mw->w.n_postcodes - n_hostels)));
    f->new_house = (uint16_t)(1 + people_below(&r, 200));
    f->new_flat = s_unit(&r) < 0.12 ? (uint8_t)(1 + people_below(&r, 12)) : 0;
    /* Twins: the first two children share a date of birth (and often sex). */
    size_t c0 = 0, c1 = 0, nc = 0;
    for (size_t i = 0; i < size; i++) {
      if (hh[i].flags & PEOPLE_F_CHILD) {
        if (nc == 0) {
          c0 = i;
        } else if (nc == 1) {
          c1 = i;
        }
        nc++;
      }
    }
    bool twins = nc >= 2 && s_unit(&r) < R_TWINS;
    if (twins) {
      hh[c1].dob = hh[c0].dob;
      if (hh[c1].given == hh[c0].given && hh[c1].sex == hh[c0].sex) {
        hh[c1].given = (uint16_t)(hh[c1].given + 1);
      }
    }
    for (size_t i = 0; i < size; i++) {
      if (!f->hostel && hh[i].postcode < n_hostels) {
        hh[i].postcode = (uint32_t)n_hostels + hh[i].postcode; /* hostels are only hostels */
      }
      mentions_person_t *p = &mw->people[mw->n_people + i];
      p->base = hh[i];
      p->family = (uint32_t)mw->n_families;
      p->half_family = -1;
      p->child = (hh[i].flags & PEOPLE_F_CHILD) != 0;
      p->twin = twins && (i == c0 || i == c1);
    }
    mw->n_people += size;
    mw->n_families++;
  }
  /* Half-siblings: a family's children whose father heads another family. */
  for (size_t i = 0; i < mw->n_families; i++) {
    mentions_family_t *a = &mw->families[i];
    if (s_unit(&r) >= R_HALF) {
      continue;
    }
    size_t j = people_below(&r, (uint32_t)mw->n_families);
    mentions_family_t *b = &mw->families[j];
    const mentions_person_t *head = &mw->people[b->first];
    if (j == i || head->base.sex != PEOPLE_SEX_M || head->child || a->father >= 0 ||
        mw->people[a->first + a->size - 1].half_family >= 0 ||
        mw->people[b->first + b->size - 1].half_family >= 0) {
      continue;
    }
    a->father = (int32_t)b->first;
    for (size_t k = 0; k < a->size; k++) {
      mw->people[a->first + k].half_family = mw->people[a->first + k].child ? (int32_t)j : -1;
    }
    for (size_t k = 0; k < b->size; k++) {
      mw->people[b->first + k].half_family = mw->people[b->first + k].child ? (int32_t)i : -1;
    }
  }
  return 0;
}

bool mentions_siblings(const mentions_world_t *mw, uint32_t a, uint32_t b) {
  const mentions_person_t *x = &mw->people[a], *y = &mw->people[b];
  if (a == b || !x->child || !y->child) {
    return false;
  }
  return x->family == y->family || x->half_family == (int32_t)y->family ||
         y->half_family == (int32_t)x->family;
}

/* ---------------------------------------------------------------- notifications */

static unsigned s_errors(const mentions_world_t *mw, uint32_t who, int agency, bool moved,
                         people_rng_t *r) {
  const mentions_person_t *p = &mw->people[who];
  unsigned e = moved ? MENTION_E_MOVED : 0;
  e |= s_unit(r) < R_SURNAME_TYPO ? MENTION_E_SURNAME_TYPO : 0;
  e |= s_unit(r) < R_FORENAME_TYPO ? MENTION_E_FORENAME_TYPO : 0;
  e |= s_variant(people_given_name(&p->base)) && s_unit(r) < R_NICKNAME ? MENTION_E_NICKNAME : 0;
  e |= strchr(mw->w.surnames[p->base.surname], '-') && s_unit(r) < R_PART ? MENTION_E_SURNAME_PART
                                                                          : 0;
  e |= s_unit(r) < R_NO_DOB[agency] ? MENTION_E_NO_DOB : 0;
  e |= s_unit(r) < R_DOB_SWAP ? MENTION_E_DOB_SWAP : 0;
  e |= s_unit(r) < R_DOB_DIGIT ? MENTION_E_DOB_DIGIT : 0;
  e |= s_unit(r) < R_NO_SEX ? MENTION_E_NO_SEX : 0;
  e |= s_unit(r) < R_NO_ADDRESS ? MENTION_E_NO_ADDRESS : 0;
  e |= s_unit(r) < R_SIBLING_NHS ? MENTION_E_SIBLING_NHS : 0;
  return e;
}

void mentions_notes(mentions_world_t *mw, mention_note_t *notes, size_t count, uint64_t seed) {
  people_rng_t r = {seed ^ 0x0DDBA11ULL};
  int64_t month = 30LL * PEOPLE_DAY_MS;
  for (size_t i = 0; i < count; i++) {
    mention_note_t *n = &notes[i];
    memset(n, 0, sizeof *n);
    /* Some families are notified again and again, most once or never. */
    double u = s_unit(&r);
    n->family = (uint32_t)((double)mw->n_families * u * u);
    const mentions_family_t *f = &mw->families[n->family];
    n->agency = (int)people_below(&r, 4);
    n->received_ms = PEOPLE_T0_MS + (int64_t)i * (month / (int64_t)count);
    n->seed = people_next(&r);
    bool moved = f->moves && i >= count / 2;
    bool all = s_unit(&r) < 0.6;
    uint32_t children[5];
    size_t nc = 0;
    for (uint32_t k = 0; k < f->size; k++) {
      if (mw->people[f->first + k].child) {
        children[nc++] = f->first + k;
      }
    }
    size_t pick = nc == 0 ? 0 : people_below(&r, (uint32_t)nc);
    for (size_t k = 0; k < nc && n->n_children < MENTIONS_MAX_CHILDREN; k++) {
      if (all || k == pick) {
        n->who[n->n_children++] = children[k];
      }
    }
    if (!mw->people[f->first].child && s_unit(&r) < 0.85) {
      n->who[n->n_children + n->n_adults++] = f->first;
    }
    if (f->father >= 0 && s_unit(&r) < 0.4) {
      n->who[n->n_children + n->n_adults++] = (uint32_t)f->father;
    }
    for (size_t k = 0; k < n->n_children + n->n_adults; k++) {
      /* The non-resident father is written at his own address. */
      bool own = mw->people[n->who[k]].family == n->family;
      n->errors[k] = s_errors(mw, n->who[k], n->agency, moved && own, &r);
    }
  }
}

/* One person of a notification, with its errors, into b. */
static void s_person(const mentions_world_t *mw, const mention_note_t *n, size_t k, const char *ref,
                     people_pb_t *b, people_rng_t *r) {
  const mentions_person_t *p = &mw->people[n->who[k]];
  const mentions_family_t *f = &mw->families[p->family];
  unsigned e = n->errors[k];
  people_person_t m = p->base;
  if (e & MENTION_E_MOVED) {
    m.postcode = f->new_postcode;
    m.house = f->new_house;
    m.flat = f->new_flat;
  }
  bool nhs = (m.flags & PEOPLE_F_NHS) && s_unit(r) < R_NHS[n->agency];
  people_pb_fill(b, &mw->w, &m, ref, NULL);
  if (!nhs) {
    b->p.n_identifiers = 0;
  } else if (e & MENTION_E_SIBLING_NHS) {
    /* Typed from a brother's or sister's record, when there is one. */
    for (uint32_t j = 0; j < f->size; j++) {
      const mentions_person_t *s = &mw->people[f->first + j];
      if (f->first + j != n->who[k] && s->child && (s->base.flags & PEOPLE_F_NHS)) {
        people_nhs_text(s->base.nhs, b->nhs);
        break;
      }
    }
  }
  if (e & MENTION_E_NICKNAME) {
    snprintf(b->given, sizeof b->given, "%s", s_variant(b->given));
  }
  if (e & MENTION_E_FORENAME_TYPO) {
    s_typo(b->given, r);
  }
  if (e & MENTION_E_SURNAME_PART) {
    char *dash = strchr(b->family, '-');
    if (dash != NULL && people_below(r, 2) == 0) {
      *dash = '\0';
    } else if (dash != NULL) {
      memmove(b->family, dash + 1, strlen(dash + 1) + 1);
    }
  }
  if (e & MENTION_E_SURNAME_TYPO) {
    s_typo(b->family, r);
  }
  if (e & MENTION_E_NO_DOB) {
    b->p.date_of_birth = (char *)"";
  } else if ((e & MENTION_E_DOB_SWAP) && b->dob[8] <= '1' &&
             !(b->dob[8] == '1' && b->dob[9] > '2') && !(b->dob[8] == '0' && b->dob[9] == '0') &&
             memcmp(b->dob + 5, b->dob + 8, 2) != 0) {
    char mm[2] = {b->dob[5], b->dob[6]};
    b->dob[5] = b->dob[8];
    b->dob[6] = b->dob[9];
    b->dob[8] = mm[0];
    b->dob[9] = mm[1];
  } else if (e & MENTION_E_DOB_DIGIT) {
    /* The last digit of the day, one up or down, staying a real date. */
    b->dob[9] = b->dob[9] == '1' ? '2' : (char)(b->dob[9] - 1);
    if (b->dob[8] == '0' && b->dob[9] == '0') {
      b->dob[9] = '1';
    }
  }
  if (e & MENTION_E_NO_SEX) {
    b->p.sex = MASH__V1__SEX__SEX_UNSPECIFIED;
  }
  if (e & MENTION_E_NO_ADDRESS) {
    b->p.address = NULL;
  }
}

int mentions_contact(const mentions_world_t *mw, const mention_note_t *n, size_t index,
                     uint8_t **out, size_t *len) {
  people_pb_t pb[MENTIONS_MAX_PEOPLE];
  Mash__V1__Person *children[MENTIONS_MAX_CHILDREN], *adults[MENTIONS_MAX_ADULTS];
  Mash__V1__Relationship rel[MENTIONS_MAX_CHILDREN * MENTIONS_MAX_ADULTS];
  Mash__V1__Relationship *relp[MENTIONS_MAX_CHILDREN * MENTIONS_MAX_ADULTS];
  char refs[MENTIONS_MAX_PEOPLE][8];
  people_rng_t r = {n->seed};
  size_t np = n->n_children + n->n_adults, nr = 0;
  for (size_t k = 0; k < np; k++) {
    bool child = k < n->n_children;
    snprintf(refs[k], sizeof refs[k], "%c%zu", child ? 'c' : 'a',
             child ? k + 1 : k - n->n_children + 1);
    s_person(mw, n, k, refs[k], &pb[k], &r);
    if (child) {
      children[k] = &pb[k].p;
    } else {
      pb[k].p.role = (char *)"parent";
      adults[k - n->n_children] = &pb[k].p;
      for (size_t c = 0; c < n->n_children; c++) {
        mash__v1__relationship__init(&rel[nr]);
        rel[nr].from_ref = refs[k];
        rel[nr].to_ref = refs[c];
        rel[nr].kind = (char *)"parent";
        relp[nr] = &rel[nr];
        nr++;
      }
    }
  }
  char source[32];
  snprintf(source, sizeof source, "eval-%zu", index);
  Mash__V1__Notification note = MASH__V1__NOTIFICATION__INIT;
  note.source_reference = source;
  note.children = children;
  note.n_children = n->n_children;
  note.adults = adults;
  note.n_adults = n->n_adults;
  note.relationships = relp;
  note.n_relationships = nr;
  note.occurred_at_ms = n->received_ms - 3600 * 1000;
  note.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT;
  note.concern = (char *)"Children left alone overnight.";
  Mash__V1__Contact c = MASH__V1__CONTACT__INIT;
  c.source_principal = (char *)MENTION_AGENCIES[n->agency];
  c.notification = &note;
  *len = mash__v1__contact__get_packed_size(&c);
  *out = malloc(*len ? *len : 1);
  if (*out == NULL) {
    return -ENOMEM;
  }
  mash__v1__contact__pack(&c, *out);
  return 0;
}
