import CTLS
import EvalGuardSupport
import FoundationEssentials

/// The certificate authorities https connections trust, as OpenSSL reads its variables:
/// `SSL_CERT_FILE` (a PEM bundle) when set, else `SSL_CERT_DIR` (a hashed directory), else the
/// system's hashed directory when it has one, else the system's bundle. A directory is read
/// lazily: a handshake loads only the authority it needs, where a bundle is parsed whole (~40 ms
/// of CPU for Debian's with OpenSSL 3.0).
///
/// Making the configuration is what loads OpenSSL (libssl.so.3, through dlopen): it happens when
/// an https model is about to be called, never in a process that makes no https request.
enum TLSAuthorities {
    enum Source: Equatable {
        case bundle(String)
        case directory(String)
    }

    static let systemDirectories = [
        "/etc/ssl/certs" // Debian, Ubuntu, Alpine, SUSE (update-ca-certificates)
    ]
    static let systemBundles = [
        "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Alpine
        "/etc/pki/tls/certs/ca-bundle.crt", // Fedora, RHEL
        "/etc/ssl/cert.pem", // macOS, OpenBSD
    ]

    static func source(
        environment: [String: String], systemDirectories: [String] = systemDirectories,
        systemBundles: [String] = systemBundles
    ) throws -> Source {
        let files = FileManager.default
        if let named = environment["SSL_CERT_FILE"], !named.isEmpty {
            guard files.isReadableFile(atPath: named) else {
                throw EvalGuardError.evaluation(
                    "SSL_CERT_FILE names \(named), which cannot be read",
                    hint: "Point it at a readable PEM bundle, or unset it to use the system's.")
            }
            return .bundle(named)
        }
        if let named = environment["SSL_CERT_DIR"], !named.isEmpty {
            guard isHashedDirectory(named) else {
                throw EvalGuardError.evaluation(
                    "SSL_CERT_DIR names \(named), which holds no hashed certificates",
                    hint:
                        "Run `openssl rehash \(named)` to name its certificates, or unset SSL_CERT_DIR to use the system's."
                )
            }
            return .directory(named)
        }
        if let directory = systemDirectories.first(where: isHashedDirectory) { return .directory(directory) }
        guard let bundle = systemBundles.first(where: { files.isReadableFile(atPath: $0) }) else {
            throw EvalGuardError.evaluation(
                "no certificate authorities to check https servers against",
                hint: "Install the ca-certificates package, or point SSL_CERT_FILE at a PEM bundle.")
        }
        return .bundle(bundle)
    }

    /// Whether `path` is a directory with at least one certificate named as `openssl rehash`
    /// names them: eight hex digits of the subject's hash, a dot, a number (`5ad8a5d6.0`).
    static func isHashedDirectory(_ path: String) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return false }
        return names.contains { name in
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 2 && parts[0].count == 8 && parts[0].allSatisfy(\.isHexDigit)
                && !parts[1].isEmpty && parts[1].allSatisfy(\.isWholeNumber)
        }
    }

    /// A TLS client configuration trusting the authorities, OpenSSL loaded first; the caller frees
    /// it with evalguard_tls_context_free.
    static func context(environment: [String: String] = processEnvironment()) throws -> OpaquePointer {
        let source = try source(environment: environment)
        var message = [CChar](repeating: 0, count: 320)
        guard evalguard_tls_load(&message, message.count) == 0 else {
            throw EvalGuardError.evaluation(
                "https needs OpenSSL 3, which could not be loaded: \(String(cBuffer: message))",
                hint:
                    "Install it: apt-get install libssl3 (Debian 12, Ubuntu 22.04 and later), dnf install openssl-libs (Fedora, RHEL 9)."
            )
        }
        let made: OpaquePointer?
        let named: String
        switch source {
        case .bundle(let file):
            made = evalguard_tls_context_new(file, nil, &message, message.count)
            named = file
        case .directory(let directory):
            made = evalguard_tls_context_new(nil, directory, &message, message.count)
            named = directory
        }
        guard let made else {
            throw EvalGuardError.evaluation(
                "\(String(cBuffer: message)) (\(named))",
                hint: "Point SSL_CERT_FILE at a readable PEM bundle.")
        }
        return made
    }
}
