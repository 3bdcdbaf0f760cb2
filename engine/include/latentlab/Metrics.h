// Quality measures for latent spaces, and PCA as the linear baseline.
// Inputs are features x samples matrices (one column per sample), like everywhere else.
#pragma once

#include "latentlab/Types.h"

#include <cstdint>
#include <vector>

namespace latentlab {

struct Pca {
    Vector mean;       // d
    Matrix components; // d x k, orthonormal columns, by decreasing variance
    Vector variances;  // k eigenvalues of the covariance
    // k x n projections of the columns of x.
    Matrix transform(const Matrix& x) const;
    // d x n reconstructions from k x n projections.
    Matrix inverseTransform(const Matrix& z) const;
};

// PCA of the columns of x via the eigen-decomposition of the d x d covariance.
Pca fitPca(const Matrix& x, Index k);

// Fraction of query points whose k nearest reference points (Euclidean) vote, by majority
// (ties: the nearest of the tied classes), for their own label.
double knnAccuracy(const Matrix& reference, const std::vector<int>& referenceLabels,
                   const Matrix& query, const std::vector<int>& queryLabels, int k = 5);

// Trustworthiness (Venna & Kaski), as in scikit-learn:
//   T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in U_i(k)} (r(i, j) - k)
// where U_i(k) are the k nearest neighbours of i in the embedding that are not among its
// k nearest in the original space, and r(i, j) is j's rank among i's original-space
// neighbours. 1 means every embedded neighbourhood is a true one. O(n^2) memory and time:
// callers subsample (the CLI uses at most 5,000 points).
double trustworthiness(const Matrix& original, const Matrix& embedded, int k = 10);

// The original space's side of trustworthiness, worked out once for callers that judge
// many embeddings of the same points (the Metrics tab each epoch, the PCA tab each model):
// r(i, j) for every pair, from the points' n x n squared distances (squaredDistances).
// Points are ordered by (distance to i, index), so ranks are unique. n^2 16-bit ranks
// (50 MB for 5,000 points); std::invalid_argument above 65,536 points or for a matrix that
// is not square.
class TrustRanks {
public:
    TrustRanks() = default;
    explicit TrustRanks(const Matrix& originalDistances);
    Index size() const { return m_n; }
    // j's rank among i's neighbours in the original space: 1 for the nearest (i != j).
    Index rank(Index i, Index j) const { return Index(m_rank[size_t(i * m_n + j)]); }

private:
    Index m_n = 0;
    std::vector<uint16_t> m_rank; // i's row: the ranks of every j
};
double trustworthiness(const TrustRanks& original, const Matrix& embedded, int k = 10);

// R^2 of the least-squares fit y ~ a + b . z_i over the columns z_i of `codes`:
// 1 - (residual sum of squares) / (total sum of squares of y). 1 when a straight map from
// the codes gives y exactly (a Swiss roll laid out flat, its roll parameter along one
// direction); near 0 when no linear function of the codes follows y. ConfigError when
// y's size is not the number of columns, or y is constant.
double linearFitR2(const Matrix& codes, const std::vector<double>& y);

// Peak signal-to-noise ratio of `estimate` against `reference` (same shape), in decibels:
// 10 log10(peak^2 / mean squared difference); +infinity when they are equal. ConfigError
// when the shapes differ, either is empty, or peak is not positive.
double psnr(const Matrix& reference, const Matrix& estimate, double peak);

// n x n squared Euclidean distances between the columns of x.
Matrix squaredDistances(const Matrix& x);

} // namespace latentlab
