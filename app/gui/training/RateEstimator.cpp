#include "training/RateEstimator.h"

namespace latentlab::gui {

void RateEstimator::restart(Clock::time_point now) {
    m_started = true;
    m_windowStart = now;
    m_windowSamples = 0;
}

void RateEstimator::add(long long samples, Clock::time_point now) {
    if (!m_started) restart(now);
    m_windowSamples += samples;
    const double elapsed = std::chrono::duration<double>(now - m_windowStart).count();
    if (elapsed < kWindow) return;
    const double windowRate = double(m_windowSamples) / elapsed;
    // The first window sets the rate; later ones move it by kSmoothing of the difference.
    m_rate = m_rate > 0 ? m_rate + kSmoothing * (windowRate - m_rate) : windowRate;
    m_windowStart = now;
    m_windowSamples = 0;
}

double RateEstimator::etaSeconds(double remainingSamples) const {
    if (m_rate <= 0) return -1;
    return remainingSamples > 0 ? remainingSamples / m_rate : 0;
}

} // namespace latentlab::gui
