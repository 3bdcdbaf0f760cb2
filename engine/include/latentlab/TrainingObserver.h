// What the trainer tells its observer. The hooks run in the training thread and return
// whether to keep going; keep them short (copy what you need and return).
#pragma once

#include "latentlab/Model.h"

namespace latentlab {

struct BatchReport {
    int epoch = 0;            // 0-based epoch this batch belongs to
    Index batch = 0;          // 0-based batch within the epoch
    Index batchesPerEpoch = 0;
    long long step = 0;       // optimiser steps so far
    Index samples = 0;        // samples in this batch
    LossTerms loss;
    double learningRate = 0;
    double beta = 0;
};

struct EpochReport {
    int epoch = 0; // 1-based: the number of completed epochs
    int epochs = 0;
    LossTerms train;      // mean over the epoch's batches, weighted by batch size
    LossTerms validation; // on the held-out part
    bool hasValidation = false;
    double seconds = 0;   // wall time of the epoch, pauses excluded
    double samplesPerSecond = 0;
    double learningRate = 0;
    double beta = 0;
};

class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    virtual bool onBatch(const BatchReport&) { return true; }
    virtual bool onEpoch(const EpochReport&) { return true; }
    // Called (repeatedly, about every 20 ms) while paused; return false to stop.
    virtual bool onPaused() { return true; }
};

} // namespace latentlab
