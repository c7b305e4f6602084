/* deadline: the reply, screening and decision windows of the hub, and the
 * instants they fall due (deadline.h).
 *
 * Responsible for: the default policy, checking a policy against a
 * calendar, and turning a window and a start instant into a due instant or
 * the instant at a fraction of the window, on the wall clock or in working
 * time (counted by calendar.c).
 * Must not: do I/O, log, read the clock or the environment, or keep global
 * state. Every function is a pure function of its arguments, safe from any
 * thread.
 */
#include "deadline.h"

#include <errno.h>

#include "calendar_int.h"

void mash_deadline_policy_default(mash_deadline_policy_t *policy) {
  if (policy == NULL) {
    return;
  }
  policy->red = (mash_deadline_window_t){4 * 60, MASH_DEADLINE_WALL};
  policy->amber = (mash_deadline_window_t){24 * 60, MASH_DEADLINE_WORKING};
  policy->green = (mash_deadline_window_t){72 * 60, MASH_DEADLINE_WORKING};
  policy->screening = (mash_deadline_window_t){4 * 60, MASH_DEADLINE_WALL};
  policy->decision = (mash_deadline_window_t){8 * 60, MASH_DEADLINE_WORKING};
}

static bool s_window_valid(const mash_deadline_window_t *w) {
  return w != NULL && w->minutes >= 1 && w->minutes <= MASH_DEADLINE_MAX_MINUTES &&
         (w->clock == MASH_DEADLINE_WALL || w->clock == MASH_DEADLINE_WORKING);
}

int mash_deadline_policy_check(const mash_deadline_policy_t *policy, const mash_calendar_t *cal,
                               char *err, size_t errlen) {
  if (policy == NULL) {
    mash_errbuf_set(err, errlen, "policy: missing");
    return -EINVAL;
  }
  const struct {
    const char *name;
    const mash_deadline_window_t *w;
  } windows[] = {{"red", &policy->red},
                 {"amber", &policy->amber},
                 {"green", &policy->green},
                 {"screening", &policy->screening},
                 {"decision", &policy->decision}};
  for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++) {
    const mash_deadline_window_t *w = windows[i].w;
    if (!s_window_valid(w)) {
      mash_errbuf_set(err, errlen,
                      "policy: %s window must be 1 to %d minutes, wall or working clock",
                      windows[i].name, MASH_DEADLINE_MAX_MINUTES);
      return -EINVAL;
    }
    if (w->clock == MASH_DEADLINE_WORKING && !mash_calendar_has_hours(cal)) {
      mash_errbuf_set(err, errlen,
                      "policy: %s window counts working time but the calendar has no working hours",
                      windows[i].name);
      return -EINVAL;
    }
  }
  return 0;
}

const mash_deadline_window_t *mash_deadline_window_for(const mash_deadline_policy_t *policy,
                                                       Mash__V1__Rag rag) {
  if (policy == NULL) {
    return NULL;
  }
  switch (rag) {
  case MASH__V1__RAG__RAG_RED:
    return &policy->red;
  case MASH__V1__RAG__RAG_AMBER:
    return &policy->amber;
  case MASH__V1__RAG__RAG_GREEN:
    return &policy->green;
  default:
    return NULL;
  }
}

int64_t mash_deadline_window_due(const mash_deadline_window_t *window, const mash_calendar_t *cal,
                                 int64_t start_utc_ms) {
  if (!s_window_valid(window) || start_utc_ms < MASH_CALENDAR_MIN_MS ||
      start_utc_ms > MASH_CALENDAR_MAX_MS) {
    return MASH_DEADLINE_NEVER;
  }
  int64_t len = window->minutes * MINUTE_MS;
  if (window->clock == MASH_DEADLINE_WORKING) {
    return mash_calendar_add_working(cal, start_utc_ms, len);
  }
  return len > MASH_CALENDAR_MAX_MS - start_utc_ms ? MASH_DEADLINE_NEVER : start_utc_ms + len;
}

int64_t mash_deadline_window_at_fraction(const mash_deadline_window_t *window,
                                         const mash_calendar_t *cal, int64_t start_utc_ms,
                                         int64_t due_utc_ms, int32_t permille) {
  if (!s_window_valid(window) || permille < 0 || permille > MASH_DEADLINE_MAX_PERMILLE ||
      start_utc_ms < MASH_CALENDAR_MIN_MS || start_utc_ms > MASH_CALENDAR_MAX_MS ||
      due_utc_ms < start_utc_ms || due_utc_ms > MASH_CALENDAR_MAX_MS) {
    return MASH_DEADLINE_NEVER;
  }
  bool working = window->clock == MASH_DEADLINE_WORKING;
  int64_t len = working ? mash_calendar_working_between(cal, start_utc_ms, due_utc_ms)
                        : due_utc_ms - start_utc_ms;
  /* Split the product so that it cannot overflow: len < 2^48, permille < 2^17. */
  int64_t part = (len / 1000) * permille + (len % 1000) * permille / 1000;
  if (working) {
    return mash_calendar_add_working(cal, start_utc_ms, part);
  }
  return part > MASH_CALENDAR_MAX_MS - start_utc_ms ? MASH_DEADLINE_NEVER : start_utc_ms + part;
}

int64_t mash_deadline_reply_due(const mash_deadline_policy_t *policy, const mash_calendar_t *cal,
                                Mash__V1__Rag rag, int64_t start_utc_ms) {
  const mash_deadline_window_t *w = mash_deadline_window_for(policy, rag);
  return w == NULL ? 0 : mash_deadline_window_due(w, cal, start_utc_ms);
}

int64_t mash_deadline_screening_due(const mash_deadline_policy_t *policy,
                                    const mash_calendar_t *cal, int64_t start_utc_ms) {
  return policy == NULL ? MASH_DEADLINE_NEVER
                        : mash_deadline_window_due(&policy->screening, cal, start_utc_ms);
}

int64_t mash_deadline_decision_due(const mash_deadline_policy_t *policy, const mash_calendar_t *cal,
                                   int64_t start_utc_ms) {
  return policy == NULL ? MASH_DEADLINE_NEVER
                        : mash_deadline_window_due(&policy->decision, cal, start_utc_ms);
}

int64_t mash_deadline_at_fraction(const mash_deadline_policy_t *policy, const mash_calendar_t *cal,
                                  Mash__V1__Rag rag, int64_t start_utc_ms, int64_t due_utc_ms,
                                  int32_t permille) {
  const mash_deadline_window_t *w = mash_deadline_window_for(policy, rag);
  return w == NULL ? 0
                   : mash_deadline_window_at_fraction(w, cal, start_utc_ms, due_utc_ms, permille);
}
