#include "CTLS.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// OpenSSL 3's ABI, declared here rather than included: building evalguard needs no libssl-dev,
// and running it needs libssl.so.3 only when it speaks https. The values are OpenSSL 3.0's
// (ssl.h, tls1.h, prov_ssl.h), stable across 3.x.
typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_method_st SSL_METHOD;

#define SSL_VERIFY_PEER 0x01
#define SSL_ERROR_SSL 1
#define SSL_ERROR_WANT_READ 2
#define SSL_ERROR_WANT_WRITE 3
#define SSL_ERROR_SYSCALL 5
#define SSL_ERROR_ZERO_RETURN 6
#define SSL_CTRL_MODE 33
#define SSL_CTRL_SET_TLSEXT_HOSTNAME 55
#define SSL_CTRL_SET_MIN_PROTO_VERSION 123
#define SSL_MODE_ENABLE_PARTIAL_WRITE 0x1L
#define SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER 0x2L
#define SSL_OP_IGNORE_UNEXPECTED_EOF ((uint64_t)1 << 7)
#define TLSEXT_NAMETYPE_host_name 0
#define TLS1_2_VERSION 0x0303
#define X509_V_OK 0

static struct {
    const SSL_METHOD *(*TLS_client_method)(void);
    SSL_CTX *(*SSL_CTX_new)(const SSL_METHOD *method);
    void (*SSL_CTX_free)(SSL_CTX *ctx);
    long (*SSL_CTX_ctrl)(SSL_CTX *ctx, int command, long larg, void *parg);
    uint64_t (*SSL_CTX_set_options)(SSL_CTX *ctx, uint64_t options);
    void (*SSL_CTX_set_verify)(SSL_CTX *ctx, int mode, void *callback);
    int (*SSL_CTX_load_verify_locations)(SSL_CTX *ctx, const char *file, const char *path);
    SSL *(*SSL_new)(SSL_CTX *ctx);
    void (*SSL_free)(SSL *ssl);
    int (*SSL_set_fd)(SSL *ssl, int fd);
    long (*SSL_ctrl)(SSL *ssl, int command, long larg, void *parg);
    int (*SSL_set1_host)(SSL *ssl, const char *host);
    int (*SSL_connect)(SSL *ssl);
    int (*SSL_read_ex)(SSL *ssl, void *buffer, size_t length, size_t *read);
    int (*SSL_write_ex)(SSL *ssl, const void *buffer, size_t length, size_t *written);
    int (*SSL_get_error)(const SSL *ssl, int result);
    long (*SSL_get_verify_result)(const SSL *ssl);
    unsigned long (*ERR_get_error)(void);
    const char *(*ERR_reason_error_string)(unsigned long code);
    void (*ERR_clear_error)(void);
    const char *(*X509_verify_cert_error_string)(long code);
} ssl;

struct evalguard_tls_context {
    SSL_CTX *ctx;
};

struct evalguard_tls {
    SSL *ssl;
    /// Why the last call failed, read from OpenSSL's per-thread error queue at once.
    char error[256];
};

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded = 0;
static char load_error[320] = "libssl.so.3: not loaded";

static void load(void) {
    // libssl.so.3 brings libcrypto.so.3 (already mapped when libgit2's libssh2 uses it); a
    // handle's dlsym searches the library and what it depends on, so both resolve through it.
    void *library = dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "%s", why ? why : "libssl.so.3: cannot be opened");
        return;
    }
