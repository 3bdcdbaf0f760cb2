#include "latentlab/Pooling.h"

#include <cassert>
#include <cmath>

namespace latentlab {

namespace {
// Below this many values a batch is resized on one thread.
constexpr double kParallelValues = 1 << 16;
bool parallel(const Matrix& m) { return m.cols() > 1 && double(m.size()) >= kParallelValues; }

// f(output index, input index) for every input value under every output's window of one
// sample, windows in output order, each window row by row.
template <class F> void forEachWindowValue(const Shape& in, const Shape& out, Index window, Index stride, F f) {
    const Index H = in.height, W = in.width, Ho = out.height, Wo = out.width;
    for (Index c = 0; c < out.channels; ++c)
        for (Index oy = 0; oy < Ho; ++oy)
            for (Index ox = 0; ox < Wo; ++ox)
                for (Index ky = 0; ky < window; ++ky)
                    for (Index kx = 0; kx < window; ++kx)
                        f((c * Ho + oy) * Wo + ox, c * H * W + (oy * stride + ky) * W + ox * stride + kx);
}
} // namespace

Matrix* ImageResizeLayer::zeroedGradInput(Index batch) {
    if (!m_computesInputGradient) {
        m_gradInput.resize(0, 0);
        return nullptr;
    }
    m_gradInput.setZero(m_in.size(), batch);
    return &m_gradInput;
}

// ---- max pooling --------------------------------------------------------------------------

MaxPool2D::MaxPool2D(const Shape& input, Index window, Index stride)
    : ImageResizeLayer(input, LayerSpec::pool("maxpool", window, stride).outputShape(input)), m_window(window),
      m_stride(stride) {}

void MaxPool2D::pool(const Matrix& x, Matrix& y, std::vector<int32_t>* argmax) const {
    assert(x.rows() == m_in.size());
    const Index B = x.cols(), H = m_in.height, W = m_in.width, Ho = m_out.height, Wo = m_out.width;
    y.resize(m_out.size(), B);
    if (argmax) argmax->resize(size_t(y.size()));
#pragma omp parallel for schedule(static) if (parallel(x))
    for (Index b = 0; b < B; ++b) {
        const Scalar* in = x.col(b).data();
        Scalar* out = y.col(b).data();
        int32_t* arg = argmax ? argmax->data() + b * y.rows() : nullptr;
        for (Index c = 0; c < m_out.channels; ++c)
            for (Index oy = 0; oy < Ho; ++oy)
                for (Index ox = 0; ox < Wo; ++ox) {
                    // The first of equal maxima wins, as in PyTorch; NaN propagates.
                    Index best = c * H * W + (oy * m_stride) * W + ox * m_stride;
                    for (Index ky = 0; ky < m_window; ++ky)
                        for (Index kx = 0; kx < m_window; ++kx) {
                            const Index i = c * H * W + (oy * m_stride + ky) * W + ox * m_stride + kx;
                            if (in[i] > in[best] || std::isnan(in[i])) best = i;
                        }
                    const Index o = (c * Ho + oy) * Wo + ox;
                    out[o] = in[best];
                    if (arg) arg[o] = int32_t(best);
                }
    }
}

const Matrix& MaxPool2D::forwardPass(const Matrix& input, const Pass&) {
    pool(input, m_output, &m_argmax);
    return m_output;
}

void MaxPool2D::predict(const Matrix& input, Matrix& output) const { pool(input, output, nullptr); }

const Matrix& MaxPool2D::backwardPass(const Matrix& g, GradientMode) {
    if (!zeroedGradInput(g.cols())) return m_gradInput;
    assert(g.rows() == m_out.size() && Index(m_argmax.size()) == g.size());
#pragma omp parallel for schedule(static) if (parallel(g))
    for (Index b = 0; b < g.cols(); ++b) {
        const int32_t* arg = m_argmax.data() + b * g.rows();
        Scalar* gi = m_gradInput.col(b).data();
        for (Index o = 0; o < g.rows(); ++o) gi[arg[o]] += g(o, b); // windows may overlap
    }
    return m_gradInput;
}

// ---- average pooling ----------------------------------------------------------------------

AvgPool2D::AvgPool2D(const Shape& input, Index window, Index stride)
    : ImageResizeLayer(input, LayerSpec::pool("avgpool", window, stride).outputShape(input)), m_window(window),
      m_stride(stride) {}

void AvgPool2D::predict(const Matrix& x, Matrix& y) const {
    assert(x.rows() == m_in.size());
    const Scalar inv = Scalar(1) / Scalar(m_window * m_window);
    y.setZero(m_out.size(), x.cols());
#pragma omp parallel for schedule(static) if (parallel(x))
    for (Index b = 0; b < x.cols(); ++b) {
        const Scalar* in = x.col(b).data();
        Scalar* out = y.col(b).data();
        forEachWindowValue(m_in, m_out, m_window, m_stride, [&](Index o, Index i) { out[o] += in[i]; });
        y.col(b) *= inv;
    }
}

const Matrix& AvgPool2D::forwardPass(const Matrix& input, const Pass&) {
    m_batch = input.cols();
    predict(input, m_output);
    return m_output;
}

const Matrix& AvgPool2D::backwardPass(const Matrix& g, GradientMode) {
    if (!zeroedGradInput(g.cols())) return m_gradInput;
    assert(g.rows() == m_out.size() && g.cols() == m_batch);
    const Scalar inv = Scalar(1) / Scalar(m_window * m_window);
#pragma omp parallel for schedule(static) if (parallel(g))
    for (Index b = 0; b < g.cols(); ++b) {
        const Scalar* go = g.col(b).data();
        Scalar* gi = m_gradInput.col(b).data();
        forEachWindowValue(m_in, m_out, m_window, m_stride, [&](Index o, Index i) { gi[i] += go[o] * inv; });
    }
    return m_gradInput;
}

// ---- nearest-neighbour upsampling ---------------------------------------------------------

Upsample::Upsample(const Shape& input, Index scale)
    : ImageResizeLayer(input, LayerSpec::upsample(scale).outputShape(input)), m_scale(scale) {}

void Upsample::predict(const Matrix& x, Matrix& y) const {
    assert(x.rows() == m_in.size());
    const Index H = m_in.height, W = m_in.width, Ho = m_out.height, Wo = m_out.width;
    y.resize(m_out.size(), x.cols());
#pragma omp parallel for schedule(static) if (parallel(x))
    for (Index b = 0; b < x.cols(); ++b) {
        const Scalar* in = x.col(b).data();
        Scalar* out = y.col(b).data();
        for (Index c = 0; c < m_out.channels; ++c)
            for (Index oy = 0; oy < Ho; ++oy) {
                const Scalar* row = in + (c * H + oy / m_scale) * W;
                Scalar* o = out + (c * Ho + oy) * Wo;
                for (Index ox = 0; ox < Wo; ++ox) o[ox] = row[ox / m_scale];
            }
    }
}

const Matrix& Upsample::forwardPass(const Matrix& input, const Pass&) {
    predict(input, m_output);
    return m_output;
}

const Matrix& Upsample::backwardPass(const Matrix& g, GradientMode) {
    if (!zeroedGradInput(g.cols())) return m_gradInput;
    const Index H = m_in.height, W = m_in.width, Ho = m_out.height, Wo = m_out.width;
#pragma omp parallel for schedule(static) if (parallel(g))
    for (Index b = 0; b < g.cols(); ++b) {
        const Scalar* go = g.col(b).data();
        Scalar* gi = m_gradInput.col(b).data();
        for (Index c = 0; c < m_out.channels; ++c)
            for (Index oy = 0; oy < Ho; ++oy) {
                const Scalar* row = go + (c * Ho + oy) * Wo;
                Scalar* target = gi + (c * H + oy / m_scale) * W;
                for (Index ox = 0; ox < Wo; ++ox) target[ox / m_scale] += row[ox];
            }
    }
    return m_gradInput;
}

} // namespace latentlab
