#include "latentlab/Dense.h"

#include "Gemm.h"

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

namespace {
constexpr double kParallelWork = 1 << 20; // multiply-adds below which one thread is faster
using detail::Tiles;
} // namespace

void Dense::affine(const Matrix& input, Matrix& output) const {
    const Index rows = outputSize();
    output.resize(rows, input.cols());
    const Tiles tiles(rows);
    const double work = double(rows) * double(inputSize()) * double(input.cols());
#pragma omp parallel for schedule(dynamic, 1) if (tiles.count > 1 && work >= kParallelWork)
    for (Index t = 0; t < tiles.count; ++t) {
        const Index b = tiles.begin(t), n = tiles.size(t);
        auto y = output.middleRows(b, n);
        // Starting from the bias saves Eigen's zero fill of the product's destination.
        const auto bias = m_bias.segment(b, n);
        for (Index j = 0; j < y.cols(); ++j) y.col(j) = bias; // contiguous, vectorised copies
        detail::gemm(false, false, n, input.cols(), inputSize(), m_weight.data() + b, m_weight.rows(), input.data(),
                     input.rows(), true, output.data() + b, output.rows());
        applyActivation(m_activation, y);
    }
}

const Matrix& Dense::forwardPass(const Matrix& input, const Pass&) {
    assert(input.rows() == inputSize());
    m_input = &input;
    affine(input, m_output);
    return m_output;
}

const Matrix& Dense::backwardPass(const Matrix& gradOutput, GradientMode mode) {
    assert(m_input && gradOutput.rows() == outputSize() && gradOutput.cols() == m_input->cols());
    const Matrix& x = *m_input;
    const Index outputs = outputSize(), inputs = inputSize(), batch = gradOutput.cols();
    // delta = dL/dz = dL/da * f'(z); a linear layer's delta is its gradOutput, uncopied.
    const bool linear = m_activation == Activation::Identity;
    if (!linear) m_delta.resize(outputs, batch);
    const Matrix& delta = linear ? gradOutput : m_delta;
    // dL/dW = delta x^T ;  dL/db = delta 1 ;  dL/dx = W^T delta
    const bool wantsInput = m_computesInputGradient;
    const bool accumulate = mode == GradientMode::Accumulate;
    if (wantsInput)
        m_gradInput.resize(inputs, batch);
    else
        m_gradInput.resize(0, 0);
    const Tiles weightTiles(outputs), inputTiles(wantsInput ? inputs : 0);
    const double work = double(outputs) * double(inputs) * double(batch);
    bool finite = true;
#pragma omp parallel if (weightTiles.count + inputTiles.count > 1 && work >= kParallelWork) \
    reduction(&& : finite)
    {
        // delta in the weight tiles' rows, shared out like them; the input gradient needs
        // every row, hence the barrier at the end of this loop.
        if (!linear) {
#pragma omp for schedule(static)
            for (Index t = 0; t < weightTiles.count; ++t) {
                const Index b = weightTiles.begin(t), n = weightTiles.size(t);
                auto d = m_delta.middleRows(b, n);
                d = gradOutput.middleRows(b, n);
                multiplyByDerivative(m_activation, m_output.middleRows(b, n), d);
            }
        }
        // The two products are independent, so their tiles form one queue, the costlier
        // kind first: what is left for the last thread at the end is a cheap tile.
        const double weightTileWork = weightTiles.count ? double(weightTiles.size(0)) * double(inputs) : 0.0;
        const double inputTileWork = inputTiles.count ? double(inputTiles.size(0)) * double(outputs) : 0.0;
        const bool inputsFirst = inputTileWork > weightTileWork;
        const Index firstCount = inputsFirst ? inputTiles.count : weightTiles.count;
#pragma omp for schedule(dynamic, 1)
        for (Index q = 0; q < weightTiles.count + inputTiles.count; ++q) {
            const bool isInputTile = (q < firstCount) == inputsFirst;
            const Index t = q < firstCount ? q : q - firstCount;
            if (isInputTile) {
                const Index b = inputTiles.begin(t), n = inputTiles.size(t);
                detail::gemm(true, false, n, batch, outputs, m_weight.data() + b * m_weight.rows(), m_weight.rows(),
                             delta.data(), delta.rows(), false, m_gradInput.data() + b, m_gradInput.rows());
                continue;
            }
            const Index b = weightTiles.begin(t), n = weightTiles.size(t);
            auto gw = m_weightGrad.middleRows(b, n);
            auto gb = m_biasGrad.segment(b, n);
            detail::gemm(false, true, n, inputs, batch, delta.data() + b, delta.rows(), x.data(), x.rows(), accumulate,
                         m_weightGrad.data() + b, m_weightGrad.rows());
            if (accumulate)
                gb.noalias() += delta.middleRows(b, n).rowwise().sum();
            else
                gb.noalias() = delta.middleRows(b, n).rowwise().sum();
            finite = allFinite(gw) && allFinite(gb) && finite;
        }
    }
    m_gradientsFinite = finite;
    return m_gradInput;
}

void Dense::predict(const Matrix& input, Matrix& output) const { affine(input, output); }

std::vector<Parameter> Dense::parameters() {
    return {{"weight", m_weight.data(), m_weightGrad.data(), m_weight.size(), {m_weight.cols(), m_weight.rows()}},
            {"bias", m_bias.data(), m_biasGrad.data(), m_bias.size(), {m_bias.size()}}};
}

} // namespace latentlab
