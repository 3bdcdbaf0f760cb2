// One model being trained on one dataset, and everything the GUI is told about it.
//
// This is the long computation of the desktop program as a plain object (no Qt widgets,
// no threads of its own), in the spirit of Orange's concurrent tasks: the worker thread
// calls step() and snapshot(); tests call them directly. It is the engine's
// TrainingObserver: every batch it records the loss, and at most ~10 times a second it
// hands an immutable snapshot (losses, codes, reconstructions, a clone of the model) to
// the publisher.
#pragma once

#include "training/CodeRefresher.h"
#include "training/LossBuffer.h"
#include "training/RateEstimator.h"
#include "training/Snapshot.h"
#include "training/SnapshotThrottle.h"
#include "training/TimeBudget.h"

#include "Experiment.h"

#include "latentlab/Trainer.h"

#include <QByteArray>
#include <functional>
#include <memory>

namespace latentlab::gui {

class TrainingSession final : private TrainingObserver {
public:
    using DatasetLoader = std::function<std::shared_ptr<const data::Dataset>(const app::DatasetSpec&)>;

    // A new model for config, initialised from its seed. Throws ConfigFileError/DataError.
    static std::unique_ptr<TrainingSession> create(int id, const app::RunConfig& config,
                                                   const DatasetLoader& loadData);
    // A model file (ours or the CLI's), ready to continue training. Its configuration comes
    // from the file's metadata, else a config.json beside it, else the file's architecture
    // and dataset name. Throws FileError, ConfigFileError or DataError naming the file.
    static std::unique_ptr<TrainingSession> open(int id, const QString& path, const DatasetLoader& loadData);
    ~TrainingSession() override;

    // The number of training threads used for `requested` (0: automatic). Automatic is
    // $OMP_NUM_THREADS if set, else every core (as the CLI).
    static int resolveThreads(int requested);
    // How often a snapshot while training brings new views (codes, reconstructions, a
    // decoder clone) for a dataset of `rows` samples, per second.
    static double viewRate(Index rows);

    SessionInfo info() const;
    const app::RunConfig& config() const { return m_experiment.config(); }
    const data::Dataset& dataset() const { return m_experiment.dataset(); }
    Model& model() { return m_model ? *m_model : m_experiment.model(); }

    enum class Outcome { Trained, Finished, Interrupted, Failed };
    // One mini-batch (an epoch report follows the last batch of an epoch).
    Outcome step();
    // Only the control atomics of the current trainer may be touched from other threads;
    // the trainer changes on rebuildTrainer().
    TrainControl& control() { return m_trainer->control(); }
    bool finished() const { return epochsDone() >= m_target; }
    bool failed() const { return !m_failure.isEmpty(); }
    const QString& failure() const { return m_failure; }
    int epochsDone() const { return m_trainer->epochsCompleted(); }
    bool atEpochStart() const { return m_batchInEpoch == 0; }
    long long steps() const { return m_steps; }

    void setEpochs(int epochs);
    // Batch size, threads or seed changed, or training failed: a new trainer continues
    // with the current weights, optimiser state, epoch count and history (the epoch under
    // way restarts).
    void rebuildTrainer(int batchSize, int threads, uint64_t seed);
    void rebuildTrainer();

    // Publishing during training: `publish` gets the snapshots the throttle lets through,
    // as long as `mayPublish` says the GUI keeps up.
    void setPublisher(std::function<void(SnapshotPtr)> publish, std::function<bool()> mayPublish);
    // A snapshot now, with the codes refreshed so far. The reconstructions and the decoder
    // are new only when the weights moved since the last ones and `views` is set;
    // otherwise they are the previous snapshot's (same pointers).
    SnapshotPtr snapshot(RunState state, bool views = true);
    // Training: refreshes codes as far as the training share allows (TimeBudget); the
    // next snapshot carries them.
    void refreshCodesWhileTraining(SnapshotThrottle::Clock::time_point now);
    // Idle work: brings the codes up to date for about `seconds`; true once all are current.
    bool settleCodes(double seconds);
    bool codesComplete() const { return m_codes.complete(); }
    bool snapshotDue() const { return m_throttle.due(SnapshotThrottle::Clock::now()); }
    // Training (re)starts: paused time counts neither for the rate nor the code budget.
    void restartClock();

    // The model file's bytes (app::modelFileBytes): weights, optimiser state, the trainer's
    // position, the configuration and history, and the loss plot's marks of changes.
    // `viewState` (JSON) is the window's view, kept as metadata "window.view".
    QByteArray serialize(const QString& viewState = QString());


private:
    TrainingSession(int id, app::Experiment experiment, std::unique_ptr<Model> loaded);
    void makeTrainer(bool initializeWeights, int threads);
    bool onBatch(const BatchReport& report) override;
    bool onEpoch(const EpochReport& report) override;
    bool onPaused() override { return false; } // the worker keeps pauses, not the engine
    Progress progress() const;
    std::shared_ptr<const Reconstructions> reconstructions();

    int m_id;
    app::Experiment m_experiment;
    QString m_proposal; // what proposedFor() chose, when it did
    std::unique_ptr<Model> m_model; // a loaded model, else the experiment's own
    QString m_modelFile;
    std::unique_ptr<Trainer> m_trainer;
    int m_threads = 1;
    int m_target = 0;
    Index m_batchInEpoch = 0;
    long long m_steps = 0;
    double m_lastLr = 0, m_lastBeta = 0;
    QString m_failure;
    QString m_notice; // what the user should know about an opened file (SessionInfo::notice)
    QString m_viewState; // an opened file's window view (SessionInfo::viewState)

    std::function<void(SnapshotPtr)> m_publish;
    std::function<bool()> m_mayPublish;
    SnapshotThrottle m_throttle;
    SnapshotThrottle m_viewThrottle; // codes, reconstructions, decoder while training
    TimeBudget m_codeBudget;
    LossBuffer m_losses;
    RateEstimator m_rate;
    std::vector<EpochReport> m_epochs;  // not yet published
    std::vector<HyperChange> m_changes;   // since the last snapshot
    std::vector<HyperChange> m_changeLog; // all of them, for the model file
    CodeRefresher m_codes;
    std::vector<Index> m_reconRows;
    std::shared_ptr<const Reconstructions> m_reconstructions;
    std::shared_ptr<const Model> m_decoder;
    long long m_decoderSteps = -1;
};

} // namespace latentlab::gui
