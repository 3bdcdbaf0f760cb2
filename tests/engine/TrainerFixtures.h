// Shared by the trainer's test executables: a small generated data set (a curve in 3-D),
// small model and training configurations, an observer made of lambdas, and a helper that
// waits for a flag the trainer's hooks set (never for an amount of time).
#pragma once

#include "latentlab/Trainer.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <thread>
#include <vector>

namespace trainertest {

using namespace latentlab;


// n points on a 1-D curve (a spiral arc) in 3-D, sample-major. The curve parameter runs
// through [0, 1) in a scrambled order (golden-ratio steps) so that every slice of rows,
// including the held-out tail, covers the whole curve.
inline std::vector<float> curve(Index n) {
    std::vector<float> v;
    v.reserve(size_t(3 * n));
    for (Index i = 0; i < n; ++i) {
        const double t = std::fmod(0.5 + 0.6180339887498949 * double(i), 1.0);
        v.push_back(float(std::cos(3.0 * t)));
        v.push_back(float(std::sin(3.0 * t)));
        v.push_back(float(2.0 * t - 1.0));
    }
    return v;
}

inline ModelConfig smallConfig(ModelKind kind = ModelKind::Autoencoder) {
    ModelConfig c;
    c.kind = kind;
    c.inputDim = 3;
    c.encoderWidths = {16, 8};
    c.latentDim = kind == ModelKind::Vae ? 2 : 1;
    c.activation = Activation::Tanh;
    return c;
}

inline TrainConfig smallTraining(int epochs = 3) {
    TrainConfig t;
    t.epochs = epochs;
    t.batchSize = 16;
    t.learningRate = 0.01;
    t.threads = 2;
    t.seed = 7;
    return t;
}

inline std::vector<Scalar> weights(Model& model) {
    std::vector<Scalar> out;
    for (const auto& p : model.parameters())
        out.insert(out.end(), p.value, p.value + p.size);
    return out;
}

inline bool allFinite(Model& model) {
    for (Scalar w : weights(model))
        if (!std::isfinite(w)) return false;
    return true;
}

// An observer built from lambdas; unset hooks keep going.
struct Hooks : TrainingObserver {
    std::function<bool(const BatchReport&)> batch;
    std::function<bool(const EpochReport&)> epoch;
    std::function<bool()> paused;
    std::vector<BatchReport> batches;
    std::vector<EpochReport> epochs;
    bool onBatch(const BatchReport& r) override {
        batches.push_back(r);
        return batch ? batch(r) : true;
    }
    bool onEpoch(const EpochReport& r) override {
        epochs.push_back(r);
        return epoch ? epoch(r) : true;
    }
    bool onPaused() override { return paused ? paused() : true; }
};

// Helper threads wait for what the trainer's hooks report, never for an amount of time; the
// deadline only turns a trainer that never reports into a failure instead of a hang.
inline bool waitFor(const std::atomic<bool>& flag) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!flag.load()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

inline bool sameTerms(const LossTerms& a, const LossTerms& b) {
    return a.total == b.total && a.reconstruction == b.reconstruction && a.kl == b.kl &&
           a.penalty == b.penalty;
}

// One training run from scratch; returns its history and final weights.
struct RunResult {
    std::vector<EpochReport> history;
    std::vector<Scalar> weights;
    TrainResult result;
};

inline RunResult train(const ModelConfig& mc, const TrainConfig& tc, const std::vector<float>& values,
                Index rows) {
    auto model = makeModel(mc);
    const DataView data{values.data(), nullptr, rows, 3};
    model->normalizer() = Normalizer::fit(Normalizer::Kind::Standardize, data, rows);
    Trainer trainer(*model, data, rows, tc);
    RunResult r;
    r.result = trainer.run();
    r.history = trainer.history();
    r.weights = weights(*model);
    return r;
}

} // namespace trainertest
