/* store: the broker's durable state behind a small interface (DESIGN.md §6).
 *
 * Responsible for: contacts (de-duplicated by principal + message id), the
 * hub-delivery outbox state. Implementations: SQLite (store_sqlite.c) now,
 * PostgreSQL later, failing fakes in tests. Every call runs on the storage
 * thread only (storage.c); nothing here is thread-safe. Calls between begin
 * and commit form one transaction (group commit). Must not: log plaintext
 * child data. Contact blobs are sealed (seal.h) before they reach the disk.
 */
#ifndef MASH_STORE_H
#define MASH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "seal.h"

#define MASH_CONTACT_ID_LEN 32
#define MASH_PRINCIPAL_LEN 64

typedef enum mash_intake_status {
  MASH_INTAKE_NEW = 1,       /* a new contact was created */
  MASH_INTAKE_DUPLICATE = 2, /* (principal, message_id) was seen: the existing contact */
} mash_intake_status_t;

typedef struct mash_intake {
  /* inputs (borrowed for the duration of the call) */
  const char *principal;
  const char *message_id;
  int64_t received_at_ms;
  const uint8_t *contact; /* a serialized Contact without contact_id */
  size_t contact_len;
  /* facts kept in plain columns for management information (no child data) */
  int domestic_abuse; /* a police domestic-abuse notification */
  int dash_present, dash_complete;
  int priority;              /* higher is screened first */
  const char *quality_flags; /* comma-separated flag names, or NULL */
  int concern_category;      /* Mash__V1__ConcernCategory */
  int red_flag;              /* the sending agency holds a red flag on a child */
  int64_t occurred_at_ms;    /* when it happened, as the agency said */
  int resolve_later;         /* store it unresolved: not delivered until contact_resolved */
  /* outputs */
  mash_intake_status_t status;
  char contact_id[MASH_CONTACT_ID_LEN]; /* e.g. "MASH-000042" */
} mash_intake_t;

typedef struct mash_store mash_store_t;

/* Called once per undelivered (resolved) contact, in contact order. `contact` is the
 * decrypted serialized Contact (still without contact_id) and is only valid
 * during the call. Return non-zero to stop. */
typedef int (*mash_store_contact_cb)(const char *contact_id, int64_t received_at_ms,
                                     const uint8_t *contact, size_t len, void *arg);

/* Contact life cycle (DESIGN.md §3). */
enum {
  MASH_CONTACT_RECEIVED = 0,
  MASH_CONTACT_ENQUIRING = 1, /* screened, enquiry open */
  MASH_CONTACT_SCREENED = 2,  /* screened without enquiry, awaiting decision */
  MASH_CONTACT_DECIDED = 3,
};

#define MASH_ITEM_ID_LEN 32

typedef struct mash_contact_row {
  char contact_id[MASH_CONTACT_ID_LEN];
  char principal[MASH_PRINCIPAL_LEN];
  int state;
  int unresolved; /* its people are not resolved yet */
  int delivered;  /* a hub desk acknowledged it */
  int64_t received_at_ms;
  uint8_t *blob; /* decrypted serialized Contact (without id); caller frees */
  size_t len;
} mash_contact_row_t;

typedef struct mash_enquiry_row {
  char enquiry_id[MASH_ITEM_ID_LEN];
  char contact_id[MASH_CONTACT_ID_LEN];
  int rag;
  int64_t opened_at_ms;
  int64_t closed_at_ms; /* 0 while open */
  unsigned pack_version;
  uint8_t *decision; /* decrypted serialized ScreeningDecision; caller frees */
  size_t len;
} mash_enquiry_row_t;

typedef struct mash_request_row {
  char request_id[MASH_ITEM_ID_LEN];
  char enquiry_id[MASH_ITEM_ID_LEN];
  char agency[MASH_PRINCIPAL_LEN];
  int rag;
  int64_t requested_at_ms;
  int64_t due_at_ms;
  int64_t answered_at_ms; /* 0 while unanswered */
  unsigned level;         /* escalation level reached */
  int64_t level_at_ms;
  int closed;        /* its enquiry is closed */
  uint8_t *response; /* decrypted serialized EnquiryResponse or NULL; caller frees */
  size_t len;
} mash_request_row_t;

/* Row visitors: return non-zero to stop. Rows (and their blobs) are only
 * valid during the call unless the callback takes the blob (sets it NULL). */
typedef int (*mash_store_request_cb)(mash_request_row_t *row, void *arg);
typedef int (*mash_store_blob_cb)(const uint8_t *blob, size_t len, void *arg);
typedef int (*mash_store_outbox_cb)(const char *message_id, const char *target,
                                    const uint8_t *frame, size_t len, void *arg);

/* ---- the person index (resolve.c decides; the store keeps) ---- */

