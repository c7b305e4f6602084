/* pack_html_people: the people of the printable pack (pack_html.c): the
 * tables of children and adults, the household's other children, and a
 * person named by ref.
 *
 * Responsible for: each person's name, date of birth with age at issue,
 * sex, role, identifiers in the form staff read them (NHS numbers 3-3-4),
 * address, presence at the incident and the person record the broker
 * resolved them to (a possible match named for review).
 * Must not: do any I/O or log (the pack holds names of children), or
 * change the pack. Safe from any thread.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "civil.h"
#include "hub_html.h"
#include "names.h"
#include "pack_html_int.h"

/* What the page calls an identifier kind: the words staff know. */
static const char *s_identifier_label(Mash__V1__IdentifierKind k) {
  switch (k) {
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER:
    return "NHS";
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN:
    return "UPN";
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID:
    return "PNC";
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID:
    return "Local";
  default:
    return "Id";
  }
}

static bool s_empty(const char *s) {
  return s == NULL || s[0] == '\0';
}

/* The age at the pack's issue, "7 y" or "4 m" under two years; nothing when
 * either date is unknown or outside the years 0 to 9999, or the birth is
 * after the issue. */
static void s_age(hub_html_t *h, const char *dob, int64_t at_ms) {
  mash_civil_date_t born;
  if (at_ms == 0 || mash_civil_parse_date(dob, &born) != 0) {
    return;
  }
  mash_civil_date_t at = mash_civil_date_of_days(mash_civil_day_of_ms(at_ms));
  if (at.year < 0 || at.year > 9999) {
    return;
  }
  int64_t months = mash_civil_months_between(born, at);
  if (months < 0) {
    return;
  }
  if (months < 24) {
    hub_html_rawf(h, " <span class=\"muted\">(%d m)</span>", (int)months);
  } else {
    hub_html_rawf(h, " <span class=\"muted\">(%d y)</span>", (int)(months / 12));
  }
}

static void s_name(hub_html_t *h, const Mash__V1__Person *p) {
  if (s_empty(p->given_name) && s_empty(p->family_name)) {
    hub_html_raw(h, "<span class=\"muted\">name not known</span>");
    return;
  }
  hub_html_text(h, p->given_name);
  if (!s_empty(p->given_name) && !s_empty(p->family_name)) {
    hub_html_raw(h, " ");
  }
  hub_html_raw(h, "<strong>");
  hub_html_text(h, p->family_name);
  hub_html_raw(h, "</strong>");
}

/* The name, date of birth (with the age at at_ms) and sex cells of a row,
 * each closed and the next opened. */
static void s_name_dob_sex(hub_html_t *h, const Mash__V1__Person *p, int64_t at_ms) {
  s_name(h, p);
  hub_html_raw(h, "</td><td>");
  hub_html_field(h, p->date_of_birth);
  s_age(h, p->date_of_birth, at_ms);
  hub_html_raw(h, "</td><td>");
  hub_html_words(h, mash_sex_name(p->sex));
  hub_html_raw(h, "</td><td>");
}

static bool s_ten_digits(const char *s) {
  size_t n = 0;
  for (; s != NULL && s[n] >= '0' && s[n] <= '9'; n++) {
  }
  return n == 10 && s[n] == '\0';
}

static void s_identifiers(hub_html_t *h, const Mash__V1__Person *p) {
  bool any = false;
  for (size_t i = 0; i < p->n_identifiers; i++) {
    const Mash__V1__Identifier *id = p->identifiers[i];
    if (id == NULL) {
      continue;
    }
    hub_html_raw(h, any ? "<br>" : "");
    hub_html_raw(h, s_identifier_label(id->kind));
    hub_html_raw(h, " ");
    if (id->kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER &&
        s_ten_digits(id->value)) {
      /* The NHS's own display form, 3-3-4, is what staff read and type. */
      hub_html_raw_n(h, id->value, 3);
      hub_html_raw(h, " ");
      hub_html_raw_n(h, id->value + 3, 3);
      hub_html_raw(h, " ");
      hub_html_raw_n(h, id->value + 6, 4);
    } else {
      hub_html_text(h, id->value);
    }
    if (!s_empty(id->issuer)) {
      hub_html_raw(h, " <span class=\"muted\">(");
      hub_html_text(h, id->issuer);
      hub_html_raw(h, ")</span>");
    }
    any = true;
  }
  if (!any) {
    hub_html_raw(h, "<span class=\"muted\">none</span>");
  }
}

static void s_address(hub_html_t *h, const Mash__V1__Address *a) {
  bool any = false;
  if (a != NULL) {
    for (size_t i = 0; i < a->n_lines; i++) {
      if (!s_empty(a->lines[i])) {
        hub_html_raw(h, any ? ", " : "");
        hub_html_text(h, a->lines[i]);
        any = true;
      }
    }
    const char *tail[2] = {a->town, a->postcode};
    for (size_t i = 0; i < 2; i++) {
      if (!s_empty(tail[i])) {
        hub_html_raw(h, any ? ", " : "");
        hub_html_text(h, tail[i]);
        any = true;
      }
    }
  }
  if (!any) {
    hub_html_raw(h, "<span class=\"muted\">not known</span>");
  }
}

/* true when `ref` is among the police detail's children present. */
static bool s_present(const Mash__V1__PoliceDetail *pd, const char *ref) {
  for (size_t i = 0; pd != NULL && !s_empty(ref) && i < pd->n_children_present_refs; i++) {
    if (pd->children_present_refs[i] != NULL && strcmp(pd->children_present_refs[i], ref) == 0) {
      return true;
    }
  }
  return false;
}

