import CTLS
import Foundation

/// The certificate authorities https connections trust: `SSL_CERT_FILE` when set (the variable
/// OpenSSL, curl and Python honour), else the system bundle.
enum TLSAuthorities {
    static let systemBundles = [
        "/etc/ssl/certs/ca-certificates.crt",   // Debian, Ubuntu, Alpine
        "/etc/pki/tls/certs/ca-bundle.crt",     // Fedora, RHEL
        "/etc/ssl/cert.pem",                    // macOS, OpenBSD
    ]

    static func setUp(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let candidates = (environment["SSL_CERT_FILE"].map { [$0] } ?? []) + systemBundles
        guard let bundle = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
            throw EvalGuardError.evaluation("no certificate authorities to check https servers against",
                                            hint: "Install the ca-certificates package, or point SSL_CERT_FILE at a PEM bundle.")
        }
        var message = [CChar](repeating: 0, count: 256)
        guard evalguard_tls_setup(bundle, &message, message.count) == 0 else {
            throw EvalGuardError.evaluation("\(String(cBuffer: message)) (\(bundle))",
                                            hint: "Point SSL_CERT_FILE at a readable PEM bundle.")
        }
    }
}
