#include "training/SnapshotThrottle.h"

#include <algorithm>

namespace latentlab::gui {

SnapshotThrottle::SnapshotThrottle(double perSecond) : m_interval(1.0 / std::max(0.1, perSecond)) {}

bool SnapshotThrottle::due(Clock::time_point now) const {
    return !m_hasPublished || std::chrono::duration<double>(now - m_last).count() >= m_interval;
}

void SnapshotThrottle::published(Clock::time_point now) {
    m_last = now;
    m_hasPublished = true;
}

} // namespace latentlab::gui
