// Hands a view the newer models at most once per interval while training runs, and at once
// while it does not. For the views that decode on the GUI thread (Denoising, Interpolation,
// Filters): a newer model comes a few times a second, and each decode and picture is GUI
// thread work, which a training thread waits for (the GUI thread takes
// its core, and its partner then waits at the next barrier). Once a second is enough to
// watch a picture change; a model held back is shown when the interval ends, or at once
// when training stops. GUI thread only.
#pragma once

#include "latentlab/Model.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <functional>
#include <memory>

namespace latentlab::gui {

class ModelPacer {
public:
    using Show = std::function<void(std::shared_ptr<const Model>)>;
    static constexpr int kIntervalMs = 1000;

    // `owner` is the view: the timer runs on its thread and ends with the pacer.
    ModelPacer(QObject* owner, Show show, int intervalMs = kIntervalMs);

    // From each snapshot: whether training runs. When it stops, a held model shows at once.
    void setRunning(bool running);
    // A newer model: shown now, or held (replacing a held one) until the interval ends.
    void offer(std::shared_ptr<const Model> model);
    // A new session: a held model of the old one is dropped, and the next one shows at once.
    void reset();
    bool holds() const { return m_held != nullptr; }

private:
    void showNow(std::shared_ptr<const Model> model);

    Show m_show;
    int m_intervalMs;
    QTimer m_timer;
    QElapsedTimer m_lastShown;
    std::shared_ptr<const Model> m_held;
    bool m_running = false;
};

} // namespace latentlab::gui
