/* tls: HTTPS for the console (libmicrohttpd's TLS, GnuTLS underneath): the
 * server's certificate and key, and optionally the certificate authority
 * whose client certificates sign users in (the user is the certificate's
 * common name; no password is asked then).
 *
 * Responsible for: reading the PEM files (refusing a private key readable
 * by others), and naming the user of a connection from its verified client
 * certificate.
 * Must not: accept a client certificate the authority did not sign, an
 * expired or not yet valid one, or a common name that is not a valid user
 * name. Any thread.
 */
#ifndef MASH_OPS_TLS_H
#define MASH_OPS_TLS_H

#include <stddef.h>

#include <microhttpd.h>

typedef struct ops_tls {
  char *cert_pem;      /* the server's certificate chain; NULL: plain HTTP */
  char *key_pem;       /* its private key */
  char *client_ca_pem; /* NULL: users sign in with passwords instead */
} ops_tls_t;

/* Read the files (client_ca may be NULL or ""). 0, or -1 with the reason
 * (file and cause) in err; t is then left empty. */
int ops_tls_load(ops_tls_t *t, const char *cert, const char *key, const char *client_ca, char *err,
                 size_t errlen);

/* Free what ops_tls_load read (the key wiped first). Accepts NULL. */
void ops_tls_free(ops_tls_t *t);

/* The user named by the connection's client certificate: 0 with its common
 * name in user, or -1 with the reason in why (no certificate, not signed
 * by the authority, expired, no usable common name). */
int ops_tls_client_user(struct MHD_Connection *c, char *user, size_t cap, char *why, size_t whylen);

#endif
