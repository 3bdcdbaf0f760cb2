// Training speed (samples per second) and the time left, smoothed so the progress bar's
// ETA does not jump with every batch: samples are counted in windows of at least a
// quarter second and the rate is an exponential moving average over windows.
#pragma once

#include <chrono>

namespace latentlab::gui {

class RateEstimator {
public:
    using Clock = std::chrono::steady_clock;

    // Call after every batch.
    void add(long long samples, Clock::time_point now);
    // Call when training starts or resumes, so time spent paused is not counted.
    void restart(Clock::time_point now);
    double samplesPerSecond() const { return m_rate; }
    // Seconds left for `remainingSamples`, or -1 while the rate is unknown.
    double etaSeconds(double remainingSamples) const;

private:
    static constexpr double kWindow = 0.25; // seconds
    static constexpr double kSmoothing = 0.3;
    bool m_started = false;
    Clock::time_point m_windowStart;
    long long m_windowSamples = 0;
    double m_rate = 0;
};

} // namespace latentlab::gui
