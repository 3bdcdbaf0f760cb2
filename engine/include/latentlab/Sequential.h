// A chain of layers: output of layer i is the input of layer i+1.
#pragma once

#include "latentlab/Layer.h"

#include <memory>
#include <vector>

namespace latentlab {

class Sequential {
public:
    Sequential() = default;
    Sequential(const Sequential& other);
    Sequential& operator=(const Sequential& other);
    Sequential(Sequential&&) noexcept = default;
    Sequential& operator=(Sequential&&) noexcept = default;

    // The layers of a spec list for samples of shape `input`; ConfigError naming the layer
    // (1-based) that does not fit.
    static Sequential build(const std::vector<LayerSpec>& specs, const Shape& input);

    // ConfigError naming both layers when `layer` does not take the shape the last one
    // gives.
    void add(std::unique_ptr<Layer> layer);
    size_t size() const { return m_layers.size(); }
    bool empty() const { return m_layers.empty(); }
    Layer& layer(size_t i) { return *m_layers[i]; }
    const Layer& layer(size_t i) const { return *m_layers[i]; }
    Index inputSize() const { return m_layers.front()->inputSize(); }
    Index outputSize() const { return m_layers.back()->outputSize(); }
    Shape inputShape() const { return m_layers.front()->inputShape(); }
    Shape outputShape() const { return m_layers.back()->outputShape(); }

    // Training passes; see Layer. The input must stay alive until backward returns.
    const Matrix& forward(const Matrix& input, const Pass& pass = {});
    const Matrix& backward(const Matrix& gradOutput, GradientMode mode = GradientMode::Overwrite);
    void predict(const Matrix& input, Matrix& output) const;

    void initialize(Rng& rng);
    // Each layer's spec, in order.
    std::vector<LayerSpec> specs() const;
    // Parameters named "<prefix>.<layer index>.<weight|bias>".
    std::vector<Parameter> parameters(const std::string& prefix);
    void setComputesInputGradient(bool on);
    // Every layer's gradients finite after the last backward pass (see Layer).
    bool gradientsFinite();

private:
    std::vector<std::unique_ptr<Layer>> m_layers;
};

} // namespace latentlab
