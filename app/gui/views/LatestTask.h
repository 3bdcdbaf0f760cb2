// One computation at a time for a view, on its own pool thread, where only the newest request
// matters: a request made while one runs waits (replacing any older waiting one). A finished
// result is shown even when a newer request waits (it is still newer than what shows, and
// work that takes longer than models take to arrive would otherwise never show); cancel() (a
// new session) drops the running one's. While disabled (the view is hidden) requests wait
// and start once enabled. The work runs off the GUI thread on
// immutable inputs it captured; what it returns runs on the owner's thread, to show the result.
// The work catches its own errors and returns a delivery that shows them.
#pragma once

#include <QObject>
#include <QThreadPool>
#include <QTimer>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace latentlab::gui {

class LatestTask {
public:
    // What the work hands back to run on the owner's thread: shows the result (or the error).
    using Delivery = std::function<void()>;
    using Work = std::function<Delivery()>;

    // `owner` is the view: deliveries run on its thread, and never after the task is gone.
    // `name` names the pool thread (as `top -H` and `perf` show it; at most 15 characters).
    LatestTask(QObject* owner, const char* name);
    ~LatestTask(); // waits for the work still running
    LatestTask(const LatestTask&) = delete;
    LatestTask& operator=(const LatestTask&) = delete;

    // Asks for `work`; it replaces a request that has not started.
    void request(Work work);
    // Drops the request that waits and the result of the one that runs (a new session).
    void cancel();
    void setEnabled(bool enabled);

    // The share of one core each task's work may take (1: no limit). After work that took
    // t seconds of CPU the next starts no sooner than t (1 / share - 1) later, by the share
    // in effect when that work started. The window
    // sets a small share while training runs, so the views leave the cores to training,
    // and lifts it when training stops (waiting work then starts at once). Work that
    // started without a limit and still runs when the share drops goes on at idle priority
    // (nice 19 on Linux) until it ends, and its thread runs no later work. GUI thread only.
    static void setCpuShare(double share);
    // Called by work between its steps: throws Abandoned when the work should end early,
    // which it does (nothing is shown) when it began without a share limit and training
    // has started since (a newer model is on the way). Catch std::exception, not this.
    struct Abandoned {};
    static void checkpoint();
    // Called by work: whether it started while training ran (under a share below 1). A
    // view that works on a preview while training decides here, not when it asks: the
    // share can drop between the request and the start.
    static bool startedWhileTraining();
    // The pause after work that took `cpuSeconds` under `share`, in seconds: at most
    // kMaxPauseSeconds, so a shown view has a result at least that often (plus its work)
    // even after a long first computation. Work of up to kMaxPauseSeconds * share / (1 -
    // share) seconds (0.15 s at the window's 1 %) keeps to the share; longer work takes more.
    static constexpr double kMaxPauseSeconds = 15;
    static double pauseSeconds(double cpuSeconds, double share);
    // Stops the share's pause clocks (true) and runs them on (false): the time between
    // does not count towards any task's pause, and no task starts work meanwhile. The
    // performance report holds training for its headless slices, and the share is of the
    // time training runs. GUI thread only.
    static void holdPauses(bool held);
    // The CPU seconds of the work that started while training ran (under a share below 1),
    // by task name, summed over every such work finished since the program started (tasks
    // of one name add up). GUI thread only.
    static std::map<std::string, double> cpuSecondsWhileTraining();
    // Whether this task keeps to that share (yes by default); a task whose work is small
    // and bounded by itself (the Metrics tab: one measurement per epoch) need not.
    void setShareLimited(bool limited) { m_shareLimited = limited; }
    // Whether a request waits to start (for the running work, the pause or being enabled).
    bool waiting() const { return m_waiting != nullptr; }
    // Whether work runs now, or waits for the running one (not for being enabled).
    bool busy() const { return m_running || (m_waiting && m_enabled); }

private:
    void startWaiting();
    void finished(int cancels, const Delivery& delivery, double cpuSeconds, double share, bool whileTraining);

    QObject m_context; // on the owner's thread: deliveries and the timer end with the task
    QTimer m_pause;    // the end of the share's pause
    // One thread at a time, a new one for each work (expiry 0). A pool may still hand the
    // next work to the thread that just ran (when the start comes as it goes idle), so a
    // pool whose thread was niced (kOutsideShareNice) is replaced before the next work.
    std::unique_ptr<QThreadPool> m_pool;
    bool m_poolNiced = false; // GUI thread only
    const char* m_name;
    Work m_waiting;
    int m_cancels = 0; // cancel() calls: a result started before the last one is dropped
    bool m_running = false;
    bool m_enabled = true;
    bool m_shareLimited = true;
    std::chrono::steady_clock::time_point m_notBefore; // the share's pause ends
    std::chrono::steady_clock::time_point m_pausedAt;  // and began (the last work ended)
    std::mutex m_threadMutex; // the two below, written by the pool thread
    long m_workThread = 0;    // the running work's thread id (Linux), else 0
    bool m_runningUnlimited = false; // work started without a share limit is running
    std::atomic<bool> m_abandon{false}; // set for such work when training starts
};

} // namespace latentlab::gui
