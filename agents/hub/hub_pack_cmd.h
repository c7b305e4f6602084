/* hub_pack_cmd: `mash-hub pack show|print|export ENQ-ID`, a consolidated
 * pack put in front of a person, each act recorded in the access log
 * (hub_access.h) BEFORE the pack is shown, printed or copied: an act that
 * cannot be recorded does not happen.
 *   show    the pack as JSON on standard output
 *   print   the printable page written to a private temporary file (mode
 *           0600, $TMPDIR or /tmp), whose path is printed for the browser or
 *           printer (the person deletes it once printed); with viewer, the
 *           viewer is run on it and it is removed when the viewer exits; with
 *           to_stdout the page goes to standard output
 * The pack's file (pack_files.h) is sealed: it is opened and rendered here,
 * in memory, and only the act's own output holds it in plaintext.
 *   export  the pack (.json, or .pb with --to FILE.pb) copied to --to FILE,
 *           created (never replaced) with mode 0600
 * Blocking file I/O; a short-lived command. */
#ifndef MASH_HUB_PACK_CMD_H
#define MASH_HUB_PACK_CMD_H

#include "seal.h"

typedef struct hub_pack_cmd {
  const char *action;      /* show, print or export */
  const mash_seal_t *seal; /* the desk's data key: the pack files are sealed */
  int to_stdout;           /* print: the page to standard output, no file */
  const char *viewer;      /* print: run VIEWER FILE, then remove FILE (NULL: print its path) */
  const char *enquiry_id;  /* ENQ-000001 */
  int version;             /* 0: the latest */
  const char *packs_dir;
  const char *access_log;
  const char *staff; /* --by: the name given */
  const char *to;    /* export: where */
} hub_pack_cmd_t;

/* Returns the exit code: 0 done, 1 refused or failed (reason on stderr),
 * 2 usage. */
int hub_pack_cmd_run(const hub_pack_cmd_t *c);

#endif
