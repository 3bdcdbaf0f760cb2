#include "latentlab/Dense.h"

#include <cassert>
#include <cmath>

namespace latentlab {

Dense::Dense(Index inputs, Index outputs, Activation activation)
    : m_activation(activation), m_weight(Matrix::Zero(outputs, inputs)),
      m_bias(Vector::Zero(outputs)), m_weightGrad(Matrix::Zero(outputs, inputs)),
      m_biasGrad(Vector::Zero(outputs)) {
    if (inputs <= 0 || outputs <= 0) throw ConfigError("dense layer: sizes must be positive");
}

Init Dense::defaultInit(Activation activation) {
    switch (activation) {
    case Activation::ReLU:
    case Activation::LeakyReLU:
    case Activation::ELU:
        return Init::He;
    default:
        return Init::Xavier;
    }
}

void Dense::initialize(Rng& rng) {
    const double fanIn = double(m_weight.cols());
    const double fanOut = double(m_weight.rows());
    if (defaultInit(m_activation) == Init::He) {
        const double std = std::sqrt(2.0 / fanIn);
        for (Index i = 0; i < m_weight.size(); ++i) m_weight.data()[i] = Scalar(std * rng.normal());
    } else {
        const double limit = std::sqrt(6.0 / (fanIn + fanOut));
        for (Index i = 0; i < m_weight.size(); ++i)
            m_weight.data()[i] = Scalar(limit * (2.0 * rng.uniform() - 1.0));
    }
    m_bias.setZero();
}

const Matrix& Dense::forward(const Matrix& input) {
    assert(input.rows() == inputSize());
    m_input = &input;
    // z = W x + b 1^T, then a = f(z) in place.
    m_output.resize(outputSize(), input.cols());
    m_output.noalias() = m_weight * input;
    m_output.colwise() += m_bias;
    applyActivation(m_activation, m_output);
    return m_output;
}

const Matrix& Dense::backward(const Matrix& gradOutput) {
    assert(m_input && gradOutput.rows() == outputSize() && gradOutput.cols() == m_input->cols());
    // delta = dL/dz = dL/da * f'(z)
    m_delta = gradOutput;
    multiplyByDerivative(m_activation, m_output, m_delta);
    // dL/dW = delta x^T ;  dL/db = delta 1 ;  dL/dx = W^T delta
    m_weightGrad.noalias() = m_delta * m_input->transpose();
    m_biasGrad.noalias() = m_delta.rowwise().sum();
    if (m_computesInputGradient) {
        m_gradInput.resize(inputSize(), gradOutput.cols());
        m_gradInput.noalias() = m_weight.transpose() * m_delta;
    } else {
        m_gradInput.resize(0, 0);
    }
    return m_gradInput;
}

void Dense::predict(const Matrix& input, Matrix& output) const {
    output.resize(outputSize(), input.cols());
    output.noalias() = m_weight * input;
    output.colwise() += m_bias;
    applyActivation(m_activation, output);
}

std::vector<Parameter> Dense::parameters() {
    return {{"weight", m_weight.data(), m_weightGrad.data(), m_weight.size()},
            {"bias", m_bias.data(), m_biasGrad.data(), m_bias.size()}};
}

} // namespace latentlab
