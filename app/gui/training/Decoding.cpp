#include "training/Decoding.h"

#include "latentlab/Metrics.h"
#include "latentlab/Random.h"
#include "latentlab/Threads.h"

#include "PlotRenderer.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

namespace latentlab::gui {

Vector decodeToData(const Model& model, const Vector& z) {
    const SingleThreaded onThisThread;
    Matrix in = z, out;
    model.decode(in, out);
    model.normalizer().invert(out);
    return out.col(0);
}

Matrix decodeColumns(const Model& model, const Matrix& z) {
    const SingleThreaded onThisThread;
    Matrix out(model.inputDim(), z.cols()), in, decoded;
    for (Index begin = 0; begin < z.cols(); begin += kDecodeColumns) {
        const Index n = std::min(kDecodeColumns, z.cols() - begin);
        in = z.middleCols(begin, n);
        model.decode(in, decoded);
        model.normalizer().invert(decoded);
        out.middleCols(begin, n) = decoded;
    }
    return out;
}

Matrix samplePrior(Index latentDim, int count, uint64_t seed) {
    Rng rng(seed);
    Matrix z(latentDim, std::max(0, count));
    for (Index i = 0; i < z.size(); ++i) z.data()[i] = Scalar(rng.normal());
    return z;
}

Vector planePoint(const Vector& base, int dimX, int dimY, double x, double y) {
    Vector z = base;
    if (dimX >= 0 && dimX < z.size()) z[dimX] = Scalar(x);
    if (dimY >= 0 && dimY < z.size()) z[dimY] = Scalar(y);
    return z;
}

Denoised denoiseSamples(const Model& model, const data::Dataset& d, const std::vector<Index>& rows, double noise,
                        double peak, uint64_t seed) {
    const SingleThreaded onThisThread;
    Denoised out;
    out.clean.resize(d.cols, Index(rows.size()));
    for (size_t i = 0; i < rows.size(); ++i)
        for (Index f = 0; f < d.cols; ++f) out.clean(f, Index(i)) = Scalar(d.value(rows[i], f));
    out.noisy = out.clean;
    Rng rng(seed);
    for (Index k = 0; k < out.noisy.size(); ++k)
        out.noisy.data()[k] = Scalar(std::clamp(out.noisy.data()[k] + noise * peak * rng.normal(), 0.0, peak));
    out.restored = out.noisy;
    model.normalizer().apply(out.restored);
    Matrix xhat;
    model.reconstruct(out.restored, xhat);
    model.normalizer().invert(xhat);
    out.restored = xhat;
    out.noisyPsnr = psnr(out.clean, out.noisy, peak);
    out.restoredPsnr = psnr(out.clean, out.restored, peak);
    return out;
}

QImage sampleImage(const data::Dataset& d, Index row) {
    Vector v(d.cols);
    for (Index c = 0; c < d.cols; ++c) v[c] = Scalar(d.value(row, c));
    return app::greyImage(v.data(), d.imageWidth, d.imageHeight);
}

} // namespace latentlab::gui
