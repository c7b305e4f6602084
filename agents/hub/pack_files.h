/* pack_files: a consolidated pack kept on disk, sealed:
 * DIR/ENQ-000001-v1.pack holds the ConsolidatedPack message's protobuf
 * bytes sealed with the desk's data key (agent_seal.h; "ENQ-000001-v1" as
 * associated data, so a file renamed to another pack does not open). The
 * page, the JSON and the protobuf are rendered for a person on request by
 * `mash-hub pack show|print|export` (hub_pack_cmd.h), each act recorded.
 * Each file is written to a hidden temporary name, flushed to disk, then
 * renamed into place (mode 0600), so a reader never sees half a pack.
 * Blocking file I/O, called on the desk's loop thread (a pack arrives every
 * few minutes at most) and by the pack command.
 */
#ifndef MASH_PACK_FILES_H
#define MASH_PACK_FILES_H

#include <stddef.h>

#include "mash.pb-c.h"
#include "seal.h"

/* The suffix of a sealed pack file. */
#define PACK_FILES_EXT ".pack"

/* The files' common path without extension, "DIR/ENQ-000001-v1", into base
 * (cap bytes). Characters of the enquiry id other than [A-Za-z0-9_-] are
 * written as '_'. Returns 0, or -ENAMETOOLONG when it does not fit. */
int pack_files_base(const char *dir, const Mash__V1__ConsolidatedPack *p, char *base, size_t cap);

/* Write pack p sealed into dir (base.pack), replacing an older file of the
 * same enquiry and version. base (cap bytes) receives the common path.
 * Returns 0, or a negative errno value with err set (what is left behind
 * is at most a hidden temporary file, replaced on the next attempt). */
int pack_files_write(const char *dir, const Mash__V1__ConsolidatedPack *p, const mash_seal_t *seal,
                     char *base, size_t cap, char *err, size_t errlen);

/* Read and open DIR/ID-vVERSION.pack: *out the unpacked pack (free with
 * mash__v1__consolidated_pack__free_unpacked), or a negative errno with
 * err set (-ENOENT: no such file; -EBADMSG: it does not open or decode). */
int pack_files_read(const char *dir, const char *enquiry_id, int version, const mash_seal_t *seal,
                    Mash__V1__ConsolidatedPack **out, char *err, size_t errlen);

/* Remove the sealed packs of dir last written more than `days` days before
 * now_s (seconds since the epoch); days 0 keeps them all. Returns how many
 * were removed. */
size_t pack_files_expire(const char *dir, unsigned days, int64_t now_s);

#endif
