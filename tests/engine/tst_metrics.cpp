// Metrics: PCA recovers known axes and variances, kNN accuracy (including the documented
// tie rule), trustworthiness against scikit-learn's implementation, the R^2 of a linear
// fit, and geodesic distances along the k-nearest-neighbour graph.
#include "latentlab/Anomaly.h"
#include "latentlab/Geometry.h"
#include "latentlab/LatentGrid.h"
#include "latentlab/Metrics.h"
#include "latentlab/Random.h"

#include <QtTest>

#include <omp.h>

#include <cmath>
#include <cstring>

using namespace latentlab;

namespace {

// An orthonormal basis: the Householder reflection I - 2 v v^T / |v|^2 (columns u_i).
Matrix householderBasis(const Eigen::VectorXd& v) {
    const Eigen::MatrixXd h =
        Eigen::MatrixXd::Identity(v.size(), v.size()) - 2.0 * v * v.transpose() / v.squaredNorm();
    return h.cast<Scalar>();
}

// Every sign pattern s in {-1, 1}^d of mean + sum_i s_i a_i u_i: the 2^d points have
// covariance sum_i a_i^2 u_i u_i^T * 2^d / (2^d - 1) exactly, so PCA's answer is known.
Matrix factorialDesign(const Matrix& basis, const Vector& amplitude, const Vector& mean) {
    const Index d = basis.rows(), n = Index(1) << d;
    Matrix x(d, n);
    for (Index p = 0; p < n; ++p) {
        Vector col = mean;
        for (Index i = 0; i < d; ++i)
            col += Scalar((p >> i) & 1 ? 1 : -1) * amplitude[i] * basis.col(i);
        x.col(p) = col;
    }
    return x;
}

// The fixed dataset of the scikit-learn comparison: formula-generated, so there is no
// random generator to reproduce. Point i (of 40) has coordinates
//   x_ij = sin(0.37 (i+1) (j+2)) + 0.5 cos(1.1 i + 0.3 j^2),  j = 0..4
// and its embedding is y_i = (x_i0 + 0.4 x_i1, x_i2 - 0.3 x_i3 + 0.2 x_i4), both rounded to
// float like the engine's matrices.
void sklearnDataset(Matrix& x, Matrix& y) {
    const int n = 40, d = 5;
    x.resize(d, n);
    y.resize(2, n);
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < d; ++j)
            x(j, i) =
                Scalar(std::sin(0.37 * (i + 1) * (j + 2)) + 0.5 * std::cos(1.1 * i + 0.3 * j * j));
        const double x0 = x(0, i), x1 = x(1, i), x2 = x(2, i), x3 = x(3, i), x4 = x(4, i);
        y(0, i) = Scalar(x0 + 0.4 * x1);
        y(1, i) = Scalar(x2 - 0.3 * x3 + 0.2 * x4);
    }
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private slots:
    void pcaRecoversKnownAxes_data();
    void pcaRecoversKnownAxes();
    void pcaRoundTrip();
    void pcaExactOnSubspace();
    void pcaRejectsBadArguments();
    void knnSeparatedClusters();
    void knnHandExample_data();
    void knnHandExample();
    void knnOneAndFiveDisagree_data();
    void knnOneAndFiveDisagree();
    void squaredDistances();
    void trustworthinessIdentity();
    void trustworthinessRandomEmbedding();
    void trustworthinessMatchesSklearn_data();
    void trustworthinessMatchesSklearn();
    void trustRanksByHand();
    void trustworthinessMatchesAFullSort_data();
    void trustworthinessMatchesAFullSort();
    void linearFitR2ByHand();
    void geodesicsFollowTheSheet();
    void geodesicsOfSeparateClusters();
    void geodesicsIndependentOfThreads();
    void geodesicsRefuseBadArguments();
    void normalQuantileKnownValues();
    void latentGridSpacing();
    void interpolationEndpointsAndNorms();
    void rocAucByHand_data();
    void rocAucByHand();
    void rocCurvePointsByHand();
    void confusionByHand();
    void quantileLikeNumpy_data();
    void quantileLikeNumpy();
    void anomalyFiguresRefuseBadInput();
    void psnrOfKnownPairs();
};

void TestMetrics::pcaRecoversKnownAxes_data() {
    QTest::addColumn<double>("v0");
    QTest::addColumn<double>("v1");
    QTest::addColumn<double>("v2");
    QTest::addColumn<double>("v3");
    // Householder vectors v of the basis I - 2 v v^T / |v|^2.
    QTest::newRow("basis a") << 1.0 << 2.0 << -1.0 << 0.5;
    QTest::newRow("basis b") << -2.0 << 0.3 << 1.0 << 1.0;
    QTest::newRow("basis c") << 0.5 << -1.0 << -3.0 << 2.0;
}

