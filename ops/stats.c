/* stats: management information from the store's statistics operations
 * (store.h), shaped as one JSON object and as readable text.
 *
 * Responsible for: opening the store read-only, asking it for the figures,
 * and the percentages and ages derived from them. Must not: open the
 * broker's tables itself (the store owns its schema), write to the store,
 * or read sealed content. Runs on the caller's thread (mashctl's main).
 */
#include "stats.h"

#include "names.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

static json_t *s_dist(const mash_store_dist_t *d) {
  return json_pack("{s:I,s:I,s:I}", "n", (json_int_t)d->n, "p50_ms", (json_int_t)d->p50_ms,
                   "p90_ms", (json_int_t)d->p90_ms);
}

static int s_count_cb(const char *name, int64_t n, void *arg) {
  json_object_set_new(arg, name, json_integer(n));
  return 0;
}

static int s_level_cb(unsigned level, int64_t n, void *arg) {
  char key[16];
  snprintf(key, sizeof key, "%u", level);
  json_object_set_new(arg, key, json_integer(n));
  return 0;
}

/* adapter_rejections: {principal: {"files": n, "fields": {path: n}}}, the
 * paths without their indices ("children[].dob"). */
static int s_rejection_cb(const char *principal, const char *fields, void *arg) {
  json_t *a = json_object_get(arg, principal);
  if (!a) {
    a = json_pack("{s:I,s:o}", "files", (json_int_t)0, "fields", json_object());
    json_object_set_new(arg, principal, a);
  }
  json_object_set_new(a, "files",
                      json_integer(json_integer_value(json_object_get(a, "files")) + 1));
  json_t *by = json_object_get(a, "fields");
  for (const char *p = fields; *p;) {
    const char *end = strchr(p, '\n');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    char name[96];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof name; i++) {
      name[k++] = p[i];
      if (p[i] == '[') {
        while (i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '9') {
          i++;
        }
      }
    }
    name[k] = '\0';
    if (k) {
      json_object_set_new(by, name,
                          json_integer(json_integer_value(json_object_get(by, name)) + 1));
    }
    p = end ? end + 1 : p + n;
  }
  return 0;
}

/* replies: {agency: {rag: {"n", "p50_ms", "p90_ms", "asked"}}}. */
static int s_reply_cb(const mash_store_reply_stats_t *r, void *arg) {
  json_t *replies = arg;
  json_t *a = json_object_get(replies, r->agency);
  if (!a) {
    a = json_object();
    json_object_set_new(replies, r->agency, a);
  }
  json_t *d = s_dist(&r->answered);
  json_object_set_new(d, "asked", json_integer(r->asked));
  json_object_set_new(a, mash_rag_name((Mash__V1__Rag)r->rag), d);
  return 0;
}

static json_t *s_pct(int64_t part, int64_t whole) {
  return whole ? json_real(100.0 * (double)part / (double)whole) : json_null();
}

/* One kind of the hub's own duties: done, done within the window, open,
 * open and late, escalated. */
static json_t *s_duty(const mash_duty_stats_t *d) {
  return json_pack("{s:I,s:I,s:o,s:I,s:I,s:I}", "done", (json_int_t)d->done, "on_time",
                   (json_int_t)d->on_time, "on_time_pct", s_pct(d->on_time, d->done), "open",
                   (json_int_t)d->open, "open_late", (json_int_t)d->open_late, "escalated",
                   (json_int_t)d->escalated);
}

json_t *mash_stats_compute(const char *path, int64_t now_ms, char *err, size_t errlen) {
  mash_store_t *store = mash_store_sqlite_open_readonly(path, err, errlen);
  if (!store) {
    return NULL;
  }
  json_t *o = mash_stats_of_store(store, path, now_ms, err, errlen);
  mash_store_destroy(&store);
  return o;
}

