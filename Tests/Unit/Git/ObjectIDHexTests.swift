import EvalGuardTestSupport
import Testing

@testable import EvalGuardSupport

/// The reader's fast form of an object id (`ObjectID(hex40:)`) takes exactly what `ObjectID(hex:)`
/// takes, to the same id: lowercase hexadecimal, 40 digits.
@Suite struct ObjectIDHexTests {
    static let texts = [
        "0123456789abcdef0123456789abcdef01234567", "ffffffffffffffffffffffffffffffffffffffff",
        "0000000000000000000000000000000000000000", "0123456789ABCDEF0123456789abcdef01234567",
        "0123456789abcdef0123456789abcdef0123456g", "0123456789abcdef0123456789abcdef0123456/",
        "0123456789abcdef0123456789abcdef0123456:", "`123456789abcdef0123456789abcdef01234567",
        "0123456789abcdef0123456789abcdef0123456", "0123456789abcdef0123456789abcdef012345678",
        "0123456789abcdef0123456789abcdef0123456é",
    ]

    @Test(arguments: texts)
    func theFastFormAgreesWithTheGeneralOne(text: String) {
        let fast = Array(text.utf8).withUnsafeBufferPointer { ObjectID(hex40: $0) }
        #expect(fast == ObjectID(hex: text))
        if let fast { #expect(fast.hex == text) }
    }
}