void TestMetrics::pcaRecoversKnownAxes() {
    QFETCH(double, v0);
    QFETCH(double, v1);
    QFETCH(double, v2);
    QFETCH(double, v3);
    Eigen::VectorXd v(4);
    v << v0, v1, v2, v3;
    const Matrix basis = householderBasis(v);
    Vector amplitude(4), mean(4);
    amplitude << 4, 2, 1, 0.5; // distinct, so the axes are unique up to sign
    mean << 10, -3, 0.5, 2;
    const Matrix x = factorialDesign(basis, amplitude, mean);
    const double n = double(x.cols());

    const Pca pca = fitPca(x, 3);
    QCOMPARE(pca.components.rows(), Index(4));
    QCOMPARE(pca.components.cols(), Index(3));
    QVERIFY2((pca.mean - mean).cwiseAbs().maxCoeff() < 1e-5, "mean");
    for (Index i = 0; i < 3; ++i) {
        const double expectedVariance = double(amplitude[i] * amplitude[i]) * n / (n - 1);
        QVERIFY2(std::abs(pca.variances[i] - expectedVariance) < 1e-4 * expectedVariance,
                 qPrintable(QStringLiteral("variance %1: %2 vs %3")
                                .arg(i)
                                .arg(pca.variances[i])
                                .arg(expectedVariance)));
        // Up to sign: |<component, u_i>| = 1.
        const double cosine = std::abs(double(pca.components.col(i).dot(basis.col(i))));
        QVERIFY2(std::abs(cosine - 1) < 1e-5,
                 qPrintable(QStringLiteral("axis %1: |cos| %2").arg(i).arg(cosine)));
        // The documented sign convention: largest-magnitude entry positive.
        Index arg;
        pca.components.col(i).cwiseAbs().maxCoeff(&arg);
        QVERIFY2(pca.components(arg, i) > 0, "sign convention");
    }
    // Projections of the design points are exactly +-a_i on each axis.
    const Matrix z = pca.transform(x);
    for (Index i = 0; i < 3; ++i)
        QVERIFY2((z.row(i).cwiseAbs().array() - amplitude[i]).abs().maxCoeff() < 1e-4,
                 "projection");
}

void TestMetrics::pcaRoundTrip() {
    Rng rng(3);
    Matrix x(5, 50);
    for (Index i = 0; i < x.size(); ++i)
        x.data()[i] = Scalar(3 * rng.normal() + 1);
    const Pca pca = fitPca(x, 5);
    // Orthonormal columns.
    const Matrix gram = pca.components.transpose() * pca.components;
    QVERIFY2((gram - Matrix::Identity(5, 5)).cwiseAbs().maxCoeff() < 1e-5,
             "components not orthonormal");
    for (Index i = 1; i < 5; ++i)
        QVERIFY2(pca.variances[i - 1] >= pca.variances[i], "variances not sorted");
    const Matrix back = pca.inverseTransform(pca.transform(x));
    QVERIFY2((back - x).cwiseAbs().maxCoeff() < 1e-4,
             qPrintable(QString::number((back - x).cwiseAbs().maxCoeff())));
    // The variances are those of the projections (sample variance, n - 1).
    const Matrix z = pca.transform(x);
    for (Index i = 0; i < 5; ++i) {
        const double var = double((z.row(i).array() - z.row(i).mean()).square().sum()) / 49.0;
        QVERIFY2(std::abs(var - pca.variances[i]) < 1e-4 * var, "variance of the projection");
    }
}

// Data on a 2-D plane in 4-D: two components reconstruct it exactly; the rest have zero variance.
void TestMetrics::pcaExactOnSubspace() {
    Eigen::VectorXd v(4);
    v << 0.3, -1, 2, 1;
    const Matrix basis = householderBasis(v);
    Rng rng(8);
    Matrix x(4, 30);
    for (Index j = 0; j < 30; ++j)
        x.col(j) = Scalar(3 * rng.normal()) * basis.col(0) + Scalar(rng.normal()) * basis.col(1);
    const Pca two = fitPca(x, 2);
    QVERIFY2((two.inverseTransform(two.transform(x)) - x).cwiseAbs().maxCoeff() < 1e-4,
             "plane not reconstructed");
    const Pca all = fitPca(x, 4);
    QVERIFY2(std::abs(all.variances[2]) < 1e-5 && std::abs(all.variances[3]) < 1e-5,
             "variance off the plane");
}

void TestMetrics::pcaRejectsBadArguments() {
    const Matrix x = Matrix::Ones(3, 10);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fitPca(x, 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fitPca(x, 4));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fitPca(Matrix::Ones(3, 1), 1));
}

void TestMetrics::knnSeparatedClusters() {
    Rng rng(4);
    const double centres[3][3] = {{0, 0, 0}, {20, 0, 0}, {0, 20, 20}};
    auto cluster = [&](Index n, Matrix& x, std::vector<int>& labels) {
        x.resize(3, 3 * n);
        labels.clear();
        for (int c = 0; c < 3; ++c)
            for (Index j = 0; j < n; ++j) {
                for (int i = 0; i < 3; ++i)
                    x(i, c * n + j) = Scalar(centres[c][i] + rng.normal());
                labels.push_back(c);
            }
    };
    Matrix ref, query;
    std::vector<int> refLabels, queryLabels;
    cluster(20, ref, refLabels);
    cluster(10, query, queryLabels);
    QCOMPARE(knnAccuracy(ref, refLabels, query, queryLabels, 5), 1.0);
    // Wrong labels everywhere: accuracy 0, so the value really depends on the votes.
    for (int& l : queryLabels)
        l = (l + 1) % 3;
    QCOMPARE(knnAccuracy(ref, refLabels, query, queryLabels, 5), 0.0);
}

