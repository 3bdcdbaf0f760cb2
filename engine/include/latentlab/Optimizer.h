// Optimisers update parameters in place from their gradients. Their state (momentum,
// Adam moments, step count) is kept per parameter, and is saved and restored with the
// model by parameter name and shape.
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

// One slot of one parameter ("m" of "encoder.0.weight"), as the model file stores it.
struct SlotState {
    std::string slot;
    std::string parameter;
    std::vector<Index> shape;
    std::vector<float> values;
    bool operator==(const SlotState& o) const {
        return slot == o.slot && parameter == o.parameter && shape == o.shape && values == o.values;
    }
};
using OptimizerState = std::vector<SlotState>;

class Optimizer {
public:
    virtual ~Optimizer() = default;
    // Updates every parameter from its gradient; returns whether all updated values are
    // finite (a huge step can overflow even from finite gradients).
    virtual bool step(const std::vector<Parameter>& params, double learningRate) = 0;

    // The slots this optimiser keeps per parameter: {"velocity"} or {"m", "v"}.
    virtual std::vector<std::string> slotNames() const = 0;
    // Every slot of every parameter, named; empty before the first step.
    OptimizerState state(const std::vector<Parameter>& params) const;
    // Takes a saved state for these parameters, matched by slot, name and shape; ConfigError
    // naming the first slot missing, extra or of another shape (and nothing changes then).
    void setState(const OptimizerState& state, const std::vector<Parameter>& params, long long steps);
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
    // The arrays behind slotNames(), one Vector per parameter each (empty before a step).
    virtual std::vector<std::vector<Vector>*> slotArrays() = 0;
    std::vector<const std::vector<Vector>*> slotArrays() const;

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
    std::vector<std::string> slotNames() const override { return {"velocity"}; }

protected:
    std::vector<std::vector<Vector>*> slotArrays() override { return {&m_velocity}; }

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
    std::vector<std::string> slotNames() const override { return {"m", "v"}; }

protected:
    std::vector<std::vector<Vector>*> slotArrays() override { return {&m_m, &m_v}; }

private:
    OptimizerConfig m_config;
    std::vector<Vector> m_m, m_v;
};

} // namespace latentlab
