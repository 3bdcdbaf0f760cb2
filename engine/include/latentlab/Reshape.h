// Flatten and Reshape: the same values, another shape. A batch is one column per sample in
// either shape, so the training pass hands its input on uncopied (and the gradient back).
#pragma once

#include "latentlab/Layer.h"

namespace latentlab {

class Reshape final : public Layer {
public:
    // kind: "flatten" (output flat) or "reshape"; ConfigError if the sizes differ.
    Reshape(const Shape& input, const Shape& output, const std::string& kind);

    LayerSpec spec() const override;
    Shape inputShape() const override { return m_in; }
    Shape outputShape() const override { return m_out; }
    void predict(const Matrix& input, Matrix& output) const override { output = input; }
    void initialize(Rng&) override {}
    std::vector<Parameter> parameters() override { return {}; }
    bool gradientsFinite() override { return true; }
    std::unique_ptr<Layer> clone() const override { return std::make_unique<Reshape>(*this); }

protected:
    const Matrix& forwardPass(const Matrix& input, const Pass&) override { return input; }
    const Matrix& backwardPass(const Matrix& gradOutput, GradientMode) override;

private:
    Shape m_in, m_out;
    std::string m_kind;
    Matrix m_none; // the empty input gradient of a first layer
};

} // namespace latentlab
