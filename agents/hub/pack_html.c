/* pack_html: the printable HTML page of a consolidated pack, which a social
 * worker reads before the decision (the JSON view is pack_view.c).
 *
 * Responsible for: writing a self-contained HTML5 page (inline CSS, no
 * scripts, no external resources) in which every text from the pack is
 * escaped and made valid UTF-8, with the lawful basis and identifiers in
 * the words a social worker knows and the DASH checklist by topic. The
 * contact and people come from hub_view, the enum words from names.h.
 * Must not: do any I/O, log (the pack holds names of children), or change
 * the pack. Safe from any thread.
 */
#include "pack_view.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "clock.h"
#include "codec.h"
#include "dash.h"
#include "hub_view.h"
#include "pack_view_int.h"

/* ---------------------------------------------------------------- names */

/* What the page says for a lawful basis: the words a social worker knows. */
static const char *s_basis_label(Mash__V1__LawfulBasis b) {
  switch (b) {
  case MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_CONSENT:
    return "Consent";
  case MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_PUBLIC_TASK:
    return "Public task";
  case MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_LEGAL_OBLIGATION:
    return "Legal obligation";
  case MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_VITAL_INTERESTS:
    return "Vital interests";
  case MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18:
    return "Safeguarding of children (DPA 2018 Sch. 1 Pt 2 para 18)";
  default:
    return NULL;
  }
}

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

/* The police DASH checklist's topics, in order (DOMAIN.md). */
static const char *const DASH_TOPICS[MASH_DASH_ITEMS] = {
    "Injury now",
    "Very frightened",
    "What is feared",
    "Isolated",
    "Depressed or suicidal",
    "Separated within the year",
    "Conflict over child contact",
    "Constant contact/stalking",
    "Pregnant or baby under 18 months",
    "Other children or dependants in the household",
    "Abuser has hurt the children",
    "Abuser has threatened the children",
    "Abuse more often",
    "Abuse getting worse",
    "Controlling or jealous",
    "Weapons or objects used",
    "Threats to kill believed",
    "Strangling/choking/suffocating/drowning",
    "Sexual abuse",
    "Another person threatening",
    "Abuser has hurt anyone else",
    "Cruelty to animals",
    "Financial issues",
    "Drugs/alcohol/mental health",
    "Abuser's threatened or attempted suicide",
    "Breach of bail or orders",
    "Criminal history",
};

static bool s_empty(const char *s) {
  return s == NULL || s[0] == '\0';
}

/* true when `agency` has an answer in the pack (missing agencies that do
 * not get a section of their own otherwise). */
static bool s_has_answer(const Mash__V1__ConsolidatedPack *p, const char *agency) {
  for (size_t i = 0; i < p->n_answers; i++) {
    const Mash__V1__AgencyAnswer *a = p->answers[i];
    if (a != NULL && !s_empty(a->agency) && !s_empty(agency) && strcmp(a->agency, agency) == 0) {
      return true;
    }
  }
  return false;
}

/* ---------------------------------------------------------------- html buffer */

/* A growing string. A failed allocation marks it failed and makes every
 * later append a no-op, so the writers check once at the end. */
typedef struct html {
  char *data;
  size_t len;
  size_t cap;
  bool failed;
} html_t;

static bool s_reserve(html_t *h, size_t extra) {
  if (h->failed) {
    return false;
  }
  if (extra < h->cap - h->len) { /* room for extra bytes and the terminator */
    return true;
  }
  if (extra > SIZE_MAX / 2 - h->len) {
    h->failed = true;
    return false;
  }
  size_t cap = h->cap != 0 ? h->cap : 16384;
  while (cap - h->len <= extra) {
    cap *= 2;
  }
  char *data = realloc(h->data, cap);
  if (data == NULL) {
    h->failed = true;
    return false;
  }
  h->data = data;
  h->cap = cap;
  return true;
}

static void s_raw_n(html_t *h, const char *bytes, size_t n) {
  if (!s_reserve(h, n)) {
    return;
  }
  memcpy(h->data + h->len, bytes, n);
  h->len += n;
  h->data[h->len] = '\0';
}

/* Trusted markup and fixed words only. */
static void s_raw(html_t *h, const char *s) {
  s_raw_n(h, s, strlen(s));
}

static void s_rawf(html_t *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Trusted formatted markup: numbers and fixed words only, never pack text. */
static void s_rawf(html_t *h, const char *fmt, ...) {
  char tmp[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof tmp) {
    /* A programmer error: every format here is short. Fail loudly rather
     * than print a cut tag. */
    h->failed = true;
    return;
  }
  s_raw_n(h, tmp, (size_t)n);
}

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Untrusted text from the pack: the five HTML specials escaped; invalid
 * UTF-8, control characters other than tab and new line, and Unicode
 * non-characters shown as U+FFFD. NULL is "". */
static void s_text(html_t *h, const char *s) {
  const unsigned char *u = (const unsigned char *)(s != NULL ? s : "");
  while (*u != '\0' && !h->failed) {
    uint32_t cp = 0;
    size_t n = hub_view_utf8_next(u, &cp);
    if (n == 0) {
      s_raw(h, REPLACEMENT);
      u++;
      continue;
    }
    switch (cp) {
    case '&':
      s_raw(h, "&amp;");
      break;
    case '<':
      s_raw(h, "&lt;");
      break;
    case '>':
      s_raw(h, "&gt;");
      break;
    case '"':
      s_raw(h, "&quot;");
      break;
    case '\'':
      s_raw(h, "&#39;");
      break;
    case '\t':
    case '\n':
      s_raw_n(h, (const char *)u, 1);
      break;
    case '\r': /* CR LF and a lone CR are both one new line */
      s_raw(h, u[1] == '\n' ? "" : "\n");
      break;
    default:
      if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xfdd0 && cp <= 0xfdef) ||
          (cp & 0xfffe) == 0xfffe) {
        s_raw(h, REPLACEMENT);
      } else {
        s_raw_n(h, (const char *)u, n);
      }
      break;
    }
    u += n;
  }
}

