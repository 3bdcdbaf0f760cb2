// The values that cross from the training thread to the GUI. Each is built once in the
// worker and never changed afterwards; they travel as shared_ptr<const ...> through queued
// signals, so the GUI reads them while the worker already trains on.
#pragma once

#include "RunConfig.h"

#include "latentlab/Dataset.h"
#include "latentlab/Model.h"
#include "latentlab/TrainingObserver.h"

#include <QMetaType>
#include <QString>
#include <memory>
#include <vector>

namespace latentlab::gui {

enum class RunState {
    Loading,  // building a session (reading data, building the model)
    Ready,    // a session exists and has not trained yet
    Running,
    Paused,
    Finished, // the configured epochs are done
    Failed,   // the loss became NaN or infinite; the last finite weights are kept
};

QString runStateName(RunState state);

// One point of the running batch loss; several batches may be averaged into one.
struct BatchPoint {
    double position = 0; // in epochs: 2.5 is half-way through the third epoch
    LossTerms loss;
};

// A hyperparameter change applied between two batches, for the mark on the loss plot.
struct HyperChange {
    double position = 0;
    QString text; // "lr 0.001 → 0.01"
};

struct Progress {
    int epoch = 0;  // completed epochs
    int epochs = 0; // target
    Index batch = 0;
    Index batchesPerEpoch = 0;
    long long steps = 0;
    double samplesPerSecond = 0;
    double etaSeconds = -1; // < 0: unknown
    double fraction() const;
};

// A few samples beside their reconstructions, in the data's own units (features x n).
struct Reconstructions {
    std::vector<Index> rows;
    Matrix inputs, outputs;
};

struct TrainingSnapshot {
    int session = 0;
    RunState state = RunState::Ready;
    Progress progress;
    std::vector<BatchPoint> batches;  // since the previous snapshot
    std::vector<EpochReport> epochs;  // since the previous snapshot, numbered from 1
    std::vector<HyperChange> changes; // since the previous snapshot
    // latentDim x rows codes of every sample; null when unchanged since the last snapshot.
    // Samples not encoded yet are NaN.
    std::shared_ptr<const Matrix> codes;
    bool codesComplete = false; // every code comes from `decoder`
    std::shared_ptr<const Reconstructions> reconstructions;
    std::shared_ptr<const Model> decoder; // a clone; the GUI decodes clicked points with it
    QString message;                      // why it failed, for RunState::Failed
};
using SnapshotPtr = std::shared_ptr<const TrainingSnapshot>;

// What the GUI needs to know about a new session (after start, reset or opening a model).
struct SessionInfo {
    int session = 0;
    app::RunConfig config; // fully resolved (model.inputDim set)
    std::shared_ptr<const data::Dataset> dataset;
    QString modelFile;     // the file it was opened from, or empty
    int epochsDone = 0;
    int threads = 1;       // training threads actually used
    QString proposal;      // settings proposed for a newly chosen dataset, in words
    QString notice;        // about an opened file: unreadable history lines, other data
    QString viewState;     // an opened file's window view (JSON, MainWindow::viewState)
};

} // namespace latentlab::gui

Q_DECLARE_METATYPE(latentlab::gui::SnapshotPtr)
Q_DECLARE_METATYPE(latentlab::gui::SessionInfo)
Q_DECLARE_METATYPE(latentlab::gui::RunState)
Q_DECLARE_METATYPE(latentlab::app::RunConfig)
Q_DECLARE_METATYPE(latentlab::EpochReport)
