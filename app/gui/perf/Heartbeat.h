// How late the GUI thread's event loop runs a timer: the measure of "the window stays
// responsive". A 10 ms precise QTimer beats in the GUI thread; each beat records how much
// longer than 10 ms it came after the previous one. A beat is late when the event loop was
// busy (a long replot, a decode) or the thread did not get a core (training threads).
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <chrono>
#include <vector>

namespace latentlab::gui {

class Heartbeat : public QObject {
    Q_OBJECT

public:
    explicit Heartbeat(int intervalMs = 10, QObject* parent = nullptr);

    void start(); // forgets earlier beats
    void stop();
    // Lateness of every beat after the first, in milliseconds (never negative).
    const std::vector<double>& lateness() const { return m_lateness; }

private:
    void beat();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = -1; // ns of the previous beat
    std::vector<double> m_lateness;
};

// The q-quantile (0..1) of values by the nearest-rank rule; 0 for no values. Nearest rank:
// p99 of 1,500 beats is the 1,485th smallest, a value that really occurred.
double quantile(std::vector<double> values, double q);
// The median: the middle value, or the mean of the two middle values of an even count
// (where the nearest rank would report the lower one); 0 for no values.
double median(std::vector<double> values);
// Seconds of the steady clock since t.
inline double secondsSince(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

} // namespace latentlab::gui
