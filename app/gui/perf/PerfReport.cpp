#include "perf/PerfReport.h"

#include "Dialogs.h"
#include "MainWindow.h"
#include "perf/HeadlessRun.h"
#include "perf/Heartbeat.h"
#include "training/TrainingController.h"
#include "training/TrainingSession.h"
#include "views/latent/LatentPlot.h"
#include "views/latent/LatentView.h"
#include "views/anomaly/AnomalyView.h"
#include "views/manifold/ManifoldView.h"
#include "views/metrics/MetricsView.h"
#include "views/pca/PcaView.h"
#include "views/output/DecoderView.h"
#include "views/LatestTask.h"

#include "Experiment.h"

#include <QDockWidget>
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QMouseEvent>
#include <QStringList>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>

#include <sys/resource.h>

namespace latentlab::gui {

namespace {

using Clock = std::chrono::steady_clock;

// The window and headless training take turns this long: short enough that a burst of
// load from another program falls on both sides, long enough for ~10 snapshots and a few
// plane updates (~3 a second for 70,000 points, with every snapshot for a few thousand).
constexpr double kSliceSeconds = 1.0;

// CPU time of the calling thread (user + system), in seconds.
double threadCpuSeconds() {
    rusage u{};
    if (getrusage(RUSAGE_THREAD, &u) != 0) return 0;
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Errors the window would show in a box: the report cannot answer a box, so they end it.
class ReportDialogs : public Dialogs {
public:
    QString firstError;
    void error(QWidget*, const QString& title, const QString& message) override {
        if (firstError.isEmpty()) firstError = title + ": " + message.section('\n', 0, 0);
    }
    bool confirm(QWidget*, const QString&, const QString&, const QString&) override { return true; }
    SaveChoice askToSave(QWidget*, const QString&) override { return SaveChoice::Discard; }
    QString openFileName(QWidget*, const QString&, const QString&, const QString&) override { return {}; }
    QString saveFileName(QWidget*, const QString&, const QString&, const QString&) override { return {}; }
};

// Runs the GUI thread's event loop for `ms` milliseconds.
void spin(int ms) {
    QEventLoop loop;
    QTimer::singleShot(std::max(0, ms), Qt::PreciseTimer, &loop, &QEventLoop::quit);
    loop.exec();
}

// Runs the event loop until `done` holds; throws after timeoutSeconds.
void spinUntil(const std::function<bool()>& done, double timeoutSeconds, const char* what) {
    const auto start = Clock::now();
    while (!done()) {
        if (secondsSince(start) > timeoutSeconds)
            throw std::runtime_error(std::string("timed out waiting for ") + what);
        spin(5);
    }
}

// A flag one thread waits on and another sets.
class Gate {
public:
    void open() {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_open = true;
        m_changed.notify_all();
    }
    void wait() {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_changed.wait(lock, [this] { return m_open; });
    }
    bool isOpen() {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_open;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_open = false;
};

QString describeModel(const app::RunConfig& c, long long inputDim) {
    const QString arch = app::architecture(c.model, inputDim);
    const QString kind = c.model.kind == ModelKind::Vae ? "VAE" : "autoencoder";
    const QString opt = c.training.optimizer.kind == OptimizerConfig::Kind::Adam ? "Adam" : "SGD";
    return QString("%1 %2, batch %3, %4 %5").arg(kind, arch).arg(c.training.batchSize).arg(opt).arg(c.training.learningRate);
}

QString envOr(const char* name, const char* fallback) {
    const QByteArray v = qgetenv(name);
    return v.isEmpty() ? QString(fallback) : QString::fromLocal8Bit(v);
}

// How many codes differ between two snapshots of the plane (NaN = NaN: not encoded yet).
long long changedCodes(const Matrix& before, const Matrix& after) {
    if (before.cols() != after.cols() || before.rows() != after.rows()) return after.cols();
    long long n = 0;
    for (Index i = 0; i < after.cols(); ++i) {
        bool changed = false;
        for (Index k = 0; k < after.rows(); ++k) {
            const Scalar u = after(k, i), v = before(k, i);
            changed = changed || (u != v && !(std::isnan(u) && std::isnan(v)));
        }
        n += changed;
    }
    return n;
}

// The scripted session. Throughput is measured in alternating slices, the window training
// for one, then headless for the next while the window's training thread is held (blocked
// between two chunks, so it neither trains nor encodes): load from other programs on the
// machine then falls on both sides alike.
class ScriptedSession {
public:
    ScriptedSession(const app::RunConfig& config, std::shared_ptr<const data::Dataset> data,
                    const PerfOptions& options, PerfFigures& figures)
        : m_config(config), m_options(options), m_figures(figures),
          m_headless(config, std::move(data), options.warmup) {}

    void run() {
        MainWindow window;
        m_dialogs = new ReportDialogs;
        window.setDialogs(std::unique_ptr<Dialogs>(m_dialogs));
        // The size the window takes on a 1600 x 1000 screen, whatever the platform's
        // screen (offscreen: 800 x 600): the plane's size sets the replot's cost.
        window.resize(1600, 1000);
        window.show();
        if (m_options.allViews) {
            // Each tab floated out and shown: every view is visible, so each computes for
            // every new model (a tabbed view computes only while its tab is the current one).
            QStringList shown;
            for (QDockWidget* dock : window.findChildren<QDockWidget*>()) {
                if (!window.tabifiedDockWidgets(dock).isEmpty()) dock->setFloating(true);
                dock->show();
                shown << dock->windowTitle();
            }
            m_figures.views = QString("all %1 docks shown at once (%2)").arg(shown.size()).arg(shown.join(", "));
        } else {
            m_figures.views = "the window's default layout (tabs: the prior samples in front)";
        }
        TrainingController* c = window.controller();
        // The window starts with the default preset (session 1); ours is the next one.
        spinUntil([&] { return c->hasSession() || failed(); }, 60, "the first session");
        window.applyConfig(m_config);
        // Training starts once the plane shows every sample, as a person would see it.
        spinUntil([&] {
            const SnapshotPtr s = c->latest();
            return (c->hasSession() && c->session().session >= 2 && s && s->codesComplete) || failed();
        }, 300, "the dataset, the model and its first codes");
        check();
        c->train();
        spinUntil([&] { return c->state() == RunState::Running || failed(); }, 30, "training to start");
        spin(int(m_options.warmup * 1000));
        measureThroughput(window);
        check();
        measureDrag(window);
        check();
        measureReplot(window);
        check();
    }

private:
    bool failed() const { return !m_dialogs->firstError.isEmpty(); }
    void check() const {
        if (failed()) throw std::runtime_error(m_dialogs->firstError.toStdString());
    }

    void measureThroughput(MainWindow& window) {
        TrainingController* c = window.controller();
        LatentPlot* plot = window.latentView()->plot();
        const int slices = std::max(2, int(std::lround(m_options.seconds / kSliceSeconds)));
        const double slice = m_options.seconds / slices;
        Heartbeat heartbeat;
        int snapshots = 0, planeUpdates = 0;
        long long reencoded = 0, steps = 0;
        std::vector<double> windowRates, headlessRates, ratios;
        double seconds = 0, cpu = 0, cpuWall = 0;
        std::shared_ptr<const Matrix> previous = plot->codes();
        // Both lambdas capture locals: the heartbeat (a local QObject) is their context, so
        // they are disconnected when this function ends, also by an exception.
        QObject::connect(c, &TrainingController::snapshotArrived, &heartbeat, [&] { ++snapshots; });
        // The views that compute on their own pool thread: how often each showed a result.
        int pca = 0, anomalies = 0, manifold = 0, metrics = 0;
        QObject::connect(window.pcaView(), &PcaView::evaluated, &heartbeat, [&] { ++pca; });
        QObject::connect(window.anomalyView(), &AnomalyView::scored, &heartbeat, [&] { ++anomalies; });
        QObject::connect(window.manifoldView(), &ManifoldView::decoded, &heartbeat, [&] { ++manifold; });
        QObject::connect(window.metricsView(), &MetricsView::measured, &heartbeat, [&] { ++metrics; });
        // How many codes each plane update changes: the samples re-encoded while training.
        QObject::connect(plot, &LatentPlot::codesChanged, &heartbeat, [&] {
            ++planeUpdates;
            if (previous && plot->codes()) reencoded += changedCodes(*previous, *plot->codes());
            previous = plot->codes();
        });
        const std::map<std::string, double> viewCpu0 = LatestTask::cpuSecondsWhileTraining();
        for (int k = 0; k < slices; ++k) {
            // The window trains.
            const long long steps0 = c->stepsDone();
            const auto t0 = Clock::now();
            const double cpu0 = threadCpuSeconds();
            heartbeat.start();
            spin(int(slice * 1000));
            heartbeat.stop();
            cpu += threadCpuSeconds() - cpu0;
            cpuWall += secondsSince(t0);
            m_figures.heartbeat.insert(m_figures.heartbeat.end(), heartbeat.lateness().begin(),
                                       heartbeat.lateness().end());
            // Held: the training thread blocks between two chunks; its steps stop there.
            auto held = std::make_shared<Gate>(), release = std::make_shared<Gate>();
            auto heldAt = std::make_shared<Clock::time_point>();
            c->runInTrainingThread([held, release, heldAt] {
                *heldAt = Clock::now(); // published by the gate's mutex
                held->open();
                release->wait();
            });
            struct Release {
                std::shared_ptr<Gate> gate;
                ~Release() { gate->open(); }
            } releaseOnExit{release};
            spinUntil([&] { return held->isOpen(); }, 30, "the training thread");
            const long long sliceSteps = c->stepsDone() - steps0;
            const double sliceSeconds = std::chrono::duration<double>(*heldAt - t0).count();
            steps += sliceSteps;
            seconds += sliceSeconds;
            windowRates.push_back(double(sliceSteps) * m_config.training.batchSize / sliceSeconds);
            // Headless, while the window waits.
            {
                LatestTask::holdPauses(true);
                struct RunOn { // also when the slice throws
                    ~RunOn() { LatestTask::holdPauses(false); }
                } runOn;
                headlessRates.push_back(m_headless.runSlice(slice));
            }
            if (headlessRates.back() > 0) ratios.push_back(windowRates.back() / headlessRates.back());
        }
        // Medians over the slices: a burst of load from another program that hits a few
        // slices moves neither side. The ratio is the median over pairs of neighbouring
        // slices, which load that comes and goes slowly hits alike.
        m_figures.windowRate = median(windowRates);
        m_figures.headlessRate = median(headlessRates);
        m_figures.ratio = median(ratios);
        m_figures.windowRateMean = double(steps) * m_config.training.batchSize / seconds;
        m_figures.headlessRateMean = m_headless.rate();
        m_figures.slices = slices;
        m_figures.guiCpuShare = cpuWall > 0 ? cpu / cpuWall : 0; // over the same wall time as its CPU time
        m_figures.snapshotsPerSecond = snapshots / seconds;
        m_figures.planeUpdatesPerSecond = planeUpdates / seconds;
        m_figures.codesPerSecond = double(reencoded) / seconds;
        // The views' work per second the window trained: their pauses stood still while it
        // was held, so they started work only while it trained.
        QStringList viewCpu;
        for (const auto& [name, total] : LatestTask::cpuSecondsWhileTraining()) {
            const auto before = viewCpu0.find(name);
            const double used = total - (before == viewCpu0.end() ? 0.0 : before->second);
            viewCpu << QString("%1 %2 %").arg(QString::fromStdString(name).remove("view ")).arg(100 * used / cpuWall, 0, 'f', 1);
        }
        m_figures.viewCpu = viewCpu.isEmpty() ? QString("none") : viewCpu.join(", ") + " of a core";
        // Per second the window trained, as their work (a result delivered while the window
        // was held comes from work it started while training).
        m_figures.viewUpdates = QString("manifold %1 /s, PCA %2 /s, anomalies %3 /s, metrics %4 /s")
                                    .arg(manifold / cpuWall, 0, 'f', 2)
                                    .arg(pca / cpuWall, 0, 'f', 2)
                                    .arg(anomalies / cpuWall, 0, 'f', 2)
                                    .arg(metrics / cpuWall, 0, 'f', 2);
    }

    // A left-button drag across the plane while training goes on: each step is timed from
    // the mouse event to the decoded point painted (marker on the plane, decoder view).
    void measureDrag(MainWindow& window) {
        LatentPlot* plot = window.latentView()->plot();
        QWidget* decoder = window.decoderView();
        const QRect area = plot->axisRect()->rect();
        const int n = std::max(2, m_options.dragSteps);
        auto send = [&](QEvent::Type type, QPointF pos, Qt::MouseButton button, Qt::MouseButtons buttons) {
            QMouseEvent e(type, pos, plot->mapToGlobal(pos), button, buttons, Qt::NoModifier);
            QApplication::sendEvent(plot, &e);
        };
        auto at = [&](int i) {
            const double t = double(i) / (n - 1);
            return QPointF(area.left() + area.width() * (0.2 + 0.6 * t), area.top() + area.height() * (0.3 + 0.4 * t));
        };
        send(QEvent::MouseButtonPress, at(0), Qt::LeftButton, Qt::LeftButton);
        spin(20);
        QElapsedTimer timer;
        for (int i = 1; i < n; ++i) {
            timer.start();
            send(QEvent::MouseMove, at(i), Qt::NoButton, Qt::LeftButton);
            plot->repaint();
            decoder->repaint();
            m_figures.decode.push_back(double(timer.nsecsElapsed()) / 1e6);
            spin(30); // a quick hand: ~30 mouse events a second
        }
        send(QEvent::MouseButtonRelease, at(n - 1), Qt::LeftButton, Qt::NoButton);
    }

    // Paused, every code current: time full replots of the plane.
    void measureReplot(MainWindow& window) {
        TrainingController* c = window.controller();
        c->pause();
        spinUntil([&] {
            const SnapshotPtr s = c->latest();
            return (c->state() == RunState::Paused && s && s->state == RunState::Paused && s->codesComplete) ||
                   failed();
        }, 120, "the codes of every sample after pausing");
        spin(100);
        LatentPlot* plot = window.latentView()->plot();
        QElapsedTimer timer;
        // New codes into the plot (a copy, so it sees a change), then the replots.
        const auto codes = std::make_shared<const Matrix>(*c->codes());
        timer.start();
        plot->setCodes(codes);
        m_figures.codesLoadMs = double(timer.nsecsElapsed()) / 1e6;
        plot->replot(QCustomPlot::rpImmediateRefresh); // not timed: first use of new data
        for (int i = 0; i < std::max(1, m_options.replots); ++i) {
            timer.start();
            plot->replot(QCustomPlot::rpImmediateRefresh);
            m_figures.replot.push_back(double(timer.nsecsElapsed()) / 1e6);
            spin(10);
        }
        m_figures.plottedPoints = plot->plottedPoints();
        m_figures.plotSize = plot->axisRect()->rect().size();
    }

    const app::RunConfig& m_config;
    const PerfOptions& m_options;
    PerfFigures& m_figures;
    HeadlessRun m_headless;
    ReportDialogs* m_dialogs = nullptr;
};

} // namespace

PerfFigures runPerfReport(const PerfOptions& options, QTextStream& out) {
    app::RunConfig config = app::loadPreset(options.preset);
    config.training.threads = TrainingSession::resolveThreads(options.threads);
    config.training.epochs = 1000000; // never finishes while measured
    config.validate();
    out << "latentlab --perf-report: loading " << config.dataset.name << " …\n";
    out.flush();
    const data::Catalogue catalogue;
    auto data = std::make_shared<const data::Dataset>(app::loadDataset(config.dataset, catalogue));

    PerfFigures f;
    f.preset = options.preset;
    f.model = describeModel(config, data->cols);
    f.dataset = QString::fromStdString(data->name);
    f.samples = data->rows;
    f.threads = config.training.threads;
    f.cores = QThread::idealThreadCount();
    f.waitPolicy = QString("OMP_WAIT_POLICY=%1, GOMP_SPINCOUNT=%2")
                       .arg(envOr("OMP_WAIT_POLICY", "(unset)"), envOr("GOMP_SPINCOUNT", "(unset)"));
    f.seconds = options.seconds;
    f.warmup = options.warmup;
    out << "measuring: the window and headless training in turns, dragging, replotting …\n\n";
    out.flush();
    // The window loads its own copy of the data, as it always does.
    ScriptedSession(config, std::move(data), options, f).run();
    printPerfTable(f, out);
    return f;
}

} // namespace latentlab::gui
