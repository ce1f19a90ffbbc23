import EvalGuardTestSupport
import Testing

@testable import EvalGuardStatistics

@Suite struct StatisticsRandomTests {
    // SplitMix64 with seed 1234567: the test vector published with Vigna's reference code,
    // reproduced by this transcription of it (Python 3):
    //
    //   M = 2**64 - 1
    //   def splitmix(seed):
    //       while True:
    //           seed = (seed + 0x9E3779B97F4A7C15) & M
    //           z = seed
    //           z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    //           z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    //           yield z ^ (z >> 31)
    //   def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M
    //   def xoshiro(seed):
    //       g = splitmix(seed); s = [next(g) for _ in range(4)]
    //       while True:
    //           r = (rotl((s[1] * 5) & M, 7) * 9) & M
    //           t = (s[1] << 17) & M
    //           s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
    //           s[3] = rotl(s[3], 45)
    //           yield r
    //   g = splitmix(1234567); print([next(g) for _ in range(5)])
    //   for seed in [0, 42]: g = xoshiro(seed); print(seed, [next(g) for _ in range(5)])
    @Test func splitMixMatchesReferenceVector() {
        var g = SplitMix64(seed: 1_234_567)
        let expected: [UInt64] = [
            6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
            4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
        ]
        #expect((0..<5).map { _ in g.next() } == expected)
    }

    @Test(arguments: [
        (
            UInt64(0),
            [
                11_091_344_671_253_066_420, 13_793_997_310_169_335_082, 1_900_383_378_846_508_768,
                7_684_712_102_626_143_532, 13_521_403_990_117_723_737,
            ] as [UInt64]
        ),
        (
            UInt64(42),
            [
                1_546_998_764_402_558_742, 6_990_951_692_964_543_102, 12_544_586_762_248_559_009,
                17_057_574_109_182_124_193, 18_295_552_978_065_317_476,
            ]
        ),
    ])
    func xoshiroMatchesReferenceTranscription(seed: UInt64, expected: [UInt64]) {
        var g = SeededGenerator(seed: seed)
        #expect((0..<5).map { _ in g.next() } == expected)
    }

    @Test func sameSeedSameStreamDifferentSeedDifferentStream() {
        var a = SeededGenerator(seed: 7)
        var b = SeededGenerator(seed: 7)
        var c = SeededGenerator(seed: 8)
        let sa = (0..<100).map { _ in a.next() }
        #expect(sa == (0..<100).map { _ in b.next() })
        #expect(sa != (0..<100).map { _ in c.next() })
    }

    @Test func indexStaysInRangeAndCoversItEvenly() {
        var g = SeededGenerator(seed: 1)
        let bound = 10
        var counts = [Int](repeating: 0, count: bound)
        for _ in 0..<100_000 { counts[g.index(below: bound)] += 1 }
        // Each bucket expects 10,000 with a standard deviation of ~95; 600 is > 6 sigma.
        #expect(counts.allSatisfy { abs($0 - 10_000) < 600 }, "\(counts)")
        #expect(g.index(below: 1) == 0)
    }

    /// With a bound of 2^62 + 1, 2^64 mod bound is 2^62 - 3, so about a quarter of the draws
    /// take the rejection path: results must still be below the bound and spread over it.
    @Test func indexHandlesHugeBounds() {
        var g = SeededGenerator(seed: 3)
        let bound = (1 << 62) + 1
        var high = 0
        for _ in 0..<1000 {
            let i = g.index(below: bound)
            #expect(i >= 0 && i < bound)
            if i > bound / 2 { high += 1 }
        }
        #expect(high > 400 && high < 600)
    }

    @Test func unitDoubleIsInHalfOpenUnitInterval() {
        var g = SeededGenerator(seed: 5)
        var sum = 0.0
        for _ in 0..<10_000 {
            let u = g.unitDouble()
            #expect(u >= 0 && u < 1)
            sum += u
        }
        #expect(abs(sum / 10_000 - 0.5) < 0.02)
    }
}
