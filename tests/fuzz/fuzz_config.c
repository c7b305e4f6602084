/* fuzz_config: mashd's ini configuration (broker/config.c over
 * common/settings.c and inih) on arbitrary files, and what mashd builds from
 * it at start: the working calendar, the deadline windows, the escalation
 * ladder and the matching thresholds.
 *
 * Each input is written to a scratch file and loaded over the defaults, as
 * `mashd --config FILE` does. Properties checked besides the sanitizers: a
 * refused file has a terminated reason; when mashd's start-up checks all
 * pass, every deadline of a red, amber and green enquiry, the screening and
 * the decision falls after its start (or never), the ladder's instants do not
 * go backwards as the ladder climbs, and each ladder (enquiry, screening,
 * decision) written as text reads back to the same text.
 * Must not: keep state between inputs (the scratch file is rewritten).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "deadline.h"
#include "fuzz_util.h"
#include "ladder.h"
#include "match.h"

#define S_START_MS 1796119200000LL /* 2026-12-01T10:00:00Z, a Tuesday */

static void s_deadlines(const mashd_config_t *cfg, const mash_calendar_t *cal) {
  static const Mash__V1__Rag rags[] = {MASH__V1__RAG__RAG_RED, MASH__V1__RAG__RAG_AMBER,
                                       MASH__V1__RAG__RAG_GREEN};
  for (size_t i = 0; i < sizeof rags / sizeof rags[0]; i++) {
    int64_t due = mash_deadline_reply_due(&cfg->policy, cal, rags[i], S_START_MS);
    fuzz_check(due > S_START_MS, "a reply is due after the request");
    int64_t last = S_START_MS;
    for (size_t s = 0; s < cfg->ladder.n_steps && due != MASH_DEADLINE_NEVER; s++) {
      int64_t at = mash_deadline_at_fraction(&cfg->policy, cal, rags[i], S_START_MS, due,
                                             cfg->ladder.steps[s].permille);
      fuzz_check(at >= last, "ladder instants do not go backwards");
      last = at;
    }
  }
  fuzz_check(mash_deadline_screening_due(&cfg->policy, cal, S_START_MS) > S_START_MS,
             "screening is due after the contact");
  fuzz_check(mash_deadline_decision_due(&cfg->policy, cal, S_START_MS) > S_START_MS,
             "the decision is due after the enquiry");
}

static void s_ladder_text(const mash_ladder_t *l) {
  char text[8192], again[8192], err[256];
  int n = mash_ladder_format(l, text, sizeof text);
  fuzz_check(n >= 0 && (size_t)n < sizeof text, "a checked ladder formats");
  mash_ladder_t back;
  fuzz_check(mash_ladder_parse(&back, text, err, sizeof err) == 0, "a formatted ladder parses");
  fuzz_check(mash_ladder_format(&back, again, sizeof again) == n && strcmp(text, again) == 0,
             "a ladder reads back to the same text");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[512], err[512];
  fuzz_path("mashd.ini", path, sizeof path);
  fuzz_write(path, data, size);
  mashd_config_t *cfg = malloc(sizeof *cfg);
  fuzz_check(cfg != NULL, "memory");
  mashd_config_defaults(cfg);
  memset(err, 'x', sizeof err);
  if (mashd_config_load(cfg, path, err, sizeof err) != 0) {
    fuzz_check(memchr(err, '\0', sizeof err) != NULL && err[0] != '\0',
               "a refused file has a reason");
    free(cfg);
    return 0;
  }
  /* The start-up checks of broker/main.c, in its order. */
  mash_calendar_t *cal =
      mash_calendar_new(cfg->timezone, cfg->hours, cfg->holidays, err, sizeof err);
  if (cal && mash_deadline_policy_check(&cfg->policy, cal, err, sizeof err) == 0 &&
      mash_ladder_check(&cfg->ladder, err, sizeof err) == 0 &&
      mash_ladder_check(&cfg->screening_ladder, err, sizeof err) == 0 &&
      mash_ladder_check(&cfg->decision_ladder, err, sizeof err) == 0 &&
      mash_match_policy_check(&cfg->matching) == 0) {
    s_deadlines(cfg, cal);
    s_ladder_text(&cfg->ladder);
    s_ladder_text(&cfg->screening_ladder);
    s_ladder_text(&cfg->decision_ladder);
  }
  mash_calendar_destroy(&cal);
  free(cfg);
  return 0;
}
