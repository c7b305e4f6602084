/* store_fake: the recording store of the wrapper tests: every slot of
 * internal/store_vt.h filled, each recording that it was called and with
 * which arguments (test_store_wrappers), and the slots' names by number
 * (test_store_wrappers, test_store_wrappers_sqlite). Must not: read or
 * call what it is given (pointers are compared, never followed). Any
 * thread; one recorder per test.
 */
#ifndef MASH_TEST_STORE_FAKE_H
#define MASH_TEST_STORE_FAKE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_vt.h" /* the recording fake fills in the vtable */

#define MAX_ARGS 8

typedef struct recorder {
  mash_store_t base;
  int hits; /* slot calls since reset */
  int last; /* the slot called last */
  size_t n; /* its arguments after the store */
  uintptr_t args[MAX_ARGS];
  int destroyed;
} recorder_t;

/* ---- one entry per slot of internal/store_vt.h, in its order (a new slot
 * needs its line in each list below: test_every_slot_listed says so) ---- */

enum {
  S_BEGIN,
  S_COMMIT,
  S_ROLLBACK,
  S_INTAKE,
  S_MARK_DELIVERED,
  S_LOAD_UNDELIVERED,
  S_COUNT_CONTACTS,
  S_SAVEPOINT,
  S_RELEASE,
  S_CHECKPOINT,
  S_CONTACT_GET,
  S_CONTACT_CLAIM,
  S_CONTACT_SET_STATE,
  S_INBOX_GET,
  S_INBOX_PUT,
  S_ENQUIRY_INSERT,
  S_ENQUIRY_GET,
  S_ENQUIRY_UPDATE,
  S_ENQUIRY_OF_CONTACT,
  S_REQUEST_INSERT,
  S_REQUEST_GET,
  S_REQUEST_ANSWER,
  S_REQUEST_SET_LEVEL,
  S_REQUESTS_OF_ENQUIRY,
  S_REQUESTS_OPEN,
  S_ESCALATION_INSERT,
  S_ESCALATIONS_OF_ENQUIRY,
  S_ESCALATIONS_AFTER,
  S_ESCLOG_STATE,
  S_ESCLOG_MARK,
  S_OPEN_READER,
  S_OUTBOX_INSERT,
  S_OUTBOX_DELIVERED,
  S_OUTBOX_PENDING,
  S_LATEST_INSTANT,
  S_LOAD_UNRESOLVED,
  S_CONTACT_RESOLVED,
  S_CONTACT_FIND,
  S_PERSON_FIND,
  S_PERSON_GET,
  S_PERSON_PUT,
  S_PERSON_WARM,
  S_PERSON_CACHE,
  S_TXN_OPEN,
  S_PERSON_SUMMARISE,
  S_PERSON_ADD_KEYS,
  S_PERSON_LINK,
  S_PERSON_RELATE,
  S_PERSON_RELATIVES,
  S_PERSON_HOUSEMATES,
  S_PERSON_TOGETHER,
  S_PERSON_CONTACTS,
  S_PERSON_MERGE,
  S_MATCH_INSERT,
  S_MATCH_GET,
  S_MATCH_DECIDE,
  S_MATCH_PENDING,
  S_TERM_COUNTS,
  S_TERM_ADD,
  S_PERSON_EACH,
  S_STATS_SUMMARY,
  S_STATS_SOURCES,
  S_STATS_REPLIES,
  S_STATS_ESCALATION_LEVELS,
  S_STATS_QUALITY_FLAGS,
  S_DUTY_OPEN,
  S_DUTY_GET,
  S_DUTY_CLAIM,
  S_DUTY_FIND,
  S_DUTY_SET,
  S_DUTY_DONE,
  S_DUTIES_OPEN,
  S_DUTY_STATS,
  S_OPS_FIGURES,
  S_INBOX_REFUSED,
  S_ADAPTER_REJECTION_PUT,
  S_ADAPTER_REJECTIONS,
  S_N
};

/* The slot names by number ("begin", ...), and the recording vtable: each
 * slot records into the recorder_t whose base it is given, and answers
 * -1000 - its slot number. */
extern const char *const SLOT_NAMES[S_N];
extern const mash_store_vtable_t RECORDING_VT;

#endif
