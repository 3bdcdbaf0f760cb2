#include "latentlab/Conv.h"

#include "latentlab/Dense.h"

#include "Gemm.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace latentlab {

namespace detail {

namespace {
// The output positions o in [0, outSize) whose input coordinate o·stride − shift lies in
// [0, size): [lo, hi). Computed once per row so that the copying loops have no branches.
void validRange(Index shift, Index stride, Index size, Index outSize, Index& lo, Index& hi) {
    lo = shift > 0 ? (shift + stride - 1) / stride : 0;
    hi = size - 1 + shift >= 0 ? std::min(outSize, (size - 1 + shift) / stride + 1) : 0;
    lo = std::min(lo, outSize);
    hi = std::max(hi, lo);
}
} // namespace

void im2col(const PatchGeometry& g, const Matrix& images, Matrix& cols) {
    assert(images.rows() == g.channels * g.height * g.width);
    const Index B = images.cols(), P = g.positions(), k = g.kernel, s = g.stride;
    cols.resize(B * P, g.patchSize());
    // One (kernel offset, sample) pair per task: a column segment of P rows, written whole.
    const Index tasks = g.patchSize() * B;
#pragma omp parallel for schedule(static) if (double(cols.size()) >= double(1 << 18))
    for (Index t = 0; t < tasks; ++t) {
        const Index q = t / B, b = t % B;
        const Index c = q / (k * k), ky = (q / k) % k, kx = q % k;
        const Scalar* image = images.col(b).data() + c * g.height * g.width;
        Scalar* out = cols.col(q).data() + b * P;
        Index lo, hi, yLo, yHi;
        validRange(g.padding - kx, s, g.width, g.outWidth, lo, hi);
        validRange(g.padding - ky, s, g.height, g.outHeight, yLo, yHi);
        std::fill(out, out + yLo * g.outWidth, Scalar(0));
        for (Index oy = yLo; oy < yHi; ++oy) {
            Scalar* o = out + oy * g.outWidth;
            // Input column of output position ox: ox·s − (padding − kx).
            const Scalar* row = image + (oy * s - g.padding + ky) * g.width - (g.padding - kx);
            std::fill(o, o + lo, Scalar(0));
            if (s == 1)
                std::copy(row + lo, row + hi, o + lo);
            else
                for (Index ox = lo; ox < hi; ++ox) o[ox] = row[ox * s];
            std::fill(o + hi, o + g.outWidth, Scalar(0));
        }
        std::fill(out + yHi * g.outWidth, out + P, Scalar(0));
    }
}

void col2im(const PatchGeometry& g, const Matrix& cols, Matrix& images) {
    const Index P = g.positions(), k = g.kernel, s = g.stride, B = cols.rows() / P;
    assert(cols.cols() == g.patchSize() && images.rows() == g.channels * g.height * g.width && images.cols() == B);
    // Per sample, in a fixed order: the sums do not depend on the threads.
#pragma omp parallel for schedule(static) if (B > 1 && double(cols.size()) >= double(1 << 18))
    for (Index b = 0; b < B; ++b) {
        for (Index q = 0; q < g.patchSize(); ++q) {
            const Index c = q / (k * k), ky = (q / k) % k, kx = q % k;
            Scalar* image = images.col(b).data() + c * g.height * g.width;
            const Scalar* in = cols.col(q).data() + b * P;
            Index lo, hi, yLo, yHi;
            validRange(g.padding - kx, s, g.width, g.outWidth, lo, hi);
            validRange(g.padding - ky, s, g.height, g.outHeight, yLo, yHi);
            for (Index oy = yLo; oy < yHi; ++oy) {
                const Scalar* i = in + oy * g.outWidth;
                Scalar* row = image + (oy * s - g.padding + ky) * g.width - (g.padding - kx);
                if (s == 1)
                    for (Index ox = lo; ox < hi; ++ox) row[ox] += i[ox];
                else
                    for (Index ox = lo; ox < hi; ++ox) row[ox * s] += i[ox];
            }
        }
    }
}

} // namespace detail

