/* hub_queue: the screening queue's order, lines and JSON (see hub_queue.h).
 * Responsible for the wording of the queue and for keeping the broker's
 * text (ids, reason codes) from steering the operator's terminal.
 * Must not: do any I/O, read the clock, or log. */
#include "hub_queue.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hub_view.h"

#define MINUTE_MS INT64_C(60000)
#define HOUR_MS (60 * MINUTE_MS)
#define DAY_MS (24 * HOUR_MS)

/* ---------------------------------------------------------------- reasons */

/* The broker's reason codes (broker/priority.h) in the words the hub worker
 * reads. A code missing here is still shown, as its code: a new reason from
 * a newer broker must not vanish from the queue. */
static const struct {
  const char *code;
  const char *label;
} s_reasons[] = {
    {"dash_high", "DASH high risk"},
    {"grade_raised", "DASH grade raised above the officer's"},
    {"children_present", "children present at the incident"},
    {"injury", "injury, strangling, choking or a weapon"},
    {"child_under_2", "child under 2"},
    {"pregnancy", "pregnant or a baby under 18 months (DASH 9)"},
    {"repeat_contacts", "repeat contacts in 12 months"},
    {"agency_red_flag", "red flag from an agency"},
    {"information_only", "information only"},
};

const char *hub_queue_reason_label(const char *code) {
  for (size_t i = 0; code != NULL && i < sizeof s_reasons / sizeof s_reasons[0]; i++) {
    if (strcmp(code, s_reasons[i].code) == 0) {
      return s_reasons[i].label;
    }
  }
  return NULL;
}

/* ---------------------------------------------------------------- order */

static const char *s_or_empty(const char *s) {
  return s != NULL ? s : "";
}

int hub_queue_cmp(const Mash__V1__Contact *a, const Mash__V1__Contact *b) {
  if (a == NULL || b == NULL) {
    return (a == NULL) - (b == NULL);
  }
  if (a->priority != b->priority) {
    return a->priority > b->priority ? -1 : 1;
  }
  /* An unknown received time (0) is the smallest, so such a contact is
   * treated as the oldest of its priority rather than sinking. */
  if (a->received_at_ms != b->received_at_ms) {
    return a->received_at_ms < b->received_at_ms ? -1 : 1;
  }
  /* Ids are unique in the desk's table: a total order, so the queue reads
   * the same every time (qsort is not stable). */
  int rc = strcmp(s_or_empty(a->contact_id), s_or_empty(b->contact_id));
  return rc < 0 ? -1 : rc > 0;
}

static int s_cmp_cb(const void *a, const void *b) {
  return hub_queue_cmp(*(Mash__V1__Contact *const *)a, *(Mash__V1__Contact *const *)b);
}

void hub_queue_sort(Mash__V1__Contact **items, size_t n) {
  if (items != NULL && n > 1) {
    qsort(items, n, sizeof items[0], s_cmp_cb);
  }
}

bool hub_queue_overdue(const Mash__V1__Contact *c, int64_t now_ms) {
  return c != NULL && c->screening_due_at_ms != 0 && now_ms > c->screening_due_at_ms;
}

/* Milliseconds since the contact was received, or -1 when that time is not
 * known. A time ahead of now_ms (another machine's clock) is age 0. */
static int64_t s_age_ms(const Mash__V1__Contact *c, int64_t now_ms) {
  if (c->received_at_ms <= 0) {
    return -1;
  }
  return now_ms > c->received_at_ms ? now_ms - c->received_at_ms : 0;
}

void hub_queue_age(int64_t age_ms, char *out, size_t outlen) {
  if (out == NULL || outlen == 0) {
    return;
  }
  if (age_ms < MINUTE_MS) {
    snprintf(out, outlen, "0m");
  } else if (age_ms < HOUR_MS) {
    snprintf(out, outlen, "%" PRId64 "m", age_ms / MINUTE_MS);
  } else if (age_ms < DAY_MS) {
    snprintf(out, outlen, "%" PRId64 "h%02" PRId64 "m", age_ms / HOUR_MS,
             age_ms % HOUR_MS / MINUTE_MS);
  } else {
    snprintf(out, outlen, "%" PRId64 "d%02" PRId64 "h", age_ms / DAY_MS, age_ms % DAY_MS / HOUR_MS);
  }
}

/* ---------------------------------------------------------------- lines */

/* A bounded line being written: never overflows, always NUL-terminated,
 * and once something does not fit nothing more is added, so a line is cut
 * between whole characters. */
static void s_int(hub_line_t *l, int32_t v) {
  char tmp[16];
  snprintf(tmp, sizeof tmp, "%" PRId32, v);
  hub_line_text(l, tmp, false);
}