/* The broker's link of the person `ref` of contact c, or NULL. */
static const Mash__V1__PersonLink *s_link(const Mash__V1__Contact *c, const char *ref) {
  for (size_t i = 0; c != NULL && !s_empty(ref) && i < c->n_persons; i++) {
    const Mash__V1__PersonLink *l = c->persons[i];
    if (l != NULL && l->ref != NULL && strcmp(l->ref, ref) == 0) {
      return l;
    }
  }
  return NULL;
}

/* The person record a person was resolved to, and how; a possible match
 * names the person it may be and the match the hub is to review. */
static void s_record(hub_html_t *h, const Mash__V1__PersonLink *l) {
  if (l == NULL) {
    hub_html_raw(h, "<span class=\"muted\">not resolved</span>");
    return;
  }
  hub_html_field(h, l->person_id);
  hub_html_raw(h, " <span class=\"muted\">(");
  hub_html_field(h, l->decision);
  hub_html_raw(h, ")</span>");
  if (!s_empty(l->match_id)) {
    unsigned hundredths = (l->confidence_permille + 5u) / 10u;
    hub_html_raw(h, "<br><span class=\"warn\">possible match ");
    hub_html_text(h, l->match_id);
    hub_html_raw(h, ": may be ");
    hub_html_field(h, l->candidate_person_id);
    hub_html_rawf(h, " (confidence %u.%02u", hundredths / 100u, hundredths % 100u);
    if (!s_empty(l->why)) {
      hub_html_raw(h, ", ");
      hub_html_text(h, l->why);
    }
    hub_html_raw(h, "), to review</span>");
  }
}

/* A table of people; with `pd` a "present at incident" column, with `c`
 * (the contact, when the broker resolved its people) a "person record"
 * column. */
void pack_html_people(hub_html_t *h, Mash__V1__Person *const *people, size_t n, int64_t at_ms,
                      const Mash__V1__PoliceDetail *pd, const Mash__V1__Contact *c) {
  bool records = c != NULL && c->n_persons > 0;
  hub_html_raw(h, "<table><thead><tr><th>Ref</th><th>Name</th><th>Date of birth</th><th>Sex</th>"
                  "<th>Role</th><th>Identifiers</th><th>Address</th>");
  hub_html_raw(h, pd != NULL ? "<th>Present at incident</th>" : "");
  hub_html_raw(h, records ? "<th>Person record</th>" : "");
  hub_html_raw(h, "</tr></thead><tbody>\n");
  for (size_t i = 0; i < n; i++) {
    const Mash__V1__Person *p = people[i];
    if (p == NULL) {
      continue;
    }
    hub_html_raw(h, "<tr><td>");
    hub_html_text(h, p->ref);
    hub_html_raw(h, "</td><td>");
    s_name_dob_sex(h, p, at_ms);
    hub_html_text(h, p->role);
    hub_html_raw(h, "</td><td>");
    s_identifiers(h, p);
    hub_html_raw(h, "</td><td>");
    s_address(h, p->address);
    if (pd != NULL) {
      hub_html_raw(h, s_present(pd, p->ref) ? "</td><td><strong>yes</strong>" : "</td><td>no");
    }
    if (records) {
      hub_html_raw(h, "</td><td>");
      s_record(h, s_link(c, p->ref));
    }
    hub_html_raw(h, "</td></tr>\n");
  }
  hub_html_raw(h, "</tbody></table>\n");
}

/* The household's other children: their ref is their person record. */
void pack_html_household(hub_html_t *h, const Mash__V1__ConsolidatedPack *p) {
  hub_html_raw(h, "<table class=\"household\"><thead><tr><th>Person record</th><th>Name</th>"
                  "<th>Date of birth</th><th>Sex</th><th>Address</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < p->n_household; i++) {
    const Mash__V1__Person *c = p->household[i];
    if (c == NULL) {
      continue;
    }
    hub_html_raw(h, "<tr><td>");
    hub_html_field(h, c->ref);
    hub_html_raw(h, "</td><td>");
    s_name_dob_sex(h, c, p->issued_at_ms);
    s_address(h, c->address);
    hub_html_raw(h, "</td></tr>\n");
  }
  hub_html_raw(h, "</tbody></table>\n");
}

/* The person a ref names in the notification or household, or NULL. */
static const Mash__V1__Person *s_find_person(const Mash__V1__ConsolidatedPack *p, const char *ref) {
  const Mash__V1__Notification *n = p->contact != NULL ? p->contact->notification : NULL;
  Mash__V1__Person *const *lists[3] = {n != NULL ? n->children : NULL, n != NULL ? n->adults : NULL,
                                       p->household};
  const size_t counts[3] = {n != NULL ? n->n_children : 0, n != NULL ? n->n_adults : 0,
                            p->n_household};
  for (size_t l = 0; !s_empty(ref) && l < 3; l++) {
    for (size_t i = 0; i < counts[l]; i++) {
      const Mash__V1__Person *person = lists[l][i];
      if (person != NULL && person->ref != NULL && strcmp(person->ref, ref) == 0) {
        return person;
      }
    }
  }
  return NULL;
}

/* "Jess Hartley (a1)", or the ref alone when nobody in the pack has it. */
void pack_html_ref(hub_html_t *h, const Mash__V1__ConsolidatedPack *p, const char *ref) {
  const Mash__V1__Person *person = s_find_person(p, ref);
  if (person != NULL) {
    s_name(h, person);
    hub_html_raw(h, " ");
  }
  hub_html_raw(h, "<span class=\"muted\">(");
  hub_html_text(h, ref);
  hub_html_raw(h, ")</span>");
}
