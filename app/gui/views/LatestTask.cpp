#include "views/LatestTask.h"

#include <QMetaObject>
#include <QObject>
#include <utility>

namespace latentlab::gui {

LatestTask::LatestTask(QObject* owner) : m_owner(owner) { m_pool.setMaxThreadCount(1); }

LatestTask::~LatestTask() { m_pool.waitForDone(); }

void LatestTask::request(Work work) {
    ++m_generation;
    m_waiting = std::move(work);
    startWaiting();
}

void LatestTask::cancel() {
    ++m_generation;
    m_waiting = nullptr;
}

void LatestTask::setEnabled(bool enabled) {
    m_enabled = enabled;
    startWaiting();
}

void LatestTask::startWaiting() {
    if (m_running || !m_waiting || !m_enabled) return;
    m_running = true;
    const int generation = m_generation;
    m_pool.start([this, generation, work = std::exchange(m_waiting, nullptr)] {
        Delivery delivery;
        try {
            delivery = work();
        } catch (...) {
            // The views' work reports its own errors; one that escapes shows nothing rather
            // than end the program.
        }
        // Queued to the owner's thread; Qt drops it if the owner is destroyed first (the
        // destructor waited for this thread, so `this` is alive until then).
        QMetaObject::invokeMethod(
            m_owner, [this, generation, delivery = std::move(delivery)] { finished(generation, delivery); },
            Qt::QueuedConnection);
    });
}

void LatestTask::finished(int generation, const Delivery& delivery) {
    m_running = false;
    if (generation == m_generation && delivery) delivery();
    startWaiting(); // a newer request waited for this one
}

} // namespace latentlab::gui
