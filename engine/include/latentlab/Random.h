// Seeded random numbers whose sequence depends only on the seed: the conversions from
// raw 64-bit draws are written here, not taken from <random>'s distributions, whose
// algorithms differ between standard libraries.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace latentlab {

class Rng {
public:
    explicit Rng(uint64_t seed = 1) : m_engine(seed) {}

    uint64_t next() { return m_engine(); }
    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }
    // Standard normal by Box-Muller; the second value of each pair is kept for the next call.
    double normal();
    // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias below 2^-64 * n).
    uint64_t below(uint64_t n) {
        __extension__ using Wide = unsigned __int128;
        return uint64_t(Wide(next()) * n >> 64);
    }
    // An independent generator for a sub-task, derived deterministically from this one.
    Rng split() { return Rng(next() ^ 0x9E3779B97F4A7C15ull); }

    // The whole state as text (the standard's textual form of the Mersenne Twister, then
    // the kept normal), so that a saved generator continues the same sequence when
    // restored. restore() throws std::invalid_argument for text state() did not write.
    std::string state() const;
    void restore(const std::string& text);

private:
    std::mt19937_64 m_engine;
    double m_spare = 0.0;
    bool m_hasSpare = false;
};

} // namespace latentlab
