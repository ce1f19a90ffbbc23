#ifndef EVALGUARD_CTLS_H
#define EVALGUARD_CTLS_H
#include <stddef.h>

/// TLS client connections for evalguard's HTTP transport, over mbedtls (which libgit2 already
/// loads). Sockets stay non-blocking and in the caller's poll loop: every call that would block
/// returns EVALGUARD_TLS_WANT_READ or EVALGUARD_TLS_WANT_WRITE instead.

#define EVALGUARD_TLS_WANT_READ (-1)
#define EVALGUARD_TLS_WANT_WRITE (-2)

typedef struct evalguard_tls evalguard_tls;

/// Loads the CA bundle and seeds the random generator, once per process. 0 on success; else a
/// message in `error`.
int evalguard_tls_setup(const char *ca_file, char *error, size_t error_length);

/// A client connection over the connected socket `fd` to `host` (checked against the
/// certificate). NULL on failure, with a message in `error`.
evalguard_tls *evalguard_tls_new(int fd, const char *host, char *error, size_t error_length);

/// 0 when the handshake is done, a WANT value, or a negative mbedtls error.
int evalguard_tls_handshake(evalguard_tls *tls);

/// Bytes read (> 0), 0 at the end of the stream, a WANT value, or a negative mbedtls error.
long evalguard_tls_read(evalguard_tls *tls, unsigned char *buffer, size_t length);

/// Bytes written (> 0), a WANT value, or a negative mbedtls error.
long evalguard_tls_write(evalguard_tls *tls, const unsigned char *buffer, size_t length);

/// Why the handshake or an I/O call failed: the certificate check's findings when it was that.
void evalguard_tls_describe(evalguard_tls *tls, int code, char *out, size_t length);

/// Whether `code` means the server's certificate was not accepted: no retry can change that.
int evalguard_tls_is_certificate_error(int code);

/// Frees the connection's state; the socket is the caller's to close.
void evalguard_tls_free(evalguard_tls *tls);

#endif
