#include "latentlab/Metrics.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

namespace latentlab {

Matrix Pca::transform(const Matrix& x) const {
    return components.transpose() * (x.colwise() - mean);
}

Matrix Pca::inverseTransform(const Matrix& z) const {
    return (components * z).colwise() + mean;
}

Pca fitPca(const Matrix& x, Index k) {
    const Index d = x.rows(), n = x.cols();
    if (n < 2 || k < 1 || k > d) throw std::invalid_argument("PCA: need k in [1, features] and 2+ samples");
    // Covariance in double: float sums over 70,000 samples lose digits.
    const Eigen::MatrixXd xd = x.cast<double>();
    const Eigen::VectorXd mean = xd.rowwise().mean();
    const Eigen::MatrixXd centred = xd.colwise() - mean;
    const Eigen::MatrixXd cov = (centred * centred.transpose()) / double(n - 1);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
    // Eigen sorts eigenvalues ascending; take the last k, largest first.
    Pca p;
    p.mean = mean.cast<Scalar>();
    p.components.resize(d, k);
    p.variances.resize(k);
    for (Index i = 0; i < k; ++i) {
        Eigen::VectorXd v = eig.eigenvectors().col(d - 1 - i);
        // Fix the sign (largest component positive) so results are reproducible.
        Index arg;
        v.cwiseAbs().maxCoeff(&arg);
        if (v[arg] < 0) v = -v;
        p.components.col(i) = v.cast<Scalar>();
        p.variances[i] = Scalar(eig.eigenvalues()[d - 1 - i]);
    }
    return p;
}

Matrix squaredDistances(const Matrix& x) {
    // |a - b|^2 = |a|^2 + |b|^2 - 2 a.b, with the Gram matrix from one GEMM (in double,
    // which keeps the cancellation error far below the gaps between neighbours).
    const Eigen::MatrixXd xd = x.cast<double>();
    const Eigen::VectorXd sq = xd.colwise().squaredNorm().transpose();
    Eigen::MatrixXd g = xd.transpose() * xd;
    Eigen::MatrixXd dist = (-2.0 * g).colwise() + sq;
    dist.rowwise() += sq.transpose();
    dist = dist.cwiseMax(0.0);
    dist.diagonal().setZero();
    return dist.cast<Scalar>();
}

double knnAccuracy(const Matrix& reference, const std::vector<int>& referenceLabels,
                   const Matrix& query, const std::vector<int>& queryLabels, int k) {
    const Index n = reference.cols(), m = query.cols();
    if (n == 0 || m == 0) return 0.0;
    if (Index(referenceLabels.size()) != n || Index(queryLabels.size()) != m)
        throw std::invalid_argument("kNN: label counts do not match the points");
    k = int(std::min<Index>(k, n));
    long correct = 0;
#pragma omp parallel for schedule(dynamic, 64) reduction(+ : correct)
    for (Index q = 0; q < m; ++q) {
        // Keep the k smallest distances with a partial sort over one pass of all points.
        std::vector<std::pair<double, int>> d(static_cast<size_t>(n));
        for (Index i = 0; i < n; ++i)
            d[size_t(i)] = {double((reference.col(i) - query.col(q)).squaredNorm()), referenceLabels[size_t(i)]};
        std::partial_sort(d.begin(), d.begin() + k, d.end());
        std::map<int, int> votes;
        int bestVotes = 0;
        for (int j = 0; j < k; ++j) bestVotes = std::max(bestVotes, ++votes[d[size_t(j)].second]);
        // Ties: the class of the nearest neighbour among the most-voted classes. (Taking the
        // first class to reach the top count would favour whichever tied class's last vote
        // came earliest, not the nearest.)
        int best = d[0].second;
        for (int j = 0; j < k; ++j)
            if (votes[d[size_t(j)].second] == bestVotes) {
                best = d[size_t(j)].second;
                break;
            }
        if (best == queryLabels[size_t(q)]) ++correct;
    }
    return double(correct) / double(m);
}

double trustworthiness(const Matrix& original, const Matrix& embedded, int k) {
    if (embedded.cols() != original.cols()) throw std::invalid_argument("trustworthiness: point counts differ");
    if (original.cols() < 2 * k + 2) throw std::invalid_argument("trustworthiness: too few points for k");
    return trustworthinessFromDistances(squaredDistances(original), embedded, k);
}

double trustworthinessFromDistances(const Matrix& dOrig, const Matrix& embedded, int k) {
    const Index n = dOrig.cols();
    if (dOrig.rows() != n || embedded.cols() != n) throw std::invalid_argument("trustworthiness: point counts differ");
    if (n < 2 * k + 2) throw std::invalid_argument("trustworthiness: too few points for k");
    const Matrix dEmb = squaredDistances(embedded);
    double penalty = 0.0;
#pragma omp parallel for schedule(dynamic, 16) reduction(+ : penalty)
    for (Index i = 0; i < n; ++i) {
        // Points are ordered by (distance to i, index): a strict order, so ranks are unique.
        auto before = [i](const Matrix& d) {
            return [&d, i](Index a, Index b) { return d(a, i) < d(b, i) || (d(a, i) == d(b, i) && a < b); };
        };
        const auto byOrig = before(dOrig), byEmb = before(dEmb);
        std::vector<Index> others;
        others.reserve(static_cast<size_t>(n - 1));
        for (Index j = 0; j < n; ++j)
            if (j != i) others.push_back(j);
        // The k nearest in the embedding, and the k-th nearest in the original space: a
        // point ordered after that one is not among i's original neighbours, and only for
        // those is the rank r(i, j) counted (a full sort per point is the slow way).
        std::vector<Index> nearEmb = others;
        std::partial_sort(nearEmb.begin(), nearEmb.begin() + k, nearEmb.end(), byEmb);
        std::nth_element(others.begin(), others.begin() + (k - 1), others.end(), byOrig);
        const Index kth = others[size_t(k - 1)];
        for (int t = 0; t < k; ++t) {
            const Index j = nearEmb[size_t(t)];
            if (!byOrig(kth, j)) continue; // among the k nearest: no penalty
            Index rank = 1;
            for (Index m = 0; m < n; ++m)
                if (m != i && byOrig(m, j)) ++rank;
            penalty += double(rank - k);
        }
    }
    const double nd = double(n), kd = double(k);
    return 1.0 - 2.0 / (nd * kd * (2.0 * nd - 3.0 * kd - 1.0)) * penalty;
}

double psnr(const Matrix& reference, const Matrix& estimate, double peak) {
    if (reference.rows() != estimate.rows() || reference.cols() != estimate.cols() || reference.size() == 0)
        throw ConfigError("psnr: the images differ in size or are empty");
    if (!(peak > 0)) throw ConfigError("psnr: the peak value must be positive");
    const double mse = (reference.cast<double>() - estimate.cast<double>()).squaredNorm() / double(reference.size());
    if (mse == 0) return INFINITY;
    return 10.0 * std::log10(peak * peak / mse);
}

double linearFitR2(const Matrix& codes, const std::vector<double>& y) {
    const Index n = codes.cols();
    if (Index(y.size()) != n)
        throw ConfigError("linearFitR2: " + std::to_string(y.size()) + " values for " + std::to_string(n) + " codes");
    // Design matrix [1, z^T] in double; the QR solve copes with collinear codes.
    Eigen::MatrixXd a(n, codes.rows() + 1);
    a.col(0).setOnes();
    a.rightCols(codes.rows()) = codes.transpose().cast<double>();
    const Eigen::Map<const Eigen::VectorXd> b(y.data(), n);
    const Eigen::VectorXd coef = a.colPivHouseholderQr().solve(b);
    const double residual = (a * coef - b).squaredNorm();
    const double total = (b.array() - b.mean()).square().sum();
    if (!(total > 0)) throw ConfigError("linearFitR2: the values are all the same");
    return 1.0 - residual / total;
}

} // namespace latentlab
