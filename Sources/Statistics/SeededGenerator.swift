import EvalGuardSupport

/// A seeded random number generator (xoshiro256**, seeded through SplitMix64) so that a
/// bootstrap verdict is the same on every run and every machine: a gate that passes on one
/// CI runner and fails on the next, with identical inputs, would be crying wolf.
///
/// The stdlib's `SystemRandomNumberGenerator` cannot be seeded, and its `random(in:using:)`
/// helpers do not promise the same mapping from bits to numbers across Swift releases, so
/// this type also provides its own bounded integers and doubles.
package struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// Expands `seed` into the 256-bit state with SplitMix64, as the xoshiro authors advise:
    /// nearby seeds (0, 1, 2, ...) then give unrelated streams, and the state is never all zero.
    package init(seed: UInt64) {
        var splitMix = SplitMix64(seed: seed)
        s0 = splitMix.next()
        s1 = splitMix.next()
        s2 = splitMix.next()
        s3 = splitMix.next()
    }

    /// The next 64 random bits (xoshiro256** by Blackman and Vigna).
    package mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform integer in 0..<bound, without modulo bias (Lemire's multiply-and-reject).
    package mutating func index(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            // 2^64 mod range: the number of low products that would favour small results.
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A uniform double in [0, 1) from the top 53 bits.
    package mutating func unitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in (0, 1]: never 0, so its logarithm is finite.
    package mutating func openUnitDouble() -> Double {
        Double((next() >> 11) + 1) * 0x1.0p-53
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

/// SplitMix64 (Steele, Lea and Flood; Vigna's reference code), used to seed `SeededGenerator`.
/// It is a fine generator by itself, but its 64-bit state is too small to be the main one.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
