// Fully connected layer with a fused activation: a = f(W x + b).
#pragma once

#include "latentlab/Activation.h"
#include "latentlab/Layer.h"

namespace latentlab {

enum class Init { He, Xavier };

class Dense final : public Layer {
public:
    Dense(Index inputs, Index outputs, Activation activation);

    LayerSpec spec() const override { return LayerSpec::dense(m_weight.rows(), m_activation); }
    Shape inputShape() const override { return Shape::flat(m_weight.cols()); }
    Shape outputShape() const override { return Shape::flat(m_weight.rows()); }
    Activation activation() const { return m_activation; }

    void predict(const Matrix& input, Matrix& output) const override;

    // He (normal, std sqrt(2/in)) suits the ReLU family; Xavier (uniform, limit
    // sqrt(6/(in+out))) suits tanh, sigmoid and linear layers. Biases start at zero.
    void initialize(Rng& rng) override;
    static Init defaultInit(Activation activation);

    std::vector<Parameter> parameters() override;
    // Checked in backward() while each gradient tile was in cache.
    bool gradientsFinite() override { return m_gradientsFinite; }
    std::unique_ptr<Layer> clone() const override { return std::make_unique<Dense>(*this); }

    Matrix& weight() { return m_weight; }
    Vector& bias() { return m_bias; }
    const Matrix& weight() const { return m_weight; }
    const Vector& bias() const { return m_bias; }

protected:
    const Matrix& forwardPass(const Matrix& input, const Pass& pass) override;
    const Matrix& backwardPass(const Matrix& gradOutput, GradientMode mode) override;

private:
    // output = f(W input + b 1^T)
    void affine(const Matrix& input, Matrix& output) const;

    Activation m_activation;
    Matrix m_weight; // outputs x inputs
    Vector m_bias;
    Matrix m_weightGrad;
    Vector m_biasGrad;
    const Matrix* m_input = nullptr; // set by forward, read by backward
    Matrix m_output;
    Matrix m_delta;     // dL/dz
    Matrix m_gradInput; // dL/dx
    bool m_gradientsFinite = true;
};

} // namespace latentlab
