#include "views/LatestTask.h"

#include "training/TrainingController.h"

#include <QMetaObject>
#include <QObject>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <ctime>
#ifdef __linux__
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#include <utility>
#include <vector>

namespace latentlab::gui {

namespace {
double g_share = 1.0;                // GUI thread only
std::atomic<double> g_shareNow{1.0}; // the same, for the pool threads
std::vector<LatestTask*> g_tasks;    // every task alive, GUI thread only
std::map<std::string, double> g_cpuByName; // GUI thread only
bool g_pausesHeld = false;           // GUI thread only
std::chrono::steady_clock::time_point g_heldSince;

// Work started without a limit (training was not running) that still runs when training
// starts drops to this priority until it ends: it then takes only what training leaves
// (a first evaluation of 70,000 Fashion-MNIST samples took a third of 2 cores for tens of
// seconds at training's nice +5). Work started under the share keeps training's priority,
// which the share already keeps small.
// An unprivileged thread cannot lower its nice value again, so the pool's thread ends with
// its work (expiry 0) and the next work starts on a new one, at training's priority.
constexpr int kOutsideShareNice = 19;

void setThreadNice(long tid, int nice) {
#ifdef __linux__
    if (tid > 0) setpriority(PRIO_PROCESS, id_t(tid), nice);
#else
    (void)tid;
    (void)nice;
#endif
}

thread_local const std::atomic<bool>* t_abandon = nullptr; // the running work's flag
thread_local bool t_whileTraining = false; // the running work started while training ran

std::unique_ptr<QThreadPool> newPool() {
    auto pool = std::make_unique<QThreadPool>();
    pool->setMaxThreadCount(1);
    pool->setExpiryTimeout(0); // a new thread for each work (kOutsideShareNice)
    return pool;
}

double threadCpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}
} // namespace

void LatestTask::checkpoint() {
    if (t_abandon && t_abandon->load()) throw Abandoned{};
}

bool LatestTask::startedWhileTraining() { return t_whileTraining; }

void LatestTask::setCpuShare(double share) {
    g_share = std::clamp(share, 1e-3, 1.0);
    g_shareNow.store(g_share);
    for (LatestTask* t : g_tasks) {
        // The thread id is written before the work starts and cleared after it ends, under
        // the same lock, so a priority never reaches a pool thread that no longer runs it.
        std::lock_guard<std::mutex> lock(t->m_threadMutex);
        if (t->m_shareLimited && t->m_runningUnlimited && g_share < 1.0) {
            t->m_abandon.store(true); // ends at its next checkpoint
            setThreadNice(t->m_workThread, kOutsideShareNice); // until then
            t->m_poolNiced = true;
        }
    }
    for (LatestTask* t : g_tasks) t->startWaiting();
}

void LatestTask::holdPauses(bool held) {
    if (held == g_pausesHeld) return;
    const auto now = std::chrono::steady_clock::now();
    g_pausesHeld = held;
    if (held) {
        g_heldSince = now;
        return;
    }
    for (LatestTask* t : g_tasks) {
        // The part of a pause that fell within the hold is added to it again.
        if (t->m_notBefore > g_heldSince) t->m_notBefore += now - std::max(g_heldSince, t->m_pausedAt);
        t->startWaiting();
    }
}

double LatestTask::pauseSeconds(double cpuSeconds, double share) {
    if (!(share > 0) || share >= 1.0 || !(cpuSeconds > 0)) return 0;
    return std::min(cpuSeconds * (1.0 / share - 1.0), kMaxPauseSeconds);
}

LatestTask::LatestTask(QObject* owner, const char* name) : m_name(name) {
    m_context.moveToThread(owner->thread());
    m_pause.setSingleShot(true);
    QObject::connect(&m_pause, &QTimer::timeout, &m_context, [this] { startWaiting(); });
    m_pool = newPool();
    g_tasks.push_back(this);
}

LatestTask::~LatestTask() {
    g_tasks.erase(std::remove(g_tasks.begin(), g_tasks.end(), this), g_tasks.end());
    m_pool->waitForDone();
}

