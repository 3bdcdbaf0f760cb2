#include "training/TimeBudget.h"

#include <algorithm>

namespace latentlab::gui {

TimeBudget::TimeBudget(double share, double memory)
    : m_share(std::clamp(share, 0.0, 1.0)), m_memory(std::max(0.0, memory)) {}

void TimeBudget::setShare(double share) { m_share = std::clamp(share, 0.0, 1.0); }

void TimeBudget::restart(Clock::time_point now) {
    m_balance = 0;
    m_last = now;
    m_started = true;
}

double TimeBudget::available(Clock::time_point now, double smallestPiece) {
    if (!m_started) restart(now);
    const double elapsed = std::chrono::duration<double>(now - m_last).count();
    if (elapsed > 0) {
        // balance += share * elapsed, at most share * memory (or one smallest piece)
        const double cap = std::max(m_share * m_memory, smallestPiece);
        m_balance = std::min(cap, m_balance + m_share * elapsed);
        m_last = now;
    }
    return m_balance;
}

} // namespace latentlab::gui
