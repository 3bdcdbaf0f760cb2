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
//
// The threads take the blocks in about 16 runs of consecutive blocks (each at least 16
// blocks): long runs keep each thread's streams through the arrays long, which the
// memory-bound Adam step needs (the reference VAE's Adam step takes ~10 % less time than
// with runs of 16 blocks), and 16 runs still let one thread make up for another that the
// system held up.
template <class Block, class F> bool allBlocks(const std::vector<Block>& blocks, F f) {
    const long n = long(blocks.size());
    const long run = std::max(16L, n / 16);
    bool ok = true;
#pragma omp parallel for schedule(dynamic, run) reduction(&& : ok) if (n >= 64)
    for (long i = 0; i < n; ++i) ok = f(blocks[size_t(i)]) && ok;
    return ok;
}

void ensureSlots(std::vector<Vector>& slots, const std::vector<Parameter>& params) {
    if (slots.size() == params.size()) return;
    slots.clear();
    for (const auto& p : params) slots.push_back(Vector::Zero(p.size));
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

std::vector<const std::vector<Vector>*> Optimizer::slotArrays() const {
    const auto mutableSlots = const_cast<Optimizer*>(this)->slotArrays();
    return {mutableSlots.begin(), mutableSlots.end()};
}

namespace {
std::vector<Index> shapeOf(const Parameter& p) { return p.shape.empty() ? std::vector<Index>{p.size} : p.shape; }
} // namespace

OptimizerState Optimizer::state(const std::vector<Parameter>& params) const {
    OptimizerState out;
    const auto names = slotNames();
    const auto arrays = slotArrays();
    for (size_t s = 0; s < arrays.size(); ++s) {
        if (arrays[s]->size() != params.size()) continue; // no step taken yet
        for (size_t k = 0; k < params.size(); ++k) {
            const Vector& v = (*arrays[s])[k];
            out.push_back({names[s], params[k].name, shapeOf(params[k]), std::vector<float>(v.data(), v.data() + v.size())});
        }
    }
    return out;
}

void Optimizer::setState(const OptimizerState& state, const std::vector<Parameter>& params, long long steps) {
    if (steps < 0) throw ConfigError("optimiser state: negative step count " + std::to_string(steps));
    if (state.empty()) { // saved before the first step: the moments start at zero again
        for (auto* array : slotArrays()) array->clear();
        m_steps = steps;
        return;
    }
    const auto names = slotNames();
    std::vector<std::vector<Vector>> restored(names.size());
    std::vector<bool> used(state.size(), false);
    for (size_t s = 0; s < names.size(); ++s)
        for (const Parameter& p : params) {
            const std::string what = "optimiser state '" + names[s] + "' of parameter '" + p.name + "'";
            size_t found = state.size();
            for (size_t i = 0; i < state.size(); ++i)
                if (state[i].slot == names[s] && state[i].parameter == p.name) found = i;
            if (found == state.size()) throw ConfigError(what + " is missing");
            const SlotState& st = state[found];
            if (st.shape != shapeOf(p))
                throw ConfigError(what + " is " + shapeText(st.shape) + ", the parameter is " + shapeText(shapeOf(p)));
            if (Index(st.values.size()) != p.size)
                throw ConfigError(what + " has " + std::to_string(st.values.size()) + " values, the parameter " +
                                  std::to_string(p.size));
            Vector v(p.size);
            for (Index i = 0; i < p.size; ++i) v[i] = Scalar(st.values[size_t(i)]);
            restored[s].push_back(std::move(v));
            used[found] = true;
        }
    for (size_t i = 0; i < state.size(); ++i)
        if (!used[i])
            throw ConfigError("optimiser state '" + state[i].slot + "' of '" + state[i].parameter +
                              "' belongs to no parameter of this model (or to no slot of this optimiser)");
    const auto arrays = slotArrays();
    for (size_t s = 0; s < arrays.size(); ++s) *arrays[s] = std::move(restored[s]);
    m_steps = steps;
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


} // namespace latentlab