/* Untrusted text, or a muted "not recorded" when empty. */
static void s_field(html_t *h, const char *s) {
  if (s_empty(s)) {
    s_raw(h, "<span class=\"muted\">not recorded</span>");
  } else {
    s_text(h, s);
  }
}

/* A snake_case enum name as words ("not_sought" -> "not sought"). */
static void s_words(html_t *h, const char *name) {
  for (const char *c = name; *c != '\0'; c++) {
    s_raw_n(h, *c == '_' ? " " : c, 1);
  }
}

/* "2026-11-23 02:10 UTC", or a dash for 0 (not known). */
static void s_time(html_t *h, int64_t ms) {
  char iso[48];
  if (ms == 0) {
    s_raw(h, "<span class=\"muted\">&#8212;</span>");
    return;
  }
  mash_clock_format(ms, iso, sizeof iso);
  size_t n = strlen(iso);
  /* YYYY-MM-DDTHH:MM:SSZ: show the minute; anything else as it came. */
  if (n == 20 && iso[10] == 'T') {
    iso[10] = ' ';
    iso[16] = '\0';
    s_raw(h, "<time>");
    s_raw(h, iso);
    s_raw(h, " UTC</time>");
  } else if (n > 0) {
    s_text(h, iso);
  } else {
    s_raw(h, "<span class=\"muted\">invalid time</span>");
  }
}

/* A duration such as "2 d 3 h 05 min" or "40 s". */
static void s_duration(html_t *h, uint64_t ms) {
  uint64_t s = ms / 1000;
  uint64_t d = s / 86400, hr = (s % 86400) / 3600, min = (s % 3600) / 60;
  if (s < 60) {
    s_rawf(h, "%llu s", (unsigned long long)s);
  } else if (d > 0) {
    s_rawf(h, "%llu d %llu h %02llu min", (unsigned long long)d, (unsigned long long)hr,
           (unsigned long long)min);
  } else if (hr > 0) {
    s_rawf(h, "%llu h %02llu min", (unsigned long long)hr, (unsigned long long)min);
  } else {
    s_rawf(h, "%llu min", (unsigned long long)min);
  }
}

/* later - earlier for later > earlier, without signed overflow. */
static uint64_t s_span(int64_t earlier, int64_t later) {
  return (uint64_t)later - (uint64_t)earlier;
}

/* One <dt>/<dd> pair: label trusted, value written by the caller next. */
static void s_dt(html_t *h, const char *label) {
  s_raw(h, "<dt>");
  s_raw(h, label);
  s_raw(h, "</dt><dd>");
}

/* A <dt>/<dd> pair of untrusted text ("not recorded" when empty). */
static void s_kv(html_t *h, const char *label, const char *text) {
  s_dt(h, label);
  s_field(h, text);
  s_raw(h, "</dd>");
}

/* A <dt>/<dd> pair of a time. */
static void s_kv_time(html_t *h, const char *label, int64_t ms) {
  s_dt(h, label);
  s_time(h, ms);
  s_raw(h, "</dd>");
}

/* ---------------------------------------------------------------- people */

/* The age at the pack's issue, "7 y" or "4 m" under two years; nothing when
 * either date is unknown or outside the years 0 to 9999, or the birth is
 * after the issue. */
static void s_age(html_t *h, const char *dob, int64_t at_ms) {
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
    s_rawf(h, " <span class=\"muted\">(%d m)</span>", (int)months);
  } else {
    s_rawf(h, " <span class=\"muted\">(%d y)</span>", (int)(months / 12));
  }
}

static void s_name(html_t *h, const Mash__V1__Person *p) {
  if (s_empty(p->given_name) && s_empty(p->family_name)) {
    s_raw(h, "<span class=\"muted\">name not known</span>");
    return;
  }
  s_text(h, p->given_name);
  if (!s_empty(p->given_name) && !s_empty(p->family_name)) {
    s_raw(h, " ");
  }
  s_raw(h, "<strong>");
  s_text(h, p->family_name);
  s_raw(h, "</strong>");
}

static bool s_ten_digits(const char *s) {
  size_t n = 0;
  for (; s != NULL && s[n] >= '0' && s[n] <= '9'; n++) {
  }
  return n == 10 && s[n] == '\0';
}

static void s_identifiers(html_t *h, const Mash__V1__Person *p) {
  bool any = false;
  for (size_t i = 0; i < p->n_identifiers; i++) {
    const Mash__V1__Identifier *id = p->identifiers[i];
    if (id == NULL) {
      continue;
    }
    s_raw(h, any ? "<br>" : "");
    s_raw(h, s_identifier_label(id->kind));
    s_raw(h, " ");
    if (id->kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER &&
        s_ten_digits(id->value)) {
      /* The NHS's own display form, 3-3-4, is what staff read and type. */
      s_raw_n(h, id->value, 3);
      s_raw(h, " ");
      s_raw_n(h, id->value + 3, 3);
      s_raw(h, " ");
      s_raw_n(h, id->value + 6, 4);
    } else {
      s_text(h, id->value);
    }
    if (!s_empty(id->issuer)) {
      s_raw(h, " <span class=\"muted\">(");
      s_text(h, id->issuer);
      s_raw(h, ")</span>");
    }
    any = true;
  }
  if (!any) {
    s_raw(h, "<span class=\"muted\">none</span>");
  }
}

