#define _GNU_SOURCE
#include "CGitStart.h"

#include <dlfcn.h>
#include <stddef.h>

int git_libgit2_init(void);

/// Set only while git_libgit2_init runs, on the thread that runs it.
static _Thread_local int starting_libgit2 = 0;
static int skipped = 0;

typedef struct mbedtls_x509_crt mbedtls_x509_crt;
typedef int (*parse_file_fn)(mbedtls_x509_crt *chain, const char *path);

/// Takes the place of mbedTLS's function of the same name (a definition in the executable comes
/// before the shared library's): during libgit2's start-up it loads nothing and reports success;
/// otherwise it hands over to mbedTLS's own.
int mbedtls_x509_crt_parse_file(mbedtls_x509_crt *chain, const char *path) {
    if (starting_libgit2) { skipped += 1; return 0; }
    static parse_file_fn real = NULL;
    if (real == NULL) real = (parse_file_fn)dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file");
    if (real == NULL) return -0x2900; /* MBEDTLS_ERR_X509_BAD_INPUT_DATA */
    return real(chain, path);
}

int evalguard_git_init(void) {
    starting_libgit2 = 1;
    int rc = git_libgit2_init();
    starting_libgit2 = 0;
    return rc;
}

int evalguard_git_skipped_authorities(void) { return skipped; }
