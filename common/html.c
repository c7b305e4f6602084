/* html: the entities of the five HTML specials (see html.h).
 * Must not: allocate or keep state. Any thread. */
#include "html.h"

#include <stddef.h>

const char *mash_html_entity(uint32_t c) {
  switch (c) {
  case '&':
    return "&amp;";
  case '<':
    return "&lt;";
  case '>':
    return "&gt;";
  case '"':
    return "&quot;";
  case '\'':
    return "&#39;";
  default:
    return NULL;
  }
}