// 1-D reference points 0 (class 0), 1 (class 1), -1.2 (class 1), 1.5 (class 0), 10 and 11
// (class 2). From query q the neighbours in order, worked out by hand:
//   q = 0.05:  0 (0), 1 (1), -1.2 (1), 1.5 (0), ...   k=1 -> 0, k=3 -> 1 (2 votes to 1),
//              k=4 -> tie 2:2 between classes 0 and 1, the nearest tied class is 0.
//   q = 1.3:   1.5 (0), 1 (1), 0 (0), -1.2 (1)          k=3 -> 0, k=4 -> tie, nearest is 0.
//   q = 9:     10 (2), 11 (2), 1.5 (0)                  k=3 -> 2.
void TestMetrics::knnHandExample_data() {
    QTest::addColumn<double>("q");
    QTest::addColumn<int>("k");
    QTest::addColumn<int>("expectedClass");
    QTest::newRow("0.05 k1") << 0.05 << 1 << 0;
    QTest::newRow("0.05 k3") << 0.05 << 3 << 1;
    QTest::newRow("0.05 k4 tie") << 0.05 << 4 << 0;
    QTest::newRow("1.3 k3") << 1.3 << 3 << 0;
    QTest::newRow("1.3 k4 tie") << 1.3 << 4 << 0;
    QTest::newRow("9 k3") << 9.0 << 3 << 2;
}

void TestMetrics::knnHandExample() {
    QFETCH(double, q);
    QFETCH(int, k);
    QFETCH(int, expectedClass);
    Matrix ref(1, 6);
    ref << 0, 1, -1.2, 1.5, 10, 11;
    const std::vector<int> refLabels{0, 1, 1, 0, 2, 2};
    Matrix query(1, 1);
    query << Scalar(q);
    // Accuracy is 1 exactly for the predicted class and 0 for the others.
    for (int c = 0; c < 3; ++c)
        QVERIFY2(knnAccuracy(ref, refLabels, query, {c}, k) == (c == expectedClass ? 1.0 : 0.0),
                 qPrintable(QStringLiteral("class %1").arg(c)));
}

// Two classes in 2-D, each a cluster of five with a decoy of the other class close to its
// centre. Reference points (class):
//   (1,0) (-1,0) (0,1) (0,-1) (-0.7,-0.7) (0);  decoy (0.1,0) (1)
//   (11,0) (9,0) (10,1) (10,-1) (9.3,-0.7) (1);  decoy (10.1,0) (0)
// Queries (label): nearest first, worked out by hand:
//   (0.05,0) (0):  decoy 0.05, then (1,0) 0.95, (0,+-1) 1.001, (-0.7,-0.7) 1.026, all 0
//                  1-NN 1 wrong, 3-NN 0 right, 5-NN 0 right
//   (10.05,0) (1): the mirror image: 1-NN wrong, 3-NN and 5-NN right
//   (0,-0.6) (0):  (0,-1) 0.4, decoy 0.608, (-0.7,-0.7) 0.707, (+-1,0) 1.166: right for all k
//   (10,0.7) (1):  (10,1) 0.3, decoy 0.707, (11,0) and (9,0) 1.22, (9.3,-0.7) 1.565: right
//   (0.12,0) (1):  decoy 0.02, (1,0) 0.88, (0,+-1) 1.007, (-0.7,-0.7) 1.078: only 1-NN right
// So 1-NN scores 3/5, 3-NN and 5-NN 4/5; the default k is 5. Gaps between neighbours are
// far above float rounding, and tied neighbours share their class.
void TestMetrics::knnOneAndFiveDisagree_data() {
    QTest::addColumn<int>("k"); // 0: the default
    QTest::addColumn<double>("expected");
    QTest::newRow("k=1") << 1 << 0.6;
    QTest::newRow("k=3") << 3 << 0.8;
    QTest::newRow("k=5") << 5 << 0.8;
    QTest::newRow("default k") << 0 << 0.8;
}

void TestMetrics::knnOneAndFiveDisagree() {
    QFETCH(int, k);
    QFETCH(double, expected);
    Matrix ref(2, 12), query(2, 5);
    // clang-format off
    ref << 1, -1, 0,  0, -0.7, 0.1, 11, 9, 10, 10,  9.3, 10.1,
           0,  0, 1, -1, -0.7, 0,    0, 0,  1, -1, -0.7, 0;
    query << 0.05, 10.05,  0,   10,   0.12,
             0,    0,     -0.6, 0.7,  0;
    // clang-format on
    const std::vector<int> refLabels{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0};
    const std::vector<int> queryLabels{0, 1, 0, 1, 1};
    const double accuracy = k > 0 ? knnAccuracy(ref, refLabels, query, queryLabels, k)
                                  : knnAccuracy(ref, refLabels, query, queryLabels);
    QCOMPARE(accuracy, expected);
}

