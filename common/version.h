/* version: the one answer every mash program gives to --version.
 *
 * Responsible for: the release number (from CMake's project version) and the
 * --version check every main() makes first. Must not: parse other options.
 * Any thread; no state. */
#ifndef MASH_VERSION_H
#define MASH_VERSION_H

/* The release, e.g. "0.1.0". */
const char *mash_version(void);

/* If argv holds "--version" (before any "--"), print "PROG (mash) VERSION" to
 * stdout and return 1, so main() can exit 0; otherwise return 0. PROG NULL
 * means the program's own name (argv[0] without its folder). */
int mash_version_check(int argc, char **argv, const char *prog);

#endif
