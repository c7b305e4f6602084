/* store: the broker's durable state behind one interface (DESIGN.md §6).
 *
 * Responsible for: contacts (de-duplicated by principal + message id) and
 * their delivery to the hub desk; enquiries, per-agency requests, the outbox
 * of messages to deliver and the inbox that makes client requests
 * idempotent; escalations; the person index; statistics for management
 * information. Implementations: SQLite (sqlite/), PostgreSQL (postgres/:
 * contacts, enquiries, outbox, inbox and duties so far), failing fakes in
 * tests. Callers use only the functions below, one per
 * operation (`mash_store_<operation>`); the table of operations an
 * implementation fills in (internal/store_vt.h) is private to the store
 * layer and to test fakes.
 *
 * Threads: a store is used by one thread at a time and nothing here is
 * thread-safe. In mashd that is the storage thread (storage.c); before it
 * starts, and in tools (mashctl, benchmarks, tests), the thread that opened
 * the store. Calls between begin and commit form one transaction (group
 * commit).
 *
 * Errors: every int function returns 0 or a negative errno-style code (the
 * implementation translates its own codes at its edge); -ENOENT when the
 * item named is absent; -ENOSYS when this store does not offer the
 * operation (a read-only store, a fake). Pointers passed in are borrowed for
 * the duration of the call unless a prototype says otherwise.
 *
 * Must not: log plaintext child data. Contact blobs, decisions, answers,
 * frames and person records are sealed (seal.h) before they reach the disk.
 */
#ifndef MASH_STORE_H
#define MASH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "seal.h"

#define MASH_CONTACT_ID_LEN 32
#define MASH_PRINCIPAL_LEN 64
#define MASH_ITEM_ID_LEN 32

typedef struct mash_store mash_store_t;

/* ==== the store itself: opening, closing, transactions ==== */

/* Open (creating if needed) the SQLite store at `path`: WAL, synchronous=FULL,
 * schema migrated to the current version (sqlite/store_sqlite_schema.c).
 * `seal` is borrowed and must outlive the store. Returns NULL with a reason
 * in err on failure. Any thread; then used by one thread at a time. */
mash_store_t *mash_store_sqlite_new(const char *path, const mash_seal_t *seal, char *err,
                                    size_t errlen);

/* mash_store_sqlite_new with options: what to do when the database is
 * behind its id mark, and what the mark did (for the log). */
typedef struct mash_store_sqlite_opts {
  /* The database lost ids it had receipted (its write-ahead log deleted or
   * damaged, an older copy put back): 0 refuses to open it, naming what is
   * missing; 1 goes on without them, issuing new ids above every id ever
   * issued so that none is reused. Also rebuilds a damaged id mark. */
  int accept_id_loss;
  /* The bound, in MiB, of the person comparison summaries held in memory
   * (store_sumcache.c): 0 the default (MASH_STORE_SUMMARY_CACHE_MB),
   * negative none. About 128 MiB hold 1,000,000 people. */
  long summary_cache_mb;
  char note[1024]; /* out: "" or what the id mark did (made, rebuilt, a loss accepted) */
} mash_store_sqlite_opts_t;
#define MASH_STORE_SUMMARY_CACHE_MB 512L

/* Open as mash_store_sqlite_new, and check the database against its id
 * mark, PATH.ids and its copy DIR/.NAME.ids: small files beside it that
 * remember, outside SQLite, the ids issued (store_sqlite_ids.c). `opts`
 * may be NULL (refuse a loss). */
mash_store_t *mash_store_sqlite_open(const char *path, const mash_seal_t *seal,
                                     mash_store_sqlite_opts_t *opts, char *err, size_t errlen);

/* Key rotation re-derives every blind index (person keys, current
 * addresses, term counts) under the new key, from plain text only the
 * caller knows how to make (broker/txn: mash_resolve_reindex_init). The
 * store opens each sealed person record and each linked mention (the
 * contact it came in and the person's ref in it) and asks for the texts
 * indexed from it; it blinds them under the new key itself. */
