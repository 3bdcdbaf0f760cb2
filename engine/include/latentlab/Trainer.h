// Mini-batch training of a Model on a data table, reporting to an observer.
//
// Threads: the trainer runs in whichever thread calls run()/stepBatch(). Other threads may
// only touch control(): stop, pause, the learning rate and beta are atomics read before
// every mini-batch. Reports are passed by const reference; an observer that hands them to
// another thread copies them.
//
// Data split: the first trainRows samples of the view are for training; the last
// validationFraction of those are held out for validation (a fixed, documented rule, so a
// PyTorch script can reproduce it). Samples past trainRows (a test part) are never seen.
#pragma once

#include "latentlab/Batch.h"
#include "latentlab/Geometry.h"
#include "latentlab/Model.h"
#include "latentlab/Optimizer.h"
#include "latentlab/TrainerPosition.h"
#include "latentlab/TrainingObserver.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

namespace latentlab {

struct TrainConfig {
    int epochs = 50;
    int batchSize = 128;
    double learningRate = 1e-3;
    OptimizerConfig optimizer;
    double validationFraction = 0.1;
    uint64_t seed = 1;
    int threads = 0;          // 0: all cores
    bool shuffle = true;
    double inputNoise = 0.0;  // denoising: std of Gaussian noise added to inputs
    double maskFraction = 0.0; // denoising: fraction of input features set to zero

    void validate() const; // throws ConfigError naming the field
};

struct TrainControl {
    std::atomic<bool> stop{false};
    std::atomic<bool> pause{false};
    std::atomic<double> learningRate{1e-3};
    std::atomic<double> beta{1.0};
};

enum class StopReason { Finished, StopRequested, ObserverStopped, NonFinite };

// Wall-clock seconds of the finished steps (stepBatch calls that updated the weights), by
// part: gathering and corrupting the batch, the model's forward and backward pass with the
// loss (and the finiteness check of the gradients), and the optimiser's update.
struct StepTimes {
    long long steps = 0;
    double batch = 0, model = 0, optimizer = 0;
};

struct TrainResult {
    StopReason reason = StopReason::Finished;
    int epochsCompleted = 0;
    std::string message; // for NonFinite: what happened and what to try
};

class Trainer {
public:
    // The model and the data must outlive the trainer. Initialises the model's weights
    // from the seed unless initializeWeights is false (continuing a loaded model).
    Trainer(Model& model, const DataView& data, Index trainRows, const TrainConfig& config,
            bool initializeWeights = true);

    // Trains until the configured epochs are done, stop is requested, the observer says
    // stop, or the loss stops being finite. Can be called again to continue.
    TrainResult run(TrainingObserver* observer = nullptr);
    // One mini-batch (the GUI's Step); an epoch report follows its last batch.
    // Returns false when nothing more can be done (finished, stopped, non-finite).
    bool stepBatch(TrainingObserver* observer = nullptr);
    // Up to the end of the current epoch.
    bool stepEpoch(TrainingObserver* observer = nullptr);

    TrainerPosition position() const;
    // Continues from a position taken by a trainer of the same data and configuration
    // (the model holding that trainer's weights, the optimiser its state). Throws
    // ConfigError naming what does not fit (nothing changes then).
    void resume(const TrainerPosition& position);

    TrainControl& control() { return m_control; }
    const TrainConfig& config() const { return m_config; }
    int epochsCompleted() const { return m_epoch; }
    void setEpochs(int epochs) { m_config.epochs = epochs; }
    const std::vector<EpochReport>& history() const { return m_history; }
    const TrainResult& lastResult() const { return m_result; }
    const StepTimes& stepTimes() const { return m_stepTimes; }
    void resetStepTimes() { m_stepTimes = {}; }
    Optimizer& optimizer() { return *m_optimizer; }
    const Optimizer& optimizer() const { return *m_optimizer; }
    Index trainingSamples() const { return Index(m_order.size()); }
    Index validationSamples() const { return m_validationEnd - m_validationBegin; }
    Index batchesPerEpoch() const;
    // The geodesic distances the geometry penalty pulls the codes toward (null without it).
    const GeodesicTable* geodesics() const { return m_geodesics.get(); }

    // Loss over a range of samples, in chunks, without gradients (noise from `seed`).
    static LossTerms evaluateRange(const Model& model, const DataView& data, Index begin,
                                   Index end, uint64_t seed);

private:
    void beginEpoch();
    void finishEpoch();
    void corrupt(Matrix& input);
    bool halt(StopReason reason, std::string message = {});
    void waitWhilePaused();
    void applyThreads() const;

    Model& m_model;
    DataView m_data;
    TrainConfig m_config;
    TrainControl m_control;
    std::unique_ptr<Optimizer> m_optimizer;
    Rng m_rng;
    std::vector<Index> m_order;
    Index m_validationBegin = 0, m_validationEnd = 0;

    int m_epoch = 0;        // completed epochs
    Index m_batch = 0;      // next batch within the current epoch
    long long m_steps = 0;
    bool m_stopped = false;
    LossTerms m_epochSum;
    Index m_epochSamples = 0;
    std::chrono::steady_clock::time_point m_epochStart;
    double m_epochPausedSeconds = 0;
    std::vector<Parameter> m_params;
    std::vector<Vector> m_checkpoint; // weights at the start of the epoch
    Matrix m_batchInput, m_batchTarget;
    // With the model's geometry weight > 0: the training samples' geodesic distances and
    // the current batch's.
    std::unique_ptr<const GeodesicTable> m_geodesics;
    Matrix m_batchDistances;
    std::vector<EpochReport> m_history;
    TrainResult m_result;
    StepTimes m_stepTimes;
};

std::string stopReasonName(StopReason reason);

} // namespace latentlab
