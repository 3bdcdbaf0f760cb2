#include "latentlab/Random.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace latentlab {

double Rng::normal() {
    if (m_hasSpare) {
        m_hasSpare = false;
        return m_spare;
    }
    // Box-Muller: for u1 in (0,1], u2 in [0,1): r = sqrt(-2 ln u1), the pair
    // (r cos 2 pi u2, r sin 2 pi u2) is two independent standard normals.
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 6.283185307179586 * u2;
    m_spare = r * std::sin(theta);
    m_hasSpare = true;
    return r * std::cos(theta);
}

std::string Rng::state() const {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    out << m_engine;
    // The spare normal bit for bit: a decimal rendering could round it.
    uint64_t bits;
    std::memcpy(&bits, &m_spare, sizeof bits);
    out << ' ' << (m_hasSpare ? 1 : 0) << ' ' << bits;
    return out.str();
}

void Rng::restore(const std::string& text) {
    std::istringstream in(text);
    in.imbue(std::locale::classic());
    std::mt19937_64 engine;
    int hasSpare = -1;
    uint64_t bits = 0;
    in >> engine >> hasSpare >> bits;
    const bool read = !in.fail();
    if (read && !in.eof()) in >> std::ws; // trailing blanks only
    if (!read || !in.eof() || (hasSpare != 0 && hasSpare != 1))
        throw std::invalid_argument("not the state of a random generator");
    m_engine = engine;
    m_hasSpare = hasSpare == 1;
    std::memcpy(&m_spare, &bits, sizeof bits);
}

} // namespace latentlab