#define MASH_STORE_INDEX_KEYS 24u
#define MASH_STORE_INDEX_TERMS 4u
#define MASH_STORE_INDEX_TEXT 256u
typedef struct mash_store_index_texts {
  char keys[MASH_STORE_INDEX_KEYS][MASH_STORE_INDEX_TEXT]; /* person keys */
  size_t n_keys;
  char terms[MASH_STORE_INDEX_TERMS][MASH_STORE_INDEX_TEXT]; /* counted once per live record */
  size_t n_terms;
  char address[MASH_STORE_INDEX_TEXT]; /* the current address key, "" for none */
} mash_store_index_texts_t;
typedef struct mash_store_reindex {
  /* The texts of a serialized Person record. 0 or a negative error. */
  int (*record_cb)(const uint8_t *record, size_t len, mash_store_index_texts_t *out, void *arg);
  /* The keys of the person `ref` of a stored Contact (a mention linked to
   * a record: its keys were added to that record). 0, 1 when the contact
   * has no such person (nothing to add), or a negative error. */
  int (*mention_cb)(const uint8_t *contact, size_t len, const char *ref,
                    mash_store_index_texts_t *out, void *arg);
  void *arg;
} mash_store_reindex_t;

/* Key rotation (store_sqlite_rekey.c): re-seal every sealed column of the
 * store at `path` from `old` to `fresh` and re-derive every blind index
 * under `fresh` (through `reindex`; NULL keeps the indexes, for a `fresh`
 * carrying `old`'s index key), in one transaction (a crash leaves it wholly
 * under the old key), then checkpoint and VACUUM so that no old ciphertext
 * or index stays in the file. mashd must be stopped: a store another
 * connection has open is refused (-EBUSY). Returns 0 with the number of
 * blobs in *resealed (may be NULL), or negative with err: a blob that `old`
 * does not open (nothing changed), a busy store (-EBUSY),
 * an older or newer schema, an I/O failure. Any thread. */
int mash_store_sqlite_rekey(const char *path, const mash_seal_t *old, const mash_seal_t *fresh,
                            const mash_store_reindex_t *reindex, size_t *resealed, char *err,
                            size_t errlen);

/* The same for the PostgreSQL store at `conninfo` (postgres/store_pg_rekey.c),
 * in one PostgreSQL transaction; every mashd on the database must be
 * stopped (an active broker's advisory lock refuses it, -EBUSY). */
int mash_store_postgres_rekey(const char *conninfo, const mash_seal_t *old,
                              const mash_seal_t *fresh, const mash_store_reindex_t *reindex,
                              size_t *resealed, char *err, size_t errlen);

/* Open the SQLite store at `path` read-only, for statistics (mashctl): it is
 * never created, migrated or written, needs no data key, and offers only
 * the statistics operations (every other one returns -ENOSYS). A database
 * at another schema version is refused (start mashd once to migrate it).
 * Returns NULL with a reason in err on failure. */
mash_store_t *mash_store_sqlite_open_readonly(const char *path, char *err, size_t errlen);

/* Open the PostgreSQL store at `conninfo` (a libpq connection string, e.g.
 * "host=/run/postgresql dbname=mash"), migrating its schema to the current
 * version (postgres/store_pg_schema.c, numbered like SQLite's). Content is
 * sealed by `seal` (borrowed) exactly as in SQLite: the server never sees
 * plaintext. Offers every operation SQLite offers (the person index,
 * statistics and the console's figures included). NULL with a reason in err
 * (a build without libpq says so). Then used by one thread at a time. */
mash_store_t *mash_store_postgres_new(const char *conninfo, const mash_seal_t *seal, char *err,
                                      size_t errlen);

/* Open the PostgreSQL store at `conninfo` read-only, for statistics and
 * the escalation log's check (mashctl --store-url): a session whose
 * transactions are read-only, never migrated, needing no data key; it
 * offers the statistics and the escalation log's reads only (the others
 * return -ENOSYS). A database at another schema version is refused (start
 * mashd once to migrate it). NULL with a reason in err. */
