// When to publish the next snapshot: at most `perSecond` times a second, so the GUI gets
// a steady ~10 frames a second (TrainingSession's rate) whether an epoch takes 10 ms (Swiss roll) or 10 s (MNIST),
// and never a flood of signals it would have to skip.
#pragma once

#include <chrono>

namespace latentlab::gui {

class SnapshotThrottle {
public:
    using Clock = std::chrono::steady_clock;

    explicit SnapshotThrottle(double perSecond);

    double interval() const { return m_interval; } // seconds
    // True if a snapshot published now would keep to the rate.
    bool due(Clock::time_point now) const;
    void published(Clock::time_point now);

private:
    double m_interval;
    Clock::time_point m_last;
    bool m_hasPublished = false;
};

} // namespace latentlab::gui
