import CTLS
import Foundation
import EvalGuardSupport

/// The certificate authorities https connections trust: `SSL_CERT_FILE` when set (the variable
/// OpenSSL, curl and Python honour), else the system bundle.
enum TLSAuthorities {
    static let systemBundles = [
        "/etc/ssl/certs/ca-certificates.crt",   // Debian, Ubuntu, Alpine
        "/etc/pki/tls/certs/ca-bundle.crt",     // Fedora, RHEL
        "/etc/ssl/cert.pem",                    // macOS, OpenBSD
    ]

    static func setUp(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        if let named = environment["SSL_CERT_FILE"], !named.isEmpty, !FileManager.default.isReadableFile(atPath: named) {
            throw EvalGuardError.evaluation("SSL_CERT_FILE names \(named), which cannot be read",
                                            hint: "Point it at a readable PEM bundle, or unset it to use the system's.")
        }
        let candidates = (environment["SSL_CERT_FILE"].map { [$0] } ?? []).filter { !$0.isEmpty } + systemBundles
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
