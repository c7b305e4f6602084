/* hub_access: the desk's access log (DESIGN.md §6, issue 13 "Every read
 * recorded"): who viewed, printed or exported which pack, and who confirmed
 * or rejected which possible person match. One JSON line per act, hash
 * chained like the escalation log (it IS an esclog file: esclog.h's
 * chaining, head file and verifier), so that an edit, a deletion or lines cut
 * off the end are found by `mash-hub verify` (or `mashctl verify FILE`).
 *
 * Each line: {"action", "at_ms", "os_user" (the operating-system account
 * running the command), "uid", "staff" (the name given with --by),
 * "enquiry_id"/"version"/"file" or "match_id"/"result", "prev"}. Ids only:
 * never a child's details (esclog refuses person-identifying keys).
 *
 * Must not: record anything before the act is allowed to happen (the line is
 * durable before the pack is shown). One writer at a time: appends take an
 * exclusive lock on LOG.lock, so two desk commands at once never fork the
 * chain. Blocking file I/O; short-lived commands only.
 */
#ifndef MASH_HUB_ACCESS_H
#define MASH_HUB_ACCESS_H

#include <stddef.h>

#include <jansson.h>

/* Append one act to the log at `path` (created 0600 when absent): `fields`
 * (an object of ids; borrowed, not modified) plus action, at_ms, os_user,
 * uid and staff. Durable (fsync) when it returns 0; -1 with err otherwise. */
int hub_access_record(const char *path, const char *action, const char *staff, const json_t *fields,
                      char *err, size_t errlen);

/* `mash-hub verify`: check the chain of the log at `path`, print "ok: ..."
 * or the first broken line. Returns the exit code: 0 intact, 1 broken or
 * unreadable. */
int hub_access_verify(const char *path);

#endif
