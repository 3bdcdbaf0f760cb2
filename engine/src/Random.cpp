#include "latentlab/Random.h"

#include <cmath>

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

} // namespace latentlab