json_t *mash_stats_of_store(mash_store_t *store, const char *path, int64_t now_ms, char *err,
                            size_t errlen) {
  mash_store_stats_t t;
  json_t *by = json_object(), *replies = json_object(), *levels = json_object(),
         *flags = json_object();
  int rc = mash_store_stats_summary(store, now_ms, &t);
  if (rc == 0) {
    rc = mash_store_stats_sources(store, s_count_cb, by);
  }
  if (rc == 0) {
    rc = mash_store_stats_replies(store, s_reply_cb, replies);
  }
  if (rc == 0) {
    rc = mash_store_stats_escalation_levels(store, s_level_cb, levels);
  }
  if (rc == 0) {
    rc = mash_store_stats_quality_flags(store, s_count_cb, flags);
  }
  /* Screened within its window (4 hours by default), decided within the
   * decision window: from the duties the broker's timetable keeps. */
  mash_duty_stats_t screening, decision;
  if (rc == 0) {
    rc = mash_store_duty_stats(store, MASH_DUTY_SCREENING, now_ms, &screening);
  }
  if (rc == 0) {
    rc = mash_store_duty_stats(store, MASH_DUTY_DECISION, now_ms, &decision);
  }
  /* Files the adapters refused (a store from before the reports has none:
   * null rather than a failure). */
  json_t *rejections = json_object();
  if (rc == 0 && mash_store_adapter_rejections(store, s_rejection_cb, rejections) != 0) {
    json_decref(rejections);
    rejections = json_null();
  }
  if (rc != 0) {
    snprintf(err, errlen, "%s: cannot read the statistics: %s", path, strerror(-rc));
    json_decref(by);
    json_decref(replies);
    json_decref(levels);
    json_decref(flags);
    json_decref(rejections);
    return NULL;
  }
  json_t *o = json_object();
  json_object_set_new(o, "as_of_ms", json_integer(now_ms));
  json_object_set_new(o, "contacts", json_integer(t.contacts));
  json_object_set_new(o, "contacts_by_source", by);
  json_object_set_new(o, "time_to_screen", s_dist(&t.time_to_screen));
  json_object_set_new(o, "time_to_pack", s_dist(&t.time_to_pack));
  json_object_set_new(o, "time_to_decision", s_dist(&t.time_to_decision));
  json_object_set_new(o, "screening_duty", s_duty(&screening));
  json_object_set_new(o, "decision_duty", s_duty(&decision));
  json_object_set_new(o, "agency_reply", replies);
  json_object_set_new(o, "open_enquiries", json_integer(t.open_enquiries));
  json_object_set_new(o, "overdue_requests", json_integer(t.overdue_requests));
  json_object_set_new(o, "escalations_by_level", levels);
  json_object_set_new(o, "dash_completeness_pct", s_pct(t.dash_complete, t.domestic_abuse));
  json_object_set_new(o, "consent_recorded_pct", s_pct(t.consent_recorded, t.enquiries));
  /* Contacts acknowledged whose people are not resolved yet: not delivered. */
  json_object_set_new(o, "resolution_backlog", json_integer(t.resolution_backlog));
  /* Possible matches awaiting the hub's review (confirm or reject). */
  json_object_set_new(o, "possible_match_backlog", json_integer(t.possible_match_backlog));
  /* Data-quality flags: contacts carrying each flag. */
  json_object_set_new(o, "quality_flags", flags);
  /* Files the agencies' adapters refused as invalid input, by agency. */
  json_object_set_new(o, "adapter_rejections", rejections);
  if (t.oldest_open_id[0] != '\0') {
    json_object_set_new(o, "oldest_open",
                        json_pack("{s:s,s:I}", "contact_id", t.oldest_open_id, "age_ms",
                                  (json_int_t)(now_ms - t.oldest_open_received_at_ms)));
  } else {
    json_object_set_new(o, "oldest_open", json_null());
  }
  return o;
}

static void s_print_duty(const char *name, const json_t *d) {
  if (!json_is_object(d)) {
    return;
  }
  json_t *pct = json_object_get(d, "on_time_pct");
  printf("  %-26s ", name);
  if (json_is_null(pct)) {
    printf("n/a");
  } else {
    printf("%.1f%%", json_real_value(pct));
  }
  printf(" (%lld of %lld; open %lld, late %lld; escalated %lld)\n",
         (long long)json_integer_value(json_object_get(d, "on_time")),
         (long long)json_integer_value(json_object_get(d, "done")),
         (long long)json_integer_value(json_object_get(d, "open")),
         (long long)json_integer_value(json_object_get(d, "open_late")),
         (long long)json_integer_value(json_object_get(d, "escalated")));
}

