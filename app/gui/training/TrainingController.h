// The GUI thread's handle on training: owns the QThread and the TrainingWorker living in
// it (Qt's worker-object pattern), posts commands to the worker's inbox, and turns the
// worker's messages (snapshots, states, errors) into signals for the widgets. The
// destructor stops training (the trainer's stop atomic), ends the thread's event loop and
// waits for it.
#pragma once

#include "training/Snapshot.h"

#include <QObject>
#include <QThread>
#include <functional>

namespace latentlab::gui {

class TrainingWorker;

// Lowers the calling thread's priority to that of the window's training threads (nice +5
// on Linux; nothing elsewhere). Threads it starts later inherit it.
void lowerTrainingPriority();

class TrainingController : public QObject {
    Q_OBJECT

public:
    explicit TrainingController(QObject* parent = nullptr);
    ~TrainingController() override;

    // Stops training and the thread; returns once the thread has finished. Idempotent.
    void shutdown();
    bool isThreadRunning() const { return m_thread.isRunning(); }
    QThread* thread() { return &m_thread; }

    void startSession(const app::RunConfig& config);
    void openModel(const QString& path);
    void saveModel(const QString& path, const QString& viewState = QString());
    // TrainingWorker::exportModel; modelExported or errorOccurred answers.
    void exportModel(const QString& folder, int format, const QString& name);
    void train();
    void pause();
    void togglePause();
    void stepBatch();
    void stepEpoch();
    // Take effect before the next mini-batch.
    void setLearningRate(double lr);
    void setBeta(double beta);
    void setEpochs(int epochs);
    // Keeps the weights; the trainer is rebuilt with these.
    void setTrainingOptions(int batchSize, int threads, quint64 seed);
    // Autosave for recovery after a crash (TrainingWorker::enableAutosave).
    void enableAutosave(const QString& directory, double seconds);
    // Runs `command` in the training thread, in order with the other commands, between
    // two chunks of training (the performance report holds training with it).
    void runInTrainingThread(std::function<void()> command);

    RunState state() const { return m_state; }
    bool hasSession() const { return m_session.session > 0; }
    const SessionInfo& session() const { return m_session; }
    // The latest snapshot of the current session (null before the first) and the latest
    // codes (snapshots only carry codes when they changed).
    SnapshotPtr latest() const { return m_latest; }
    std::shared_ptr<const Matrix> codes() const { return m_codes; }
    // Steps trained in this session; after shutdown(), the count the worker ended with.
    long long stepsDone() const;
    // stepsDone() read right after the last pause() or shutdown() raised its flag: training
    // goes on by at most the batch under way, so stepsDone() ends at most one above it.
    long long stepsAtHalt() const { return m_stepsAtHalt; }
    // The steps of the model as last saved (or opened); equal to stepsDone() when there is
    // no training that a save would keep.
    long long savedSteps() const { return m_savedSteps; }

signals:
    void sessionStarted(const latentlab::gui::SessionInfo& info);
    // A new session or model file could not be set up; the current session goes on.
    void sessionRejected();
    void snapshotArrived(const latentlab::gui::SnapshotPtr& snapshot);
    void epochCompleted(const latentlab::EpochReport& report);
    void stateChanged(latentlab::gui::RunState state, const QString& message);
    void errorOccurred(const QString& title, const QString& message);
    void modelSaved(const QString& path);
    void modelExported(const QString& folder, const QStringList& files);
    void busy(const QString& what);
    // Wakes the worker to run its inbox (connected before the thread starts).
    void commandsWaiting();

private:
    void drain();
    void onSession(const SessionInfo& info);
    void onSnapshot(const SnapshotPtr& snapshot);
    void post(std::function<void(TrainingWorker&)> command);

    QThread m_thread;
    TrainingWorker* m_worker = nullptr; // lives in m_thread; deleted by shutdown()
    SessionInfo m_session;
    SnapshotPtr m_latest;
    std::shared_ptr<const Matrix> m_codes;
    RunState m_state = RunState::Loading;
    long long m_savedSteps = 0;
    long long m_finalSteps = 0; // stepsDone() once the worker is gone
    long long m_stepsAtHalt = 0;
    bool m_shutDown = false;
};

} // namespace latentlab::gui
