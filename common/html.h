/* html: the HTML escape both printable surfaces share: the hub desk's pages
 * (agents/hub/hub_html.c) and the ops console (ops/console_text.c).
 *
 * Responsible for: naming the entity of each of the five HTML specials.
 * Must not: hold a buffer, allocate or decide what else to do with a
 * character (each writer has its own rules for control characters and
 * UTF-8). Any thread.
 */
#ifndef MASH_HTML_H
#define MASH_HTML_H

#include <stdint.h>

/* The entity that stands for code point `c` in HTML text or an attribute
 * ("&amp;", "&lt;", "&gt;", "&quot;", "&#39;"), or NULL when c is none of
 * the five specials and may be written as it is. */
const char *mash_html_entity(uint32_t c);

#endif