void TestMetrics::squaredDistances() {
    Matrix x(2, 3);
    // clang-format off
    x << 0, 3, 1,
         0, 4, 1;
    // clang-format on
    const Matrix d = latentlab::squaredDistances(x);
    Matrix expected(3, 3);
    // clang-format off
    expected << 0, 25, 2,
                25, 0, 13,
                2, 13, 0;
    // clang-format on
    QVERIFY2((d - expected).cwiseAbs().maxCoeff() < 1e-5, "distances");
}

void TestMetrics::trustworthinessIdentity() {
    Matrix x, y;
    sklearnDataset(x, y);
    QCOMPARE(trustworthiness(x, x, 5), 1.0);
    // Any similarity transform keeps every neighbourhood.
    const Matrix moved = (Scalar(3) * x).colwise() + Vector::Constant(5, Scalar(7));
    QCOMPARE(trustworthiness(x, moved, 5), 1.0);
}

void TestMetrics::trustworthinessRandomEmbedding() {
    Rng rng(12);
    Matrix x(6, 120), y(2, 120);
    for (Index i = 0; i < x.size(); ++i)
        x.data()[i] = Scalar(rng.normal());
    for (Index i = 0; i < y.size(); ++i)
        y.data()[i] = Scalar(rng.normal());
    const double t = trustworthiness(x, y, 10);
    // A random embedding scores about 0.5 in expectation.
    QVERIFY2(t < 0.7 && t > 0.3, qPrintable(QString::number(t)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, trustworthiness(x, y.leftCols(100), 10));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             trustworthiness(x.leftCols(20), y.leftCols(20), 10));
}

// Four points on a line at 0, 1, -1 and 3: from point 0, points 1 and 2 tie at distance 1,
// and from point 1, points 2 and 3 tie at distance 2; the lower index ranks first.
void TestMetrics::trustRanksByHand() {
    Matrix x(1, 4);
    x << 0, 1, -1, 3;
    const TrustRanks r(latentlab::squaredDistances(x));
    QCOMPARE(r.size(), Index(4));
    QCOMPARE(r.rank(0, 1), Index(1));
    QCOMPARE(r.rank(0, 2), Index(2));
    QCOMPARE(r.rank(0, 3), Index(3));
    QCOMPARE(r.rank(1, 0), Index(1));
    QCOMPARE(r.rank(1, 2), Index(2));
    QCOMPARE(r.rank(1, 3), Index(3));
    QCOMPARE(r.rank(3, 1), Index(1));
    QCOMPARE(r.rank(3, 2), Index(3));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, TrustRanks(Matrix(3, 4)));
}

// Trustworthiness from the ranks equals the formula counted the slow way (every
// neighbourhood sorted whole, ties by index), on spread points and on a grid full of ties.
void TestMetrics::trustworthinessMatchesAFullSort_data() {
    QTest::addColumn<bool>("grid");
    QTest::addColumn<int>("k");
    QTest::newRow("random k=1") << false << 1;
    QTest::newRow("random k=4") << false << 4;
    QTest::newRow("random k=10") << false << 10;
    QTest::newRow("grid k=3") << true << 3;
    QTest::newRow("grid k=10") << true << 10;
}

void TestMetrics::trustworthinessMatchesAFullSort() {
    QFETCH(bool, grid);
    QFETCH(int, k);
    Rng rng(31);
    const Index n = 90;
    Matrix x(5, n), y(2, n);
    for (Index i = 0; i < x.size(); ++i)
        x.data()[i] = grid ? Scalar(std::floor(3 * rng.uniform())) : Scalar(rng.normal());
    for (Index i = 0; i < y.size(); ++i)
        y.data()[i] = grid ? Scalar(std::floor(4 * rng.uniform())) : Scalar(rng.normal());
    // Each point's others in order, by (squared distance, index).
    auto ordered = [n](const Matrix& d, Index i) {
        std::vector<Index> o;
        for (Index j = 0; j < n; ++j)
            if (j != i) o.push_back(j);
        std::stable_sort(o.begin(), o.end(), [&](Index a, Index b) { return d(a, i) < d(b, i); });
        return o;
    };
    const Matrix dx = latentlab::squaredDistances(x), dy = latentlab::squaredDistances(y);
    double penalty = 0;
    for (Index i = 0; i < n; ++i) {
        const std::vector<Index> ox = ordered(dx, i), oy = ordered(dy, i);
        for (int t = 0; t < k; ++t) {
            const Index rank = Index(std::find(ox.begin(), ox.end(), oy[size_t(t)]) - ox.begin()) + 1;
            if (rank > k) penalty += double(rank - k);
        }
    }
    const double expected = 1.0 - 2.0 / (double(n) * k * (2.0 * n - 3.0 * k - 1.0)) * penalty;
    QVERIFY(expected < 0.999); // the embedding is not perfect: there is something to count
    QCOMPARE(trustworthiness(TrustRanks(dx), y, k), expected);
    QCOMPARE(trustworthiness(x, y, k), expected);
}