namespace {
constexpr double kParallelWork = 1 << 20; // multiply-adds below which one thread is faster
constexpr Index kRowChunk = 1024;          // about this many rows of a by-position product per task
constexpr Index kReduceRows = 4096;        // about this many rows summed per partial weight gradient

// Rows cut into equal chunks of about `target` (a multiple of 8), an even number of them
// when more than one, so that two threads share them evenly; the cut depends only on the
// sizes, never on the threads.
struct Chunks {
    Index count = 1, size = 0, rows = 0;
    Chunks(Index totalRows, Index target) : rows(totalRows) {
        if (rows <= 0) return;
        count = std::max<Index>(1, (rows + target - 1) / target);
        if (count > 1 && count % 2 == 1) ++count;
        size = ((rows + count - 1) / count + 7) / 8 * 8;
        count = std::max<Index>(1, (rows + size - 1) / size);
    }
    Index begin(Index t) const { return t * size; }
    Index length(Index t) const { return std::min(size, rows - t * size); }
};

// c (rows × n) = a (rows × k) op(b), cut into chunks of rows shared among threads.
void multiplyRows(bool transB, Index rows, Index n, Index k, const Matrix& a, const Scalar* b, Index ldb,
                  Matrix& c) {
    c.resize(rows, n);
    const Chunks chunks(rows, kRowChunk);
    const double work = double(rows) * double(n) * double(k);
#pragma omp parallel for schedule(dynamic, 1) if (chunks.count > 1 && work >= kParallelWork)
    for (Index t = 0; t < chunks.count; ++t) {
        const Index r = chunks.begin(t), m = chunks.length(t);
        detail::gemm(false, transB, m, n, k, a.data() + r, a.rows(), b, ldb, false, c.data() + r, c.rows());
    }
}

// grad (a.cols() × b.cols()) = a^T b, or += with Accumulate: a sum over many rows, taken in
// fixed slices whose partial products are added in order.
void reduceRows(const Matrix& a, const Matrix& b, GradientMode mode, Scalar* grad) {
    const Index rows = a.rows(), m = a.cols(), n = b.cols();
    const Chunks chunks(rows, kReduceRows);
    const Index slices = chunks.count;
    Matrix partial(m, n * slices);
    const double work = double(rows) * double(m) * double(n);
#pragma omp parallel for schedule(dynamic, 1) if (slices > 1 && work >= kParallelWork)
    for (Index s = 0; s < slices; ++s) {
        const Index r = chunks.begin(s), count = chunks.length(s);
        detail::gemm(true, false, m, n, count, a.data() + r, a.rows(), b.data() + r, b.rows(), false,
                     partial.data() + s * m * n, m);
    }
    Eigen::Map<Matrix> g(grad, m, n);
    if (mode == GradientMode::Overwrite) g = partial.leftCols(n);
    else g += partial.leftCols(n);
    for (Index s = 1; s < slices; ++s) g += partial.middleCols(s * n, n);
}

// by (batch·P × C) from channel-major images x (C·P × batch), and back.
void toPositions(const Matrix& x, Index channels, Matrix& by) {
    const Index P = x.rows() / channels, B = x.cols();
    by.resize(B * P, channels);
#pragma omp parallel for schedule(static) if (B > 1 && double(x.size()) >= double(1 << 18))
    for (Index b = 0; b < B; ++b)
        for (Index c = 0; c < channels; ++c) by.col(c).segment(b * P, P) = x.col(b).segment(c * P, P);
}

void fromPositions(const Matrix& by, Index channels, Index batch, Matrix& x) {
    const Index P = by.rows() / batch;
    x.resize(P * channels, batch);
#pragma omp parallel for schedule(static) if (batch > 1 && double(x.size()) >= double(1 << 18))
    for (Index b = 0; b < batch; ++b)
        for (Index c = 0; c < channels; ++c) x.col(b).segment(c * P, P) = by.col(c).segment(b * P, P);
}
} // namespace

// ---- common part --------------------------------------------------------------------------

ConvolutionBase::ConvolutionBase(const Shape& input, const LayerSpec& spec, Index weightRows, Index weightCols,
                                 std::vector<Index> weightShape)
    : m_in(input), m_out(spec.outputShape(input)), m_spec(spec), m_weight(Matrix::Zero(weightRows, weightCols)),
      m_weightGrad(Matrix::Zero(weightRows, weightCols)), m_bias(Vector::Zero(m_out.channels)),
      m_biasGrad(Vector::Zero(m_out.channels)), m_weightShape(std::move(weightShape)) {}

