#include "training/TrainingWorker.h"

#include "ModelExport.h"

#include "RunFiles.h"
#include "training/TrainingSession.h"

#include "latentlab/Types.h"

#include <QThread>
#include <chrono>
#include <QCoreApplication>
#include <QTemporaryDir>

namespace latentlab::gui {

namespace {
// Length of one training chunk between two visits of the event loop. Short enough that
// a command (step, save) waits at most this long; long enough that the queued call that
// starts the next chunk costs nothing.
constexpr auto kChunk = std::chrono::milliseconds(40);
constexpr double kSettleSeconds = 0.04;

bool sameData(const app::DatasetSpec& a, const app::DatasetSpec& b) {
    const auto& g = a.generator;
    const auto& h = b.generator;
    return a.name == b.name && a.csvLabelColumn == b.csvLabelColumn && a.csvHeader == b.csvHeader &&
           a.holdOutClass == b.holdOutClass &&
           g.samples == h.samples &&
           g.noise == h.noise && g.seed == h.seed && g.testFraction == h.testFraction && g.classes == h.classes &&
           g.dimensions == h.dimensions;
}
} // namespace

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent) {}

TrainingWorker::~TrainingWorker() {
    // Deleted by the GUI thread once the training thread has finished: QThread::wait()
    // orders the two, but inside Qt, where ThreadSanitizer cannot see. Taking the mutex
    // that threadFinished() released states the order where it can.
    std::scoped_lock lock(m_controlMutex, m_inMutex, m_outMutex);
}

void TrainingWorker::threadFinished() {
    std::scoped_lock lock(m_controlMutex, m_inMutex, m_outMutex);
}

void TrainingWorker::requestPause(bool paused) {
    std::lock_guard<std::mutex> lock(m_controlMutex);
    m_pause.store(paused);
    if (m_session) m_session->control().pause.store(paused);
}

void TrainingWorker::requestStop() {
    std::lock_guard<std::mutex> lock(m_controlMutex);
    m_stop.store(true);
    if (m_session) m_session->control().stop.store(true);
}

void TrainingWorker::setLearningRate(double lr) {
    std::lock_guard<std::mutex> lock(m_controlMutex);
    if (m_session) m_session->control().learningRate.store(lr);
}

void TrainingWorker::setBeta(double beta) {
    std::lock_guard<std::mutex> lock(m_controlMutex);
    if (m_session) m_session->control().beta.store(beta);
}

std::shared_ptr<const data::Dataset> TrainingWorker::loadData(const app::DatasetSpec& spec) {
    if (m_cachedData && sameData(spec, m_cachedSpec)) return m_cachedData;
    WorkerMessage busy;
    busy.kind = WorkerMessage::Kind::Busy;
    busy.text = QString("Loading %1…").arg(spec.name);
    post(std::move(busy));
    auto d = std::make_shared<const data::Dataset>(app::loadDataset(spec, m_catalogue));
    m_cachedSpec = spec;
    m_cachedData = d;
    return d;
}

void TrainingWorker::adopt(std::unique_ptr<TrainingSession> session) {
    session->setPublisher(
        [this](SnapshotPtr s) { publish(std::move(s)); },
        [this] { return m_inFlight.load() < 2; });
    {
        std::lock_guard<std::mutex> lock(m_controlMutex);
        m_session = std::move(session);
        m_session->control().pause.store(m_pause.load());
        m_session->control().stop.store(m_stop.load());
    }
    m_steps.store(m_session->steps());
    m_mode = Mode::Idle;
    // A session with training in it (opened, or restored after a crash) is kept at once.
    m_autosavedSteps = 0;
    autosave(true);
    WorkerMessage started;
    started.kind = WorkerMessage::Kind::Session;
    started.session = m_session->info();
    started.steps = m_session->steps();
    post(std::move(started));
    const RunState state = m_session->finished() ? RunState::Finished
                           : m_session->steps() > 0 ? RunState::Paused
                                                    : RunState::Ready;
    setState(state);
    publish(state);
    schedulePump(); // encodes every sample in the background
}

void TrainingWorker::replaceSession(const std::function<std::unique_ptr<TrainingSession>()>& make,
                                    const QString& failure) {
    const RunState before = m_state;
    const Mode mode = m_mode;
    m_mode = Mode::Idle;
    setState(RunState::Loading);
    try {
        adopt(make());
    } catch (const std::exception& e) {
        // The session the user had goes on as it was.
        postError(failure, QString::fromUtf8(e.what()));
        WorkerMessage rejected;
        rejected.kind = WorkerMessage::Kind::Rejected;
        post(std::move(rejected));
        m_mode = m_session ? mode : Mode::Idle;
        setState(m_session ? before : RunState::Failed, QString::fromUtf8(e.what()));
        if (m_mode != Mode::Idle) schedulePump();
    }
}