mash_store_t *mash_store_postgres_open_readonly(const char *conninfo, char *err, size_t errlen);

/* ---- one active broker per database (postgres/store_pg_active.c) ----
 * Two or more mashd may be started on one PostgreSQL database: the one
 * holding a session-level advisory lock, on a connection of its own, is the
 * active one; the others wait for the lock before they read anything. When
 * the active's session ends (it stopped, was killed, or its host died and
 * the server noticed), the server frees the lock and one waiting mashd
 * takes it, loads everything from the store and binds the agents' endpoint. */
typedef struct mash_pg_active mash_pg_active_t;
/* Called (on the watcher's own thread) once, when the lock's session is
 * lost: another broker may be active now; this one must stop serving at
 * once (mashd executes itself again in place and waits for the lock). */
typedef void (*mash_pg_active_lost_cb)(void *arg);
/* Wait until this process holds the lock (blocking; says once that it is a
 * standby, and reconnects while the server is away), then watch the
 * session every watch_ms on a thread of its own, calling lost on loss.
 * NULL with a reason in err (a build without libpq says so). */
mash_pg_active_t *mash_pg_active_acquire(const char *conninfo, unsigned watch_ms,
                                         mash_pg_active_lost_cb lost, void *arg, char *err,
                                         size_t errlen);
/* Stop watching and end the session (freeing the lock). Accepts NULL. */
void mash_pg_active_release(mash_pg_active_t **self_p);

/* Close the store and free it; a transaction left open is rolled back.
 * Accepts NULL; nulls *self_p. */
void mash_store_destroy(mash_store_t **self_p);

/* Begin a transaction (a write transaction: the store's writer lock). */
int mash_store_begin(mash_store_t *s);
/* Commit it: durable (fsync'd) when it returns 0. On failure the caller
 * rolls back and must acknowledge nothing of the transaction. */
int mash_store_commit(mash_store_t *s);
/* Undo everything since begin. */
int mash_store_rollback(mash_store_t *s);
/* A savepoint around one operation of a batch, inside a transaction:
 * mash_store_release(s, 0) undoes what the operation wrote without touching
 * the rest of the batch; release(s, 1) keeps it. Both return 0 when the
 * implementation has no savepoints (a fake store). */
int mash_store_savepoint(mash_store_t *s);
int mash_store_release(mash_store_t *s, int keep);
/* Whether the transaction begun is still open. SQLite ends one by itself on
 * some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM): what ran after it
 * would run, and commit, outside any transaction. Non-zero when open, or
 * for a store that cannot tell (a fake); 0 when it was ended. */
int mash_store_txn_open(mash_store_t *s);

/* Checkpoint the write-ahead log into the database, outside any
 * transaction, without waiting for readers (SQLite: PRAGMA
 * wal_checkpoint(PASSIVE); its own auto-checkpoint is off, so commits never
 * run one), when the log holds at least min_pages pages since the last
 * one. Returns the pages the log held (0: fewer than min_pages, nothing
 * done), or a negative error; -ENOSYS from a store with no such log
 * (PostgreSQL). Storage thread, between batches (storage.c). */
int mash_store_checkpoint(mash_store_t *s, unsigned min_pages);

/* ==== contacts: intake, resolution, delivery to the hub desk ==== */

typedef enum mash_intake_status {
  MASH_INTAKE_NEW = 1,       /* a new contact was created */
  MASH_INTAKE_DUPLICATE = 2, /* (principal, message_id) was seen: the existing contact */
  /* Seen, but its sealed record no longer opened (quarantined): the record
   * was made again from this resend under the same contact id, to be
   * resolved and delivered anew. Only the SQLite store does this so far. */
  MASH_INTAKE_REPLACED = 3,
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
  /* The screening duty (DESIGN.md §4): when screening is due and when its
   * ladder next fires. 0: no duty opened (tools that store contacts only). */
  int64_t screening_due_at_ms;
  int64_t screening_next_at_ms;
  /* outputs */
  mash_intake_status_t status;
  char contact_id[MASH_CONTACT_ID_LEN]; /* e.g. "MASH-000042" */
  uint64_t screening_duty;              /* the duty opened (NEW with a due instant), else 0 */
} mash_intake_t;

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

