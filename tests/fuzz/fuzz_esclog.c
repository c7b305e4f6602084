/* fuzz_esclog: the escalation-log verifier and the recovery of a log at open
 * (broker/store/esclog.c) on arbitrary files.
 *
 * An input is a log file and its head file, split at the first NUL byte
 * (without one, there is no head file). Both are written to scratch files;
 * then mash_esclog_verify checks them, mash_esclog_open recovers them, and
 * one event is appended. Properties checked besides the sanitizers: verify
 * reports 0 or the line where the chain breaks (the same number in both
 * places) with a reason; a log that verified, opened and took an append
 * still verifies, one line longer (an append never breaks a good chain).
 * Must not: keep state between inputs (the scratch files are rewritten).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "esclog.h"
#include "fuzz_util.h"

static json_t *s_event;

static const json_t *s_event_json(void) {
  if (!s_event) {
    s_event = json_pack("{s:s, s:s, s:i, s:s}", "escalation_id", "ESC-000001", "agency", "health",
                        "level", 2, "step", "overdue");
    fuzz_check(s_event != NULL, "memory");
  }
  return s_event;
}

static int s_verify(const char *path) {
  char err[512];
  size_t bad = 12345;
  memset(err, 'x', sizeof err);
  int rc = mash_esclog_verify(path, &bad, err, sizeof err);
  fuzz_check(rc >= 0, "a readable log is verified, not refused as unreadable");
  fuzz_check((size_t)rc == bad, "verify returns the line it stores");
  if (rc > 0) {
    fuzz_check(memchr(err, '\0', sizeof err) != NULL && err[0] != '\0', "a break has a reason");
  }
  return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[512], head[512], tmp[512];
  fuzz_path("esc.log", path, sizeof path);
  fuzz_path("esc.log.head", head, sizeof head);
  fuzz_path("esc.log.head.tmp", tmp, sizeof tmp); /* named so that it is removed at exit */
  const uint8_t *nul = memchr(data, '\0', size);
  size_t log_len = nul ? (size_t)(nul - data) : size;
  fuzz_write(path, data, log_len);
  if (nul) {
    fuzz_write(head, nul + 1, size - log_len - 1);
  } else {
    fuzz_remove(head);
  }

  int verified = s_verify(path);
  char err[512];
  mash_esclog_t *log = mash_esclog_open(path, err, sizeof err);
  if (!log) {
    return 0;
  }
  size_t before = mash_esclog_count(log);
  fuzz_check(strlen(mash_esclog_head(log)) == MASH_ESCLOG_HASH_HEX, "the head is a hash");
  int rc = mash_esclog_append(log, s_event_json(), err, sizeof err);
  fuzz_check(rc == 0, "an event is appended to an open log");
  fuzz_check(mash_esclog_count(log) == before + 1, "an append adds one line");
  mash_esclog_close(&log);
  if (verified == 0) {
    fuzz_check(s_verify(path) == 0, "an append keeps a good chain good");
  }
  return 0;
}