void TrainingWorker::startSession(const app::RunConfig& config) {
    replaceSession(
        [&] {
            return TrainingSession::create(m_nextSession++, config,
                                           [this](const app::DatasetSpec& s) { return loadData(s); });
        },
        tr("Could not set up the model"));
}

void TrainingWorker::openModel(const QString& path) {
    replaceSession(
        [&] {
            return TrainingSession::open(m_nextSession++, path,
                                         [this](const app::DatasetSpec& s) { return loadData(s); });
        },
        tr("Could not open the model"));
}

void TrainingWorker::saveModel(const QString& path, const QString& viewState) {
    if (!m_session) return;
    if (!viewState.isEmpty()) m_viewState = viewState;
    // A temporary file, flushed to disk, then renamed: a failed save never leaves half a
    // file where a good one was, and its message carries the system's reason.
    try {
        app::writeFileAtomic(path, m_session->serialize(m_viewState));
    } catch (const std::exception& e) {
        postError(tr("Could not save the model"), QString::fromStdString(e.what()));
        return;
    }
    WorkerMessage saved;
    saved.kind = WorkerMessage::Kind::Saved;
    saved.text = path;
    saved.steps = m_session->steps();
    post(std::move(saved));
}

void TrainingWorker::exportModel(const QString& folder, int format, const QString& name) {
    if (!m_session) return;
    QStringList written;
    try {
        // The model file as Save would write it, read back by the one export path.
        QTemporaryDir scratch;
        if (!scratch.isValid()) throw std::runtime_error("no temporary folder: " + scratch.errorString().toStdString());
        const QString file = scratch.filePath("model.llmodel");
        app::writeFileAtomic(file, m_session->serialize(m_viewState));
        exporting::ExportRequest request;
        request.modelFile = file;
        request.format = exporting::ExportFormat(format);
        request.folder = folder;
        request.name = name;
        request.dataset = &m_session->dataset();
        request.version = QCoreApplication::applicationVersion();
        written = exporting::exportModel(request);
    } catch (const std::exception& e) {
        postError(tr("Could not export the model"), QString::fromUtf8(e.what()));
        return;
    }
    WorkerMessage exported;
    exported.kind = WorkerMessage::Kind::Exported;
    exported.title = folder;
    exported.text = written.join('\n');
    post(std::move(exported));
}

bool TrainingWorker::prepareToTrain() {
    if (!m_session || m_stop.load()) return false;
    if (m_session->failed()) {
        // Continue from the last finite weights with the (hopefully lowered) learning rate.
        std::lock_guard<std::mutex> lock(m_controlMutex);
        m_session->rebuildTrainer();
        m_session->control().pause.store(m_pause.load());
    }
    if (m_session->finished()) {
        becomeIdle(RunState::Finished);
        return false;
    }
    return true;
}

void TrainingWorker::train() { startPumping(Mode::Running); }

void TrainingWorker::stepEpoch() { startPumping(Mode::EpochStep); }

void TrainingWorker::startPumping(Mode mode) {
    if (m_mode != Mode::Idle || !prepareToTrain()) return;
    m_mode = mode;
    m_session->restartClock();
    setState(RunState::Running);
    schedulePump();
}

void TrainingWorker::stepBatch() {
    if (m_mode != Mode::Idle || !prepareToTrain()) return;
    {
        // The trainer would wait while paused; this one batch is wanted anyway.
        std::lock_guard<std::mutex> lock(m_controlMutex);
        m_session->control().pause.store(false);
    }
    const TrainingSession::Outcome outcome = m_session->step();
    {
        std::lock_guard<std::mutex> lock(m_controlMutex);
        m_session->control().pause.store(m_pause.load());
    }
    m_steps.store(m_session->steps());
    if (outcome == TrainingSession::Outcome::Failed) {
        becomeIdle(RunState::Failed);
        postError(tr("Training stopped"), m_session->failure());
    } else {
        becomeIdle(m_session->finished() ? RunState::Finished : RunState::Paused);
    }
}

void TrainingWorker::setEpochs(int epochs) {
    if (!m_session) return;
    m_session->setEpochs(epochs);
    if (m_mode == Mode::Idle && m_state == RunState::Finished && !m_session->finished()) becomeIdle(RunState::Paused);
    else if (m_mode == Mode::Idle && m_state == RunState::Paused && m_session->finished()) becomeIdle(RunState::Finished);
}

void TrainingWorker::setTrainingOptions(int batchSize, int threads, quint64 seed) {
    if (!m_session) return;
    std::lock_guard<std::mutex> lock(m_controlMutex);
    m_session->rebuildTrainer(batchSize, threads, seed);
    m_session->control().pause.store(m_pause.load());
    m_session->control().stop.store(m_stop.load());
}

void TrainingWorker::schedulePump() {
    if (m_pumpQueued) return;
    m_pumpQueued = true;
    QMetaObject::invokeMethod(this, &TrainingWorker::pump, Qt::QueuedConnection);
}

