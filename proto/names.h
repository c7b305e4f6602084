/* names: the stable words for mash.v1 enum values that logs, JSON, the
 * escalation log and the statistics share. Pure; no I/O. */
#ifndef MASH_NAMES_H
#define MASH_NAMES_H

#include "mash.pb-c.h"

/* "red", "amber", "green", "blue", or "unspecified" for anything else. */
const char *mash_rag_name(Mash__V1__Rag rag);

/* The agency whose detail a notification carries: "police", "health",
 * "education", "housing"; NULL when it carries none. */
const char *mash_detail_agency(Mash__V1__Notification__DetailCase detail);

#endif
