/* pack_html: the printable HTML page of a consolidated pack, which a social
 * worker reads before the decision (the JSON view is pack_view.c).
 *
 * Responsible for: writing a self-contained HTML5 page (inline CSS, no
 * scripts, no external resources) in which every text from the pack is
 * escaped and made valid UTF-8, with the lawful basis and identifiers in
 * the words a social worker knows and the DASH checklist by topic. The
 * people's tables are pack_html_people.c's, the escaping writer hub_html.c's,
 * the enum words names.h's.
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

#include "codec.h"
#include "dash.h"
#include "hub_view.h"
#include "pack_html_int.h"
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

/* later - earlier for later > earlier, without signed overflow. */
static uint64_t s_span(int64_t earlier, int64_t later) {
  return (uint64_t)later - (uint64_t)earlier;
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
    ".auth{color:#1b5e20}\n"
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

static void s_header(hub_html_t *h, const Mash__V1__ConsolidatedPack *p) {
  hub_html_raw(h, "<header>\n<p class=\"marking\">Confidential: personal information about "
                  "children</p>\n<h1>MASH consolidated pack</h1>\n<dl class=\"kv\">");
  hub_html_kv(h, "Enquiry", p->enquiry_id);
  hub_html_kv(h, "Contact", p->contact_id);
  hub_html_dt(h, "Version");
  hub_html_rawf(h, "%u", p->version);
  if (p->version > 1) {
    hub_html_rawf(h, " <span class=\"warn\">re-issued: supersedes version %u</span>",
                  p->version - 1);
  }
  hub_html_raw(h, "</dd>");
  hub_html_kv_time(h, "Issued", p->issued_at_ms);
  hub_html_dt(h, "RAG rating");
  const char *rag = mash_rag_name(p->rag);
  hub_html_rawf(h, "<span class=\"rag rag-%s\">", rag);
  for (const char *c = rag; *c != '\0'; c++) {
    char up = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
    hub_html_raw_n(h, &up, 1);
  }
  hub_html_raw(h, "</span></dd>");
  hub_html_kv(h, "Screened by", p->screened_by);
  hub_html_dt(h, "Domestic abuse, 12 months");
  hub_html_rawf(h, p->potential_escalation ? "<span class=\"warn\">%u</span>" : "%u",
                (unsigned)p->domestic_abuse_12m);
  hub_html_raw(h, "</dd>");

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
  hub_html_dt(h, "Agency answers");
  hub_html_rawf(h, "%zu asked: %zu on time, ", asked, on_time);
  hub_html_rawf(h, late > 0 ? "<span class=\"late\">%zu late</span>, " : "%zu late, ", late);
  hub_html_rawf(h,
                missing > 0 ? "<span class=\"late\">%zu not answered</span>" : "%zu not answered",
                missing);
  hub_html_raw(h, "</dd></dl>\n");

  if (p->partial) {
    hub_html_raw(
        h, "<div class=\"banner\" role=\"alert\"><strong>PARTIAL</strong>: issued before every "
           "agency answered.");
    if (p->n_missing_agencies > 0) {
      hub_html_raw(h, " Not answered: ");
      for (size_t i = 0; i < p->n_missing_agencies; i++) {
        hub_html_raw(h, i > 0 ? ", <strong>" : "<strong>");
        hub_html_field(h, p->missing_agencies[i]);
        hub_html_raw(h, "</strong>");
      }
      hub_html_raw(h, ".");
    }
    hub_html_raw(h, "</div>\n");
  }
  /* DASH practice: three or more domestic-abuse incidents in twelve months
   * is potential escalation, whatever this incident's grade. */
  if (p->potential_escalation) {
    hub_html_rawf(
        h,
        "<div class=\"banner escalation\" role=\"alert\"><strong>POTENTIAL ESCALATION: %u "
        "domestic-abuse incidents in 12 months</strong> (this contact and the earlier ones "
        "below). Consider the risk as raised even when this incident alone is graded "
        "lower.</div>\n",
        (unsigned)p->domestic_abuse_12m);
  }
  hub_html_raw(h, "</header>\n");
}

static void s_children(hub_html_t *h, const Mash__V1__ConsolidatedPack *p) {
  const Mash__V1__Notification *n = p->contact != NULL ? p->contact->notification : NULL;
  hub_html_raw(h, "<section>\n<h2>Child(ren)</h2>\n");
  if (n == NULL || n->n_children == 0) {
    hub_html_raw(h, "<p class=\"warn\">No child is named in the notification.</p>\n");
  } else {
    const Mash__V1__PoliceDetail *pd =
        n->detail_case == MASH__V1__NOTIFICATION__DETAIL_POLICE ? n->police : NULL;
    pack_html_people(h, n->children, n->n_children, p->issued_at_ms, pd, p->contact);
  }

  hub_html_raw(h, "<h2>Other children in the household</h2>\n");
  if (p->n_household == 0) {
    hub_html_raw(h, "<p class=\"muted\">No other children of the household are known.</p>\n");
  } else {
    pack_html_household(h, p);
  }
  if (n != NULL && n->n_adults > 0) {
    hub_html_raw(h, "<h3>Adults named in the notification</h3>\n");
    pack_html_people(h, n->adults, n->n_adults, p->issued_at_ms, NULL, p->contact);
  }
  if (n != NULL && n->n_relationships > 0) {
    hub_html_raw(h, "<h3>Relationships</h3>\n<ul>\n");
    for (size_t i = 0; i < n->n_relationships; i++) {
      const Mash__V1__Relationship *r = n->relationships[i];
      if (r == NULL) {
        continue;
      }
      hub_html_raw(h, "<li>");
      pack_html_ref(h, p, r->from_ref);
      hub_html_raw(h, " is <em>");
      hub_html_field(h, r->kind);
      hub_html_raw(h, "</em> of ");
      pack_html_ref(h, p, r->to_ref);
      hub_html_raw(h, "</li>\n");
    }
    hub_html_raw(h, "</ul>\n");
  }
  hub_html_raw(h, "</section>\n");
}

static void s_dash(hub_html_t *h, const Mash__V1__Contact *c) {
  const Mash__V1__PoliceDetail *pd = c->notification->police;
  mash_dash_result_t r;
  if (pd == NULL || !hub_view_dash_of(c, &r)) {
    return;
  }
  hub_html_raw(h, "<h3>DASH risk assessment</h3>\n");
  if (!r.present) {
    hub_html_raw(h, pd->domestic_abuse
                        ? "<p class=\"banner\">No DASH was completed for this domestic "
                          "abuse notification.</p>\n"
                        : "<p class=\"muted\">No DASH completed.</p>\n");
  } else {
    size_t n = pd->n_dash_answers, rows = (n + 1) / 2;
    hub_html_raw(h, "<table class=\"dash\"><thead><tr><th>#</th><th>Question</th><th>Answer</th>"
                    "<th>#</th><th>Question</th><th>Answer</th></tr></thead><tbody>\n");
    for (size_t row = 0; row < rows; row++) {
      hub_html_raw(h, "<tr>");
      for (size_t i = row; i < n; i += rows) {
        Mash__V1__DashAnswer a = pd->dash_answers[i];
        hub_html_rawf(h, "<td class=\"num\">%zu</td><td>", i + 1);
        if (i < MASH_DASH_ITEMS) {
          hub_html_raw(h, DASH_TOPICS[i]);
        } else {
          hub_html_raw(h, "<span class=\"muted\">extra answer</span>");
        }
        hub_html_raw(h, a == MASH__V1__DASH_ANSWER__DASH_ANSWER_YES ? "</td><td class=\"yes\">"
                                                                    : "</td><td>");
        hub_html_words(h, mash_dash_answer_name(a));
        hub_html_raw(h, "</td>");
      }
      hub_html_raw(h, n % 2 != 0 && row == rows - 1 ? "<td></td><td></td><td></td></tr>\n"
                                                    : "</tr>\n");
    }
    hub_html_raw(h, "</tbody></table>\n");
  }

  hub_html_raw(h, "<dl class=\"kv\">");
  if (r.present) {
    hub_html_dt(h, "Yes answers");
    hub_html_rawf(h, "<strong class=\"dash-count\">%u of %zu</strong>", r.yes_count,
                  pd->n_dash_answers);
    if (r.yes_count >= MASH_DASH_HIGH_YES) {
      hub_html_rawf(h,
                    " <span class=\"warn\">%d or more: visible high risk (MARAC referral)</span>",
                    MASH_DASH_HIGH_YES);
    }
    if (!r.complete) {
      hub_html_raw(h, " <span class=\"warn\">checklist incomplete</span>");
    }
    hub_html_raw(h, "</dd>");
    hub_html_dt(h, "Checklist grade");
    hub_html_raw(h, mash_risk_grade_name(r.checklist_grade));
    hub_html_raw(h, "</dd>");
  }
  hub_html_dt(h, "Officer grade");
  hub_html_raw(h, mash_risk_grade_name(r.officer_grade));
  hub_html_raw(h, "</dd>");
  hub_html_dt(h, "Final grade");
  hub_html_raw(h, "<strong>");
  hub_html_raw(h, mash_risk_grade_name(r.final_grade));
  hub_html_raw(h, "</strong></dd></dl>\n");
  if (r.grade_raised) {
    hub_html_raw(h, "<p class=\"banner\">Grade raised: the officer's grade (");
    hub_html_raw(h, mash_risk_grade_name(r.officer_grade));
    hub_html_raw(h, ") was below the checklist's (");
    hub_html_raw(h, mash_risk_grade_name(r.checklist_grade));
    hub_html_raw(h, "). Judgement may raise a DASH grade but never lower it; the pack uses ");
    hub_html_raw(h, mash_risk_grade_name(r.final_grade));
    hub_html_raw(h, ".</p>\n");
  }
}

static void s_detail(hub_html_t *h, const Mash__V1__Notification *n) {
  if (n->detail_case == MASH__V1__NOTIFICATION__DETAIL_POLICE && n->police != NULL) {
    const Mash__V1__PoliceDetail *pd = n->police;
    hub_html_kv(h, "Incident number", pd->incident_number);
    hub_html_kv_time(h, "Incident time", pd->incident_at_ms);
    hub_html_dt(h, "Officer in the case");
    hub_html_field(h, pd->officer_name);
    if (!s_empty(pd->officer_contact)) {
      hub_html_raw(h, ", ");
      hub_html_text(h, pd->officer_contact);
    }
    hub_html_raw(h, "</dd>");
    hub_html_dt(h, "Type");
    hub_html_raw(h, pd->formal_referral ? "<strong>Formal referral</strong>" : "Information only");
    hub_html_raw(h, pd->domestic_abuse ? "; domestic abuse" : "");
    hub_html_raw(h, "</dd>");
  } else if (n->detail_case == MASH__V1__NOTIFICATION__DETAIL_HEALTH && n->health != NULL) {
    hub_html_dt(h, "Health event");
    hub_html_words(h, mash_health_kind_name(n->health->kind));
    hub_html_raw(h, "</dd>");
    hub_html_kv(h, "Setting", n->health->setting);
    hub_html_kv_time(h, "Attended", n->health->attended_at_ms);
    hub_html_kv(h, "Practitioner", n->health->practitioner);
  } else if (n->detail_case == MASH__V1__NOTIFICATION__DETAIL_EDUCATION && n->education != NULL) {
    hub_html_dt(h, "Education event");
    hub_html_words(h, mash_education_kind_name(n->education->kind));
    hub_html_raw(h, "</dd>");
    hub_html_kv(h, "School", n->education->school);
    hub_html_dt(h, "Attendance");
    hub_html_rawf(h, "%u%%, %u unauthorised sessions", n->education->attendance_percent,
                  n->education->unauthorised_sessions);
    hub_html_raw(h, "</dd>");
    hub_html_kv(h, "Designated safeguarding lead", n->education->dsl_name);
  } else if (n->detail_case == MASH__V1__NOTIFICATION__DETAIL_HOUSING && n->housing != NULL) {
    int64_t pence = n->housing->arrears_pence;
    uint64_t mag = pence < 0 ? 0 - (uint64_t)pence : (uint64_t)pence;
    hub_html_dt(h, "Housing event");
    hub_html_words(h, mash_housing_kind_name(n->housing->kind));
    hub_html_raw(h, "</dd>");
    hub_html_kv(h, "Tenancy reference", n->housing->tenancy_reference);
    hub_html_dt(h, "Arrears");
    hub_html_rawf(h, "%s&#163;%llu.%02llu", pence < 0 ? "-" : "", (unsigned long long)(mag / 100),
                  (unsigned long long)(mag % 100));
    hub_html_raw(h, "</dd>");
  }
}

static void s_notification(hub_html_t *h, const Mash__V1__ConsolidatedPack *p) {
  const Mash__V1__Contact *c = p->contact;
  hub_html_raw(h, "<section>\n<h2>Notification</h2>\n");
  if (c == NULL) {
    hub_html_raw(h, "<p class=\"banner\">The contact is missing from this pack.</p>\n</section>\n");
    return;
  }
  const Mash__V1__Notification *n = c->notification;
  hub_html_raw(h, "<dl class=\"kv\">");
  hub_html_kv(h, "From", c->source_principal);
  hub_html_kv_time(h, "Received", c->received_at_ms);
  hub_html_kv_time(h, "Screening due", c->screening_due_at_ms);
  if (n != NULL) {
    hub_html_kv(h, "Their reference", n->source_reference);
    hub_html_dt(h, "Concern");
    hub_html_raw(h, "<strong>");
    hub_html_words(h, mash_category_name(n->concern_category));
    hub_html_raw(h, "</strong></dd>");
    hub_html_kv_time(h, "Occurred", n->occurred_at_ms);
    s_detail(h, n);
  }
  hub_html_raw(h, "</dl>\n");
  if (n == NULL) {
    hub_html_raw(h, "<p class=\"banner\">The notification is missing from this pack.</p>\n");
  } else {
    hub_html_raw(h, "<div class=\"concern\">");
    hub_html_field(h, n->concern);
    hub_html_raw(h, "</div>\n");
    if (n->detail_case == MASH__V1__NOTIFICATION__DETAIL_POLICE) {
      s_dash(h, c);
    }
  }
  hub_html_raw(h, "<h3>Data-quality flags</h3>\n");
  if (c->n_quality_flags == 0) {
    hub_html_raw(h, "<p class=\"muted\">None.</p>\n");
  } else {
    hub_html_raw(h, "<ul>\n");
    for (size_t i = 0; i < c->n_quality_flags; i++) {
      hub_html_raw(h, "<li class=\"warn\">");
      hub_html_text(h, c->quality_flags[i]);
      hub_html_raw(h, "</li>\n");
    }
    hub_html_raw(h, "</ul>\n");
  }
  hub_html_raw(h, "</section>\n");
}

static void s_consent(hub_html_t *h, const Mash__V1__ConsentRecord *c) {
  hub_html_raw(h, "<section>\n<h2>Consent and lawful basis</h2>\n");
  if (c == NULL || c->status == MASH__V1__CONSENT_STATUS__CONSENT_STATUS_UNSPECIFIED) {
    hub_html_raw(h, "<p class=\"banner\">Consent was not recorded for this enquiry.</p>\n");
  }
  if (c != NULL) {
    const char *basis = s_basis_label(c->lawful_basis);
    hub_html_raw(h, "<dl class=\"kv\">");
    hub_html_dt(h, "Consent");
    hub_html_raw(h, "<strong>");
    hub_html_words(h, mash_consent_status_name(c->status));
    hub_html_raw(h, "</strong></dd>");
    hub_html_dt(h, "Reason");
    hub_html_field(h, c->reason);
    if (s_empty(c->reason) && c->status != MASH__V1__CONSENT_STATUS__CONSENT_STATUS_GIVEN) {
      hub_html_raw(h, " <span class=\"warn\">a reason is needed when consent is not given</span>");
    }
    hub_html_raw(h, "</dd>");
    hub_html_dt(h, "Lawful basis");
    hub_html_raw(h, basis != NULL ? basis : "<span class=\"warn\">not recorded</span>");
    hub_html_raw(h, "</dd>");
    hub_html_dt(h, "Recorded by");
    hub_html_field(h, c->recorded_by);
    hub_html_raw(h, "</dd></dl>\n");
  }
  hub_html_raw(h, "</section>\n");
}

static void s_findings(hub_html_t *h, const Mash__V1__EnquiryResponse *r) {
  if (r->n_findings == 0) {
    return;
  }
  hub_html_raw(h, "<table><thead><tr><th>Record</th><th>Date</th><th>Finding</th></tr></thead>"
                  "<tbody>\n");
  for (size_t i = 0; i < r->n_findings; i++) {
    const Mash__V1__Finding *f = r->findings[i];
    if (f == NULL) {
      continue;
    }
    hub_html_raw(h, "<tr><td>");
    hub_html_text(h, f->kind);
    hub_html_raw(h, "</td><td>");
    hub_html_time(h, f->at_ms);
    hub_html_raw(h, "</td><td class=\"summary\">");
    hub_html_text(h, f->summary);
    hub_html_raw(h, "</td></tr>\n");
  }
  hub_html_raw(h, "</tbody></table>\n");
}

static void s_answer(hub_html_t *h, const Mash__V1__ConsolidatedPack *p,
                     const Mash__V1__AgencyAnswer *a) {
  timeliness_t t = s_timeliness(a);
  const Mash__V1__EnquiryResponse *r = a->response;
  hub_html_raw(h, t == TIMELINESS_NOT_ANSWERED ? "<section class=\"agency missing\">\n<h3>"
                                               : "<section class=\"agency\">\n<h3>");
  hub_html_field(h, a->agency);
  hub_html_raw(h, t == TIMELINESS_ON_TIME ? " <span class=\"ontime\">answered on time</span>"
                  : t == TIMELINESS_LATE  ? " <span class=\"late\">answered LATE</span>"
                                          : " <span class=\"late\">NOT ANSWERED</span>");
  hub_html_raw(h, "</h3>\n<dl class=\"kv\">");
  hub_html_kv(h, "Request", a->request_id);
  hub_html_kv_time(h, "Requested", a->requested_at_ms);
  hub_html_kv_time(h, "Due", a->due_at_ms);
  hub_html_dt(h, "Answered");
  if (t == TIMELINESS_NOT_ANSWERED) {
    hub_html_raw(h, "<span class=\"late\">not answered</span>");
    if (a->due_at_ms != 0 && p->issued_at_ms > a->due_at_ms) {
      hub_html_raw(h, " (overdue by ");
      hub_html_duration(h, s_span(a->due_at_ms, p->issued_at_ms));
      hub_html_raw(h, " when the pack was issued)");
    }
  } else {
    hub_html_time(h, a->answered_at_ms);
    if (t == TIMELINESS_LATE) {
      hub_html_raw(h, " <span class=\"late\">LATE by ");
      hub_html_duration(h, s_span(a->due_at_ms, a->answered_at_ms));
      hub_html_raw(h, "</span>");
    }
  }
  hub_html_raw(h, "</dd>");
  if (r != NULL) {
    /* The agency is the one the broker authenticated by its key (only the
     * agency asked may answer); the responder is free text the agency
     * typed, which could name anyone, so it is never shown alone. */
    hub_html_dt(h, "Answered by");
    hub_html_text(h, a->agency);
    hub_html_raw(h, " <span class=\"auth\">(authenticated by the agency's key)</span>");
    if (!s_empty(r->responder)) {
      hub_html_raw(h, "; responder, as the agency wrote it: &ldquo;");
      hub_html_text(h, r->responder);
      hub_html_raw(h, "&rdquo;");
    }
    hub_html_raw(h, "</dd>");
  }
  hub_html_dt(h, "Escalation level");
  hub_html_rawf(h, a->escalation_level > 0 ? "<span class=\"warn\">%u</span>" : "%u",
                a->escalation_level);
  hub_html_raw(h, "</dd></dl>\n");

  if (t == TIMELINESS_NOT_ANSWERED) {
    hub_html_raw(h, "<p class=\"notanswered\">NOT ANSWERED</p>\n");
  } else if (r == NULL) {
    hub_html_raw(h, "<p class=\"warn\">The answer's content is missing from this pack.</p>\n");
  } else {
    if (r->no_information_held) {
      hub_html_raw(h, "<p class=\"nih\">No information held</p>\n");
    }
    s_findings(h, r);
    if (!s_empty(r->summary)) {
      hub_html_raw(h, "<p class=\"summary\"><strong>Summary:</strong> ");
      hub_html_text(h, r->summary);
      hub_html_raw(h, "</p>\n");
    } else if (!r->no_information_held && r->n_findings == 0) {
      hub_html_raw(h, "<p class=\"warn\">Answered with neither findings nor a summary.</p>\n");
    }
  }
  hub_html_raw(h, "</section>\n");
}

static void s_agencies(hub_html_t *h, const Mash__V1__ConsolidatedPack *p) {
  hub_html_raw(h, "<section>\n<h2>Agency answers</h2>\n");
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
    hub_html_raw(h, "<section class=\"agency missing\">\n<h3>");
    hub_html_field(h, p->missing_agencies[i]);
    hub_html_raw(h, " <span class=\"late\">NOT ANSWERED</span></h3>\n"
                    "<p class=\"notanswered\">NOT ANSWERED</p>\n</section>\n");
    any = true;
  }
  if (!any) {
    hub_html_raw(h, "<p class=\"muted\">No agency was asked.</p>\n");
  }
  hub_html_raw(h, "</section>\n");
}

