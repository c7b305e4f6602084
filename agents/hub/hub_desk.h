/* hub_desk: the running hub staff desk (`mash-hub run`) and its listings.
 *
 * Responsible for: what arrives from the broker (contacts, consolidated
 * packs, escalation events: each stored in the desk's tables inside the
 * runtime's transaction, so it is acknowledged only once stored; packs also
 * written out as files), the commands folder (each FILE.json a screening,
 * outcome or match command, sent through the agent's outbox and settled to accepted/
 * or rejected/ when the broker answers), and printing one line (or one JSON
 * object, with "type" contact, pack, escalation or command) per event,
 * and the listings (`list`, `queue`, `matches`, `packs`) of what it stored.
 * A contact with possible person matches still to review is marked in the
 * lines ("REVIEW 1 possible match") and JSON ("open_matches").
 * Must not: connect, retry or de-duplicate (the agent runtime does), log
 * children's details (ids only), or decide anything the broker decides.
 * Loop thread only.
 */
#ifndef MASH_HUB_DESK_H
#define MASH_HUB_DESK_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "agent.h"

typedef struct hub_desk_options {
  const char *packs_dir;    /* where pack files are written (created, mode 0700) */
  const char *commands_dir; /* the commands drop folder (created, mode 0700) */
  int json;                 /* JSON lines instead of readable lines */
  int child_data;           /* JSON contacts in full (names...), not ids and flags only */
  unsigned accepted_days;   /* commands/accepted/ retention (0: keep) */
  unsigned pack_days;       /* sealed pack files' retention (0: keep) */
} hub_desk_options_t;

typedef struct hub_desk hub_desk_t;

/* Prepare the desk over `agent` (not yet started): create its tables and the
 * packs folder, and install the agent's handlers. The strings of `o` are
 * copied. NULL with err on failure. */
hub_desk_t *hub_desk_new(uv_loop_t *loop, agent_t *agent, const hub_desk_options_t *o, char *err,
                         size_t errlen);

/* Watch the commands folder (after agent_start). 0, or -1 with err. */
int hub_desk_start(hub_desk_t *d, char *err, size_t errlen);

/* Stop watching, remove the agent's handlers and free d (before closing the
 * agent). Accepts NULL. */
void hub_desk_close(hub_desk_t *d);

/* Create the desk's tables in db. 0, or -1 (sqlite3_errmsg(db) says why). */
int hub_desk_schema(sqlite3 *db);

/* `mash-hub list`: print the stored contacts to stdout, a count to stderr
 * (readable mode); JSON without child data unless child_data. 0, or 1 on a
 * database error (printed). */
int hub_desk_list_contacts(sqlite3 *db, int json, int child_data);

/* `mash-hub queue`: print the open contacts (no accepted screening or
 * outcome yet) in screening order (hub_queue.h) at now_ms, one line or JSON
 * object each, and a count (with how many are overdue) to stderr in
 * readable mode. 0, or 1 on a database error (printed). */
int hub_desk_list_queue(sqlite3 *db, int json, int64_t now_ms);

/* `mash-hub matches`: print the open possible matches (no decision
 * accepted by the broker yet), the oldest first, one line or JSON object
 * each (hub_matches.h) at now_ms, and a count to stderr in readable mode.
 * No names: ids, confidence, what agreed and age only. 0, or 1 on a
 * database error (printed). */
int hub_desk_list_matches(sqlite3 *db, int json, int64_t now_ms);

/* `mash-hub packs`: print the stored packs (enquiry, version, partial or
 * complete with missing agencies, contact, RAG, issue time, page path under
 * packs_dir). 0, or 1 on a database error. */
int hub_desk_list_packs(sqlite3 *db, const char *packs_dir, int json);

#endif
