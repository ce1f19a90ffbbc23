import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Draws from the Beta and Gamma distributions, for the bootstrap's order statistics.
enum Beta {
    /// A Beta(a, b) variate, a, b ≥ 1: X / (X + Y) with X ~ Gamma(a) and Y ~ Gamma(b).
    static func draw(_ a: Double, _ b: Double, _ rng: inout SeededGenerator) -> Double {
        let x = gamma(a, &rng)
        let y = gamma(b, &rng)
        return x / (x + y)
    }

    /// A Gamma(shape, 1) variate for shape ≥ 1, by Marsaglia and Tsang's squeeze method ("A
    /// simple method for generating gamma variables", ACM TOMS 26(3), 2000): a transformed
    /// normal, accepted with the exact density ratio; about 1.03 normals a draw at any shape.
    static func gamma(_ shape: Double, _ rng: inout SeededGenerator) -> Double {
        precondition(shape >= 1, "shape below 1 needs the boost step, which the bootstrap never needs")
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            let x = normal(&rng)
            let t = 1 + c * x
            guard t > 0 else { continue }
            let v = t * t * t
            let u = rng.openUnitDouble()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// A standard normal variate (Box–Muller, one of the pair).
    static func normal(_ rng: inout SeededGenerator) -> Double {
        (-2 * log(rng.openUnitDouble())).squareRoot() * cos(2 * Double.pi * rng.unitDouble())
    }
}
