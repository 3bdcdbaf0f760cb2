#include "latentlab/Loss.h"

#include <cmath>
#include <vector>

namespace latentlab {

namespace {
// l(x, t) = max(x, 0) - x t + log1p(e^-|x|)
inline Scalar bceElement(Scalar x, Scalar t) {
    return std::max(x, Scalar(0)) - x * t + std::log1p(std::exp(-std::abs(x)));
}
} // namespace

Scalar mseLoss(const Matrix& prediction, const Matrix& target, Matrix* grad) {
    const Scalar invBatch = Scalar(1) / Scalar(prediction.cols());
    if (grad) {
        *grad = prediction - target;
        const Scalar loss = grad->squaredNorm() * invBatch;
        *grad *= Scalar(2) * invBatch;
        return loss;
    }
    return (prediction - target).squaredNorm() * invBatch;
}

Scalar bceWithLogitsLoss(const Matrix& logits, const Matrix& target, Matrix* grad) {
    using Array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
    const Index cols = logits.cols();
    const Scalar invBatch = Scalar(1) / Scalar(cols);
    if (grad) grad->resize(logits.rows(), cols);
    // One sample (column) at a time, vectorised: with e = exp(-|x|),
    //   loss = max(x, 0) - x t + log1p(e),   sigmoid(x) = (x >= 0 ? 1 : e) / (1 + e).
    // Column sums are added in double, in order, so the total does not depend on threads.
    std::vector<double> perColumn(size_t(cols), 0.0);
#pragma omp parallel if (logits.size() >= 65536)
    {
        Array e(logits.rows()); // one buffer per thread, not one allocation per column
#pragma omp for schedule(static)
        for (Index j = 0; j < cols; ++j) {
            const auto x = logits.col(j).array();
            const auto t = target.col(j).array();
            e = (-x.abs()).exp();
            perColumn[size_t(j)] = double((x.max(Scalar(0)) - x * t + e.log1p()).sum());
            if (grad)
                grad->col(j).array() = ((x >= Scalar(0)).select(Scalar(1), e) / (Scalar(1) + e) - t) * invBatch;
        }
    }
    double sum = 0.0;
    for (double v : perColumn) sum += v;
    return Scalar(sum) * invBatch;
}

Scalar gaussianKl(const Matrix& mu, const Matrix& logVar, Matrix* gradMu, Matrix* gradLogVar) {
    const Scalar invBatch = Scalar(1) / Scalar(mu.cols());
    const auto var = logVar.array().exp();
    const Scalar kl =
        Scalar(-0.5) * (Scalar(1) + logVar.array() - mu.array().square() - var).sum() * invBatch;
    if (gradMu) *gradMu = mu * invBatch;
    if (gradLogVar) *gradLogVar = (Scalar(0.5) * invBatch) * (var - Scalar(1)).matrix();
    return kl;
}

Scalar reconstructionLoss(ReconstructionLoss kind, const Matrix& output, const Matrix& target,
                          Matrix* grad) {
    return kind == ReconstructionLoss::Bce ? bceWithLogitsLoss(output, target, grad)
                                           : mseLoss(output, target, grad);
}

RowVector reconstructionLossPerSample(ReconstructionLoss kind, const Matrix& output,
                                      const Matrix& target) {
    RowVector out(output.cols());
    for (Index j = 0; j < output.cols(); ++j) {
        double s = 0.0;
        for (Index i = 0; i < output.rows(); ++i) {
            if (kind == ReconstructionLoss::Bce) {
                s += bceElement(output(i, j), target(i, j));
            } else {
                const double d = double(output(i, j)) - double(target(i, j));
                s += d * d;
            }
        }
        out[j] = Scalar(s);
    }
    return out;
}

std::string lossName(ReconstructionLoss kind) {
    return kind == ReconstructionLoss::Bce ? "bce" : "mse";
}

ReconstructionLoss parseLoss(const std::string& name) {
    if (name == "mse") return ReconstructionLoss::Mse;
    if (name == "bce") return ReconstructionLoss::Bce;
    throw ConfigError("loss: unknown '" + name + "' (choose mse or bce)");
}

} // namespace latentlab
