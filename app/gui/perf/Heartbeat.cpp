#include "perf/Heartbeat.h"

#include <algorithm>
#include <cmath>

namespace latentlab::gui {

Heartbeat::Heartbeat(int intervalMs, QObject* parent) : QObject(parent) {
    // A precise timer: a coarse one may fire up to 5 % early or late by design, which
    // would show up here as lateness that is not the event loop's.
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &Heartbeat::beat);
}

void Heartbeat::start() {
    m_lateness.clear();
    m_last = -1;
    m_clock.start();
    m_timer.start();
}

void Heartbeat::stop() { m_timer.stop(); }

void Heartbeat::beat() {
    const qint64 now = m_clock.nsecsElapsed();
    if (m_last >= 0) {
        const double gapMs = double(now - m_last) / 1e6;
        m_lateness.push_back(std::max(0.0, gapMs - double(m_timer.interval())));
    }
    m_last = now;
}

double quantile(std::vector<double> values, double q) {
    if (values.empty()) return 0;
    // rank = ceil(q n), 1-based
    const size_t n = values.size();
    const size_t rank = std::clamp<size_t>(size_t(std::ceil(std::clamp(q, 0.0, 1.0) * double(n))), 1, n);
    std::nth_element(values.begin(), values.begin() + long(rank - 1), values.end());
    return values[rank - 1];
}

double median(std::vector<double> values) {
    const size_t n = values.size();
    if (n == 0) return 0;
    const auto upper = values.begin() + long(n / 2);
    std::nth_element(values.begin(), upper, values.end());
    if (n % 2 == 1) return *upper;
    // The lower middle value is the largest of those before the upper one.
    return 0.5 * (*upper + *std::max_element(values.begin(), upper));
}

} // namespace latentlab::gui