/* Create a contact, or find the one with the same (principal, message_id)
 * (in->status says which; in->contact_id is filled in either way). The blob
 * is sealed with the contact id as associated data. -EINVAL for a missing
 * principal or message id. */
int mash_store_intake(mash_store_t *s, mash_intake_t *in);
/* The hub desk `principal` acknowledged `contact_id` at at_ms. Idempotent;
 * -ENOENT when there is no such contact. */
int mash_store_mark_delivered(mash_store_t *s, const char *contact_id, const char *principal,
                              int64_t at_ms);
/* Every resolved contact no hub desk has acknowledged, in contact order, to
 * cb. A blob that fails to open (damaged, altered, another data key) is
 * given with contact NULL and len 0, and the walk goes on: the caller names
 * it (mash_store_contact_get says why) and leaves it undelivered. */
int mash_store_load_undelivered(mash_store_t *s, mash_store_contact_cb cb, void *arg);
/* Every contact stored with resolve_later and not resolved yet, in contact
 * order; the callback gets its id and time only (contact NULL, len 0). */
int mash_store_load_unresolved(mash_store_t *s, mash_store_contact_cb cb, void *arg);
/* The contact's people are resolved: its blob becomes `contact` (with its
 * links), its priority and flags columns these; it can be delivered.
 * -EALREADY when it was resolved already. */
int mash_store_contact_resolved(mash_store_t *s, const char *contact_id, const uint8_t *contact,
                                size_t len, int priority, const char *quality_flags);
/* The contact made from (principal, message_id) into contact_id: 0, or
 * -ENOENT. */
int mash_store_contact_find(mash_store_t *s, const char *principal, const char *message_id,
                            char contact_id[MASH_CONTACT_ID_LEN]);
/* One contact into *row (row->blob malloc'd: the caller frees it). */
int mash_store_contact_get(mash_store_t *s, const char *contact_id, mash_contact_row_t *row);
/* Claim a contact for this transaction before resolving it (inside begin
 * .. commit), as mash_store_duty_claim claims a duty: its row, held until
 * the transaction ends. PostgreSQL: FOR UPDATE SKIP LOCKED, -EBUSY at once
 * when another session's transaction holds it (another broker resolving
 * it); SQLite: as mash_store_contact_get. Storage thread. */
int mash_store_contact_claim(mash_store_t *s, const char *contact_id, mash_contact_row_t *row);
/* Move a contact to `state` (MASH_CONTACT_*) at at_ms with `outcome` (the
 * decision's outcome, or 0); screening and decision times are kept for
 * management information. */
int mash_store_contact_set_state(mash_store_t *s, const char *contact_id, int state, int64_t at_ms,
                                 int outcome);
/* The number of contacts stored into *n. */
int mash_store_count_contacts(mash_store_t *s, int64_t *n);

/* ==== enquiries, requests, the outbox and the inbox ==== */

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

/* The stored answer to (principal, message_id): 1 found (*result malloc'd:
 * the caller frees it), 0 not seen. Makes every request from a client
 * idempotent. */
int mash_store_inbox_get(mash_store_t *s, const char *principal, const char *message_id,
                         uint8_t **result, size_t *len);
/* Keep a refusal as the answer to (principal, message_id), like
 * mash_store_inbox_put, marked so that it expires: refusals stored before
 * expire_before_ms are deleted, at most 16 per call (the oldest first), so
 * refused commands are kept for a retention period, never for ever. */
int mash_store_inbox_refused(mash_store_t *s, const char *principal, const char *message_id,
                             const uint8_t *result, size_t len, int64_t at_ms,
                             int64_t expire_before_ms);
/* Keep the answer to (principal, message_id); a second put keeps the first. */
int mash_store_inbox_put(mash_store_t *s, const char *principal, const char *message_id,
                         const uint8_t *result, size_t len, int64_t at_ms);