void ConvolutionBase::initialize(Rng& rng) {
    // Fan-in and fan-out as for a dense layer over one window: in or out channels × k².
    const double window = double(m_spec.kernel * m_spec.kernel);
    const double fanIn = double(m_in.channels) * window, fanOut = double(m_out.channels) * window;
    // Drawn in storage order, which is PyTorch's order of the same weight.
    if (Dense::defaultInit(m_spec.activation) == Init::He) {
        const double std = std::sqrt(2.0 / fanIn);
        for (Index i = 0; i < m_weight.size(); ++i) m_weight.data()[i] = Scalar(std * rng.normal());
    } else {
        const double limit = std::sqrt(6.0 / (fanIn + fanOut));
        for (Index i = 0; i < m_weight.size(); ++i) m_weight.data()[i] = Scalar(limit * (2.0 * rng.uniform() - 1.0));
    }
    m_bias.setZero();
}

std::vector<Parameter> ConvolutionBase::parameters() {
    return {{"weight", m_weight.data(), m_weightGrad.data(), m_weight.size(), m_weightShape},
            {"bias", m_bias.data(), m_biasGrad.data(), m_bias.size(), {m_bias.size()}}};
}

namespace {
// Adds each channel's bias to its P rows and applies the activation, per sample.
void biasAndActivate(const Vector& bias, Activation f, Matrix& out) {
    const Index C = bias.size(), P = out.rows() / C;
#pragma omp parallel for schedule(static) if (out.cols() > 1 && double(out.size()) >= double(1 << 18))
    for (Index b = 0; b < out.cols(); ++b) {
        for (Index c = 0; c < C; ++c) out.col(b).segment(c * P, P).array() += bias[c];
        applyActivation(f, out.col(b));
    }
}
} // namespace

// m_delta = gradOutput · f'(output), channel-major; the bias gradient sums it per channel.
static void activationDelta(Activation f, const Matrix& output, const Matrix& g, Matrix& delta) {
    delta = g;
    if (f == Activation::Identity) return;
#pragma omp parallel for schedule(static) if (g.cols() > 1 && double(g.size()) >= double(1 << 18))
    for (Index b = 0; b < g.cols(); ++b) multiplyByDerivative(f, output.col(b), delta.col(b));
}

static void channelSums(const Matrix& delta, Index channels, GradientMode mode, Vector& grad) {
    const Index P = delta.rows() / channels;
    Vector sums = Vector::Zero(channels);
    for (Index b = 0; b < delta.cols(); ++b)
        for (Index c = 0; c < channels; ++c) sums[c] += delta.col(b).segment(c * P, P).sum();
    if (mode == GradientMode::Overwrite) grad = sums;
    else grad += sums;
}

// ---- Conv2D -------------------------------------------------------------------------------

Conv2D::Conv2D(const Shape& input, const LayerSpec& spec)
    : ConvolutionBase(input, spec, input.channels * spec.kernel * spec.kernel, spec.units,
                      {spec.units, input.channels, spec.kernel, spec.kernel}) {
    if (spec.kind != "conv") throw ConfigError("Conv2D built from a '" + spec.kind + "' spec");
    m_geometry = {m_in.channels, m_in.height,         m_in.width,     spec.kernel,
                  spec.effectiveStride(), spec.padding, m_out.height, m_out.width};
}

void Conv2D::convolve(const Matrix& input, Matrix& cols, Matrix& byPosition, Matrix& output) const {
    assert(input.rows() == m_in.size());
    detail::im2col(m_geometry, input, cols);
    // Weight K × C_out (column-major, PyTorch's out × in × k × k): by position = patches · W.
    multiplyRows(false, cols.rows(), m_out.channels, cols.cols(), cols, m_weight.data(), m_weight.rows(), byPosition);
    fromPositions(byPosition, m_out.channels, input.cols(), output);
    biasAndActivate(m_bias, m_spec.activation, output);
}