static void s_escalations(hub_html_t *h, const Mash__V1__ConsolidatedPack *p) {
  hub_html_raw(h, "<section>\n<h2>Escalations</h2>\n");
  if (p->n_escalations == 0) {
    hub_html_raw(h, "<p class=\"muted\">None raised.</p>\n</section>\n");
    return;
  }
  hub_html_raw(h, "<table><thead><tr><th>When</th><th>Agency</th><th>Level</th><th>Step</th>"
                  "<th>Sent to</th><th>Was due</th><th>Request</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < p->n_escalations; i++) {
    const Mash__V1__EscalationEvent *e = p->escalations[i];
    if (e == NULL) {
      continue;
    }
    hub_html_raw(h, "<tr><td>");
    hub_html_time(h, e->at_ms);
    hub_html_raw(h, "</td><td>");
    hub_html_text(h, e->agency);
    hub_html_rawf(h, "</td><td>%u</td><td>", e->level);
    hub_html_text(h, e->step);
    hub_html_raw(h, "</td><td>");
    for (size_t j = 0; j < e->n_parties; j++) {
      hub_html_raw(h, j > 0 ? ", " : "");
      hub_html_text(h, e->parties[j]);
    }
    hub_html_raw(h, "</td><td>");
    hub_html_time(h, e->due_at_ms);
    hub_html_raw(h, "</td><td>");
    hub_html_text(h, e->request_id);
    hub_html_raw(h, "</td></tr>\n");
  }
  hub_html_raw(h, "</tbody></table>\n</section>\n");
}