void TrainingWorker::pump() {
    m_pumpQueued = false;
    if (m_stop.load() || !m_session) return;
    if (m_mode != Mode::Idle) {
        trainChunk();
        return;
    }
    // Idle: finish encoding every sample with the current weights, in chunks, publishing
    // the partial picture at the snapshot rate so a large dataset fills in visibly.
    const bool done = m_session->settleCodes(kSettleSeconds);
    if (done || (m_inFlight.load() < 1 && m_session->snapshotDue())) publish(m_state);
    if (!done) schedulePump();
}

void TrainingWorker::trainChunk() {
    const auto until = std::chrono::steady_clock::now() + kChunk;
    do {
        if (m_stop.load()) return;
        if (m_pause.load()) return becomeIdle(RunState::Paused);
        const TrainingSession::Outcome outcome = m_session->step();
        m_steps.store(m_session->steps());
        switch (outcome) {
        case TrainingSession::Outcome::Trained:
            if (m_mode == Mode::EpochStep && m_session->atEpochStart()) return becomeIdle(RunState::Paused);
            break;
        case TrainingSession::Outcome::Finished: return becomeIdle(RunState::Finished);
        case TrainingSession::Outcome::Interrupted: break; // paused or stopped: checked above
        case TrainingSession::Outcome::Failed:
            becomeIdle(RunState::Failed);
            postError(tr("Training stopped"), m_session->failure() +
                                                  tr("\n\nLower the learning rate and press Train to go on from "
                                                     "these weights, or press Reset to start again from new ones."));
            return;
        }
    } while (std::chrono::steady_clock::now() < until);
    autosave(false);
    schedulePump();
}

void TrainingWorker::enableAutosave(const QString& directory, double seconds) {
    m_recovery = std::make_unique<RecoveryFile>(directory);
    m_autosaveEvery = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(std::max(0.0, seconds)));
    m_lastAutosave = std::chrono::steady_clock::now();
    m_autosavedSteps = 0;
    autosave(true);
}

void TrainingWorker::autosave(bool due) {
    if (!m_recovery || !m_session || m_session->steps() == m_autosavedSteps) return;
    const auto now = std::chrono::steady_clock::now();
    if (!due && now - m_lastAutosave < m_autosaveEvery) return;
    m_lastAutosave = now;
    m_autosavedSteps = m_session->steps();
    try {
        m_recovery->write(m_session->serialize(m_viewState));
        m_autosaveFailed = false;
    } catch (const std::exception& e) {
        // Said once, not every minute; training goes on.
        if (!m_autosaveFailed)
            postError(tr("Autosave failed"),
                      QString::fromUtf8(e.what()) + tr("\n\nTraining goes on; save the model yourself to keep it."));
        m_autosaveFailed = true;
    }
}

void TrainingWorker::becomeIdle(RunState state) {
    m_mode = Mode::Idle;
    autosave(true);
    setState(state, state == RunState::Failed ? m_session->failure() : QString());
    publish(state);
    schedulePump();
}

void TrainingWorker::setState(RunState state, const QString& message) {
    m_state = state;
    WorkerMessage m;
    m.kind = WorkerMessage::Kind::State;
    m.state = state;
    m.text = message;
    post(std::move(m));
}

void TrainingWorker::publish(RunState state) {
    if (m_session) publish(m_session->snapshot(state));
}

void TrainingWorker::publish(SnapshotPtr snapshot) {
    m_inFlight.fetch_add(1);
    WorkerMessage m;
    m.kind = WorkerMessage::Kind::Snapshot;
    m.snapshot = std::move(snapshot);
    post(std::move(m));
}

void TrainingWorker::post(WorkerMessage message) {
    bool wasEmpty = false;
    {
        std::lock_guard<std::mutex> lock(m_outMutex);
        wasEmpty = m_outbox.empty();
        m_outbox.push_back(std::move(message));
    }
    if (wasEmpty) emit messagesWaiting();
}

void TrainingWorker::postError(const QString& title, const QString& text) {
    WorkerMessage m;
    m.kind = WorkerMessage::Kind::Error;
    m.title = title;
    m.text = text;
    post(std::move(m));
}

std::vector<WorkerMessage> TrainingWorker::takeMessages() {
    std::vector<WorkerMessage> out;
    std::lock_guard<std::mutex> lock(m_outMutex);
    out.swap(m_outbox);
    return out;
}

bool TrainingWorker::enqueue(std::function<void(TrainingWorker&)> command) {
    std::lock_guard<std::mutex> lock(m_inMutex);
    const bool wasEmpty = m_inbox.empty();
    m_inbox.push_back(std::move(command));
    return wasEmpty;
}

void TrainingWorker::runCommands() {
    for (;;) {
        std::function<void(TrainingWorker&)> command;
        {
            std::lock_guard<std::mutex> lock(m_inMutex);
            if (m_inbox.empty()) return;
            command = std::move(m_inbox.front());
            m_inbox.pop_front();
        }
        if (m_stop.load()) continue; // closing: drop what is left
        command(*this);
    }
}

} // namespace latentlab::gui
