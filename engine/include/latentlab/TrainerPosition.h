// Where a trainer stands between two mini-batches (Trainer::position), as saved in a
// model file and restored by Trainer::resume.
#pragma once

#include "latentlab/TrainingObserver.h"

#include <string>
#include <vector>

namespace latentlab {

// Where a trainer stands, with everything it needs besides the model's weights and the
// optimiser's state to go on exactly as if it had never stopped: given the same data,
// configuration and threads, a trainer resumed from position() gives bit for bit the
// batches, losses and weights that the first would have (wall times excepted). It can be
// taken between any two mini-batches, in the middle of an epoch too.
struct TrainerPosition {
    int epoch = 0;            // completed epochs
    Index batch = 0;          // the next batch within the current epoch
    long long steps = 0;      // mini-batches trained
    std::string rng;          // the generator (Rng::state): shuffles, noise, sampling
    std::vector<Index> order; // the training rows in the current (or last) epoch's order
    LossTerms epochSum;       // the current epoch's losses so far, weighted by batch size
    Index epochSamples = 0;
    double epochSeconds = 0;  // the current epoch's training time so far
    double learningRate = 0;  // the live values (TrainControl)
    double beta = 0;
    std::vector<Vector> epochStart; // the weights at the epoch's start (mid-epoch only)
    std::vector<EpochReport> history;
};

} // namespace latentlab