#define RESOLVE(name)                                                                      \
    if (!(*(void **)&ssl.name = dlsym(library, #name))) {                                  \
        snprintf(load_error, sizeof load_error, "libssl.so.3 has no %s: not OpenSSL 3", #name); \
        return;                                                                            \
    }
    RESOLVE(TLS_client_method) RESOLVE(SSL_CTX_new) RESOLVE(SSL_CTX_free) RESOLVE(SSL_CTX_ctrl)
    RESOLVE(SSL_CTX_set_options) RESOLVE(SSL_CTX_set_verify) RESOLVE(SSL_CTX_load_verify_locations)
    RESOLVE(SSL_new) RESOLVE(SSL_free) RESOLVE(SSL_set_fd) RESOLVE(SSL_ctrl) RESOLVE(SSL_set1_host)
    RESOLVE(SSL_connect) RESOLVE(SSL_read_ex) RESOLVE(SSL_write_ex) RESOLVE(SSL_get_error)
    RESOLVE(SSL_get_verify_result) RESOLVE(ERR_get_error) RESOLVE(ERR_reason_error_string)
    RESOLVE(ERR_clear_error) RESOLVE(X509_verify_cert_error_string)
#undef RESOLVE
    loaded = 1;
}

int evalguard_tls_load(char *error, size_t length) {
    pthread_once(&load_once, load);
    if (loaded) return 0;
    snprintf(error, length, "%s", load_error);
    return -1;
}

/// The reason of the oldest error in OpenSSL's queue (then emptied), or `otherwise`.
static void queued_reason(char *out, size_t length, const char *otherwise) {
    unsigned long code = ssl.ERR_get_error();
    const char *reason = code ? ssl.ERR_reason_error_string(code) : NULL;
    snprintf(out, length, "%s", reason ? reason : otherwise);
    ssl.ERR_clear_error();
}

evalguard_tls_context *evalguard_tls_context_new(const char *ca_file, const char *ca_directory,
                                                 char *error, size_t length) {
    ssl.ERR_clear_error();
    SSL_CTX *ctx = ssl.SSL_CTX_new(ssl.TLS_client_method());
    if (!ctx) {
        char reason[160];
        queued_reason(reason, sizeof reason, "unknown error");
        snprintf(error, length, "cannot configure TLS: %s", reason);
        return NULL;
    }
    // A bundle is parsed whole (OpenSSL 3.0 takes ~40 ms for Debian's 140 authorities); a
    // directory costs nothing until a handshake looks up the one authority it needs.
    if (ssl.SSL_CTX_load_verify_locations(ctx, ca_file, ca_directory) != 1) {
        char reason[160];
        queued_reason(reason, sizeof reason, "no certificate in it");
        snprintf(error, length, "cannot read the certificate authorities: %s", reason);
        ssl.SSL_CTX_free(ctx);
        return NULL;
    }
    ssl.SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    ssl.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
    // A server that closes without close_notify ends the stream, as a plain socket's close
    // does: HTTP's own framing (Content-Length, chunks) tells a cut-off answer from a whole one.
    ssl.SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    evalguard_tls_context *context = calloc(1, sizeof *context);
    if (!context) { ssl.SSL_CTX_free(ctx); snprintf(error, length, "out of memory"); return NULL; }
    context->ctx = ctx;
    return context;
}

void evalguard_tls_context_free(evalguard_tls_context *context) {
    if (!context) return;
    ssl.SSL_CTX_free(context->ctx);  // reference-counted: live connections keep it
    free(context);
}

static int is_ip_address(const char *host) {
    unsigned char address[16];
    return inet_pton(AF_INET, host, address) == 1 || inet_pton(AF_INET6, host, address) == 1;
}

evalguard_tls *evalguard_tls_new(evalguard_tls_context *context, int fd, const char *host,
                                 char *error, size_t length) {
    evalguard_tls *tls = calloc(1, sizeof *tls);
    if (!tls) { snprintf(error, length, "out of memory"); return NULL; }
    ssl.ERR_clear_error();
    tls->ssl = ssl.SSL_new(context->ctx);
    // SNI names hosts, never addresses (RFC 6066); the certificate check takes either:
    // OpenSSL 3's SSL_set1_host matches an address against the certificate's IP entries.
    int ok = tls->ssl != NULL
        && ssl.SSL_set_fd(tls->ssl, fd) == 1
        && (is_ip_address(host) || ssl.SSL_ctrl(tls->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)host) == 1)
        && ssl.SSL_set1_host(tls->ssl, host) == 1;
    if (!ok) {
        char reason[160];
        queued_reason(reason, sizeof reason, "unknown error");
        snprintf(error, length, "cannot start TLS: %s", reason);
        evalguard_tls_free(tls);
        return NULL;
    }
    ssl.SSL_ctrl(tls->ssl, SSL_CTRL_MODE, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, NULL);
    return tls;
}

/// What a failed call's result means; records the reason in `tls->error`.
static long translate(evalguard_tls *tls, int result, int handshaking) {
    int saved = errno;
    int kind = ssl.SSL_get_error(tls->ssl, result);
    switch (kind) {
    case SSL_ERROR_WANT_READ: return EVALGUARD_TLS_WANT_READ;
    case SSL_ERROR_WANT_WRITE: return EVALGUARD_TLS_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        if (!handshaking) return 0;
        snprintf(tls->error, sizeof tls->error, "the server closed the connection during the handshake");
        return EVALGUARD_TLS_FAILED;
    case SSL_ERROR_SYSCALL:
        if (saved != 0) snprintf(tls->error, sizeof tls->error, "%s", strerror(saved));
        else queued_reason(tls->error, sizeof tls->error, "the server closed the connection");
        return EVALGUARD_TLS_FAILED;
    default:
        if (handshaking) {
            long verdict = ssl.SSL_get_verify_result(tls->ssl);
            if (verdict != X509_V_OK) {
                snprintf(tls->error, sizeof tls->error, "the server's certificate was not accepted (%s)",
                         ssl.X509_verify_cert_error_string(verdict));
                ssl.ERR_clear_error();
                return EVALGUARD_TLS_CERTIFICATE;
            }
        }
        queued_reason(tls->error, sizeof tls->error, "unknown TLS error");
        return EVALGUARD_TLS_FAILED;
    }
}

int evalguard_tls_handshake(evalguard_tls *tls) {
    ssl.ERR_clear_error();
    errno = 0;
    int result = ssl.SSL_connect(tls->ssl);
    return result == 1 ? 0 : (int)translate(tls, result, 1);
}

long evalguard_tls_read(evalguard_tls *tls, unsigned char *buffer, size_t length) {
    size_t n = 0;
    ssl.ERR_clear_error();
    errno = 0;
    int result = ssl.SSL_read_ex(tls->ssl, buffer, length, &n);
    return result == 1 ? (long)n : translate(tls, result, 0);
}

long evalguard_tls_write(evalguard_tls *tls, const unsigned char *buffer, size_t length) {
    size_t n = 0;
    ssl.ERR_clear_error();
    errno = 0;
    int result = ssl.SSL_write_ex(tls->ssl, buffer, length, &n);
    return result == 1 ? (long)n : translate(tls, result, 0);
}

void evalguard_tls_describe(evalguard_tls *tls, int code, char *out, size_t length) {
    if (tls && tls->error[0]) snprintf(out, length, "%s", tls->error);
    else snprintf(out, length, "TLS error %d", code);
}

int evalguard_tls_is_certificate_error(int code) {
    return code == EVALGUARD_TLS_CERTIFICATE;
}

void evalguard_tls_free(evalguard_tls *tls) {
    if (!tls) return;
    if (tls->ssl) ssl.SSL_free(tls->ssl);
    free(tls);
}
