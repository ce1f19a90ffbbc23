#ifndef EVALGUARD_CTLS_H
#define EVALGUARD_CTLS_H
#include <stddef.h>

/// TLS client connections for evalguard's HTTP transport, over OpenSSL 3 (TLS 1.2 and 1.3).
/// libssl.so.3 is opened with dlopen when the first https connection is about to start, never
/// linked: a process that makes no https request does not map it. Sockets stay non-blocking and
/// in the caller's poll loop: every call that would block returns EVALGUARD_TLS_WANT_READ or
/// EVALGUARD_TLS_WANT_WRITE instead.

#define EVALGUARD_TLS_WANT_READ (-1)
#define EVALGUARD_TLS_WANT_WRITE (-2)
/// The connection failed; evalguard_tls_describe says why.
#define EVALGUARD_TLS_FAILED (-3)
/// The server's certificate was not accepted (untrusted, expired, or for another name).
#define EVALGUARD_TLS_CERTIFICATE (-4)

typedef struct evalguard_tls_context evalguard_tls_context;
typedef struct evalguard_tls evalguard_tls;

/// Opens libssl.so.3 and resolves the functions used, once per process. 0 on success; else -1
/// with the loader's message in `error` (the library is missing or is not OpenSSL 3).
int evalguard_tls_load(char *error, size_t error_length);

/// A client configuration trusting the PEM bundle `ca_file`, or the hashed directory
/// `ca_directory` (certificates named by `openssl rehash`, read only when a handshake needs
/// them), TLS 1.2 at least. NULL on failure, with a message in `error`. Call
/// evalguard_tls_load first.
evalguard_tls_context *evalguard_tls_context_new(const char *ca_file, const char *ca_directory,
                                                 char *error, size_t error_length);

/// Frees the configuration; connections made from it keep what they need.
void evalguard_tls_context_free(evalguard_tls_context *context);

/// A client connection over the connected socket `fd` to `host` (sent as SNI unless it is an IP
/// address, and checked against the certificate). NULL on failure, with a message in `error`.
evalguard_tls *evalguard_tls_new(evalguard_tls_context *context, int fd, const char *host,
                                 char *error, size_t error_length);

/// 0 when the handshake is done, a WANT value, EVALGUARD_TLS_FAILED or EVALGUARD_TLS_CERTIFICATE.
int evalguard_tls_handshake(evalguard_tls *tls);

/// Bytes read (> 0), 0 at the end of the stream, a WANT value, or EVALGUARD_TLS_FAILED.
long evalguard_tls_read(evalguard_tls *tls, unsigned char *buffer, size_t length);

/// Bytes written (> 0), a WANT value, or EVALGUARD_TLS_FAILED.
long evalguard_tls_write(evalguard_tls *tls, const unsigned char *buffer, size_t length);

/// Why the last call on `tls` failed with `code`: the certificate check's finding when it was that.
void evalguard_tls_describe(evalguard_tls *tls, int code, char *out, size_t length);

/// Whether `code` means the server's certificate was not accepted: no retry can change that.
int evalguard_tls_is_certificate_error(int code);

/// Frees the connection's state; the socket is the caller's to close.
void evalguard_tls_free(evalguard_tls *tls);

#endif
