/* pack_files: a consolidated pack written out for people and other tools:
 * DIR/ENQ-000001-v1.pb (the ConsolidatedPack message's protobuf bytes),
 * .json (pack_view_json, indented) and .html (pack_view_html, the printable
 * page). Each file is written to a hidden temporary name, flushed to disk,
 * then renamed into place, so a reader never sees half a pack; files are
 * mode 0600 because they hold children's names. Blocking file I/O, called
 * on the desk's loop thread (a pack arrives every few minutes at most).
 */
#ifndef MASH_PACK_FILES_H
#define MASH_PACK_FILES_H

#include <stddef.h>

#include "mash.pb-c.h"

/* The files' common path without extension, "DIR/ENQ-000001-v1", into base
 * (cap bytes). Characters of the enquiry id other than [A-Za-z0-9_-] are
 * written as '_'. Returns 0, or -ENAMETOOLONG when it does not fit. */
int pack_files_base(const char *dir, const Mash__V1__ConsolidatedPack *p, char *base, size_t cap);

/* Write the three files of pack p into dir, replacing older ones of the
 * same enquiry and version. base (cap bytes) receives their common path.
 * Returns 0, or a negative errno value with err set (what is left behind
 * is at most a hidden temporary file, removed on the next attempt). */
int pack_files_write(const char *dir, const Mash__V1__ConsolidatedPack *p, char *base, size_t cap,
                     char *err, size_t errlen);

#endif