// Reference values computed once with scikit-learn 1.2.1 (Debian's python3-sklearn):
//   X, Y = the sklearnDataset() formulas in numpy, cast to float32 and back to float64
//   sklearn.manifold.trustworthiness(X, Y, n_neighbors=k)
// Consecutive neighbour distances differ by at least 4e-6 relatively in this data, so the
// float engine sees the same neighbour orders.
void TestMetrics::trustworthinessMatchesSklearn_data() {
    QTest::addColumn<int>("k");
    QTest::addColumn<double>("expected");
    QTest::newRow("k=3") << 3 << 0.8754761904761905;
    QTest::newRow("k=5") << 5 << 0.8240625;
    QTest::newRow("k=8") << 8 << 0.7894318181818182;
}

void TestMetrics::trustworthinessMatchesSklearn() {
    QFETCH(int, k);
    QFETCH(double, expected);
    Matrix x, y;
    sklearnDataset(x, y);
    const double t = trustworthiness(x, y, k);
    QVERIFY2(
        std::abs(t - expected) < 1e-6,
        qPrintable(
            QStringLiteral("%1 vs scikit-learn %2").arg(t, 0, 'g', 17).arg(expected, 0, 'g', 17)));
}

// z = 0, 1, 2, 3 and y = 0, 1, 1, 2: slope 3/5, explained 1.8 of a total 2, R^2 = 0.9.
// An exact linear y in two codes gives 1; a constant y has no R^2.
void TestMetrics::linearFitR2ByHand() {
    Matrix z(1, 4);
    z << 0, 1, 2, 3;
    QVERIFY(std::abs(linearFitR2(z, {0, 1, 1, 2}) - 0.9) < 1e-12);
    Matrix z2(2, 5);
    z2 << 0, 1, 2, 5, -1, //
        3, 1, 4, 1, 5;
    std::vector<double> y;
    for (Index i = 0; i < 5; ++i) y.push_back(3 + 2 * double(z2(0, i)) - double(z2(1, i)));
    QVERIFY(std::abs(linearFitR2(z2, y) - 1.0) < 1e-12);
    // Independent of y: only the intercept explains, R^2 = 0.
    Matrix flat(1, 4);
    flat << 1, -1, 1, -1;
    QVERIFY(std::abs(linearFitR2(flat, {0, 1, 1, 0}) - 0.0) < 1e-12);
    QVERIFY_THROWS_EXCEPTION(ConfigError, linearFitR2(z, {1, 1, 1, 1}));
    QVERIFY_THROWS_EXCEPTION(ConfigError, linearFitR2(z, {1, 2}));
}

// A "U" of points one apart: up the left side, along the bottom, down the right side,
// the two top ends 3 apart in the plane. With k = 2 every sample joins its neighbours
// along the U and nothing crosses the gap, so the geodesic between the tops is the
// length of the U, 9, and the table is exact (sums of edge lengths 1 and 2).
void TestMetrics::geodesicsFollowTheSheet() {
    const std::vector<std::pair<int, int>> points{{0, 3}, {0, 2}, {0, 1}, {0, 0}, {1, 0},
                                                  {2, 0}, {3, 0}, {3, 1}, {3, 2}, {3, 3}};
    Matrix x(2, Index(points.size()));
    for (size_t i = 0; i < points.size(); ++i) x.col(Index(i)) << points[i].first, points[i].second;
    const GeodesicTable t = geodesicDistances(x, 2);
    QCOMPARE(t.samples, Index(10));
    QCOMPARE(t.unreachablePairs, int64_t(0));
    QCOMPARE(t.at(0, 9), 9.0f); // not the straight 3
    for (Index i = 0; i < 10; ++i) {
        QCOMPARE(t.at(i, i), 0.0f);
        for (Index j = 0; j < 10; ++j) {
            QCOMPARE(t.at(i, j), t.at(j, i));
            QCOMPARE(t.at(i, j), float(std::abs(i - j))); // the U's points are in order along it
        }
    }
    // A batch's targets are the table's entries of its samples.
    const std::vector<Index> batch{9, 0, 4};
    Matrix d;
    batchDistances(t, batch.data(), 3, d);
    QCOMPARE(d.rows(), Index(3));
    QCOMPARE(d(0, 1), Scalar(9));
    QCOMPARE(d(1, 2), Scalar(4));
    QCOMPARE(d(2, 0), Scalar(5));
}

// Two pairs of points far apart with k = 1: no path joins the pairs; the 8 ordered pairs
// across are infinite and counted.
void TestMetrics::geodesicsOfSeparateClusters() {
    Matrix x(2, 4);
    x << 0, 0, 10, 10, //
        0, 1, 0, 1;
    const GeodesicTable t = geodesicDistances(x, 1);
    QCOMPARE(t.unreachablePairs, int64_t(8));
    QCOMPARE(t.at(0, 1), 1.0f);
    QCOMPARE(t.at(2, 3), 1.0f);
    QVERIFY(std::isinf(t.at(0, 2)) && std::isinf(t.at(3, 1)));

    // The graph is symmetric: 10's nearest is 2, but 2's is 1; the edge 2-10 serves both ways.
    Matrix line(1, 4);
    line << 0, 1, 2, 10;
    const GeodesicTable l = geodesicDistances(line, 1);
    QCOMPARE(l.unreachablePairs, int64_t(0));
    QCOMPARE(l.at(0, 3), 10.0f);
    QCOMPARE(l.at(3, 0), 10.0f);
}

