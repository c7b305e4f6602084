/* pack_html_int: private to the printable pack (pack_html.c and
 * pack_html_people.c). Not for use elsewhere. */
#ifndef MASH_PACK_HTML_INT_H
#define MASH_PACK_HTML_INT_H

#include <stddef.h>
#include <stdint.h>

#include "hub_html.h"
#include "mash.pb-c.h"

/* A table of people, ages at at_ms; with `pd` a "present at incident"
 * column, with `c` (the contact, when the broker resolved its people) a
 * "person record" column. */
void pack_html_people(hub_html_t *h, Mash__V1__Person *const *people, size_t n, int64_t at_ms,
                      const Mash__V1__PoliceDetail *pd, const Mash__V1__Contact *c);

/* The household's other children: their ref is their person record. */
void pack_html_household(hub_html_t *h, const Mash__V1__ConsolidatedPack *p);

/* "Jess Hartley (a1)", or the ref alone when nobody in the pack has it. */
void pack_html_ref(hub_html_t *h, const Mash__V1__ConsolidatedPack *p, const char *ref);

#endif
