#include "training/TrainingSession.h"

#include "TrainedModel.h"

#include "latentlab/ModelFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>
#include <algorithm>

namespace latentlab::gui {

namespace {

// While training, snapshots go out at most this often: enough for a live loss curve and
// progress bar, each costing the GUI thread a replot of the loss plot.
constexpr double kSnapshotsPerSecond = 10;
// While training, re-encoding the live subset of the codes (CodeRefresher) may take this
// share of the training thread's wall time (TimeBudget): with the snapshots and the GUI
// thread's work the window then trains at >= 90 % of headless speed with every core busy
// (`latentlab --perf-report`). The Swiss roll's 3,000 codes are all re-encoded with every
// update; Fashion-MNIST's subset of 3,000 about 1.5 times a second on 2 cores. Paused, the
// worker encodes every sample at full speed.
constexpr double kTrainingCodeShare = 0.02;
// The budget saves up at most this many seconds' worth of its share: about one plane
// update's, so encoding never runs much longer at once than the share allows.
constexpr double kCodeBudgetMemory = 0.5;
// The views that cost (new codes for the plane, reconstructions, a clone of the model for
// decoding) are refreshed at most this many plane points a second, and at most with every
// snapshot: ~3 times a second for 70,000 points, with every snapshot for the Swiss roll.
// Each costs the worker ~2 ms (clone, reconstructions) and the GUI thread a rebuild and
// replot of the plane and new decodes; losses and progress go with every snapshot.
constexpr double kPlanePointsPerSecond = 200000;

std::string metaValue(const std::map<std::string, std::string>& meta, const char* key) {
    const auto it = meta.find(key);
    return it == meta.end() ? std::string() : it->second;
}

} // namespace

double TrainingSession::viewRate(Index rows) {
    return std::min(kSnapshotsPerSecond, std::max(0.5, kPlanePointsPerSecond / double(std::max<Index>(1, rows))));
}

int TrainingSession::resolveThreads(int requested) {
    if (requested > 0) return requested;
    // A user's OMP_NUM_THREADS wins; else every core, as the CLI trains. The window stays
    // responsive all the same (training threads sleep when idle and run at a lower
    // priority than the GUI thread, the views cost a few per cent): measured with
    // `latentlab --perf-report` on 2 cores, 2 threads train ~1.6x as fast as 1 in the
    // window, with the heartbeat's p99 ~6 ms and the window at >= 90 % of headless speed.
    const int fromEnv = qEnvironmentVariableIntValue("OMP_NUM_THREADS");
    if (fromEnv > 0) return fromEnv;
    return std::max(1, QThread::idealThreadCount());
}

TrainingSession::TrainingSession(int id, app::Experiment experiment, std::unique_ptr<Model> loaded)
    : m_id(id), m_experiment(std::move(experiment)), m_model(std::move(loaded)),
      m_throttle(kSnapshotsPerSecond),
      m_viewThrottle(viewRate(m_experiment.dataset().rows)),
      m_codeBudget(kTrainingCodeShare, kCodeBudgetMemory),
      m_codes(m_experiment.dataset().rows, m_experiment.config().model.latentDim, m_experiment.config().training.seed) {
    const data::Dataset& d = m_experiment.dataset();
    // Reconstructions of samples the model does not train on when there is a test part.
    const Index first = d.trainRows > 0 && d.trainRows < d.rows ? d.trainRows : 0;
    const Index available = d.rows - first;
    const Index count = std::min<Index>(available, d.isImage() ? 8 : 200);
    for (Index i = 0; i < count; ++i) m_reconRows.push_back(first + i * available / count);
}

TrainingSession::~TrainingSession() = default;

void TrainingSession::makeTrainer(bool initializeWeights, int threads) {
    const data::Dataset& d = m_experiment.dataset();
    TrainConfig tc = m_experiment.config().training;
    m_threads = resolveThreads(threads);
    tc.threads = m_threads;
    tc.epochs = m_target;
    m_trainer = std::make_unique<Trainer>(model(), m_experiment.view(), d.trainingRows(), tc,
                                          initializeWeights);
    m_lastLr = m_trainer->control().learningRate.load();
    m_lastBeta = m_trainer->control().beta.load();
    m_batchInEpoch = 0;
}

std::unique_ptr<TrainingSession> TrainingSession::create(int id, const app::RunConfig& config,
                                                         const DatasetLoader& loadData) {
    config.validate();
    auto data = loadData(config.dataset);
    QString proposal;
    const app::RunConfig chosen = config.proposeForData ? app::proposedFor(config, *data, &proposal) : config;
    std::unique_ptr<TrainingSession> s(new TrainingSession(id, app::Experiment::prepare(chosen, data), nullptr));
    s->m_proposal = proposal;
    s->m_target = chosen.training.epochs;
    s->makeTrainer(true, chosen.training.threads);
    return s;
}

std::unique_ptr<TrainingSession> TrainingSession::open(int id, const QString& path, const DatasetLoader& loadData) {
    app::OpenedModel opened = app::openModelFile(path);
    app::requireDataset(opened);
    const app::RunConfig& config = opened.config;
    auto data = loadData(config.dataset);
    app::checkModelFitsData(*opened.saved.model, *data, path);
    std::unique_ptr<TrainingSession> s(
        new TrainingSession(id, app::Experiment::prepare(config, data), std::move(opened.saved.model)));
    s->m_modelFile = path;
    s->m_target = config.training.epochs;
    s->makeTrainer(false, config.training.threads);
    // Where its training stood: exactly, from the position a file of ours holds.
    app::continueTraining(*s->m_trainer, s->model(), opened);
    s->setEpochs(std::max(config.training.epochs, s->epochsDone()));
    const TrainerPosition at = s->m_trainer->position(); // one copy (it holds the history and weights)
    s->m_batchInEpoch = at.batch;
    s->m_steps = at.steps;
    s->m_epochs = s->m_trainer->history(); // the first snapshot carries them to the plot
    if (!opened.historyProblems.isEmpty())
        s->m_notice = QString("%1: %2 line(s) of its loss history could not be read and are not shown (%3)")
                          .arg(QFileInfo(path).fileName())
                          .arg(opened.historyProblems.size())
                          .arg(opened.historyProblems.first());
    // Other data than it was trained on (a regenerated roll, an edited CSV) still opens,
    // for exploring; training then goes on, but not as it would have.
    try {
        app::checkSameData(opened, *data);
    } catch (const FileError& e) {
        s->m_notice = QString::fromStdString(e.what());
    }
    // The marks of hyperparameter changes, as the loss plot showed them when saved.
    const QJsonArray changes =
        QJsonDocument::fromJson(QByteArray::fromStdString(metaValue(opened.saved.metadata, "training.changes"))).array();
    for (const QJsonValue& v : changes) {
        const QJsonObject o = v.toObject();
        if (o["epoch"].isDouble() && o["text"].isString())
            s->m_changeLog.push_back({o["epoch"].toDouble(), o["text"].toString()});
    }
    s->m_changes = s->m_changeLog;
    s->m_viewState = QString::fromStdString(metaValue(opened.saved.metadata, "window.view"));
    return s;
}

SessionInfo TrainingSession::info() const {
    SessionInfo i;
    i.session = m_id;
    i.config = m_experiment.config();
    i.dataset = m_experiment.sharedDataset();
    i.modelFile = m_modelFile;
    i.epochsDone = epochsDone();
    i.threads = m_threads;
    i.proposal = m_proposal;
    i.notice = m_notice;
    i.viewState = m_viewState;
    return i;
}

TrainingSession::Outcome TrainingSession::step() {
    if (failed()) return Outcome::Failed;
    if (m_trainer->stepBatch(this)) return Outcome::Trained;
    const TrainResult& r = m_trainer->lastResult();
    switch (r.reason) {
    case StopReason::Finished: return Outcome::Finished;
    case StopReason::NonFinite: m_failure = QString::fromStdString(r.message); return Outcome::Failed;
    default: return Outcome::Interrupted;
    }
}

void TrainingSession::setEpochs(int epochs) {
    m_target = std::max(0, epochs);
    m_trainer->setEpochs(m_target);
    m_experiment.config().training.epochs = m_target;
}

void TrainingSession::rebuildTrainer(int batchSize, int threads, uint64_t seed) {
    TrainConfig& tc = m_experiment.config().training;
    tc.batchSize = batchSize;
    tc.threads = threads;
    tc.seed = seed;
    rebuildTrainer();
}

void TrainingSession::rebuildTrainer() {
    const OptimizerState state = m_trainer->optimizer().state(model().parameters());
    const long long optimizerSteps = m_trainer->optimizer().steps();
    const TrainerPosition old = m_trainer->position();
    m_experiment.config().training.learningRate = old.learningRate;
    m_experiment.config().model.beta = old.beta;
    model().setBeta(old.beta);
    makeTrainer(false, m_experiment.config().training.threads);
    m_trainer->optimizer().setState(state, model().parameters(), optimizerSteps);
    // The epochs, steps and history go on; the epoch under way starts again, in an order
    // drawn from the (new) seed.
    TrainerPosition fresh = m_trainer->position();
    fresh.epoch = old.epoch;
    fresh.steps = old.steps;
    fresh.history = old.history;
    fresh.learningRate = old.learningRate;
    fresh.beta = old.beta;
    m_trainer->resume(fresh);
    m_failure.clear();
}

void TrainingSession::setPublisher(std::function<void(SnapshotPtr)> publish, std::function<bool()> mayPublish) {
    m_publish = std::move(publish);
    m_mayPublish = std::move(mayPublish);
}

void TrainingSession::restartClock() {
    const auto now = RateEstimator::Clock::now();
    m_rate.restart(now);
    m_codeBudget.restart(now);
}

void TrainingSession::refreshCodesWhileTraining(SnapshotThrottle::Clock::time_point now) {
    if (m_codes.freshCount() >= m_codes.liveCount()) return; // the weights did not move
    // The whole subset or nothing: a part would mix the models again. One that costs more
    // than the budget's memory (a big model on a slow machine) saves up for itself and is
    // shown less often, rather than never.
    const double cost = m_codes.secondsPerLiveRefresh();
    const double budget = m_codeBudget.available(now, cost);
    if (budget <= 0 || budget < cost) return;
    const auto start = SnapshotThrottle::Clock::now();
    m_codes.refreshLive(model(), m_experiment.view());
    m_codeBudget.spend(std::chrono::duration<double>(SnapshotThrottle::Clock::now() - start).count());
}

bool TrainingSession::onBatch(const BatchReport& r) {
    ++m_steps;
    m_codes.modelChanged();
    const double bpe = double(std::max<Index>(1, r.batchesPerEpoch));
    const double start = r.epoch + double(r.batch) / bpe;
    auto change = [&](const QString& text) {
        m_changes.push_back({start, text});
        m_changeLog.push_back({start, text});
    };
    if (r.learningRate != m_lastLr)
        change(QString("lr %1 → %2").arg(m_lastLr, 0, 'g', 3).arg(r.learningRate, 0, 'g', 3));
    if (r.beta != m_lastBeta && model().kind() == ModelKind::Vae)
        change(QString("β %1 → %2").arg(m_lastBeta, 0, 'g', 3).arg(r.beta, 0, 'g', 3));
    m_lastLr = r.learningRate;
    m_lastBeta = r.beta;
    m_losses.add(start + 1.0 / bpe, r.loss);
    m_batchInEpoch = (r.batch + 1) % std::max<Index>(1, r.batchesPerEpoch);
    const auto now = SnapshotThrottle::Clock::now();
    m_rate.add(r.samples, now);
    if (m_publish && m_throttle.due(now) && (!m_mayPublish || m_mayPublish())) {
        const bool views = m_viewThrottle.due(now);
        if (views) {
            m_viewThrottle.published(now);
            refreshCodesWhileTraining(now);
        }
        m_publish(snapshot(RunState::Running, views));
    }
    return true;
}

bool TrainingSession::onEpoch(const EpochReport& report) {
    m_epochs.push_back(report);
    return true;
}

Progress TrainingSession::progress() const {
    Progress p;
    p.epoch = epochsDone();
    p.epochs = m_target;
    p.batch = m_batchInEpoch;
    p.batchesPerEpoch = m_trainer->batchesPerEpoch();
    p.steps = m_steps;
    p.samplesPerSecond = m_rate.samplesPerSecond();
    const double perEpoch = double(m_trainer->trainingSamples());
    const double done = double(p.epoch) * perEpoch +
                        std::min(perEpoch, double(p.batch) * double(m_trainer->config().batchSize));
    p.etaSeconds = m_rate.etaSeconds(double(m_target) * perEpoch - done);
    return p;
}

std::shared_ptr<const Reconstructions> TrainingSession::reconstructions() {
    auto rec = std::make_shared<Reconstructions>();
    rec->rows = m_reconRows;
    if (m_reconRows.empty()) return rec;
    const Model& m = model();
    gatherBatch(m_experiment.view(), m.normalizer(), m_reconRows.data(), Index(m_reconRows.size()), rec->inputs);
    m.reconstruct(rec->inputs, rec->outputs);
    // Both back to the data's own units (0..255 for images, coordinates for points).
    m.normalizer().invert(rec->inputs);
    m.normalizer().invert(rec->outputs);
    return rec;
}

SnapshotPtr TrainingSession::snapshot(RunState state, bool views) {
    const auto now = SnapshotThrottle::Clock::now();
    m_throttle.published(now);
    auto s = std::make_shared<TrainingSnapshot>();
    s->session = m_id;
    s->state = state;
    s->progress = progress();
    s->batches = m_losses.take();
    s->epochs.swap(m_epochs);
    s->changes.swap(m_changes);
    s->codes = m_codes.publish();
    s->codesComplete = m_codes.complete();
    // New views only when the weights moved: the GUI decodes from the clone while we train
    // on; otherwise the latest ones again (the GUI sees the same pointers).
    if (!m_decoder || (views && m_decoderSteps != m_steps)) {
        m_decoder = std::shared_ptr<const Model>(model().clone());
        m_decoderSteps = m_steps;
        m_reconstructions = reconstructions();
    }
    s->reconstructions = m_reconstructions;
    s->decoder = m_decoder;
    s->message = m_failure;
    return s;
}

bool TrainingSession::settleCodes(double seconds) {
    if (!m_codes.complete()) m_codes.refresh(model(), m_experiment.view(), seconds);
    return m_codes.complete();
}

QByteArray TrainingSession::serialize(const QString& viewState) {
    QJsonArray changes;
    for (const HyperChange& h : m_changeLog) changes.append(QJsonObject{{"epoch", h.position}, {"text", h.text}});
    std::map<std::string, std::string> extra{
        {"training.changes", QJsonDocument(changes).toJson(QJsonDocument::Compact).toStdString()}};
    if (!viewState.isEmpty()) extra["window.view"] = viewState.toStdString();
    return app::modelFileBytes(m_experiment, model(), *m_trainer, extra);
}

} // namespace latentlab::gui
