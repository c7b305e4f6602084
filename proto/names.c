/* names: enum values as words. One table per enum, used everywhere a word
 * is shown or stored, so the words cannot drift apart. */
#include "names.h"

const char *mash_rag_name(Mash__V1__Rag rag) {
  switch (rag) {
  case MASH__V1__RAG__RAG_RED:
    return "red";
  case MASH__V1__RAG__RAG_AMBER:
    return "amber";
  case MASH__V1__RAG__RAG_GREEN:
    return "green";
  case MASH__V1__RAG__RAG_BLUE:
    return "blue";
  default:
    return "unspecified";
  }
}

const char *mash_detail_agency(Mash__V1__Notification__DetailCase detail) {
  switch (detail) {
  case MASH__V1__NOTIFICATION__DETAIL_POLICE:
    return "police";
  case MASH__V1__NOTIFICATION__DETAIL_HEALTH:
    return "health";
  case MASH__V1__NOTIFICATION__DETAIL_EDUCATION:
    return "education";
  case MASH__V1__NOTIFICATION__DETAIL_HOUSING:
    return "housing";
  default:
    return NULL;
  }
}