static void s_address(html_t *h, const Mash__V1__Address *a) {
  bool any = false;
  if (a != NULL) {
    for (size_t i = 0; i < a->n_lines; i++) {
      if (!s_empty(a->lines[i])) {
        s_raw(h, any ? ", " : "");
        s_text(h, a->lines[i]);
        any = true;
      }
    }
    const char *tail[2] = {a->town, a->postcode};
    for (size_t i = 0; i < 2; i++) {
      if (!s_empty(tail[i])) {
        s_raw(h, any ? ", " : "");
        s_text(h, tail[i]);
        any = true;
      }
    }
  }
  if (!any) {
    s_raw(h, "<span class=\"muted\">not known</span>");
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
static void s_record(html_t *h, const Mash__V1__PersonLink *l) {
  if (l == NULL) {
    s_raw(h, "<span class=\"muted\">not resolved</span>");
    return;
  }
  s_field(h, l->person_id);
  s_raw(h, " <span class=\"muted\">(");
  s_field(h, l->decision);
  s_raw(h, ")</span>");
  if (!s_empty(l->match_id)) {
    unsigned hundredths = (l->confidence_permille + 5u) / 10u;
    s_raw(h, "<br><span class=\"warn\">possible match ");
    s_text(h, l->match_id);
    s_raw(h, ": may be ");
    s_field(h, l->candidate_person_id);
    s_rawf(h, " (confidence %u.%02u", hundredths / 100u, hundredths % 100u);
    if (!s_empty(l->why)) {
      s_raw(h, ", ");
      s_text(h, l->why);
    }
    s_raw(h, "), to review</span>");
  }
}

/* A table of people; with `pd` a "present at incident" column, with `c`
 * (the contact, when the broker resolved its people) a "person record"
 * column. */
static void s_people(html_t *h, Mash__V1__Person *const *people, size_t n, int64_t at_ms,
                     const Mash__V1__PoliceDetail *pd, const Mash__V1__Contact *c) {
  bool records = c != NULL && c->n_persons > 0;
  s_raw(h, "<table><thead><tr><th>Ref</th><th>Name</th><th>Date of birth</th><th>Sex</th>"
           "<th>Role</th><th>Identifiers</th><th>Address</th>");
  s_raw(h, pd != NULL ? "<th>Present at incident</th>" : "");
  s_raw(h, records ? "<th>Person record</th>" : "");
  s_raw(h, "</tr></thead><tbody>\n");
  for (size_t i = 0; i < n; i++) {
    const Mash__V1__Person *p = people[i];
    if (p == NULL) {
      continue;
    }
    s_raw(h, "<tr><td>");
    s_text(h, p->ref);
    s_raw(h, "</td><td>");
    s_name(h, p);
    s_raw(h, "</td><td>");
    s_field(h, p->date_of_birth);
    s_age(h, p->date_of_birth, at_ms);
    s_raw(h, "</td><td>");
    s_words(h, mash_sex_name(p->sex));
    s_raw(h, "</td><td>");
    s_text(h, p->role);
    s_raw(h, "</td><td>");
    s_identifiers(h, p);
    s_raw(h, "</td><td>");
    s_address(h, p->address);
    if (pd != NULL) {
      s_raw(h, s_present(pd, p->ref) ? "</td><td><strong>yes</strong>" : "</td><td>no");
    }
    if (records) {
      s_raw(h, "</td><td>");
      s_record(h, s_link(c, p->ref));
    }
    s_raw(h, "</td></tr>\n");
  }
  s_raw(h, "</tbody></table>\n");
}

/* The household's other children: their ref is their person record. */
static void s_household(html_t *h, const Mash__V1__ConsolidatedPack *p) {
  s_raw(h, "<table class=\"household\"><thead><tr><th>Person record</th><th>Name</th>"
           "<th>Date of birth</th><th>Sex</th><th>Address</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < p->n_household; i++) {
    const Mash__V1__Person *c = p->household[i];
    if (c == NULL) {
      continue;
    }
    s_raw(h, "<tr><td>");
    s_field(h, c->ref);
    s_raw(h, "</td><td>");
    s_name(h, c);
    s_raw(h, "</td><td>");
    s_field(h, c->date_of_birth);
    s_age(h, c->date_of_birth, p->issued_at_ms);
    s_raw(h, "</td><td>");
    s_words(h, mash_sex_name(c->sex));
    s_raw(h, "</td><td>");
    s_address(h, c->address);
    s_raw(h, "</td></tr>\n");
  }
  s_raw(h, "</tbody></table>\n");
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
static void s_ref(html_t *h, const Mash__V1__ConsolidatedPack *p, const char *ref) {
  const Mash__V1__Person *person = s_find_person(p, ref);
  if (person != NULL) {
    s_name(h, person);
    s_raw(h, " ");
  }
  s_raw(h, "<span class=\"muted\">(");
  s_text(h, ref);
  s_raw(h, ")</span>");
}

/* ---------------------------------------------------------------- sections */

static const char STYLE[] =
    "<style>\n"
    "@page{size:A4;margin:14mm}\n"
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;"
    "font-size:14px;line-height:1.45;color:#111;background:#fff;max-width:980px;"
    "margin:0 auto;padding:20px 24px}\n"
    "h1{font-size:26px;margin:4px 0 8px}\n"
    "h2{font-size:19px;border-bottom:2px solid #222;padding-bottom:2px;margin:26px 0 10px}\n"
    "h3{font-size:16px;margin:4px 0 8px}\n"
    "table{border-collapse:collapse;width:100%;margin:6px 0 12px}\n"
    "th,td{border:1px solid #999;padding:3px 6px;text-align:left;vertical-align:top}\n"
    "th{background:#eceff1}\n"
    "dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:6px 0 10px}\n"
    "dl.kv dt{font-weight:600}\n"
    "dl.kv dd{margin:0}\n"
    ".marking{font-size:12px;font-weight:700;letter-spacing:.04em;text-transform:uppercase;"
    "border:1px solid #222;display:inline-block;padding:1px 6px}\n"
    ".banner{border:3px solid #b00020;background:#fdecee;padding:8px 12px;margin:12px 0;"
    "font-weight:600}\n"
    ".banner.note{border-color:#555;background:#f3f3f3}\n"
    ".banner.escalation{font-size:17px}\n"
    ".rag{display:inline-block;padding:0 10px;border:2px solid #222;font-weight:700}\n"
    ".rag-red{background:#c62828;color:#fff}\n"
    ".rag-amber{background:#f9a825;color:#111}\n"
    ".rag-green{background:#2e7d32;color:#fff}\n"
    ".rag-blue{background:#1565c0;color:#fff}\n"
    ".concern{white-space:pre-wrap;border-left:4px solid #888;background:#f6f6f6;"
    "padding:6px 10px;margin:8px 0}\n"
    ".summary{white-space:pre-wrap}\n"
    ".dash td.yes{font-weight:700;background:#fdecee}\n"
    ".dash td.num{width:2em;text-align:right;color:#555}\n"
    ".agency{border:1px solid #999;padding:8px 12px;margin:12px 0}\n"
    ".agency.missing{border:3px solid #b00020}\n"
    ".late,.warn{color:#b00020;font-weight:700}\n"
    ".ontime{color:#1b5e20;font-weight:600}\n"
    ".notanswered{color:#b00020;font-size:18px;font-weight:800;margin:6px 0}\n"
    ".nih{font-weight:700}\n"
    ".muted{color:#555}\n"
    "footer{margin-top:28px;border-top:1px solid #999;padding-top:6px;font-size:12px;"
    "color:#444}\n"
    "@media print{body{max-width:none;padding:0;font-size:10.5pt}"
    "h2,h3{break-after:avoid}tr,.agency,.banner,dl.kv{break-inside:avoid}"
    "thead{display:table-header-group}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n"
    "</style>\n";

static void s_header(html_t *h, const Mash__V1__ConsolidatedPack *p) {
  s_raw(h, "<header>\n<p class=\"marking\">Confidential: personal information about "
           "children</p>\n<h1>MASH consolidated pack</h1>\n<dl class=\"kv\">");
  s_kv(h, "Enquiry", p->enquiry_id);
  s_kv(h, "Contact", p->contact_id);
  s_dt(h, "Version");
  s_rawf(h, "%u", p->version);
  if (p->version > 1) {
    s_rawf(h, " <span class=\"warn\">re-issued: supersedes version %u</span>", p->version - 1);
  }
  s_raw(h, "</dd>");
  s_kv_time(h, "Issued", p->issued_at_ms);
  s_dt(h, "RAG rating");
  const char *rag = mash_rag_name(p->rag);
  s_rawf(h, "<span class=\"rag rag-%s\">", rag);
  for (const char *c = rag; *c != '\0'; c++) {
    char up = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
    s_raw_n(h, &up, 1);
  }
  s_raw(h, "</span></dd>");
  s_kv(h, "Screened by", p->screened_by);
  s_dt(h, "Domestic abuse, 12 months");
  s_rawf(h, p->potential_escalation ? "<span class=\"warn\">%u</span>" : "%u",
         (unsigned)p->domestic_abuse_12m);
  s_raw(h, "</dd>");

  /* The answers at a glance, counted as the agency sections show them. */
  size_t asked = 0, on_time = 0, late = 0, missing = 0;
  for (size_t i = 0; i < p->n_answers; i++) {
    if (p->answers[i] == NULL) {
      continue;
    }
    asked++;
    timeliness_t t = s_timeliness(p->answers[i]);
    on_time += t == TIMELINESS_ON_TIME;
    late += t == TIMELINESS_LATE;
    missing += t == TIMELINESS_NOT_ANSWERED;
  }
  for (size_t i = 0; i < p->n_missing_agencies; i++) {
    if (!s_has_answer(p, p->missing_agencies[i])) {
      asked++, missing++;
    }
  }
  s_dt(h, "Agency answers");
  s_rawf(h, "%zu asked: %zu on time, ", asked, on_time);
  s_rawf(h, late > 0 ? "<span class=\"late\">%zu late</span>, " : "%zu late, ", late);
  s_rawf(h, missing > 0 ? "<span class=\"late\">%zu not answered</span>" : "%zu not answered",
         missing);
  s_raw(h, "</dd></dl>\n");

  if (p->partial) {
    s_raw(h, "<div class=\"banner\" role=\"alert\"><strong>PARTIAL</strong>: issued before every "
             "agency answered.");
    if (p->n_missing_agencies > 0) {
      s_raw(h, " Not answered: ");
      for (size_t i = 0; i < p->n_missing_agencies; i++) {
        s_raw(h, i > 0 ? ", <strong>" : "<strong>");
        s_field(h, p->missing_agencies[i]);
        s_raw(h, "</strong>");
      }
      s_raw(h, ".");
    }
    s_raw(h, "</div>\n");
  }
  /* DASH practice: three or more domestic-abuse incidents in twelve months
   * is potential escalation, whatever this incident's grade. */
  if (p->potential_escalation) {
    s_rawf(h,
           "<div class=\"banner escalation\" role=\"alert\"><strong>POTENTIAL ESCALATION: %u "
           "domestic-abuse incidents in 12 months</strong> (this contact and the earlier ones "
           "below). Consider the risk as raised even when this incident alone is graded "
           "lower.</div>\n",
           (unsigned)p->domestic_abuse_12m);
  }
  s_raw(h, "</header>\n");
}

static void s_children(html_t *h, const Mash__V1__ConsolidatedPack *p) {
  const Mash__V1__Notification *n = p->contact != NULL ? p->contact->notification : NULL;
  s_raw(h, "<section>\n<h2>Child(ren)</h2>\n");
  if (n == NULL || n->n_children == 0) {
    s_raw(h, "<p class=\"warn\">No child is named in the notification.</p>\n");
  } else {
    const Mash__V1__PoliceDetail *pd =
        n->detail_case == MASH__V1__NOTIFICATION__DETAIL_POLICE ? n->police : NULL;
    s_people(h, n->children, n->n_children, p->issued_at_ms, pd, p->contact);
  }

  s_raw(h, "<h2>Other children in the household</h2>\n");
  if (p->n_household == 0) {
    s_raw(h, "<p class=\"muted\">No other children of the household are known.</p>\n");
  } else {
    s_household(h, p);
  }
  if (n != NULL && n->n_adults > 0) {
    s_raw(h, "<h3>Adults named in the notification</h3>\n");
    s_people(h, n->adults, n->n_adults, p->issued_at_ms, NULL, p->contact);
  }
  if (n != NULL && n->n_relationships > 0) {
    s_raw(h, "<h3>Relationships</h3>\n<ul>\n");
    for (size_t i = 0; i < n->n_relationships; i++) {
      const Mash__V1__Relationship *r = n->relationships[i];
      if (r == NULL) {
        continue;
      }
      s_raw(h, "<li>");
      s_ref(h, p, r->from_ref);
      s_raw(h, " is <em>");
      s_field(h, r->kind);
      s_raw(h, "</em> of ");
      s_ref(h, p, r->to_ref);
      s_raw(h, "</li>\n");
    }
    s_raw(h, "</ul>\n");
  }
  s_raw(h, "</section>\n");
}

static void s_dash(html_t *h, const Mash__V1__Contact *c) {
  const Mash__V1__PoliceDetail *pd = c->notification->police;
  mash_dash_result_t r;
  if (pd == NULL || !hub_view_dash_of(c, &r)) {
    return;
  }
  s_raw(h, "<h3>DASH risk assessment</h3>\n");
  if (!r.present) {
    s_raw(h, pd->domestic_abuse ? "<p class=\"banner\">No DASH was completed for this domestic "
                                  "abuse notification.</p>\n"
                                : "<p class=\"muted\">No DASH completed.</p>\n");
  } else {
    size_t n = pd->n_dash_answers, rows = (n + 1) / 2;
    s_raw(h, "<table class=\"dash\"><thead><tr><th>#</th><th>Question</th><th>Answer</th>"
             "<th>#</th><th>Question</th><th>Answer</th></tr></thead><tbody>\n");
    for (size_t row = 0; row < rows; row++) {
      s_raw(h, "<tr>");
      for (size_t i = row; i < n; i += rows) {
        Mash__V1__DashAnswer a = pd->dash_answers[i];
        s_rawf(h, "<td class=\"num\">%zu</td><td>", i + 1);
        if (i < MASH_DASH_ITEMS) {
          s_raw(h, DASH_TOPICS[i]);
        } else {
          s_raw(h, "<span class=\"muted\">extra answer</span>");
        }
        s_raw(h, a == MASH__V1__DASH_ANSWER__DASH_ANSWER_YES ? "</td><td class=\"yes\">"
                                                             : "</td><td>");
        s_words(h, mash_dash_answer_name(a));
        s_raw(h, "</td>");
      }
      s_raw(h, n % 2 != 0 && row == rows - 1 ? "<td></td><td></td><td></td></tr>\n" : "</tr>\n");
    }
    s_raw(h, "</tbody></table>\n");
  }

  s_raw(h, "<dl class=\"kv\">");
  if (r.present) {
    s_dt(h, "Yes answers");
    s_rawf(h, "<strong class=\"dash-count\">%u of %zu</strong>", r.yes_count, pd->n_dash_answers);
    if (r.yes_count >= MASH_DASH_HIGH_YES) {
      s_rawf(h, " <span class=\"warn\">%d or more: visible high risk (MARAC referral)</span>",
             MASH_DASH_HIGH_YES);
    }
    if (!r.complete) {
      s_raw(h, " <span class=\"warn\">checklist incomplete</span>");
    }
    s_raw(h, "</dd>");
    s_dt(h, "Checklist grade");
    s_raw(h, mash_risk_grade_name(r.checklist_grade));
    s_raw(h, "</dd>");
  }
  s_dt(h, "Officer grade");
  s_raw(h, mash_risk_grade_name(r.officer_grade));
  s_raw(h, "</dd>");
  s_dt(h, "Final grade");
  s_raw(h, "<strong>");
  s_raw(h, mash_risk_grade_name(r.final_grade));
  s_raw(h, "</strong></dd></dl>\n");
  if (r.grade_raised) {
    s_raw(h, "<p class=\"banner\">Grade raised: the officer's grade (");
    s_raw(h, mash_risk_grade_name(r.officer_grade));
    s_raw(h, ") was below the checklist's (");
    s_raw(h, mash_risk_grade_name(r.checklist_grade));
    s_raw(h, "). Judgement may raise a DASH grade but never lower it; the pack uses ");
    s_raw(h, mash_risk_grade_name(r.final_grade));
    s_raw(h, ".</p>\n");
  }
}

static void s_detail(html_t *h, const Mash__V1__Notification *n) {
  if (n->detail_case == MASH__V1__NOTIFICATION__DETAIL_POLICE && n->police != NULL) {
    const Mash__V1__PoliceDetail *pd = n->police;
    s_kv(h, "Incident number", pd->incident_number);
    s_kv_time(h, "Incident time", pd->incident_at_ms);
    s_dt(h, "Officer in the case");
    s_field(h, pd->officer_name);
    if (!s_empty(pd->officer_contact)) {
      s_raw(h, ", ");
      s_text(h, pd->officer_contact);
    }
    s_raw(h, "</dd>");
    s_dt(h, "Type");
    s_raw(h, pd->formal_referral ? "<strong>Formal referral</strong>" : "Information only");
    s_raw(h, pd->domestic_abuse ? "; domestic abuse" : "");
    s_raw(h, "</dd>");
  } else if (n->detail_case == MASH__V1__NOTIFICATION__DETAIL_HEALTH && n->health != NULL) {
    s_dt(h, "Health event");
    s_words(h, mash_health_kind_name(n->health->kind));
    s_raw(h, "</dd>");
    s_kv(h, "Setting", n->health->setting);
    s_kv_time(h, "Attended", n->health->attended_at_ms);
    s_kv(h, "Practitioner", n->health->practitioner);
  } else if (n->detail_case == MASH__V1__NOTIFICATION__DETAIL_EDUCATION && n->education != NULL) {
    s_dt(h, "Education event");
    s_words(h, mash_education_kind_name(n->education->kind));
    s_raw(h, "</dd>");
    s_kv(h, "School", n->education->school);
    s_dt(h, "Attendance");
    s_rawf(h, "%u%%, %u unauthorised sessions", n->education->attendance_percent,
           n->education->unauthorised_sessions);
    s_raw(h, "</dd>");
    s_kv(h, "Designated safeguarding lead", n->education->dsl_name);
  } else if (n->detail_case == MASH__V1__NOTIFICATION__DETAIL_HOUSING && n->housing != NULL) {
    int64_t pence = n->housing->arrears_pence;
    uint64_t mag = pence < 0 ? 0 - (uint64_t)pence : (uint64_t)pence;
    s_dt(h, "Housing event");
    s_words(h, mash_housing_kind_name(n->housing->kind));
    s_raw(h, "</dd>");
    s_kv(h, "Tenancy reference", n->housing->tenancy_reference);
    s_dt(h, "Arrears");
    s_rawf(h, "%s&#163;%llu.%02llu", pence < 0 ? "-" : "", (unsigned long long)(mag / 100),
           (unsigned long long)(mag % 100));
    s_raw(h, "</dd>");
  }
}

static void s_notification(html_t *h, const Mash__V1__ConsolidatedPack *p) {
  const Mash__V1__Contact *c = p->contact;
  s_raw(h, "<section>\n<h2>Notification</h2>\n");
  if (c == NULL) {
    s_raw(h, "<p class=\"banner\">The contact is missing from this pack.</p>\n</section>\n");
    return;
  }
  const Mash__V1__Notification *n = c->notification;
  s_raw(h, "<dl class=\"kv\">");
  s_kv(h, "From", c->source_principal);
  s_kv_time(h, "Received", c->received_at_ms);
  s_kv_time(h, "Screening due", c->screening_due_at_ms);
  if (n != NULL) {
    s_kv(h, "Their reference", n->source_reference);
    s_dt(h, "Concern");
    s_raw(h, "<strong>");
    s_words(h, mash_category_name(n->concern_category));
    s_raw(h, "</strong></dd>");
    s_kv_time(h, "Occurred", n->occurred_at_ms);
    s_detail(h, n);
  }
  s_raw(h, "</dl>\n");
  if (n == NULL) {
    s_raw(h, "<p class=\"banner\">The notification is missing from this pack.</p>\n");
  } else {
    s_raw(h, "<div class=\"concern\">");
    s_field(h, n->concern);
    s_raw(h, "</div>\n");
    if (n->detail_case == MASH__V1__NOTIFICATION__DETAIL_POLICE) {
      s_dash(h, c);
    }
  }
  s_raw(h, "<h3>Data-quality flags</h3>\n");
  if (c->n_quality_flags == 0) {
    s_raw(h, "<p class=\"muted\">None.</p>\n");
  } else {
    s_raw(h, "<ul>\n");
    for (size_t i = 0; i < c->n_quality_flags; i++) {
      s_raw(h, "<li class=\"warn\">");
      s_text(h, c->quality_flags[i]);
      s_raw(h, "</li>\n");
    }
    s_raw(h, "</ul>\n");
  }
  s_raw(h, "</section>\n");
}

static void s_consent(html_t *h, const Mash__V1__ConsentRecord *c) {
  s_raw(h, "<section>\n<h2>Consent and lawful basis</h2>\n");
  if (c == NULL || c->status == MASH__V1__CONSENT_STATUS__CONSENT_STATUS_UNSPECIFIED) {
    s_raw(h, "<p class=\"banner\">Consent was not recorded for this enquiry.</p>\n");
  }
  if (c != NULL) {
    const char *basis = s_basis_label(c->lawful_basis);
    s_raw(h, "<dl class=\"kv\">");
    s_dt(h, "Consent");
    s_raw(h, "<strong>");
    s_words(h, mash_consent_status_name(c->status));
    s_raw(h, "</strong></dd>");
    s_dt(h, "Reason");
    s_field(h, c->reason);
    if (s_empty(c->reason) && c->status != MASH__V1__CONSENT_STATUS__CONSENT_STATUS_GIVEN) {
      s_raw(h, " <span class=\"warn\">a reason is needed when consent is not given</span>");
    }
    s_raw(h, "</dd>");
    s_dt(h, "Lawful basis");
    s_raw(h, basis != NULL ? basis : "<span class=\"warn\">not recorded</span>");
    s_raw(h, "</dd>");
    s_dt(h, "Recorded by");
    s_field(h, c->recorded_by);
    s_raw(h, "</dd></dl>\n");
  }
  s_raw(h, "</section>\n");
}

static void s_findings(html_t *h, const Mash__V1__EnquiryResponse *r) {
  if (r->n_findings == 0) {
    return;
  }
  s_raw(h, "<table><thead><tr><th>Record</th><th>Date</th><th>Finding</th></tr></thead>"
           "<tbody>\n");
  for (size_t i = 0; i < r->n_findings; i++) {
    const Mash__V1__Finding *f = r->findings[i];
    if (f == NULL) {
      continue;
    }
    s_raw(h, "<tr><td>");
    s_text(h, f->kind);
    s_raw(h, "</td><td>");
    s_time(h, f->at_ms);
    s_raw(h, "</td><td class=\"summary\">");
    s_text(h, f->summary);
    s_raw(h, "</td></tr>\n");
  }
  s_raw(h, "</tbody></table>\n");
}

static void s_answer(html_t *h, const Mash__V1__ConsolidatedPack *p,
                     const Mash__V1__AgencyAnswer *a) {
  timeliness_t t = s_timeliness(a);
  const Mash__V1__EnquiryResponse *r = a->response;
  s_raw(h, t == TIMELINESS_NOT_ANSWERED ? "<section class=\"agency missing\">\n<h3>"
                                        : "<section class=\"agency\">\n<h3>");
  s_field(h, a->agency);
  s_raw(h, t == TIMELINESS_ON_TIME ? " <span class=\"ontime\">answered on time</span>"
           : t == TIMELINESS_LATE  ? " <span class=\"late\">answered LATE</span>"
                                   : " <span class=\"late\">NOT ANSWERED</span>");
  s_raw(h, "</h3>\n<dl class=\"kv\">");
  s_kv(h, "Request", a->request_id);
  s_kv_time(h, "Requested", a->requested_at_ms);
  s_kv_time(h, "Due", a->due_at_ms);
  s_dt(h, "Answered");
  if (t == TIMELINESS_NOT_ANSWERED) {
    s_raw(h, "<span class=\"late\">not answered</span>");
    if (a->due_at_ms != 0 && p->issued_at_ms > a->due_at_ms) {
      s_raw(h, " (overdue by ");
      s_duration(h, s_span(a->due_at_ms, p->issued_at_ms));
      s_raw(h, " when the pack was issued)");
    }
  } else {
    s_time(h, a->answered_at_ms);
    if (t == TIMELINESS_LATE) {
      s_raw(h, " <span class=\"late\">LATE by ");
      s_duration(h, s_span(a->due_at_ms, a->answered_at_ms));
      s_raw(h, "</span>");
    }
  }
  s_raw(h, "</dd>");
  if (r != NULL && !s_empty(r->responder)) {
    s_dt(h, "Responder");
    s_text(h, r->responder);
    s_raw(h, "</dd>");
  }
  s_dt(h, "Escalation level");
  s_rawf(h, a->escalation_level > 0 ? "<span class=\"warn\">%u</span>" : "%u", a->escalation_level);
  s_raw(h, "</dd></dl>\n");

  if (t == TIMELINESS_NOT_ANSWERED) {
    s_raw(h, "<p class=\"notanswered\">NOT ANSWERED</p>\n");
  } else if (r == NULL) {
    s_raw(h, "<p class=\"warn\">The answer's content is missing from this pack.</p>\n");
  } else {
    if (r->no_information_held) {
      s_raw(h, "<p class=\"nih\">No information held</p>\n");
    }
    s_findings(h, r);
    if (!s_empty(r->summary)) {
      s_raw(h, "<p class=\"summary\"><strong>Summary:</strong> ");
      s_text(h, r->summary);
      s_raw(h, "</p>\n");
    } else if (!r->no_information_held && r->n_findings == 0) {
      s_raw(h, "<p class=\"warn\">Answered with neither findings nor a summary.</p>\n");
    }
  }
  s_raw(h, "</section>\n");
}

static void s_agencies(html_t *h, const Mash__V1__ConsolidatedPack *p) {
  s_raw(h, "<section>\n<h2>Agency answers</h2>\n");
  bool any = false;
  for (size_t i = 0; i < p->n_answers; i++) {
    if (p->answers[i] != NULL) {
      s_answer(h, p, p->answers[i]);
      any = true;
    }
  }
  /* A missing agency with no answer record still gets its section. */
  for (size_t i = 0; i < p->n_missing_agencies; i++) {
    if (s_has_answer(p, p->missing_agencies[i])) {
      continue;
    }
    s_raw(h, "<section class=\"agency missing\">\n<h3>");
    s_field(h, p->missing_agencies[i]);
    s_raw(h, " <span class=\"late\">NOT ANSWERED</span></h3>\n"
             "<p class=\"notanswered\">NOT ANSWERED</p>\n</section>\n");
    any = true;
  }
  if (!any) {
    s_raw(h, "<p class=\"muted\">No agency was asked.</p>\n");
  }
  s_raw(h, "</section>\n");
}

static void s_escalations(html_t *h, const Mash__V1__ConsolidatedPack *p) {
  s_raw(h, "<section>\n<h2>Escalations</h2>\n");
  if (p->n_escalations == 0) {
    s_raw(h, "<p class=\"muted\">None raised.</p>\n</section>\n");
    return;
  }
  s_raw(h, "<table><thead><tr><th>When</th><th>Agency</th><th>Level</th><th>Step</th>"
           "<th>Sent to</th><th>Was due</th><th>Request</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < p->n_escalations; i++) {
    const Mash__V1__EscalationEvent *e = p->escalations[i];
    if (e == NULL) {
      continue;
    }
    s_raw(h, "<tr><td>");
    s_time(h, e->at_ms);
    s_raw(h, "</td><td>");
    s_text(h, e->agency);
    s_rawf(h, "</td><td>%u</td><td>", e->level);
    s_text(h, e->step);
    s_raw(h, "</td><td>");
    for (size_t j = 0; j < e->n_parties; j++) {
      s_raw(h, j > 0 ? ", " : "");
      s_text(h, e->parties[j]);
    }
    s_raw(h, "</td><td>");
    s_time(h, e->due_at_ms);
    s_raw(h, "</td><td>");
    s_text(h, e->request_id);
    s_raw(h, "</td></tr>\n");
  }
  s_raw(h, "</tbody></table>\n</section>\n");
}

static void s_prior(html_t *h, const Mash__V1__ConsolidatedPack *p) {
  s_raw(h, "<section>\n<h2>Prior contacts in the last 12 months</h2>\n");
  s_rawf(h, "<p>Domestic-abuse incidents in the 12 months up to this contact: <strong>%u</strong>",
         (unsigned)p->domestic_abuse_12m);
  s_raw(h, p->potential_escalation ? " <span class=\"warn\">(potential escalation)</span></p>\n"
                                   : "</p>\n");
  if (p->n_prior_contacts == 0) {
    s_raw(h, "<p class=\"muted\">No earlier contact about these children or their household."
             "</p>\n</section>\n");
    return;
  }
  s_raw(h, "<table><thead><tr><th>Contact</th><th>Received</th><th>From</th><th>Concern</th>"
           "<th>About</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < p->n_prior_contacts; i++) {
    const Mash__V1__PriorContact *c = p->prior_contacts[i];
    if (c == NULL) {
      continue;
    }
    s_raw(h, "<tr><td>");
    s_text(h, c->contact_id);
    s_raw(h, "</td><td>");
    s_time(h, c->received_at_ms);
    s_raw(h, "</td><td>");
    s_text(h, c->source_principal);
    s_raw(h, "</td><td>");
    s_words(h, mash_category_name(c->concern_category));
    s_raw(h, "</td><td>");
    if (!s_empty(c->person_ref)) {
      s_ref(h, p, c->person_ref);
    }
    s_raw(h, "</td></tr>\n");
  }
  s_raw(h, "</tbody></table>\n</section>\n");
}

int pack_view_html(const Mash__V1__ConsolidatedPack *p, char **out, size_t *len) {
  if (out == NULL) {
    return -EINVAL;
  }
  *out = NULL;
  if (len != NULL) {
    *len = 0;
  }
  if (p == NULL) {
    return -EINVAL;
  }
  html_t h = {0};
  s_raw(&h, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>MASH consolidated pack ");
  s_text(&h, p->enquiry_id);
  s_raw(&h, "</title>\n");
  s_raw(&h, STYLE);
  s_raw(&h, "</head>\n<body>\n");
  s_header(&h, p);
  s_children(&h, p);
  s_notification(&h, p);
  s_consent(&h, p->consent);
  s_agencies(&h, p);
  s_escalations(&h, p);
  s_prior(&h, p);
  s_raw(&h, "<footer>Pack ");
  s_text(&h, p->enquiry_id);
  s_rawf(&h, " version %u, issued ", p->version);
  s_time(&h, p->issued_at_ms);
  s_raw(&h, ". Printed copies hold personal information: keep, share and destroy them under "
            "your information-sharing agreement.</footer>\n</body>\n</html>\n");
  if (h.failed) {
    free(h.data);
    return -ENOMEM;
  }
  *out = h.data;
  if (len != NULL) {
    *len = h.len;
  }
  return 0;
}