/* Open an enquiry on contact_id with the serialized ScreeningDecision
 * (sealed); its new id into enquiry_id. */
int mash_store_enquiry_insert(mash_store_t *s, const char *contact_id, int rag, int consent_status,
                              int64_t at_ms, const uint8_t *decision, size_t len,
                              char enquiry_id[MASH_ITEM_ID_LEN]);
/* One enquiry into *row (row->decision malloc'd: the caller frees it). */
int mash_store_enquiry_get(mash_store_t *s, const char *enquiry_id, mash_enquiry_row_t *row);
/* Set an enquiry's pack version and closing time (0: open); at_ms is when,
 * and the first pack's time is kept for management information. */
int mash_store_enquiry_update(mash_store_t *s, const char *enquiry_id, unsigned pack_version,
                              int64_t closed_at_ms, int64_t at_ms);
/* The latest enquiry of a contact into enquiry_id: 0, or -ENOENT when none. */
int mash_store_enquiry_of_contact(mash_store_t *s, const char *contact_id,
                                  char enquiry_id[MASH_ITEM_ID_LEN]);
/* Ask `agency` within an enquiry, due at due_at_ms; the new id into
 * request_id. */
int mash_store_request_insert(mash_store_t *s, const char *enquiry_id, const char *agency, int rag,
                              int64_t requested_at_ms, int64_t due_at_ms,
                              char request_id[MASH_ITEM_ID_LEN]);
/* One request into *row (row->response malloc'd or NULL: the caller frees). */
int mash_store_request_get(mash_store_t *s, const char *request_id, mash_request_row_t *row);
/* The agency answered with a serialized EnquiryResponse (sealed). -EEXIST
 * when it was answered already (the first answer stands). */
int mash_store_request_answer(mash_store_t *s, const char *request_id, int64_t at_ms,
                              const uint8_t *response, size_t len);
/* The escalation level a request has reached, and when. */
int mash_store_request_set_level(mash_store_t *s, const char *request_id, unsigned level,
                                 int64_t at_ms);
/* Every request of an enquiry, in order, to cb. */
int mash_store_requests_of_enquiry(mash_store_t *s, const char *enquiry_id,
                                   mash_store_request_cb cb, void *arg);
/* Unanswered requests of open enquiries, for the escalation watch. */
int mash_store_requests_open(mash_store_t *s, mash_store_request_cb cb, void *arg);
/* A message to deliver (requests, escalations, packs) until acknowledged:
 * target is a principal, or "@hub" for whichever hub desk is connected. The
 * frame is sealed. -EEXIST when message_id is queued already. */
int mash_store_outbox_insert(mash_store_t *s, const char *message_id, const char *target,
                             const uint8_t *frame, size_t len, int64_t at_ms);
/* `principal` acknowledged message_id. Idempotent; -ENOENT when unknown.
 * The broker acknowledges through mash_store_delivered. */
int mash_store_outbox_delivered(mash_store_t *s, const char *message_id, const char *principal,
                                int64_t at_ms);
/* The message id a contact's delivery to the hub desk carries: this prefix
 * and the contact id, so that the desk's receipt names the contact. */
#define MASH_DELIVERY_CONTACT_PREFIX "deliver-"
#define MASH_DELIVERY_ID_LEN 64
/* The one acknowledgement: `principal` acknowledged the delivery message_id,
 * a contact's (MASH_DELIVERY_CONTACT_PREFIX and its id: the contact is
 * marked delivered) or a message of the outbox. Idempotent; -ENOENT when
 * there is no such delivery. */
int mash_store_delivered(mash_store_t *s, const char *message_id, const char *principal,
                         int64_t at_ms);
/* Every message not yet acknowledged, in order, to cb (frames opened). */
int mash_store_outbox_pending(mash_store_t *s, mash_store_outbox_cb cb, void *arg);
/* The latest instant recorded anywhere into *ms (an accelerated clock never
 * goes back across a restart). */
int mash_store_latest_instant(mash_store_t *s, int64_t *ms);

/* ==== escalations ==== */

