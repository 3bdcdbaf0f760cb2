// One computation at a time for a view, on its own pool thread, where only the newest request
// matters: a request made while one runs waits (replacing any older waiting one), and the
// result of a request that a newer one or cancel() overtook is dropped. While disabled (the
// view is hidden) requests wait and start once enabled. The work runs off the GUI thread on
// immutable inputs it captured; what it returns runs on the owner's thread, to show the result.
// The work catches its own errors and returns a delivery that shows them.
#pragma once

#include <QThreadPool>
#include <chrono>
#include <functional>

class QObject;

namespace latentlab::gui {

class LatestTask {
public:
    // What the work hands back to run on the owner's thread: shows the result (or the error).
    using Delivery = std::function<void()>;
    using Work = std::function<Delivery()>;

    // `owner` is the view: deliveries run on its thread, and never after it is gone.
    explicit LatestTask(QObject* owner);
    ~LatestTask(); // waits for the work still running
    LatestTask(const LatestTask&) = delete;
    LatestTask& operator=(const LatestTask&) = delete;

    // Asks for `work`; it replaces a request that has not started.
    void request(Work work);
    // Drops the request that waits and the result of the one that runs (a new session).
    void cancel();
    void setEnabled(bool enabled);
    bool enabled() const { return m_enabled; }

    // The share of one core each task's work may take (1: no limit). After work that took
    // t seconds of CPU the next starts no sooner than t (1 / share - 1) later. The window
    // sets a small share while training runs, so the views leave the cores to training,
    // and lifts it when training stops (waiting work then starts at once). GUI thread only.
    static void setCpuShare(double share);
    static double cpuShare();
    // Whether this task keeps to that share (yes by default); a task whose work is small
    // and bounded by itself (the Metrics tab: one measurement per epoch) need not.
    void setShareLimited(bool limited) { m_shareLimited = limited; }
    // Whether work runs now, or waits for the running one (not for being enabled).
    bool busy() const { return m_running || (m_waiting && m_enabled); }

private:
    void startWaiting();
    void finished(int generation, const Delivery& delivery, double cpuSeconds);

    QObject* m_owner;
    QThreadPool m_pool;
    Work m_waiting;
    int m_generation = 0; // of the newest request or cancel
    bool m_running = false;
    bool m_enabled = true;
    bool m_shareLimited = true;
    bool m_timerSet = false;                        // a start waits for the share's pause
    std::chrono::steady_clock::time_point m_notBefore; // the share's pause ends
};

} // namespace latentlab::gui