void TestMetrics::geodesicsIndependentOfThreads() {
    Rng rng(3);
    Matrix x(3, 700);
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = Scalar(rng.normal());
    omp_set_num_threads(1);
    const GeodesicTable one = geodesicDistances(x, 6);
    omp_set_num_threads(3);
    const GeodesicTable three = geodesicDistances(x, 6);
    omp_set_num_threads(omp_get_num_procs());
    QVERIFY(one.distances.size() == size_t(700 * 700));
    QVERIFY(std::memcmp(one.distances.data(), three.distances.data(), one.distances.size() * sizeof(float)) == 0);
}

void TestMetrics::geodesicsRefuseBadArguments() {
    Matrix x = Matrix::Zero(1, 5);
    for (int k : {0, 5}) {
        try {
            geodesicDistances(x, k);
            QFAIL("k out of range accepted");
        } catch (const ConfigError& e) {
            QVERIFY2(QString(e.what()).startsWith("geometryNeighbours: must be between 1 and the training samples - 1 (4)"),
                     e.what());
        }
    }
    try {
        geodesicDistances(Matrix::Zero(1, kMaxGeodesicSamples + 1), 5);
        QFAIL("too many samples accepted");
    } catch (const ConfigError& e) {
        QVERIFY2(QString(e.what()).contains("at most 8192 samples"), e.what());
    }
}

// Phi^-1 at known points: 0 at 1/2, the 97.5 % point 1.959963984540054, Phi(1) = 0.8413...
// back to 1, symmetric tails; refuses p outside (0, 1).
void TestMetrics::normalQuantileKnownValues() {
    QCOMPARE(normalQuantile(0.5), 0.0);
    QVERIFY(std::abs(normalQuantile(0.975) - 1.959963984540054) < 1e-13);
    QVERIFY(std::abs(normalQuantile(0.025) + 1.959963984540054) < 1e-13);
    QVERIFY(std::abs(normalQuantile(0.8413447460685429) - 1.0) < 1e-12);
    QVERIFY(std::abs(normalQuantile(1e-10) + 6.361340902404056) < 1e-9);
    for (double p : {0.0, 1.0, -0.1, std::nan("")}) QVERIFY_THROWS_EXCEPTION(ConfigError, normalQuantile(p));
}

// A linear grid puts cell centres evenly in the box; a VAE's at the prior's quantiles of
// the cell centres, (i + 0.5) / steps; rows run from the top (largest y), other
// dimensions stay at the base.
void TestMetrics::latentGridSpacing() {
    LatentGridSpec s;
    s.steps = 4;
    s.xMin = 0;
    s.xMax = 8;
    s.yMin = -2;
    s.yMax = 2;
    Vector base(3);
    base << 0.5, 0.25, 7;
    s.dimX = 2;
    s.dimY = 0;
    const Matrix z = gridCodes(s, base);
    QCOMPARE(z.cols(), Index(16));
    // Column 0: top-left, x at the first centre 1, y at the last centre 1.5.
    QCOMPARE(z(2, 0), Scalar(1));
    QCOMPARE(z(0, 0), Scalar(1.5));
    QCOMPARE(z(1, 0), Scalar(0.25)); // untouched
    QCOMPARE(z(2, 3), Scalar(7));    // x centres 1, 3, 5, 7
    QCOMPARE(z(0, 12), Scalar(-1.5)); // bottom row
    for (Index c = 1; c < 4; ++c) QCOMPARE(z(2, c) - z(2, c - 1), Scalar(2));

    s.gaussian = true;
    s.spread = 2;
    const Matrix g = gridCodes(s, base);
    const double q = normalQuantile(0.125); // the first of 4 cells
    QVERIFY(std::abs(g(2, 0) - 2 * q) < 1e-6);
    QVERIFY(std::abs(g(2, 3) + 2 * q) < 1e-6); // symmetric
    QVERIFY(std::abs(g(2, 1) - 2 * normalQuantile(0.375)) < 1e-6);
    QVERIFY(std::abs(g(0, 0) + 2 * q) < 1e-6); // top row: largest y
    // Equal prior mass per cell: not equal widths (the outer cells are wider).
    QVERIFY(g(2, 1) - g(2, 0) > g(2, 2) - g(2, 1));

    // An autoencoder's box: the 1 % and 99 % points of its codes, a non-finite code ignored.
    LatentGridSpec box;
    Matrix codes(2, 102);
    for (Index i = 0; i <= 100; ++i) codes.col(i) << Scalar(i), Scalar(-2 * i);
    codes.col(101) << std::numeric_limits<Scalar>::quiet_NaN(), 0;
    QVERIFY(fitGridBox(box, codes));
    QCOMPARE(box.xMin, 1.0);
    QCOMPARE(box.xMax, 99.0);
    QCOMPARE(box.yMin, -198.0);
    QCOMPARE(box.yMax, -2.0);
    QVERIFY(!fitGridBox(box, codes.rightCols(2)));

    s.dimY = 2;
    QVERIFY_THROWS_EXCEPTION(ConfigError, gridCodes(s, base));
    s.dimY = 0;
    s.steps = 1;
    QVERIFY_THROWS_EXCEPTION(ConfigError, gridCodes(s, base));
}