/* Record one escalation step with its serialized EscalationEvent (sealed).
 * escalation_id is stable (request, level, repeat): a second insert of the
 * same step fails with -EEXIST, so a step never fires twice. */
int mash_store_escalation_insert(mash_store_t *s, const char *escalation_id, const char *enquiry_id,
                                 const char *request_id, unsigned level, int64_t at_ms,
                                 const uint8_t *event, size_t len);
/* Every escalation event of an enquiry, in order, to cb (opened; valid
 * during the call only). */
int mash_store_escalations_of_enquiry(mash_store_t *s, const char *enquiry_id,
                                      mash_store_blob_cb cb, void *arg);

/* The escalation log is appended from the store (DESIGN.md §6): each step's
 * sequence number is its place in the store, given by escalation_insert in
 * the step's own transaction, increasing in commit order (one writer). */

/* One stored step: its sequence number, escalation id and serialized
 * EscalationEvent (valid during the call only). Return non-zero to stop. */
typedef int (*mash_store_step_cb)(uint64_t seq, const char *escalation_id, const uint8_t *event,
                                  size_t len, void *arg);
/* The stored steps with a sequence number above after_seq, in order, at
 * most `max` of them (0: all), to cb. A read-only store offers this. */
int mash_store_escalations_after(mash_store_t *s, uint64_t after_seq, size_t max,
                                 mash_store_step_cb cb, void *arg);

/* Where the escalation log stands, as the store records it. */
typedef struct mash_store_esclog_state {
  uint64_t steps;    /* steps stored */
  uint64_t last_seq; /* the highest sequence number stored (0: none) */
  /* The log was durable up to this sequence number (esclog_mark): a log
   * that ends before it was cut or deleted. */
  uint64_t appended_seq;
  /* Steps up to this one were stored before sequence numbers: their lines
   * (if any) have no "seq". */
  uint64_t legacy_seq;
} mash_store_esclog_state_t;
/* Read it. A read-only store offers this. */
int mash_store_esclog_state(mash_store_t *s, mash_store_esclog_state_t *out);
/* Record that the log is durable up to appended_seq (never lowers it). */
int mash_store_esclog_mark(mash_store_t *s, uint64_t appended_seq);

/* A second handle on the same store, for another thread (the escalation
 * log's feed): SQLite opens the same file read-only, PostgreSQL a new
 * session whose transactions are read-only. It offers at least
 * escalations_after, esclog_state and the statistics; destroy it with
 * mash_store_destroy. Any thread may call this while the store's own thread
 * uses the store: it reads only what was fixed when the store was opened.
 * 0 with *reader set, or a negative error with a reason in err (-ENOSYS,
 * err untouched: this kind of store offers none). */
int mash_store_open_reader(mash_store_t *s, mash_store_t **reader, char *err, size_t errlen);

/* ==== duties: every timed duty of the hub (DESIGN.md §4, "One timetable") ==== */

/* What a duty is about; ref names it (a request id or a contact id). */
enum {
  MASH_DUTY_REQUEST = 1,   /* an agency's answer to an enquiry request */
  MASH_DUTY_SCREENING = 2, /* the screening of a contact */
  MASH_DUTY_DECISION = 3,  /* the outcome decision on a contact */
};

typedef struct mash_duty_row {
  uint64_t duty; /* its id: the key of the loop's timetable */
  int kind;      /* MASH_DUTY_* */
  char ref[MASH_ITEM_ID_LEN];
  int rag;
  int64_t start_ms, due_ms; /* the window */
  unsigned level;           /* escalation level reached (screening, decision) */
  int64_t level_at_ms;
  int64_t next_at_ms; /* when its ladder next fires; INT64_MAX: never */
  int64_t done_at_ms; /* 0 while open */
} mash_duty_row_t;

/* Figures of one kind of duty, for management information. */
typedef struct mash_duty_stats {
  int64_t done;      /* closed */
  int64_t on_time;   /* closed at or before the due instant */
  int64_t open;      /* still open */
  int64_t open_late; /* open and past due at now_ms */
  int64_t escalated; /* reached level 1 or above (screening, decision) */
} mash_duty_stats_t;