const Matrix& Conv2D::forwardPass(const Matrix& input, const Pass&) {
    m_input = &input;
    convolve(input, m_cols, m_scratch, m_output); // the patches stay for the backward pass
    return m_output;
}

void Conv2D::predict(const Matrix& input, Matrix& output) const {
    Matrix cols, byPosition;
    convolve(input, cols, byPosition, output);
}

const Matrix& Conv2D::backwardPass(const Matrix& gradOutput, GradientMode mode) {
    assert(m_input && gradOutput.rows() == m_out.size());
    activationDelta(m_spec.activation, m_output, gradOutput, m_delta);
    channelSums(m_delta, m_out.channels, mode, m_biasGrad);
    toPositions(m_delta, m_out.channels, m_scratch);                // batch·P × C_out
    reduceRows(m_cols, m_scratch, mode, m_weightGrad.data());        // K × C_out = patches^T delta
    if (!m_computesInputGradient) {
        m_gradInput.resize(0, 0);
        return m_gradInput;
    }
    Matrix& patchGrad = m_cols; // the patches are no longer needed
    multiplyRows(true, m_scratch.rows(), m_weight.rows(), m_out.channels, m_scratch, m_weight.data(), m_weight.rows(),
                 patchGrad);                                          // delta · W^T
    m_gradInput.setZero(m_in.size(), gradOutput.cols());
    detail::col2im(m_geometry, patchGrad, m_gradInput);
    return m_gradInput;
}

// ---- ConvTranspose2D ----------------------------------------------------------------------

ConvTranspose2D::ConvTranspose2D(const Shape& input, const LayerSpec& spec)
    : ConvolutionBase(input, spec, spec.units * spec.kernel * spec.kernel, input.channels,
                      {input.channels, spec.units, spec.kernel, spec.kernel}) {
    if (spec.kind != "convt") throw ConfigError("ConvTranspose2D built from a '" + spec.kind + "' spec");
    m_geometry = {m_out.channels, m_out.height,         m_out.width,    spec.kernel,
                  spec.effectiveStride(), spec.padding, m_in.height, m_in.width};
}

void ConvTranspose2D::convolve(const Matrix& input, Matrix& byPosition, Matrix& cols, Matrix& output) const {
    assert(input.rows() == m_in.size());
    toPositions(input, m_in.channels, byPosition); // batch·P_in × C_in
    // Weight (C_out·k²) × C_in (column-major, PyTorch's in × out × k × k): patches = X · W^T.
    multiplyRows(true, byPosition.rows(), m_weight.rows(), m_in.channels, byPosition, m_weight.data(), m_weight.rows(),
                 cols);
    output.setZero(m_out.size(), input.cols());
    detail::col2im(m_geometry, cols, output);
    biasAndActivate(m_bias, m_spec.activation, output);
}

const Matrix& ConvTranspose2D::forwardPass(const Matrix& input, const Pass&) {
    m_input = &input;
    convolve(input, m_inputByPosition, m_cols, m_output); // the input by position stays for backward
    return m_output;
}

void ConvTranspose2D::predict(const Matrix& input, Matrix& output) const {
    Matrix byPosition, cols;
    convolve(input, byPosition, cols, output);
}

const Matrix& ConvTranspose2D::backwardPass(const Matrix& gradOutput, GradientMode mode) {
    assert(m_input && gradOutput.rows() == m_out.size());
    activationDelta(m_spec.activation, m_output, gradOutput, m_delta);
    channelSums(m_delta, m_out.channels, mode, m_biasGrad);
    detail::im2col(m_geometry, m_delta, m_cols);                      // batch·P_in × C_out·k²
    reduceRows(m_cols, m_inputByPosition, mode, m_weightGrad.data()); // (C_out·k²) × C_in
    if (!m_computesInputGradient) {
        m_gradInput.resize(0, 0);
        return m_gradInput;
    }
    multiplyRows(false, m_cols.rows(), m_in.channels, m_cols.cols(), m_cols, m_weight.data(), m_weight.rows(),
                 m_scratch);                                          // patches · W
    fromPositions(m_scratch, m_in.channels, gradOutput.cols(), m_gradInput);
    return m_gradInput;
}

} // namespace latentlab
