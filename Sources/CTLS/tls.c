#include "CTLS.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct evalguard_tls {
    mbedtls_ssl_context ssl;
    mbedtls_net_context net;
};

static mbedtls_ssl_config config;
static mbedtls_x509_crt authorities;
static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context random_generator;
static int ready = 0;

static void describe_error(int code, const char *what, char *error, size_t length) {
    char reason[160];
    mbedtls_strerror(code, reason, sizeof reason);
    snprintf(error, length, "%s: %s", what, reason);
}

int evalguard_tls_setup(const char *ca_file, char *error, size_t length) {
    if (ready) return 0;
    mbedtls_ssl_config_init(&config);
    mbedtls_x509_crt_init(&authorities);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&random_generator);
    const char *personalisation = "evalguard";
    int rc = mbedtls_ctr_drbg_seed(&random_generator, mbedtls_entropy_func, &entropy,
                                   (const unsigned char *)personalisation, strlen(personalisation));
    if (rc != 0) { describe_error(rc, "cannot seed the random generator", error, length); return rc; }
    rc = mbedtls_x509_crt_parse_file(&authorities, ca_file);
    if (rc < 0) { describe_error(rc, "cannot read the certificate authorities", error, length); return rc; }
    rc = mbedtls_ssl_config_defaults(&config, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                     MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc != 0) { describe_error(rc, "cannot configure TLS", error, length); return rc; }
    mbedtls_ssl_conf_authmode(&config, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&config, &authorities, NULL);
    mbedtls_ssl_conf_rng(&config, mbedtls_ctr_drbg_random, &random_generator);
    ready = 1;
    return 0;
}

evalguard_tls *evalguard_tls_new(int fd, const char *host, char *error, size_t length) {
    evalguard_tls *tls = calloc(1, sizeof *tls);
    if (!tls) { snprintf(error, length, "out of memory"); return NULL; }
    mbedtls_ssl_init(&tls->ssl);
    mbedtls_net_init(&tls->net);
    tls->net.fd = fd;
    int rc = mbedtls_ssl_setup(&tls->ssl, &config);
    if (rc == 0) rc = mbedtls_ssl_set_hostname(&tls->ssl, host);
    if (rc != 0) {
        describe_error(rc, "cannot start TLS", error, length);
        mbedtls_ssl_free(&tls->ssl);
        free(tls);
        return NULL;
    }
    mbedtls_ssl_set_bio(&tls->ssl, &tls->net, mbedtls_net_send, mbedtls_net_recv, NULL);
    return tls;
}

static long translate(int rc) {
    if (rc == MBEDTLS_ERR_SSL_WANT_READ) return EVALGUARD_TLS_WANT_READ;
    if (rc == MBEDTLS_ERR_SSL_WANT_WRITE) return EVALGUARD_TLS_WANT_WRITE;
    if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == MBEDTLS_ERR_SSL_CONN_EOF) return 0;
    if (rc == EVALGUARD_TLS_WANT_READ || rc == EVALGUARD_TLS_WANT_WRITE) return -3;
    return rc;
}

int evalguard_tls_handshake(evalguard_tls *tls) {
    return (int)translate(mbedtls_ssl_handshake(&tls->ssl));
}

long evalguard_tls_read(evalguard_tls *tls, unsigned char *buffer, size_t length) {
    return translate(mbedtls_ssl_read(&tls->ssl, buffer, length));
}

long evalguard_tls_write(evalguard_tls *tls, const unsigned char *buffer, size_t length) {
    return translate(mbedtls_ssl_write(&tls->ssl, buffer, length));
}

void evalguard_tls_describe(evalguard_tls *tls, int code, char *out, size_t length) {
    uint32_t flags = tls ? mbedtls_ssl_get_verify_result(&tls->ssl) : 0;
    if (code == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && flags != 0 && flags != (uint32_t)-1) {
        char findings[256];
        mbedtls_x509_crt_verify_info(findings, sizeof findings, "", flags);
        size_t n = strlen(findings);
        while (n > 0 && (findings[n - 1] == '\n' || findings[n - 1] == ' ')) findings[--n] = 0;
        for (char *p = findings; *p; p++) if (*p == '\n') *p = ';';
        snprintf(out, length, "the server's certificate was not accepted (%s)", findings);
        return;
    }
    char reason[160];
    mbedtls_strerror(code, reason, sizeof reason);
    snprintf(out, length, "%s", reason);
}

int evalguard_tls_is_certificate_error(int code) {
    return code == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED;
}

void evalguard_tls_free(evalguard_tls *tls) {
    if (!tls) return;
    mbedtls_ssl_free(&tls->ssl);
    free(tls);
}
