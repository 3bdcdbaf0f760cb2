// The object that lives in the training thread (Qt's worker-object pattern). It owns the
// TrainingSession (model, trainer, data) and trains in chunks of ~40 ms driven by queued
// calls to itself, so its event loop stays free between chunks: commands from the GUI
// (step, save, open, new session) run there in order, and quit() ends the thread at once.
//
// What crosses threads:
//   - commands (GUI -> worker) and messages (worker -> GUI) through two mailboxes guarded
//     by std::mutex; a queued signal without arguments only wakes the other side. Qt's
//     event queue would carry arguments just as safely, but under a mutex inside the
//     uninstrumented libQt6Core; with our own mutex a ThreadSanitizer build sees every
//     hand-over, so it checks what matters and reports nothing false.
//   - the atomics below, and the current trainer's control() atomics under
//     m_controlMutex (which also guards swapping the trainer). Pause therefore takes
//     effect before the next mini-batch: the chunk loop checks m_pause before every batch,
//     and a trainer caught between that check and the batch returns at once.
#pragma once

#include "training/Recovery.h"
#include "training/Snapshot.h"

#include "latentlab/Catalogue.h"

#include <QObject>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace latentlab::gui {

class TrainingSession;

// One message from the worker to the GUI.
struct WorkerMessage {
    enum class Kind { Session, Rejected, Snapshot, State, Error, Saved, Busy, Exported };
    Kind kind = Kind::State;
    SessionInfo session;  // Session
    SnapshotPtr snapshot; // Snapshot
    RunState state = RunState::Ready; // State
    long long steps = 0;  // Session, Saved: the optimiser steps of the model (as saved)
    QString title, text;  // Error (both), State (text), Saved (text: the path), Busy (text),
                          // Exported (title: the folder, text: the files, one per line)
    // Rejected: a new session or model could not be set up; the old one goes on.
};

class TrainingWorker : public QObject {
    Q_OBJECT

public:
    explicit TrainingWorker(QObject* parent = nullptr);
    ~TrainingWorker() override;

    // Thread-safe; called from the GUI thread.
    void requestPause(bool paused);
    void requestStop();
    void setLearningRate(double lr);
    void setBeta(double beta);
    long long stepsDone() const { return m_steps.load(); }
    // The GUI handled one snapshot. Fewer than two in flight keeps the mailbox short when
    // the GUI is slow (a huge replot); the training itself never waits for the GUI.
    void snapshotConsumed() { m_inFlight.fetch_sub(1); }
    // Queues a command for the worker's thread; true if the inbox was empty (the caller
    // then wakes the worker with a queued signal connected to runCommands()).
    bool enqueue(std::function<void(TrainingWorker&)> command);
    // The messages posted since the last call, oldest first.
    std::vector<WorkerMessage> takeMessages();

    // Runs the queued commands (in the worker's thread).
    void runCommands();
    // The last call in the worker's thread, from QThread::finished.
    void threadFinished();

    // Commands, run in the worker's thread.
    void startSession(const app::RunConfig& config);
    void openModel(const QString& path);
    // `viewState`: the window's view (JSON) to keep in the file, and in autosaves from now on.
    void saveModel(const QString& path, const QString& viewState = QString());
    // The model as it stands as ONNX files or a PyTorch package in `folder` (ExportRequest),
    // exactly as `latentlab-cli export` writes it from the model file; the document is not
    // saved by it.
    void exportModel(const QString& folder, int format, const QString& name);
    void train();
    void stepBatch();
    void stepEpoch();
    void setEpochs(int epochs);
    void setTrainingOptions(int batchSize, int threads, quint64 seed);
    // From now on the session is autosaved into a RecoveryFile in `directory`: while
    // training at most every `seconds`, and when training pauses, finishes or fails.
    void enableAutosave(const QString& directory, double seconds);

signals:
    // Messages are waiting in the outbox (emitted when it stops being empty).
    void messagesWaiting();

private:
    enum class Mode { Idle, Running, EpochStep };
    void post(WorkerMessage message);
    void postError(const QString& title, const QString& text);
    void adopt(std::unique_ptr<TrainingSession> session);
    // Builds a session with `make`; on failure reports it and keeps the current one.
    void replaceSession(const std::function<std::unique_ptr<TrainingSession>()>& make, const QString& failure);
    std::shared_ptr<const data::Dataset> loadData(const app::DatasetSpec& spec);
    bool prepareToTrain();
    // Starts the chunked training loop in the given mode, if idle and ready.
    void startPumping(Mode mode);
    void pump();
    void schedulePump();
    // Writes the recovery file if the weights moved since the last one, and `due` or the
    // interval has passed.
    void autosave(bool due);
    void trainChunk();
    void becomeIdle(RunState state);
    void setState(RunState state, const QString& message = {});
    void publish(RunState state);
    void publish(SnapshotPtr snapshot);

    data::Catalogue m_catalogue;
    std::unique_ptr<TrainingSession> m_session;
    std::mutex m_controlMutex; // guards the GUI's access to the current trainer's control()
    std::mutex m_inMutex, m_outMutex;
    std::deque<std::function<void(TrainingWorker&)>> m_inbox;
    std::vector<WorkerMessage> m_outbox;
    std::atomic<bool> m_pause{false};
    std::atomic<bool> m_stop{false};
    std::atomic<long long> m_steps{0};
    std::atomic<int> m_inFlight{0};
    Mode m_mode = Mode::Idle;
    RunState m_state = RunState::Loading;
    bool m_pumpQueued = false;
    int m_nextSession = 1;
    app::DatasetSpec m_cachedSpec;
    std::shared_ptr<const data::Dataset> m_cachedData;
    std::unique_ptr<RecoveryFile> m_recovery;
    std::chrono::steady_clock::duration m_autosaveEvery{};
    std::chrono::steady_clock::time_point m_lastAutosave;
    long long m_autosavedSteps = 0;
    bool m_autosaveFailed = false;
    QString m_viewState; // the window's view at its last save
};

} // namespace latentlab::gui
