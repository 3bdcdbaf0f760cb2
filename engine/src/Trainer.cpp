#include "latentlab/Trainer.h"

#include <Eigen/Core>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <thread>

namespace latentlab {

namespace {
using Clock = std::chrono::steady_clock;
double secondsBetween(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}
} // namespace

void TrainConfig::validate() const {
    auto bad = [](const std::string& what) { throw ConfigError(what); };
    if (epochs < 0 || epochs > 1000000) bad("epochs: must be between 0 and 1000000");
    if (batchSize < 1 || batchSize > 1 << 20) bad("batchSize: must be between 1 and 1048576");
    if (!(learningRate > 0.0 && learningRate < 1e3))
        bad("learningRate: must be a number in (0, 1000)");
    if (!(validationFraction >= 0.0 && validationFraction < 1.0))
        bad("validationFraction: must be in [0, 1)");
    if (threads < 0 || threads > 1024) bad("threads: must be between 0 (all cores) and 1024");
    if (!(inputNoise >= 0.0 && std::isfinite(inputNoise))) bad("inputNoise: must be >= 0");
    if (!(maskFraction >= 0.0 && maskFraction < 1.0)) bad("maskFraction: must be in [0, 1)");
    optimizer.validate();
}

std::string stopReasonName(StopReason reason) {
    switch (reason) {
    case StopReason::Finished: return "finished";
    case StopReason::StopRequested: return "stopped";
    case StopReason::ObserverStopped: return "stopped by observer";
    case StopReason::NonFinite: return "non-finite loss";
    }
    return "unknown";
}

Trainer::Trainer(Model& model, const DataView& data, Index trainRows, const TrainConfig& config,
                 bool initializeWeights)
    : m_model(model), m_data(data), m_config(config), m_rng(config.seed) {
    m_config.validate();
    if (!data.valid()) throw ConfigError("training data: empty");
    if (data.cols != model.inputDim())
        throw ConfigError("training data: " + std::to_string(data.cols) +
                          " features, but the model expects " + std::to_string(model.inputDim()));
    trainRows = std::clamp<Index>(trainRows, 0, data.rows);
    const Index validation = Index(std::floor(double(trainRows) * m_config.validationFraction));
    if (trainRows - validation < 1) throw ConfigError("training data: no samples left to train on");
    m_validationBegin = trainRows - validation;
    m_validationEnd = trainRows;
    m_order.resize(size_t(m_validationBegin));
    for (Index i = 0; i < m_validationBegin; ++i) m_order[size_t(i)] = i;

    if (initializeWeights) {
        Rng init = m_rng.split();
        m_model.initialize(init);
    }
    m_optimizer = makeOptimizer(m_config.optimizer);
    m_control.learningRate.store(m_config.learningRate);
    m_control.beta.store(model.config().beta);
    m_params = m_model.parameters();
    if (model.config().geometry > 0) {
        // The training samples only: validation stays unseen.
        applyThreads();
        m_geodesics = std::make_unique<const GeodesicTable>(geodesicDistances(
            toMatrix(m_data, m_model.normalizer(), 0, m_validationBegin), model.config().geometryNeighbours));
    }
}

Index Trainer::batchesPerEpoch() const {
    return (trainingSamples() + m_config.batchSize - 1) / m_config.batchSize;
}

void Trainer::applyThreads() const {
    const int n = m_config.threads > 0 ? m_config.threads : omp_get_num_procs();
    omp_set_num_threads(n);
    // The engine splits its products into tiles for the OpenMP threads itself (Dense);
    // Eigen's own threading inside each tile would only nest and spin.
    Eigen::setNbThreads(1);
}

void Trainer::beginEpoch() {
    if (m_config.shuffle) {
        // Fisher-Yates with our own Rng: the order depends only on the seed.
        for (size_t i = m_order.size(); i > 1; --i)
            std::swap(m_order[i - 1], m_order[size_t(m_rng.below(i))]);
    }
    m_epochSum = {};
    m_epochSamples = 0;
    m_epochPausedSeconds = 0;
    m_epochStart = Clock::now();
    m_checkpoint.clear();
    for (const auto& p : m_params) m_checkpoint.emplace_back(Eigen::Map<const Vector>(p.value, p.size));
}

void Trainer::corrupt(Matrix& input) {
    if (m_config.inputNoise > 0) {
        const Scalar s = Scalar(m_config.inputNoise);
        for (Index i = 0; i < input.size(); ++i) input.data()[i] += s * Scalar(m_rng.normal());
    }
    if (m_config.maskFraction > 0) {
        for (Index i = 0; i < input.size(); ++i)
            if (m_rng.uniform() < m_config.maskFraction) input.data()[i] = 0;
    }
}

bool Trainer::halt(StopReason reason, std::string message) {
    m_stopped = reason != StopReason::Finished || m_epoch >= m_config.epochs;
    m_result.reason = reason;
    m_result.epochsCompleted = m_epoch;
    m_result.message = std::move(message);
    return false;
}

void Trainer::waitWhilePaused() {
    // Sleep in short slices so that resume and stop take effect within a few ms; return
    // after ~20 ms so the caller can ask the observer whether to go on.
    const auto start = Clock::now();
    while (m_control.pause.load() && !m_control.stop.load() && Clock::now() - start < std::chrono::milliseconds(20))
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    m_epochPausedSeconds += secondsBetween(start, Clock::now());
}

bool Trainer::stepBatch(TrainingObserver* observer) {
    if (m_stopped && m_result.reason == StopReason::NonFinite) return false;
    if (m_epoch >= m_config.epochs) return halt(StopReason::Finished);
    m_stopped = false;
    applyThreads();
    if (m_control.stop.load()) return halt(StopReason::StopRequested);
    while (m_control.pause.load()) {
        waitWhilePaused();
        if (m_control.stop.load()) return halt(StopReason::StopRequested);
        if (m_control.pause.load() && observer && !observer->onPaused())
            return halt(StopReason::ObserverStopped);
    }
    if (m_batch == 0) beginEpoch();

    const auto batchStart = Clock::now();
    const Index n = trainingSamples();
    const Index begin = m_batch * m_config.batchSize;
    const Index count = std::min<Index>(m_config.batchSize, n - begin);
    gatherBatch(m_data, m_model.normalizer(), m_order.data() + begin, count, m_batchTarget);
    const bool corrupts = m_config.inputNoise > 0 || m_config.maskFraction > 0;
    if (corrupts) {
        m_batchInput = m_batchTarget;
        corrupt(m_batchInput);
    }

    const double lr = m_control.learningRate.load();
    const double beta = m_control.beta.load();
    m_model.setBeta(beta);
    const Matrix* distances = nullptr;
    if (m_geodesics) {
        batchDistances(*m_geodesics, m_order.data() + begin, count, m_batchDistances);
        distances = &m_batchDistances;
    }
    const auto modelStart = Clock::now();
    const LossTerms loss =
        m_model.trainStep(corrupts ? m_batchInput : m_batchTarget, m_batchTarget, m_rng, distances);

    const bool gradsFinite = m_model.gradientsFinite();
    const auto optimizerStart = Clock::now();
    if (!loss.finite() || !gradsFinite) {
        std::ostringstream why;
        why << "the loss became " << (loss.finite() ? "finite but its gradient not" : "NaN or infinite")
            << " at epoch " << m_epoch + 1 << ", batch " << m_batch + 1 << " (learning rate " << lr
            << "). The weights are those of the last finite step; try a lower learning rate.";
        return halt(StopReason::NonFinite, why.str());
    }
    const bool weightsFinite = m_optimizer->step(m_params, lr);
    const auto optimizerEnd = Clock::now();
    ++m_steps;
    if (!weightsFinite) {
        // Only a huge step can overflow finite gradients; go back to the epoch's start.
        for (size_t k = 0; k < m_params.size(); ++k)
            Eigen::Map<Vector>(m_params[k].value, m_params[k].size) = m_checkpoint[k];
        std::ostringstream why;
        why << "the weights overflowed at epoch " << m_epoch + 1 << ", batch " << m_batch + 1
            << " (learning rate " << lr << "). They were restored to the start of this epoch; "
            << "try a lower learning rate.";
        // The position goes back with them: the epoch starts again (a saved position must
        // not skip the batches these weights have not seen).
        m_batch = 0;
        m_epochSum = {};
        m_epochSamples = 0;
        return halt(StopReason::NonFinite, why.str());
    }

    ++m_stepTimes.steps;
    m_stepTimes.batch += secondsBetween(batchStart, modelStart);
    m_stepTimes.model += secondsBetween(modelStart, optimizerStart);
    m_stepTimes.optimizer += secondsBetween(optimizerStart, optimizerEnd);

    m_epochSum.addWeighted(loss, double(count));
    m_epochSamples += count;
    BatchReport report{m_epoch, m_batch, batchesPerEpoch(), m_steps, count, loss, lr, beta};
    ++m_batch;
    bool keep = !observer || observer->onBatch(report);
    if (m_batch == batchesPerEpoch()) {
        m_batch = 0;
        finishEpoch();
        keep = keep && (!observer || observer->onEpoch(m_history.back()));
    }
    if (!keep) return halt(StopReason::ObserverStopped);
    if (m_control.stop.load()) return halt(StopReason::StopRequested);
    if (m_epoch >= m_config.epochs && m_batch == 0) return halt(StopReason::Finished);
    return true;
}

void Trainer::finishEpoch() {
    ++m_epoch;
    EpochReport r;
    r.epoch = m_epoch;
    r.epochs = m_config.epochs;
    r.train = LossTerms{}.addWeighted(m_epochSum, 1.0 / double(std::max<Index>(1, m_epochSamples)));
    const double wall = secondsBetween(m_epochStart, Clock::now());
    r.seconds = std::max(0.0, wall - m_epochPausedSeconds);
    r.samplesPerSecond = r.seconds > 0 ? double(m_epochSamples) / r.seconds : 0.0;
    r.learningRate = m_control.learningRate.load();
    r.beta = m_control.beta.load();
    if (validationSamples() > 0) {
        r.hasValidation = true;
        // Noise for the VAE's validation loss depends on (seed, epoch) only.
        r.validation = evaluateRange(m_model, m_data, m_validationBegin, m_validationEnd,
                                     m_config.seed * 1000003ull + uint64_t(m_epoch));
    }
    m_history.push_back(r);
}

TrainerPosition Trainer::position() const {
    TrainerPosition p;
    p.epoch = m_epoch;
    p.batch = m_batch;
    p.steps = m_steps;
    p.rng = m_rng.state();
    p.order = m_order;
    if (m_batch > 0) {
        p.epochSum = m_epochSum;
        p.epochSamples = m_epochSamples;
        p.epochSeconds = std::max(0.0, secondsBetween(m_epochStart, Clock::now()) - m_epochPausedSeconds);
        p.epochStart = m_checkpoint;
    }
    p.learningRate = m_control.learningRate.load();
    p.beta = m_control.beta.load();
    p.history = m_history;
    return p;
}

void Trainer::resume(const TrainerPosition& p) {
    auto bad = [](const std::string& what) { throw ConfigError("training position: " + what); };
    if (p.epoch < 0 || p.steps < 0) bad("negative epoch or step count");
    if (p.batch < 0 || p.batch >= batchesPerEpoch())
        bad("batch " + std::to_string(p.batch) + " of an epoch of " + std::to_string(batchesPerEpoch()) +
            " batches (was the batch size or the data changed?)");
    if (p.order.size() != m_order.size())
        bad("an order of " + std::to_string(p.order.size()) + " training samples, the data has " +
            std::to_string(m_order.size()));
    std::vector<char> seen(m_order.size(), 0);
    for (Index i : p.order) {
        if (i < 0 || i >= Index(m_order.size()) || seen[size_t(i)]) bad("the sample order is not a permutation");
        seen[size_t(i)] = 1;
    }
    if (p.batch > 0) {
        if (p.epochStart.size() != m_params.size()) bad("the epoch's starting weights do not fit the model");
        for (size_t k = 0; k < m_params.size(); ++k)
            if (p.epochStart[k].size() != m_params[k].size)
                bad("the epoch's starting weights of " + m_params[k].name + " do not fit the model");
    }
    if (!(p.learningRate > 0 && std::isfinite(p.learningRate)) || !(p.beta >= 0 && std::isfinite(p.beta)))
        bad("learning rate or beta out of range");
    if (p.epochSamples < 0 || !(p.epochSeconds >= 0 && std::isfinite(p.epochSeconds)))
        bad("the epoch's sample count or time is out of range");
    Rng rng;
    try {
        rng.restore(p.rng);
    } catch (const std::invalid_argument& e) {
        bad(std::string("the random generator: ") + e.what());
    }

    m_rng = rng;
    m_order = p.order;
    m_epoch = p.epoch;
    m_batch = p.batch;
    m_steps = p.steps;
    m_history = p.history;
    m_checkpoint = p.batch > 0 ? p.epochStart : std::vector<Vector>{};
    m_epochSum = p.batch > 0 ? p.epochSum : LossTerms{};
    m_epochSamples = p.batch > 0 ? p.epochSamples : 0;
    // The epoch's time so far counts as if it had been spent just before now.
    m_epochStart = Clock::now() -
                   std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(p.batch > 0 ? p.epochSeconds : 0.0));
    m_epochPausedSeconds = 0;
    m_control.learningRate.store(p.learningRate);
    m_control.beta.store(p.beta);
    m_model.setBeta(p.beta);
    m_stopped = false;
    m_result = TrainResult{};
    m_result.epochsCompleted = m_epoch;
}

bool Trainer::stepEpoch(TrainingObserver* observer) {
    const int target = m_epoch + 1;
    while (m_epoch < target)
        if (!stepBatch(observer)) return false;
    return true;
}

TrainResult Trainer::run(TrainingObserver* observer) {
    while (stepBatch(observer)) {
    }
    return m_result;
}

LossTerms Trainer::evaluateRange(const Model& model, const DataView& data, Index begin, Index end,
                                 uint64_t seed) {
    constexpr Index kChunk = 1024;
    Rng rng(seed);
    LossTerms sum;
    Matrix x;
    for (Index s = begin; s < end; s += kChunk) {
        const Index e = std::min(end, s + kChunk);
        gatherRange(data, model.normalizer(), s, e, x);
        sum.addWeighted(model.evaluate(x, x, rng), double(e - s));
    }
    return LossTerms{}.addWeighted(sum, 1.0 / double(std::max<Index>(1, end - begin)));
}

} // namespace latentlab