static void s_print_dist(const char *name, const json_t *d) {
  printf("  %-22s n=%lld  p50 %.1f min  p90 %.1f min\n", name,
         (long long)json_integer_value(json_object_get(d, "n")),
         (double)json_integer_value(json_object_get(d, "p50_ms")) / 60000.0,
         (double)json_integer_value(json_object_get(d, "p90_ms")) / 60000.0);
}

void mash_stats_print(const json_t *s) {
  printf("contacts: %lld\n", (long long)json_integer_value(json_object_get(s, "contacts")));
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)json_object_get(s, "contacts_by_source"), k, v) {
    printf("  from %-16s %lld\n", k, (long long)json_integer_value(v));
  }
  printf("timeliness:\n");
  s_print_dist("time to screen", json_object_get(s, "time_to_screen"));
  s_print_dist("time to pack", json_object_get(s, "time_to_pack"));
  s_print_dist("time to decision", json_object_get(s, "time_to_decision"));
  s_print_duty("screened within the window", json_object_get(s, "screening_duty"));
  s_print_duty("decided within the window", json_object_get(s, "decision_duty"));
  printf("agency reply times:\n");
  json_object_foreach((json_t *)json_object_get(s, "agency_reply"), k, v) {
    const char *rag;
    json_t *d;
    json_object_foreach(v, rag, d) {
      char name[96];
      snprintf(name, sizeof name, "%s (%s)", k, rag);
      s_print_dist(name, d);
    }
  }
  printf("open enquiries: %lld; overdue requests: %lld\n",
         (long long)json_integer_value(json_object_get(s, "open_enquiries")),
         (long long)json_integer_value(json_object_get(s, "overdue_requests")));
  printf("escalations by level:");
  json_object_foreach((json_t *)json_object_get(s, "escalations_by_level"), k, v) {
    printf(" L%s=%lld", k, (long long)json_integer_value(v));
  }
  printf("\n");
  json_t *dash = json_object_get(s, "dash_completeness_pct");
  json_t *consent = json_object_get(s, "consent_recorded_pct");
  printf("DASH complete on domestic-abuse notifications: %s", json_is_null(dash) ? "n/a" : "");
  if (!json_is_null(dash)) {
    printf("%.1f%%", json_real_value(dash));
  }
  printf("\nconsent recorded on enquiries: %s", json_is_null(consent) ? "n/a" : "");
  if (!json_is_null(consent)) {
    printf("%.1f%%", json_real_value(consent));
  }
  printf("\n");
  printf("contacts waiting for resolution (not yet delivered): %lld\n",
         (long long)json_integer_value(json_object_get(s, "resolution_backlog")));
  printf("possible matches awaiting review: %lld\n",
         (long long)json_integer_value(json_object_get(s, "possible_match_backlog")));
  printf("data-quality flags:");
  json_object_foreach((json_t *)json_object_get(s, "quality_flags"), k, v) {
    printf(" %s=%lld", k, (long long)json_integer_value(v));
  }
  printf("\n");
  printf("files refused at the adapters:");
  json_object_foreach((json_t *)json_object_get(s, "adapter_rejections"), k, v) {
    printf(" %s=%lld (", k, (long long)json_integer_value(json_object_get(v, "files")));
    const char *f;
    json_t *n;
    int first = 1;
    json_object_foreach(json_object_get(v, "fields"), f, n) {
      printf("%s%s %lld", first ? "" : ", ", f, (long long)json_integer_value(n));
      first = 0;
    }
    printf(")");
  }
  printf("\n");
  json_t *old = json_object_get(s, "oldest_open");
  if (json_is_object(old)) {
    printf("oldest open item: %s, %.1f hours old\n",
           json_string_value(json_object_get(old, "contact_id")),
           (double)json_integer_value(json_object_get(old, "age_ms")) / 3600000.0);
  } else {
    printf("oldest open item: none\n");
  }
}