void LatestTask::request(Work work) {
    m_waiting = std::move(work);
    startWaiting();
}

void LatestTask::cancel() {
    ++m_cancels;
    m_waiting = nullptr;
    m_notBefore = {}; // the old session's pause does not hold the new one back
    m_pause.stop();
}

void LatestTask::setEnabled(bool enabled) {
    m_enabled = enabled;
    startWaiting();
}

void LatestTask::startWaiting() {
    if (m_running || !m_waiting || !m_enabled) return;
    const auto now = std::chrono::steady_clock::now();
    if (m_shareLimited && g_share < 1.0 && g_pausesHeld) {
        m_pause.stop(); // holdPauses(false) starts it again
        return;
    }
    if (m_shareLimited && g_share < 1.0 && now < m_notBefore) {
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(m_notBefore - now).count() + 1;
        m_pause.start(int(std::min<long long>(wait, 1 << 30))); // restarted: the latest pause counts
        return;
    }
    m_pause.stop();
    m_running = true;
    const int cancels = m_cancels;
    // The share when the work starts is the one it keeps to: work started before training
    // (unlimited) holds back none that follows, however long it took.
    const double share = m_shareLimited ? g_share : 1.0;
    const bool whileTraining = g_share < 1.0;
    if (m_poolNiced) {
        // The niced thread has handed over its result and is ending; the next work gets a
        // new pool, so never that thread.
        m_pool->waitForDone();
        m_pool = newPool();
        m_poolNiced = false;
    }
    m_pool->start([this, cancels, share, whileTraining, work = std::exchange(m_waiting, nullptr)] {
        // At training's priority (nice +5 on Linux): a view's work never delays the GUI
        // thread's answer to the mouse. (Idle priority starved the views while training:
        // the Metrics tab measured 3 of 20 epochs of mnist-vae.)
        lowerTrainingPriority();
#ifdef __linux__
        pthread_setname_np(pthread_self(), m_name);
        {
            std::lock_guard<std::mutex> lock(m_threadMutex);
            m_workThread = long(syscall(SYS_gettid));
        }
#endif
        {
            std::lock_guard<std::mutex> lock(m_threadMutex);
            m_runningUnlimited = share >= 1.0;
            // Training may have started between the request and now.
            m_abandon.store(m_shareLimited && m_runningUnlimited && g_shareNow.load() < 1.0);
        }
        t_abandon = &m_abandon;
        t_whileTraining = whileTraining;
        Delivery delivery;
        const double cpu0 = threadCpuSeconds();
        try {
            delivery = work();
        } catch (...) {
            // The views' work reports its own errors; one that escapes shows nothing rather
            // than end the program.
        }
        // Queued to the owner's thread through the task's own context, so it is dropped if
        // the task goes first (its destructor waits for this thread, so `this` is alive here).
        const double cpu = threadCpuSeconds() - cpu0;
        t_abandon = nullptr;
        t_whileTraining = false;
        {
            std::lock_guard<std::mutex> lock(m_threadMutex);
            m_workThread = 0;
            m_runningUnlimited = false;
        }
        QMetaObject::invokeMethod(
            &m_context,
            [this, cancels, delivery = std::move(delivery), cpu, share, whileTraining] {
                finished(cancels, delivery, cpu, share, whileTraining);
            },
            Qt::QueuedConnection);
    });
}

std::map<std::string, double> LatestTask::cpuSecondsWhileTraining() { return g_cpuByName; }

void LatestTask::finished(int cancels, const Delivery& delivery, double cpuSeconds, double share, bool whileTraining) {
    m_running = false;
    if (whileTraining) g_cpuByName[m_name] += cpuSeconds;
    // The pause that keeps this task's work within the share it started under.
    m_pausedAt = std::chrono::steady_clock::now();
    m_notBefore = m_pausedAt +
                  std::chrono::microseconds(static_cast<long long>(pauseSeconds(cpuSeconds, share) * 1e6));
    if (cancels == m_cancels && delivery) delivery();
    startWaiting(); // a newer request waited for this one
}

} // namespace latentlab::gui
