import Foundation

@testable import EvalGuardSupport

/// SmolLM2-135M-Instruct as scripts/real-model/install.sh leaves it: the GGUF file under
/// $EVALGUARD_MODEL_DIR (default ~/.cache/evalguard/models) and the Python packages that serve
/// it. Tests that need it skip, saying what is missing, where it is not installed; they never
/// install anything themselves.
package enum RealModel {
    package static let root = TestPaths.packageRoot
    package static let serveScript = root + "/scripts/real-model/serve.py"

    package static let modelPath: String = {
        let environment = ProcessInfo.processInfo.environment
        let directory =
            environment["EVALGUARD_MODEL_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? NSHomeDirectory() + "/.cache/evalguard/models"
        return directory + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    }()

    package enum Backend: String {
        /// llama-cpp-python's server: real `tool_calls` when `tool_choice` names a function.
        case llamaCpp = "llama-cpp"
        /// The prebuilt xllamacpp: chat and `response_format` JSON-schema output.
        case xllamacpp

        package var module: String { self == .llamaCpp ? "llama_cpp.server" : "xllamacpp" }
    }

    /// Why a test on `backend` cannot run here, or nil when it can.
    package static func missing(_ backend: Backend) -> String? {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            return "no model at \(modelPath): run scripts/real-model/install.sh"
        }
        let probe = try? Shell.run(["python3", "-c", "import \(backend.module)"])
        guard probe?.status == 0 else {
            return "python3 cannot import \(backend.module): run scripts/real-model/install.sh"
        }
        return nil
    }

    package static let xllamacppMissing = missing(.xllamacpp)
    package static let llamaCppMissing = missing(.llamaCpp)

    /// The model served by `backend` on a free port of 127.0.0.1, logging each request it answers.
    package static func serve(_ backend: Backend) throws -> ScriptServer {
        try ScriptServer(path: serveScript, arguments: ["--backend", backend.rawValue, "--model", modelPath])
    }
}

extension ScriptServer {
    package var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// The chat requests the server answered, as it logged them.
    package func chatRequests() throws -> [JSONValue] {
        try logLines().map { try JSONParser.parse(String($0)) }.filter {
            $0["path"]?.stringValue == "/v1/chat/completions"
        }
    }
}

extension JSONValue {
    /// An element of an array: `response["choices"]?[0]`.
    package subscript(index: Int) -> JSONValue? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }
}
