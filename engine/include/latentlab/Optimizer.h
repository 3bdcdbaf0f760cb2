// Optimisers update parameters in place from their gradients. Their state (momentum,
// Adam moments, step count) is kept per parameter, in the order parameters() gives, and
// can be saved and restored with the model.
#pragma once

#include "latentlab/Types.h"

#include <memory>
#include <string>
#include <vector>

namespace latentlab {

struct OptimizerConfig {
    enum class Kind { Sgd, Adam };
    Kind kind = Kind::Adam;
    double momentum = 0.9;    // SGD
    bool nesterov = false;    // SGD
    double beta1 = 0.9;       // Adam
    double beta2 = 0.999;     // Adam
    double epsilon = 1e-8;    // Adam
    double weightDecay = 0.0; // decoupled (AdamW / SGDW style): w <- w - lr * wd * w

    void validate() const; // throws ConfigError naming the field
};

std::string optimizerName(OptimizerConfig::Kind kind);
OptimizerConfig::Kind parseOptimizer(const std::string& name); // "sgd" | "adam"

class Optimizer {
public:
    virtual ~Optimizer() = default;
    // Updates every parameter from its gradient; returns whether all updated values are
    // finite (a huge step can overflow even from finite gradients).
    virtual bool step(const std::vector<Parameter>& params, double learningRate) = 0;

    // Flat state for the model file: one vector per slot and parameter, plus a step count.
    virtual std::vector<std::vector<float>> state() const = 0;
    virtual void setState(const std::vector<std::vector<float>>& state, long long steps) = 0;
    long long steps() const { return m_steps; }

    // Parameters are updated in blocks small enough that the arrays a step touches stay in
    // the L1 cache between its passes, and many enough to share among threads.
    struct Block {
        size_t param;
        Index begin, size;
    };

protected:
    // The blocks of params, rebuilt only when their sizes change.
    const std::vector<Block>& blocksOf(const std::vector<Parameter>& params);

    long long m_steps = 0;

private:
    std::vector<Block> m_blocks;
    std::vector<Index> m_blockedSizes; // the parameter sizes m_blocks was built for
};

std::unique_ptr<Optimizer> makeOptimizer(const OptimizerConfig& config);

// v <- momentum v + g ;  w <- w - lr v   (nesterov: w <- w - lr (g + momentum v))
// This is PyTorch's formulation (dampening 0), so results compare directly.
class Sgd final : public Optimizer {
public:
    explicit Sgd(const OptimizerConfig& config) : m_config(config) {}
    bool step(const std::vector<Parameter>& params, double learningRate) override;
    std::vector<std::vector<float>> state() const override;
    void setState(const std::vector<std::vector<float>>& state, long long steps) override;

private:
    OptimizerConfig m_config;
    std::vector<Vector> m_velocity;
};

// m <- b1 m + (1-b1) g ;  v <- b2 v + (1-b2) g^2
// w <- w - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
class Adam final : public Optimizer {
public:
    explicit Adam(const OptimizerConfig& config) : m_config(config) {}
    bool step(const std::vector<Parameter>& params, double learningRate) override;
    std::vector<std::vector<float>> state() const override;
    void setState(const std::vector<std::vector<float>>& state, long long steps) override;

private:
    OptimizerConfig m_config;
    std::vector<Vector> m_m, m_v;
};

} // namespace latentlab