static void s_prior(hub_html_t *h, const Mash__V1__ConsolidatedPack *p) {
  hub_html_raw(h, "<section>\n<h2>Prior contacts in the last 12 months</h2>\n");
  hub_html_rawf(
      h, "<p>Domestic-abuse incidents in the 12 months up to this contact: <strong>%u</strong>",
      (unsigned)p->domestic_abuse_12m);
  hub_html_raw(h, p->potential_escalation
                      ? " <span class=\"warn\">(potential escalation)</span></p>\n"
                      : "</p>\n");
  if (p->n_prior_contacts == 0) {
    hub_html_raw(h, "<p class=\"muted\">No earlier contact about these children or their household."
                    "</p>\n</section>\n");
    return;
  }
  hub_html_raw(h, "<table><thead><tr><th>Contact</th><th>Received</th><th>From</th><th>Concern</th>"
                  "<th>About</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < p->n_prior_contacts; i++) {
    const Mash__V1__PriorContact *c = p->prior_contacts[i];
    if (c == NULL) {
      continue;
    }
    hub_html_raw(h, "<tr><td>");
    hub_html_text(h, c->contact_id);
    hub_html_raw(h, "</td><td>");
    hub_html_time(h, c->received_at_ms);
    hub_html_raw(h, "</td><td>");
    hub_html_text(h, c->source_principal);
    hub_html_raw(h, "</td><td>");
    hub_html_words(h, mash_category_name(c->concern_category));
    hub_html_raw(h, "</td><td>");
    if (!s_empty(c->person_ref)) {
      pack_html_ref(h, p, c->person_ref);
    }
    hub_html_raw(h, "</td></tr>\n");
  }
  hub_html_raw(h, "</tbody></table>\n</section>\n");
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
  hub_html_t h = {0};
  hub_html_raw(&h, "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>MASH consolidated pack ");
  hub_html_text(&h, p->enquiry_id);
  hub_html_raw(&h, "</title>\n");
  hub_html_raw(&h, STYLE);
  hub_html_raw(&h, "</head>\n<body>\n");
  s_header(&h, p);
  s_children(&h, p);
  s_notification(&h, p);
  s_consent(&h, p->consent);
  s_agencies(&h, p);
  s_escalations(&h, p);
  s_prior(&h, p);
  hub_html_raw(&h, "<footer>Pack ");
  hub_html_text(&h, p->enquiry_id);
  hub_html_rawf(&h, " version %u, issued ", p->version);
  hub_html_time(&h, p->issued_at_ms);
  hub_html_raw(&h, ". Printed copies hold personal information: keep, share and destroy them under "
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