// Both ends exactly; linear steps equal; slerp between orthogonal codes of norm 2 keeps
// the norm and passes through 2 (a + b) / |a + b| half way; parallel codes fall back to
// the straight line; bad arguments are refused.
void TestMetrics::interpolationEndpointsAndNorms() {
    Vector a(3), b(3);
    a << 2, 0, 0;
    b << 0, 2, 0;
    const Matrix lin = interpolateCodes(a, b, 5, false);
    QCOMPARE(lin.cols(), Index(5));
    QVERIFY(lin.col(0) == a && lin.col(4) == b);
    QVERIFY((lin.col(2) - Vector((a + b) / 2)).norm() < 1e-6);
    QVERIFY(std::abs(lin.col(2).norm() - std::sqrt(2.0)) < 1e-6); // the straight line cuts inside
    const Matrix sph = interpolateCodes(a, b, 5, true);
    QVERIFY(sph.col(0) == a && sph.col(4) == b);
    for (Index i = 0; i < 5; ++i) QVERIFY(std::abs(sph.col(i).norm() - 2.0) < 1e-5);
    Vector mid(3);
    mid << std::sqrt(2.0), std::sqrt(2.0), 0;
    QVERIFY((sph.col(2) - mid).norm() < 1e-5);
    // Equal angles between neighbours: 22.5 degrees each.
    for (Index i = 1; i < 5; ++i)
        QVERIFY(std::abs(std::acos(double(sph.col(i - 1).dot(sph.col(i))) / 4.0) - M_PI / 8) < 1e-5);
    // Norms 1 and 3 on a quarter circle: the norm moves linearly, 2 half way.
    const Matrix grow = interpolateCodes(Vector(a / 2), Vector(1.5 * b), 3, true);
    QVERIFY(std::abs(grow.col(1).norm() - 2.0) < 1e-5);
    // Parallel: the straight line.
    const Matrix par = interpolateCodes(a, Vector(3 * a), 3, true);
    QVERIFY((par.col(1) - Vector(2 * a)).norm() < 1e-6);
    QVERIFY_THROWS_EXCEPTION(ConfigError, interpolateCodes(a, b, 1, false));
    QVERIFY_THROWS_EXCEPTION(ConfigError, interpolateCodes(a, Vector::Zero(2), 3, false));
}

// AUC: the share of (anomaly, normal) pairs where the anomaly scores higher, ties one half.
void TestMetrics::rocAucByHand_data() {
    QTest::addColumn<std::vector<double>>("scores");
    QTest::addColumn<std::vector<bool>>("anomalous");
    QTest::addColumn<double>("auc");
    // The textbook case: pairs (0.35 > 0.1, 0.35 < 0.4, 0.8 > both) -> 3 of 4.
    QTest::newRow("textbook") << std::vector<double>{0.1, 0.4, 0.35, 0.8} << std::vector<bool>{false, false, true, true}
                              << 0.75;
    QTest::newRow("perfect") << std::vector<double>{1, 2, 3, 4} << std::vector<bool>{false, false, true, true} << 1.0;
    QTest::newRow("inverted") << std::vector<double>{4, 3, 2, 1} << std::vector<bool>{false, false, true, true} << 0.0;
    QTest::newRow("one tie") << std::vector<double>{0.5, 0.5} << std::vector<bool>{false, true} << 0.5;
    // Anomalies {2, 3, 4} against normals {1, 2}: 5 wins and one tie of 6 pairs.
    QTest::newRow("tie inside") << std::vector<double>{1, 2, 2, 3, 4} << std::vector<bool>{false, false, true, true, true}
                                << 5.5 / 6.0;
}

void TestMetrics::rocAucByHand() {
    QFETCH(std::vector<double>, scores);
    QFETCH(std::vector<bool>, anomalous);
    QFETCH(double, auc);
    const RocCurve roc = rocCurve(scores, anomalous);
    QVERIFY2(std::abs(roc.auc - auc) < 1e-12, qPrintable(QString("AUC %1, expected %2").arg(roc.auc).arg(auc)));
    // The same area by counting pairs, the definition itself.
    double wins = 0, pairs = 0;
    for (size_t a = 0; a < scores.size(); ++a)
        for (size_t b = 0; b < scores.size(); ++b)
            if (anomalous[a] && !anomalous[b]) {
                pairs += 1;
                wins += scores[a] > scores[b] ? 1.0 : scores[a] == scores[b] ? 0.5 : 0.0;
            }
    QVERIFY(std::abs(roc.auc - wins / pairs) < 1e-12);
}

