/* tls: the console's certificates and client-certificate sign-in (tls.h).
 * Must not: keep a private key readable by others. Any thread. */
#include "tls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "auth.h"

#define S_PEM_MAX (256 * 1024)

/* The whole of a PEM file as a string (malloc'd), or NULL with err. A
 * private key must be readable by its owner only. */
static char *s_read(const char *path, int secret, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return NULL;
  }
  struct stat st;
  char *text = NULL;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > S_PEM_MAX) {
    snprintf(err, errlen, "%s: not a PEM file of at most %d bytes", path, S_PEM_MAX);
  } else if (secret && (st.st_mode & (S_IRWXG | S_IRWXO))) {
    snprintf(err, errlen, "%s: private key readable by group or others (mode %04o; chmod 600)",
             path, (unsigned)(st.st_mode & 07777));
  } else if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
    snprintf(err, errlen, "%s: out of memory", path);
  } else {
    ssize_t n = read(fd, text, (size_t)st.st_size);
    if (n != st.st_size) {
      snprintf(err, errlen, "%s: short read", path);
      free(text);
      text = NULL;
    } else {
      text[n] = '\0';
    }
  }
  close(fd);
  return text;
}

int ops_tls_load(ops_tls_t *t, const char *cert, const char *key, const char *client_ca, char *err,
                 size_t errlen) {
  memset(t, 0, sizeof *t);
  if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
    snprintf(err, errlen, "this libmicrohttpd was built without TLS");
    return -1;
  }
  t->cert_pem = s_read(cert, 0, err, errlen);
  t->key_pem = t->cert_pem ? s_read(key, 1, err, errlen) : NULL;
  if (t->key_pem && client_ca && client_ca[0]) {
    t->client_ca_pem = s_read(client_ca, 0, err, errlen);
    if (!t->client_ca_pem) {
      ops_tls_free(t);
      return -1;
    }
  }
  if (!t->key_pem) {
    ops_tls_free(t);
    return -1;
  }
  return 0;
}

void ops_tls_free(ops_tls_t *t) {
  if (!t) {
    return;
  }
  if (t->key_pem) {
    memset(t->key_pem, 0, strlen(t->key_pem));
  }
  free(t->cert_pem);
  free(t->key_pem);
  free(t->client_ca_pem);
  memset(t, 0, sizeof *t);
}

int ops_tls_client_user(struct MHD_Connection *c, char *user, size_t cap, char *why,
                        size_t whylen) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  gnutls_session_t session = ci ? (gnutls_session_t)ci->tls_session : NULL;
  if (!session) {
    snprintf(why, whylen, "not a TLS connection");
    return -1;
  }
  unsigned status = 0;
  int rc = gnutls_certificate_verify_peers2(session, &status);
  if (rc == GNUTLS_E_NO_CERTIFICATE_FOUND) {
    snprintf(why, whylen, "no client certificate");
    return -1;
  }
  if (rc != GNUTLS_E_SUCCESS) {
    snprintf(why, whylen, "client certificate not checked: %s", gnutls_strerror(rc));
    return -1;
  }
  if (status != 0) {
    gnutls_datum_t text = {NULL, 0};
    gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0);
    snprintf(why, whylen, "client certificate refused: %s",
             text.data ? (const char *)text.data : "not trusted");
    gnutls_free(text.data);
    return -1;
  }
  unsigned n = 0;
  const gnutls_datum_t *chain = gnutls_certificate_get_peers(session, &n);
  gnutls_x509_crt_t crt;
  if (!chain || n == 0 || gnutls_x509_crt_init(&crt) != GNUTLS_E_SUCCESS) {
    snprintf(why, whylen, "no client certificate");
    return -1;
  }
  size_t len = cap;
  rc = gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER);
  if (rc == GNUTLS_E_SUCCESS) {
    rc = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, user, &len);
  }
  gnutls_x509_crt_deinit(crt);
  if (rc != GNUTLS_E_SUCCESS || !ops_user_valid(user)) {
    snprintf(why, whylen, "the client certificate's common name is not a user name");
    user[0] = '\0';
    return -1;
  }
  return 0;
}