/* Start-up visitor of the open duties: id and next instant only. */
typedef int (*mash_store_duty_cb)(uint64_t duty, int64_t next_at_ms, void *arg);

/* Open a duty (one per kind and ref); *duty gets its id. -EEXIST (and *duty
 * the existing id) when (kind, ref) has one already. */
int mash_store_duty_open(mash_store_t *s, int kind, const char *ref, int rag, int64_t start_ms,
                         int64_t due_ms, int64_t next_at_ms, uint64_t *duty);
/* A duty by id, or by (kind, ref): 0, or -ENOENT. */
int mash_store_duty_get(mash_store_t *s, uint64_t duty, mash_duty_row_t *row);
int mash_store_duty_find(mash_store_t *s, int kind, const char *ref, mash_duty_row_t *row);
/* Claim a duty for this transaction before working it (inside begin ..
 * commit): its row as mash_store_duty_get reads it, now held by this
 * transaction until it ends, so that two brokers that both believe they are
 * active (a lock lost and retaken, a split second during a takeover) never
 * both fire its steps. PostgreSQL: SELECT .. FOR UPDATE SKIP LOCKED; a duty
 * another session holds answers -EBUSY at once (work it later, when that
 * transaction is over: its level is then the stored one). SQLite: the
 * transaction holds the whole database already; as mash_store_duty_get.
 * 0, -ENOENT, -EBUSY or an error. Storage thread. */
int mash_store_duty_claim(mash_store_t *s, uint64_t duty, mash_duty_row_t *row);
/* Record the level reached and the next instant. */
int mash_store_duty_set(mash_store_t *s, uint64_t duty, unsigned level, int64_t level_at_ms,
                        int64_t next_at_ms);
/* Close a duty (at_ms: when it was done). Closing a closed duty changes nothing. */
int mash_store_duty_done(mash_store_t *s, uint64_t duty, int64_t at_ms);
/* Every open duty that will fire, through the open-duty index only (start-up). */
int mash_store_duties_open(mash_store_t *s, mash_store_duty_cb cb, void *arg);
/* Figures of one kind of duty as of now_ms. */
int mash_store_duty_stats(mash_store_t *s, int kind, int64_t now_ms, mash_duty_stats_t *out);

/* ==== people: store_person.h (the person index, matches, summaries) ==== */
#include "store_person.h"

/* ==== statistics (management information, DESIGN.md §1) ====
 * From plain columns only, never sealed content; no writes. A read-only
 * store (mash_store_sqlite_open_readonly) offers these. */

/* A distribution of durations: nearest-rank percentiles. */
typedef struct mash_store_dist {
  int64_t n;      /* how many */
  int64_t p50_ms; /* 0 when n is 0 */
  int64_t p90_ms;
} mash_store_dist_t;

typedef struct mash_store_stats {
  int64_t contacts;
  mash_store_dist_t time_to_screen;   /* received to screened */
  mash_store_dist_t time_to_pack;     /* enquiry opened to its first pack */
  mash_store_dist_t time_to_decision; /* received to decided */
  int64_t open_enquiries;
  int64_t overdue_requests; /* unanswered, of an open enquiry, due before now */
  int64_t domestic_abuse;   /* police domestic-abuse notifications */
  int64_t dash_complete;    /* of those, with a complete DASH */
  int64_t enquiries;
  int64_t consent_recorded;       /* enquiries with a consent status */
  int64_t resolution_backlog;     /* acknowledged, people not resolved yet */
  int64_t possible_match_backlog; /* possible matches awaiting review */
  /* The oldest contact not decided yet: "" when none. */
  char oldest_open_id[MASH_CONTACT_ID_LEN];
  int64_t oldest_open_received_at_ms;
} mash_store_stats_t;

/* Agency reply times for one (agency, RAG): valid during the call only. */
typedef struct mash_store_reply_stats {
  const char *agency;
  int rag;                    /* Mash__V1__Rag */
  int64_t asked;              /* requests sent */
  mash_store_dist_t answered; /* requested to answered, of those answered */
} mash_store_reply_stats_t;

