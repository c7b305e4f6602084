/* hub_view: how the hub desk shows a contact: a readable line for a terminal
 * and a JSON object. Pure translation, no I/O. This is the staff desk's own
 * display, so it shows names; nothing here goes to logs. */
#ifndef MASH_HUB_VIEW_H
#define MASH_HUB_VIEW_H

#include <jansson.h>
#include <stddef.h>

#include "mash.pb-c.h"

/* One line, no newline, truncated to fit outlen. E.g.
 * "MASH-000042  police  PPN-1  domestic abuse  DASH 15/27 high (raised)  2 children  flags: ..." */
void hub_view_line(const Mash__V1__Contact *c, char *out, size_t outlen);

/* A new JSON object with every field of the contact (caller json_decref's). */
json_t *hub_view_json(const Mash__V1__Contact *c);

#endif
