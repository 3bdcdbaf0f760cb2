#include "views/ModelPacer.h"

#include <algorithm>
#include <utility>

namespace latentlab::gui {

ModelPacer::ModelPacer(QObject* owner, Show show, int intervalMs)
    : m_show(std::move(show)), m_intervalMs(intervalMs) {
    m_timer.setSingleShot(true);
    QObject::connect(&m_timer, &QTimer::timeout, owner, [this] {
        if (m_held) showNow(std::exchange(m_held, nullptr));
    });
}

void ModelPacer::setRunning(bool running) {
    m_running = running;
    if (!running && m_held) {
        m_timer.stop();
        showNow(std::exchange(m_held, nullptr));
    }
}

void ModelPacer::offer(std::shared_ptr<const Model> model) {
    if (!m_running || !m_lastShown.isValid() || m_lastShown.elapsed() >= m_intervalMs) {
        m_timer.stop();
        m_held.reset();
        showNow(std::move(model));
        return;
    }
    m_held = std::move(model);
    if (!m_timer.isActive()) m_timer.start(int(std::max<qint64>(0, m_intervalMs - m_lastShown.elapsed())));
}

void ModelPacer::reset() {
    m_timer.stop();
    m_held.reset();
    m_lastShown.invalidate();
}

void ModelPacer::showNow(std::shared_ptr<const Model> model) {
    m_lastShown.start();
    m_show(std::move(model));
}

} // namespace latentlab::gui