/* Start a queue line in out with the contact's priority ("P12"); false
 * (out empty) when there is no contact or no room. */
static bool s_line_start(hub_line_t *l, const Mash__V1__Contact *c, char *out, size_t outlen) {
  hub_line_init(l, out, outlen);
  if (c == NULL || l->full) {
    return false;
  }
  hub_line_text(l, "P", false);
  s_int(l, c->priority);
  return true;
}

void hub_queue_line(const Mash__V1__Contact *c, int64_t now_ms, char *out, size_t outlen) {
  hub_line_t l;
  if (!s_line_start(&l, c, out, outlen)) {
    return;
  }
  hub_line_text(&l, "  ", false);
  hub_line_text(&l, c->contact_id, false);
  hub_line_text(&l, "  ", false);
  hub_line_text(&l, c->source_principal, false);

  char tmp[40];
  int64_t age = s_age_ms(c, now_ms);
  if (age < 0) {
    hub_line_text(&l, "  age ?", false);
  } else {
    hub_queue_age(age, tmp, sizeof tmp);
    hub_line_text(&l, "  age ", false);
    hub_line_text(&l, tmp, false);
  }
  if (c->screening_due_at_ms != 0) {
    mash_clock_format(c->screening_due_at_ms, tmp, sizeof tmp);
    hub_line_text(&l, "  due ", false);
    hub_line_text(&l, tmp, false);
    if (hub_queue_overdue(c, now_ms)) {
      hub_line_text(&l, " OVERDUE", false);
    }
  } else {
    hub_line_text(&l, "  due -", false);
  }

  /* Labels hold commas ("injury, strangling, ..."): reasons are parted by
   * semicolons. */
  hub_line_text(&l, "  [", false);
  if (c->n_priority_reasons == 0) {
    hub_line_text(&l, "no reasons", false);
  }
  for (size_t i = 0; i < c->n_priority_reasons; i++) {
    const char *label = hub_queue_reason_label(c->priority_reasons[i]);
    hub_line_text(&l, i ? "; " : "", false);
    hub_line_text(&l, label != NULL ? label : c->priority_reasons[i], false);
  }
  hub_line_text(&l, "]  ", false);
  if (c->notification != NULL) {
    hub_line_text(&l, mash_category_name(c->notification->concern_category), true);
  } else {
    hub_line_text(&l, "no notification", false);
  }
}

void hub_queue_contact_line(const Mash__V1__Contact *c, char *out, size_t outlen) {
  hub_line_t l;
  if (!s_line_start(&l, c, out, outlen)) {
    return;
  }
  hub_line_text(&l, " ", false);
  /* The view's line is already safe; copied through s_text it is cut
   * between whole characters. A view line that did not fit the buffer
   * (within the longest UTF-8 character of its end) counts as cut, so no
   * reasons are added after a cut line. */
  char view[4096];
  hub_view_line(c, view, sizeof view);
  hub_line_text(&l, view, false);
  if (strlen(view) + 4 >= sizeof view) {
    l.full = true;
  }
  for (size_t i = 0; i < c->n_priority_reasons; i++) {
    hub_line_text(&l, i ? ", " : "  priority: ", false);
    hub_line_text(&l, c->priority_reasons[i], false);
  }
}

/* ---------------------------------------------------------------- json */

json_t *hub_queue_json(const Mash__V1__Contact *c, int64_t now_ms) {
  json_t *o = hub_view_json_object(c);
  if (o == NULL) {
    return NULL;
  }
  bool ok = true;
  int64_t age = s_age_ms(c, now_ms);
  hub_view_json_set(o, "priority", json_integer(c->priority), &ok);
  hub_view_json_set(o, "priority_reasons",
                    hub_view_json_strings(c->priority_reasons, c->n_priority_reasons, &ok), &ok);
  hub_view_json_set(o, "contact_id", hub_view_json_text(c->contact_id), &ok);
  hub_view_json_set(o, "source", hub_view_json_text(c->source_principal), &ok);
  hub_view_json_set(o, "received_at",
                    c->received_at_ms > 0 ? hub_view_json_time(c->received_at_ms) : json_null(),
                    &ok);
  hub_view_json_set(o, "age_ms", age >= 0 ? json_integer(age) : json_null(), &ok);
  hub_view_json_set(o, "screening_due_at", hub_view_json_time(c->screening_due_at_ms), &ok);
  hub_view_json_set(o, "overdue", json_boolean(hub_queue_overdue(c, now_ms)), &ok);
  hub_view_json_set(o, "category",
                    c->notification != NULL
                        ? json_string(mash_category_name(c->notification->concern_category))
                        : json_null(),
                    &ok);
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}