#define MASH_PERSON_ID_LEN 24 /* "P-000042", "M-000007" */
#define MASH_REF_LEN 65       /* a person's ref in a notification (64 + NUL) */

typedef struct mash_person_row {
  char person_id[MASH_PERSON_ID_LEN];
  int is_child;    /* ever listed as a child in a notification */
  uint8_t *record; /* decrypted serialized Person (the latest details); caller frees */
  size_t len;
} mash_person_row_t;

/* A contact linked to a person, for prior contacts and repeat counts. */
typedef struct mash_person_contact {
  char contact_id[MASH_CONTACT_ID_LEN];
  char principal[MASH_PRINCIPAL_LEN];
  int64_t received_at_ms;
  int concern_category;
  int domestic_abuse; /* a police domestic-abuse notification or a domestic-abuse concern */
  int red_flag;
  char ref[MASH_REF_LEN];             /* the person's ref in that contact */
  char person_id[MASH_PERSON_ID_LEN]; /* the person it is linked to now */
  int64_t occurred_at_ms;             /* when it happened, as the agency said */
} mash_person_contact_t;

typedef struct mash_match_row {
  char match_id[MASH_PERSON_ID_LEN];
  char contact_id[MASH_CONTACT_ID_LEN];
  char ref[MASH_REF_LEN];
  char person_id[MASH_PERSON_ID_LEN];    /* the new record made for the notification */
  char candidate_id[MASH_PERSON_ID_LEN]; /* the person it may be */
  int confidence;                        /* thousandths */
  int state;                             /* MASH_MATCH_OPEN, _CONFIRMED, _REJECTED */
} mash_match_row_t;

enum { MASH_MATCH_OPEN = 0, MASH_MATCH_CONFIRMED = 1, MASH_MATCH_REJECTED = 2 };

/* Visitors: return non-zero to stop. A person row's record may be taken
 * (set row->record NULL); otherwise it is freed after the call. */
typedef int (*mash_store_person_cb)(mash_person_row_t *row, void *arg);
typedef int (*mash_store_person_contact_cb)(const mash_person_contact_t *c, void *arg);

/* ==== the operations console (read-only; plain columns only) ==== */
#define MASH_OPS_ROWS 64
typedef struct mash_ops_dist {
  int64_t n, p50_ms, p90_ms;
} mash_ops_dist_t;
typedef struct mash_ops_figures {
  /* Now: open contacts, [0] awaiting screening, [1..4] by the RAG they were
   * screened at (Mash__V1__Rag); the oldest's receipt time. */
  int64_t open_count[5], open_oldest_ms[5];
  struct {
    char contact_id[MASH_CONTACT_ID_LEN];
    int64_t received_at_ms;
  } due[MASH_OPS_ROWS]; /* the earliest contacts awaiting screening */
  size_t n_due;
  struct {
    char agency[MASH_PRINCIPAL_LEN];
    unsigned level;
    int64_t n;
  } overdue[MASH_OPS_ROWS]; /* unanswered requests past due, by agency and level */
  size_t n_overdue;
  int64_t open_enquiries, overdue_requests, possible_match_backlog, resolution_backlog;
  /* Management information over [from_ms, to_ms): contacts received, and
   * enquiries opened, requests sent and escalations taken in the range. */
  int64_t contacts;
  struct {
    char name[MASH_PRINCIPAL_LEN];
    int64_t n;
  } sources[MASH_OPS_ROWS];
  size_t n_sources;
  mash_ops_dist_t to_screen, to_pack, to_decision;
  int64_t levels[33]; /* escalations by level 0..32 */
  int64_t screened, screened_in_window, domestic_abuse, dash_complete, enquiries, consent_recorded;
  struct {
    char agency[MASH_PRINCIPAL_LEN];
    int rag;
    int64_t asked, answered, on_time;
  } replies[MASH_OPS_ROWS];
  size_t n_replies;
} mash_ops_figures_t;

/* The figures the operations console shows, as of now_ms, for contacts
 * received in [from_ms, to_ms) (both 0: everything); screening_ms is the
 * screening window, for "screened within the window". Storage thread (or
 * the thread owning the store); reads only. 0 or negative. */
int mash_store_ops_figures(mash_store_t *s, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                           int64_t screening_ms, mash_ops_figures_t *out);

