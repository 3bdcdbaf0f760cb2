#include "latentlab/Optimizer.h"

#include <algorithm>
#include <cmath>

namespace latentlab {

void OptimizerConfig::validate() const {
    auto bad = [](const std::string& what) { throw ConfigError("optimizer: " + what); };
    if (!(momentum >= 0.0 && momentum < 1.0)) bad("momentum must be in [0, 1)");
    if (!(beta1 >= 0.0 && beta1 < 1.0)) bad("beta1 must be in [0, 1)");
    if (!(beta2 >= 0.0 && beta2 < 1.0)) bad("beta2 must be in [0, 1)");
    if (!(epsilon > 0.0 && std::isfinite(epsilon))) bad("epsilon must be positive");
    if (!(weightDecay >= 0.0 && std::isfinite(weightDecay))) bad("weight decay must be >= 0");
}

std::string optimizerName(OptimizerConfig::Kind kind) {
    return kind == OptimizerConfig::Kind::Sgd ? "sgd" : "adam";
}

OptimizerConfig::Kind parseOptimizer(const std::string& name) {
    if (name == "sgd") return OptimizerConfig::Kind::Sgd;
    if (name == "adam" || name == "adamw") return OptimizerConfig::Kind::Adam;
    throw ConfigError("optimizer: unknown '" + name + "' (choose sgd or adam)");
}

std::unique_ptr<Optimizer> makeOptimizer(const OptimizerConfig& config) {
    config.validate();
    if (config.kind == OptimizerConfig::Kind::Sgd) return std::make_unique<Sgd>(config);
    return std::make_unique<Adam>(config);
}

namespace {
using ArrayMap = Eigen::Map<Eigen::Array<Scalar, Eigen::Dynamic, 1>>;
using ConstArrayMap = Eigen::Map<const Eigen::Array<Scalar, Eigen::Dynamic, 1>>;

constexpr Index kBlock = 1024; // floats per block: Adam's four arrays of it fit in L1

template <class Block> void buildBlocks(const std::vector<Parameter>& params, std::vector<Block>& blocks) {
    blocks.clear();
    for (size_t k = 0; k < params.size(); ++k)
        for (Index b = 0; b < params[k].size; b += kBlock)
            blocks.push_back({k, b, std::min(kBlock, params[k].size - b)});
}

// f(block) for every block, spread over the OpenMP threads when there is enough work;
// returns whether f returned true for all. Each element is touched by exactly one call,
// so the results do not depend on the number of threads.
template <class Block, class F> bool allBlocks(const std::vector<Block>& blocks, F f) {
    const long n = long(blocks.size());
    bool ok = true;
#pragma omp parallel for schedule(dynamic, 16) reduction(&& : ok) if (n >= 64)
    for (long i = 0; i < n; ++i) ok = f(blocks[size_t(i)]) && ok;
    return ok;
}

void ensureSlots(std::vector<Vector>& slots, const std::vector<Parameter>& params) {
    if (slots.size() == params.size()) return;
    slots.clear();
    for (const auto& p : params) slots.push_back(Vector::Zero(p.size));
}

std::vector<std::vector<float>> flatten(const std::vector<Vector>& a, const std::vector<Vector>& b) {
    std::vector<std::vector<float>> out;
    for (const auto* slots : {&a, &b})
        for (const auto& v : *slots) out.emplace_back(v.data(), v.data() + v.size());
    return out;
}

void unflatten(const std::vector<std::vector<float>>& in, size_t offset, size_t count,
               std::vector<Vector>& slots) {
    slots.clear();
    for (size_t i = 0; i < count; ++i) {
        const auto& s = in[offset + i];
        Vector v(Index(s.size()));
        for (size_t k = 0; k < s.size(); ++k) v[Index(k)] = Scalar(s[k]);
        slots.push_back(std::move(v));
    }
}
} // namespace

const std::vector<Optimizer::Block>& Optimizer::blocksOf(const std::vector<Parameter>& params) {
    bool same = m_blockedSizes.size() == params.size();
    for (size_t k = 0; same && k < params.size(); ++k) same = m_blockedSizes[k] == params[k].size;
    if (!same) {
        buildBlocks(params, m_blocks);
        m_blockedSizes.clear();
        for (const auto& p : params) m_blockedSizes.push_back(p.size);
    }
    return m_blocks;
}

bool gradientsFinite(const std::vector<Parameter>& params) {
    using Block = Optimizer::Block;
    std::vector<Block> blocks;
    buildBlocks(params, blocks);
    return allBlocks(blocks, [&](const Block& b) {
        return allFinite(ConstArrayMap(params[b.param].grad + b.begin, b.size));
    });
}

bool Sgd::step(const std::vector<Parameter>& params, double learningRate) {
    ensureSlots(m_velocity, params);
    ++m_steps;
    const Scalar lr = Scalar(learningRate);
    const Scalar mu = Scalar(m_config.momentum);
    const Scalar decay = Scalar(1.0 - learningRate * m_config.weightDecay);
    const bool decays = m_config.weightDecay > 0, nesterov = m_config.nesterov;
    return allBlocks(blocksOf(params), [&](const Block& b) {
        ArrayMap w(params[b.param].value + b.begin, b.size);
        ConstArrayMap g(params[b.param].grad + b.begin, b.size);
        ArrayMap v(m_velocity[b.param].data() + b.begin, b.size);
        if (decays) w *= decay;
        if (mu > 0) {
            v = mu * v + g;
            if (nesterov)
                w -= lr * (g + mu * v);
            else
                w -= lr * v;
        } else {
            w -= lr * g;
        }
        return allFinite(w);
    });
}

std::vector<std::vector<float>> Sgd::state() const { return flatten(m_velocity, {}); }

void Sgd::setState(const std::vector<std::vector<float>>& state, long long steps) {
    unflatten(state, 0, state.size(), m_velocity);
    m_steps = steps;
}

bool Adam::step(const std::vector<Parameter>& params, double learningRate) {
    ensureSlots(m_m, params);
    ensureSlots(m_v, params);
    ++m_steps;
    const double b1 = m_config.beta1, b2 = m_config.beta2;
    // Bias corrections folded into the step size, as PyTorch does:
    //   w -= (lr / c1) * m / (sqrt(v) / sqrt(c2) + eps),  c1 = 1 - b1^t, c2 = 1 - b2^t
    const double c1 = 1.0 - std::pow(b1, double(m_steps));
    const double c2 = 1.0 - std::pow(b2, double(m_steps));
    const Scalar stepSize = Scalar(learningRate / c1);
    const Scalar invSqrtC2 = Scalar(1.0 / std::sqrt(c2));
    const Scalar eps = Scalar(m_config.epsilon);
    const Scalar sb1 = Scalar(b1), sb2 = Scalar(b2);
    const Scalar decay = Scalar(1.0 - learningRate * m_config.weightDecay);
    const bool decays = m_config.weightDecay > 0;
    return allBlocks(blocksOf(params), [&](const Block& b) {
        ArrayMap w(params[b.param].value + b.begin, b.size);
        ConstArrayMap g(params[b.param].grad + b.begin, b.size);
        ArrayMap m(m_m[b.param].data() + b.begin, b.size);
        ArrayMap v(m_v[b.param].data() + b.begin, b.size);
        if (decays) w *= decay;
        m = sb1 * m + (Scalar(1) - sb1) * g;
        v = sb2 * v + (Scalar(1) - sb2) * g.square();
        w -= stepSize * m / (v.sqrt() * invSqrtC2 + eps);
        return allFinite(w);
    });
}

std::vector<std::vector<float>> Adam::state() const { return flatten(m_m, m_v); }

void Adam::setState(const std::vector<std::vector<float>>& state, long long steps) {
    const size_t half = state.size() / 2;
    unflatten(state, 0, half, m_m);
    unflatten(state, half, half, m_v);
    m_steps = steps;
}

} // namespace latentlab
