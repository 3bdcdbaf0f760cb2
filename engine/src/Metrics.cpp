#include "latentlab/Metrics.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>

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
    return trustworthiness(TrustRanks(squaredDistances(original)), embedded, k);
}

TrustRanks::TrustRanks(const Matrix& d) : m_n(d.cols()) {
    if (d.rows() != m_n) throw std::invalid_argument("trust ranks: the distances are not a square matrix");
    if (m_n > Index(std::numeric_limits<uint16_t>::max()) + 1)
        throw std::invalid_argument("trust ranks: " + std::to_string(m_n) + " points, at most 65536");
    m_rank.assign(size_t(m_n * m_n), 0);
#pragma omp parallel for schedule(dynamic, 16)
    for (Index i = 0; i < m_n; ++i) {
        std::vector<Index> order;
        order.reserve(size_t(m_n));
        for (Index j = 0; j < m_n; ++j)
            if (j != i) order.push_back(j);
        std::sort(order.begin(), order.end(),
                  [&d, i](Index a, Index b) { return d(a, i) < d(b, i) || (d(a, i) == d(b, i) && a < b); });
        uint16_t* row = m_rank.data() + i * m_n;
        for (size_t r = 0; r < order.size(); ++r) row[order[r]] = uint16_t(r + 1);
    }
}

double trustworthiness(const TrustRanks& original, const Matrix& embedded, int k) {
    const Index n = original.size();
    if (embedded.cols() != n) throw std::invalid_argument("trustworthiness: point counts differ");
    if (n < 2 * k + 2) throw std::invalid_argument("trustworthiness: too few points for k");
    // The embedding's squared distances by squaredDistances()'s formula (the Gram form in
    // double, equal to it up to the rounding of the dot products, which its GEMM may sum in
    // another order for wider codes), one point's at a time into a row of n floats per
    // thread, not n x n matrices (two in double, one in float) read column-wise.
    const Eigen::MatrixXd e = embedded.cast<double>();
    const Eigen::VectorXd sq = e.colwise().squaredNorm().transpose();
    const Index dims = e.rows();
    double penalty = 0.0;
#pragma omp parallel reduction(+ : penalty)
    {
        std::vector<Scalar> dist(static_cast<size_t>(n));
        std::vector<Index> others;
        others.reserve(static_cast<size_t>(n));
#pragma omp for schedule(dynamic, 16)
        for (Index i = 0; i < n; ++i) {
            const double* xi = e.col(i).data();
            for (Index j = 0; j < n; ++j) {
                const double* xj = e.col(j).data();
                double g = 0.0;
                for (Index c = 0; c < dims; ++c) g = std::fma(xj[c], xi[c], g);
                dist[size_t(j)] = j == i ? Scalar(0) : Scalar(std::max((-2.0 * g + sq[j]) + sq[i], 0.0));
            }
            // i's k nearest in the embedding, by (distance to i, index) as the ranks are.
            others.clear();
            for (Index j = 0; j < n; ++j)
                if (j != i) others.push_back(j);
            std::partial_sort(others.begin(), others.begin() + k, others.end(), [&dist](Index a, Index b) {
                return dist[size_t(a)] < dist[size_t(b)] || (dist[size_t(a)] == dist[size_t(b)] && a < b);
            });
            // Only those that are not among i's k nearest in the original space count.
            for (int t = 0; t < k; ++t) {
                const Index rank = original.rank(i, others[size_t(t)]);
                if (rank > k) penalty += double(rank - k);
            }
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