typedef struct mash_store_vtable {
  int (*begin)(mash_store_t *s);
  int (*commit)(mash_store_t *s); /* durable (fsync'd) when it returns 0 */
  int (*rollback)(mash_store_t *s);
  /* Create a contact, or find the one with the same (principal, message_id). */
  int (*intake)(mash_store_t *s, mash_intake_t *in);
  /* The hub desk `principal` acknowledged `contact_id`. Idempotent. */
  int (*mark_delivered)(mash_store_t *s, const char *contact_id, const char *principal,
                        int64_t at_ms);
  int (*load_undelivered)(mash_store_t *s, mash_store_contact_cb cb, void *arg);
  int (*count_contacts)(mash_store_t *s, int64_t *n);
  void (*destroy)(mash_store_t *s);

  /* A savepoint around one operation of a batch: release(s, 0) undoes what
   * the operation wrote without touching the rest of the batch. */
  int (*savepoint)(mash_store_t *s);
  int (*release)(mash_store_t *s, int keep);

  /* ---- the enquiry (every call: 0, -ENOENT when absent, or negative) ---- */
  int (*contact_get)(mash_store_t *s, const char *contact_id, mash_contact_row_t *row);
  int (*contact_set_state)(mash_store_t *s, const char *contact_id, int state, int64_t at_ms,
                           int outcome);
  /* The stored answer to (principal, message_id): 1 found (*result malloc'd),
   * 0 not seen. Makes every request from a client idempotent. */
  int (*inbox_get)(mash_store_t *s, const char *principal, const char *message_id, uint8_t **result,
                   size_t *len);
  int (*inbox_put)(mash_store_t *s, const char *principal, const char *message_id,
                   const uint8_t *result, size_t len, int64_t at_ms);
  int (*enquiry_insert)(mash_store_t *s, const char *contact_id, int rag, int consent_status,
                        int64_t at_ms, const uint8_t *decision, size_t len,
                        char enquiry_id[MASH_ITEM_ID_LEN]);
  int (*enquiry_get)(mash_store_t *s, const char *enquiry_id, mash_enquiry_row_t *row);
  /* at_ms: when; the first pack's time is kept for management information. */
  int (*enquiry_update)(mash_store_t *s, const char *enquiry_id, unsigned pack_version,
                        int64_t closed_at_ms, int64_t at_ms);
  /* The open enquiry of a contact: 0 with its id, -ENOENT when none. */
  int (*enquiry_of_contact)(mash_store_t *s, const char *contact_id,
                            char enquiry_id[MASH_ITEM_ID_LEN]);
  int (*request_insert)(mash_store_t *s, const char *enquiry_id, const char *agency, int rag,
                        int64_t requested_at_ms, int64_t due_at_ms,
                        char request_id[MASH_ITEM_ID_LEN]);
  int (*request_get)(mash_store_t *s, const char *request_id, mash_request_row_t *row);
  int (*request_answer)(mash_store_t *s, const char *request_id, int64_t at_ms,
                        const uint8_t *response, size_t len);
  int (*request_set_level)(mash_store_t *s, const char *request_id, unsigned level, int64_t at_ms);
  int (*requests_of_enquiry)(mash_store_t *s, const char *enquiry_id, mash_store_request_cb cb,
                             void *arg);
  /* Unanswered requests of open enquiries, for the escalation watch. */
  int (*requests_open)(mash_store_t *s, mash_store_request_cb cb, void *arg);
  /* escalation_id is stable (request, level, repeat): a second insert of the
   * same step fails with -EEXIST, so a step never fires twice. */
  int (*escalation_insert)(mash_store_t *s, const char *escalation_id, const char *enquiry_id,
                           const char *request_id, unsigned level, int64_t at_ms,
                           const uint8_t *event, size_t len);
  int (*escalations_of_enquiry)(mash_store_t *s, const char *enquiry_id, mash_store_blob_cb cb,
                                void *arg);
  /* Messages to deliver (requests, escalations, packs): target is a
   * principal, or "@hub" for whichever hub desk is connected. */
  int (*outbox_insert)(mash_store_t *s, const char *message_id, const char *target,
                       const uint8_t *frame, size_t len, int64_t at_ms);
  int (*outbox_delivered)(mash_store_t *s, const char *message_id, const char *principal,
                          int64_t at_ms);
  int (*outbox_pending)(mash_store_t *s, mash_store_outbox_cb cb, void *arg);
  /* The latest instant recorded anywhere (an accelerated clock never goes back). */
  int (*latest_instant)(mash_store_t *s, int64_t *ms);

  /* ---- contacts, by sender, and their resolution ---- */
  /* Every contact stored with resolve_later and not resolved yet, in
   * contact order; the callback gets its id and time only (contact NULL). */
  int (*load_unresolved)(mash_store_t *s, mash_store_contact_cb cb, void *arg);
  /* The contact's people are resolved: its blob becomes `contact` (with its
   * links), its priority and flags columns these; it can be delivered.
   * -EALREADY when it was resolved already. */
  int (*contact_resolved)(mash_store_t *s, const char *contact_id, const uint8_t *contact,
                          size_t len, int priority, const char *quality_flags);
  /* The contact made from (principal, message_id): 0, or -ENOENT. */
  int (*contact_find)(mash_store_t *s, const char *principal, const char *message_id,
                      char contact_id[MASH_CONTACT_ID_LEN]);

  /* ---- the person index. Keys are given in plain text ("d:2019-05-20",
   * "i:1:9434765919", "a:EX1 2AB|12 canal street") and stored only as keyed
   * blind indexes; records are sealed. Merged persons are never returned. */
  /* Every person indexed under any of keys[0..n), each once, lowest id first. */
  int (*person_find)(mash_store_t *s, const char *const *keys, size_t n, mash_store_person_cb cb,
                     void *arg);
  /* A merged person gives the record it was merged into (row->person_id). */
  int (*person_get)(mash_store_t *s, const char *person_id, mash_person_row_t *row);
  /* Create (person_id "" on entry: filled in) or replace a person's record.
   * address_key (plain, may be NULL) is where the person lives now. */
  int (*person_put)(mash_store_t *s, char person_id[MASH_PERSON_ID_LEN], const uint8_t *record,
                    size_t len, int is_child, const char *address_key, int64_t at_ms);
  int (*person_add_keys)(mash_store_t *s, const char *person_id, const char *const *keys, size_t n);
  /* How (contact, ref) was resolved; why holds tags only, never child data. */
  int (*person_link)(mash_store_t *s, const char *contact_id, const char *ref,
                     const char *person_id, const char *decision, int confidence, const char *why,
                     int64_t at_ms);
  /* a and b are related (one household). Idempotent. */
  int (*person_relate)(mash_store_t *s, const char *a, const char *b, int64_t at_ms);
  /* The people related to person_id by a relation (no records read). */
  int (*person_relatives)(mash_store_t *s, const char *person_id, mash_store_person_cb cb,
                          void *arg);
  /* At most `max` people living now at person_id's current address, whose
   * address was last given at or after since_ms (no records read). */
  int (*person_housemates)(mash_store_t *s, const char *person_id, int64_t since_ms, size_t max,
                           mash_store_person_cb cb, void *arg);
  /* 1 when a and b are people of one contact (so two people), 0 when not. */
  int (*person_together)(mash_store_t *s, const char *a, const char *b);
  /* Contacts linked to person_id received in [since_ms, until_ms]: the
   * `max` most recent, newest first. */
  int (*person_contacts)(mash_store_t *s, const char *person_id, int64_t since_ms, int64_t until_ms,
                         size_t max, mash_store_person_contact_cb cb, void *arg);
  /* from becomes part of into: its links, keys and relations move to into
   * (each link's why gains note), and from is never returned again. */
  int (*person_merge)(mash_store_t *s, const char *from, const char *into, const char *note,
                      int64_t at_ms);
  int (*match_insert)(mash_store_t *s, const mash_match_row_t *m, const char *why, int64_t at_ms,
                      char match_id[MASH_PERSON_ID_LEN]);
  int (*match_get)(mash_store_t *s, const char *match_id, mash_match_row_t *row);
  /* open -> confirmed or rejected by principal `by`; the serialized
   * MatchDecision (the worker's name and rationale) is kept sealed.
   * -EALREADY when no longer open. */
  int (*match_decide)(mash_store_t *s, const char *match_id, int state, const char *by,
                      const uint8_t *decision, size_t len, int64_t at_ms);
  /* The operations console's figures (NULL: -ENOSYS). */
  int (*ops_figures)(mash_store_t *s, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                     int64_t screening_ms, mash_ops_figures_t *out);
} mash_store_vtable_t;

/* Every implementation starts with this. */
struct mash_store {
  const mash_store_vtable_t *vt;
};

/* Open (creating if needed) the SQLite store at `path`: WAL, synchronous=FULL,
 * schema migrated. `seal` is borrowed and must outlive the store. Returns
 * NULL with a reason in err on failure. */
mash_store_t *mash_store_sqlite_new(const char *path, const mash_seal_t *seal, char *err,
                                    size_t errlen);

/* Thin wrappers over the vtable. Return 0 or a negative error code. */
int mash_store_begin(mash_store_t *s);
int mash_store_commit(mash_store_t *s);
int mash_store_rollback(mash_store_t *s);
int mash_store_intake(mash_store_t *s, mash_intake_t *in);
int mash_store_mark_delivered(mash_store_t *s, const char *contact_id, const char *principal,
                              int64_t at_ms);
int mash_store_load_undelivered(mash_store_t *s, mash_store_contact_cb cb, void *arg);
int mash_store_count_contacts(mash_store_t *s, int64_t *n);
/* Accepts NULL; nulls *self_p. */
void mash_store_destroy(mash_store_t **self_p);

#endif