void TestMetrics::rocCurvePointsByHand() {
    // Scores 0.8 (anomaly), 0.4 (normal), 0.35 (anomaly), 0.1 (normal), highest first.
    const RocCurve roc = rocCurve({0.1, 0.4, 0.35, 0.8}, {false, false, true, true});
    const double expected[][2] = {{0, 0}, {0, 0.5}, {0.5, 0.5}, {0.5, 1}, {1, 1}};
    QCOMPARE(roc.points.size(), size_t(5));
    for (size_t i = 0; i < 5; ++i) {
        QCOMPARE(roc.points[i].falsePositiveRate, expected[i][0]);
        QCOMPARE(roc.points[i].truePositiveRate, expected[i][1]);
    }
    // Each point's threshold flags exactly its rates.
    for (const RocPoint& p : roc.points) {
        const Confusion c = confusionAt({0.1, 0.4, 0.35, 0.8}, {false, false, true, true}, p.threshold);
        QCOMPARE(c.falsePositiveRate(), p.falsePositiveRate);
        QCOMPARE(c.recall(), p.truePositiveRate);
    }
    // A tie of an anomaly and a normal sample is one diagonal step.
    const RocCurve tie = rocCurve({0.5, 0.5}, {false, true});
    QCOMPARE(tie.points.size(), size_t(2));
    QCOMPARE(tie.points[1].falsePositiveRate, 1.0);
    QCOMPARE(tie.points[1].truePositiveRate, 1.0);
}

void TestMetrics::confusionByHand() {
    // Flagged above 0.5: 0.9 (anomaly), 0.7 (normal), 0.6 (anomaly); left: 0.2 (anomaly), 0.5 (normal).
    const Confusion c = confusionAt({0.9, 0.7, 0.6, 0.2, 0.5}, {true, false, true, true, false}, 0.5);
    QCOMPARE(c.truePositives, int64_t(2));
    QCOMPARE(c.falsePositives, int64_t(1));
    QCOMPARE(c.falseNegatives, int64_t(1));
    QCOMPARE(c.trueNegatives, int64_t(1));
    QCOMPARE(c.precision(), 2.0 / 3.0);
    QCOMPARE(c.recall(), 2.0 / 3.0);
    QCOMPARE(c.falsePositiveRate(), 0.5);
    const Confusion none = confusionAt({0.1, 0.2}, {true, false}, 1.0);
    QCOMPARE(none.precision(), 1.0); // nothing flagged, nothing wrongly flagged
    QCOMPARE(none.recall(), 0.0);
}

void TestMetrics::quantileLikeNumpy_data() {
    QTest::addColumn<std::vector<double>>("values");
    QTest::addColumn<double>("q");
    QTest::addColumn<double>("expected");
    // numpy.quantile(values, q) with its default linear method.
    QTest::newRow("median of four") << std::vector<double>{4, 1, 3, 2} << 0.5 << 2.5;
    QTest::newRow("quarter") << std::vector<double>{4, 1, 3, 2} << 0.25 << 1.75;
    QTest::newRow("minimum") << std::vector<double>{4, 1, 3, 2} << 0.0 << 1.0;
    QTest::newRow("maximum") << std::vector<double>{4, 1, 3, 2} << 1.0 << 4.0;
    QTest::newRow("95 % of 0..20") << std::vector<double>{20, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
                                    << 0.95 << 19.0;
    QTest::newRow("one value") << std::vector<double>{7} << 0.3 << 7.0;
}

void TestMetrics::quantileLikeNumpy() {
    QFETCH(std::vector<double>, values);
    QFETCH(double, q);
    QFETCH(double, expected);
    QVERIFY2(std::abs(quantile(values, q) - expected) < 1e-12, qPrintable(QString::number(quantile(values, q))));
}

void TestMetrics::anomalyFiguresRefuseBadInput() {
    QVERIFY_THROWS_EXCEPTION(ConfigError, rocCurve({1, 2}, {true, true}));
    QVERIFY_THROWS_EXCEPTION(ConfigError, rocCurve({1, 2}, {false, false}));
    QVERIFY_THROWS_EXCEPTION(ConfigError, rocCurve({1, 2, 3}, {false, true}));
    QVERIFY_THROWS_EXCEPTION(ConfigError, rocCurve({1, std::nan("")}, {false, true}));
    QVERIFY_THROWS_EXCEPTION(ConfigError, confusionAt({1}, {false, true}, 0.5));
    QVERIFY_THROWS_EXCEPTION(ConfigError, quantile({}, 0.5));
    QVERIFY_THROWS_EXCEPTION(ConfigError, quantile({1, 2}, 1.5));
}

void TestMetrics::psnrOfKnownPairs() {
    // One pixel of four off by the full range: MSE = 255^2 / 4, PSNR = 10 log10(4).
    Matrix a = Matrix::Zero(4, 1), b = Matrix::Zero(4, 1);
    b(3, 0) = 255;
    QVERIFY(std::abs(psnr(a, b, 255) - 10 * std::log10(4.0)) < 1e-9);
    // Off by 0.1 everywhere on a [0, 1] scale: MSE 0.01, 20 dB.
    Matrix c = Matrix::Constant(3, 2, 0.5f), d = c;
    d.array() += 0.1f;
    QVERIFY2(std::abs(psnr(c, d, 1.0) - 20.0) < 1e-4, qPrintable(QString::number(psnr(c, d, 1.0))));
    QVERIFY(std::isinf(psnr(c, c, 1.0)));
    QVERIFY_THROWS_EXCEPTION(ConfigError, psnr(a, c, 1.0));
    QVERIFY_THROWS_EXCEPTION(ConfigError, psnr(a, b, 0.0));
}

QTEST_APPLESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
