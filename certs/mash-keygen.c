/* mash-keygen: writes a CURVE key pair (NAME.pub, NAME.secret) for a
 * principal. The folder of .pub files is the broker's trust list. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "version.h"
#include "keys.h"

static void s_usage(FILE *f) {
  fprintf(f, "usage: mash-keygen NAME --role agency|hub|ops|broker [--out DIR] [--force]\n"
             "\n"
             "Writes DIR/NAME.pub (public: principal, role, public key; share it, and put it\n"
             "in the broker's trust-list folder) and DIR/NAME.secret (mode 0600: keep it on the\n"
             "machine that runs NAME). NAME is the principal the broker will know it as\n"
             "(e.g. police, health, hub); for agencies it also names the kind of\n"
             "notification detail it may send.\n"
             "\n"
             "  --role ROLE  agency, hub, ops or broker (required)\n"
             "  --out DIR    folder to write into (default: certs); created if missing\n"
             "  --force      replace existing files\n"
             "  -h, --help   this text\n");
}

int main(int argc, char **argv) {
  if (mash_version_check(argc, argv, "mash-keygen")) {
    return 0;
  }
  static const struct option opts[] = {{"role", required_argument, 0, 'r'},
                                       {"out", required_argument, 0, 'o'},
                                       {"force", no_argument, 0, 'f'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *role = NULL, *out = "certs";
  int force = 0, c;
  while ((c = getopt_long(argc, argv, "r:o:fh", opts, NULL)) != -1) {
    switch (c) {
    case 'r':
      role = optarg;
      break;
    case 'o':
      out = optarg;
      break;
    case 'f':
      force = 1;
      break;
    case 'h':
      s_usage(stdout);
      return 0;
    default:
      s_usage(stderr);
      return 2;
    }
  }
  if (optind != argc - 1 || !role) {
    fprintf(stderr, "mash-keygen: %s\n\n", !role ? "--role is required" : "give exactly one NAME");
    s_usage(stderr);
    return 2;
  }
  if (mkdir(out, 0755) != 0) {
    struct stat st;
    if (stat(out, &st) != 0 || !S_ISDIR(st.st_mode)) {
      fprintf(stderr, "mash-keygen: cannot create folder %s\n", out);
      return 1;
    }
  }
  char err[512];
  mash_key_t k;
  if (mash_key_generate(out, argv[optind], role, force, &k, err, sizeof err) != 0) {
    fprintf(stderr, "mash-keygen: %s\n", err);
    return 1;
  }
  printf("wrote %s/%s.pub and %s/%s.secret (role %s, public key %s)\n", out, k.principal, out,
         k.principal, k.role, k.public_key);
  memset(&k, 0, sizeof k);
  return 0;
}