/* Visitors: return non-zero to stop. `name` is valid during the call only. */
typedef int (*mash_store_count_cb)(const char *name, int64_t n, void *arg);
typedef int (*mash_store_level_cb)(unsigned level, int64_t n, void *arg);
typedef int (*mash_store_reply_cb)(const mash_store_reply_stats_t *r, void *arg);

/* The headline figures as of now_ms into *out. */
int mash_store_stats_summary(mash_store_t *s, int64_t now_ms, mash_store_stats_t *out);
/* Contacts by sending principal, in principal order, to cb. */
int mash_store_stats_sources(mash_store_t *s, mash_store_count_cb cb, void *arg);
/* Reply times by agency and RAG, in that order, to cb. */
int mash_store_stats_replies(mash_store_t *s, mash_store_reply_cb cb, void *arg);
/* Escalation steps taken by level, lowest first, to cb. */
int mash_store_stats_escalation_levels(mash_store_t *s, mash_store_level_cb cb, void *arg);
/* Contacts carrying each data-quality flag, in the order the flags were
 * first seen (contact order), to cb. */
int mash_store_stats_quality_flags(mash_store_t *s, mash_store_count_cb cb, void *arg);

/* ==== files refused at the adapters (AdapterRejection) ====
 * Kept so that the hub and operations see that a notification about a child
 * was refused before it reached the broker: the principal (from the CURVE
 * key), the sender's message id, a reason kind and the field paths, never
 * child data. */

/* Store one report; fields are field paths separated by '\n'. Returns 1
 * stored, 0 when (principal, message_id) was stored before (a resend), or a
 * negative error. */
int mash_store_adapter_rejection_put(mash_store_t *s, const char *principal, const char *message_id,
                                     const char *reason, const char *fields, int64_t at_ms);
/* Every report in the order stored: principal and fields ('\n'-separated),
 * valid during the call only. cb returns non-zero to stop. */
typedef int (*mash_store_rejection_cb)(const char *principal, const char *fields, void *arg);
int mash_store_adapter_rejections(mash_store_t *s, mash_store_rejection_cb cb, void *arg);

/* ==== the operations console (read-only; plain columns only) ====
 * What mash-ops shows (DESIGN.md §2): ids, counts, times, agency names. A
 * read-only store offers it too. */
#define MASH_OPS_ROWS 64
typedef struct mash_ops_dist {
  int64_t n, p50_ms, p90_ms;
} mash_ops_dist_t;
typedef struct mash_ops_figures {
  /* Now: open contacts, [0] awaiting screening, [1..4] by the RAG they were
   * screened at (Mash__V1__Rag; blue: screened without an enquiry); the
   * oldest's receipt time. */
  int64_t open_count[5], open_oldest_ms[5];
  struct {
    char contact_id[MASH_CONTACT_ID_LEN];
    int64_t received_at_ms;
    int64_t due_at_ms;  /* the screening duty's deadline */
  } due[MASH_OPS_ROWS]; /* the contacts awaiting screening, earliest due first */
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
    int64_t asked, answered, on_time; /* on time: answered by the deadline */
  } replies[MASH_OPS_ROWS];
  size_t n_replies;
} mash_ops_figures_t;

/* The figures as of now_ms, for contacts received in [from_ms, to_ms) (both
 * 0: everything); screening_ms is the screening window, for "screened
 * within the window". The thread using the store; reads only. */
int mash_store_ops_figures(mash_store_t *s, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                           int64_t screening_ms, mash_ops_figures_t *out);

/* Until the last callers of the vtable are converted to the functions above
 * (txn/resolve.c, its test and bench/resolve.c are being rewritten on
 * another branch), those files are built with MASH_STORE_VT_TRANSITION and
 * see the vtable. Nothing else may define it. */
#ifdef MASH_STORE_VT_TRANSITION
#include "internal/store_vt.h"
#endif

#endif
