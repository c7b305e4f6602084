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
  /* outputs */
  mash_intake_status_t status;
  char contact_id[MASH_CONTACT_ID_LEN]; /* e.g. "MASH-000042" */
} mash_intake_t;

typedef struct mash_store mash_store_t;

/* Called once per undelivered contact, in contact order. `contact` is the
 * decrypted serialized Contact (still without contact_id) and is only valid
 * during the call. Return non-zero to stop. */
typedef int (*mash_store_contact_cb)(const char *contact_id, int64_t received_at_ms,
                                     const uint8_t *contact, size_t len, void *arg);

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
