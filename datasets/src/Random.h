// Private to latentlab_datasets: the random numbers behind the generators.
//
// std::uniform_real_distribution and std::normal_distribution are implementation-defined,
// so the same seed gives different data with libstdc++, libc++ and MSVC. Only the raw
// std::mt19937_64 stream is specified by the standard, so every conversion is done here.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace latentlab::data::detail {

class Random {
public:
    explicit Random(uint64_t seed) : m_engine(seed) {}

    // Uniform in [0, 1): the top 53 bits of one draw, times 2^-53, so every value is an
    // exactly representable double and 1.0 can never come out.
    double uniform() { return double(m_engine() >> 11) * 0x1.0p-53; }

    // Uniform in [lo, hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

    // Standard normal by Box–Muller: for u1 in (0, 1], u2 in [0, 1),
    //   r = sqrt(-2 ln u1), z0 = r cos(2 pi u2), z1 = r sin(2 pi u2)
    // are two independent N(0, 1) values; the second is kept for the next call.
    double normal() {
        if (m_hasSpare) {
            m_hasSpare = false;
            return m_spare;
        }
        const double u1 = 1.0 - uniform(); // (0, 1]: log(0) is impossible
        const double u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        const double a = 2.0 * 3.14159265358979323846 * u2;
        m_spare = r * std::sin(a);
        m_hasSpare = true;
        return r * std::cos(a);
    }

    // Uniform integer in [0, n). The floor of a 53-bit uniform times n is unbiased to within
    // n / 2^53, far below anything a shuffle of at most a few million rows could show.
    uint64_t below(uint64_t n) {
        const auto k = uint64_t(uniform() * double(n));
        return k < n ? k : n - 1;
    }

private:
    std::mt19937_64 m_engine;
    double m_spare = 0.0;
    bool m_hasSpare = false;
};

} // namespace latentlab::data::detail
