// The normaliser: fitting each kind on data far from [0, 1], apply() reaching the
// documented scale, and invert() taking normalised values back to the data's own units
// (what decode and sample write to CSV).
#include "latentlab/Batch.h"
#include "latentlab/Normalizer.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace latentlab;

Q_DECLARE_METATYPE(latentlab::Normalizer::Kind)

namespace {

constexpr Index kRows = 40, kCols = 4;

// Sample-major, four features with ranges nowhere near [0, 1]: about [100, 400],
// [-50, -10], [0.001, 0.003] and the constant 7 (scale 1 for the per-feature kinds).
std::vector<float> table() {
    std::vector<float> v;
    for (Index i = 0; i < kRows; ++i) {
        const auto frac = [&](double step) { return std::fmod(0.5 + step * double(i), 1.0); };
        v.push_back(float(100 + 300 * frac(0.6180339887)));
        v.push_back(float(-50 + 40 * frac(0.4142135624)));
        v.push_back(float(0.001 + 0.002 * frac(0.7320508076)));
        v.push_back(7.0f);
    }
    return v;
}

// Per feature (or over all, for global-minmax) in double: the value normalised 1 maps back to.
std::vector<double> rawOfOne(Normalizer::Kind kind, const std::vector<float>& v) {
    std::vector<double> out(static_cast<size_t>(kCols));
    const double globalMax = *std::max_element(v.begin(), v.end());
    for (Index j = 0; j < kCols; ++j) {
        double mean = 0, var = 0, lo = INFINITY, hi = -INFINITY;
        for (Index i = 0; i < kRows; ++i) {
            const double x = v[size_t(i * kCols + j)];
            mean += x / double(kRows);
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
        for (Index i = 0; i < kRows; ++i)
            var += std::pow(v[size_t(i * kCols + j)] - mean, 2) / double(kRows);
        const bool constant = hi == lo;
        switch (kind) {
        case Normalizer::Kind::Standardize: out[size_t(j)] = mean + (constant ? 1.0 : std::sqrt(var)); break;
        case Normalizer::Kind::MinMax: out[size_t(j)] = constant ? lo + 1 : hi; break;
        case Normalizer::Kind::GlobalMinMax: out[size_t(j)] = globalMax; break;
        default: out[size_t(j)] = 1.0;
        }
    }
    return out;
}

bool near(double actual, double expected, double scale) {
    return std::abs(actual - expected) <= 1e-5 * (std::abs(expected) + scale);
}

} // namespace

class TestNormalizer : public QObject {
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void handMade_data();
    void handMade();
};

void TestNormalizer::roundTrip_data() {
    QTest::addColumn<Normalizer::Kind>("kind");
    QTest::newRow("none") << Normalizer::Kind::None;
    QTest::newRow("standardize") << Normalizer::Kind::Standardize;
    QTest::newRow("minmax") << Normalizer::Kind::MinMax;
    QTest::newRow("global-minmax") << Normalizer::Kind::GlobalMinMax;
}

// apply() puts the data on the kind's scale, invert() brings every value back, and the
// normalised value 1 inverts to the point the kind says it stands for (the maximum, or the
// mean plus one standard deviation).
void TestNormalizer::roundTrip() {
    QFETCH(Normalizer::Kind, kind);
    const std::vector<float> v = table();
    const DataView data{v.data(), nullptr, kRows, kCols};
    const Normalizer n = Normalizer::fit(kind, data, kRows);
    QCOMPARE(n.kind(), kind);
    QCOMPARE(n.features(), kCols);
    const Matrix raw = toMatrix(data, Normalizer::identity(kCols), 0, kRows);
    Matrix x = raw;
    n.apply(x);
    QVERIFY2((toMatrix(data, n, 0, kRows) - x).cwiseAbs().maxCoeff() == 0, "gatherBatch and apply differ");
    if (kind == Normalizer::Kind::MinMax || kind == Normalizer::Kind::GlobalMinMax) {
        QVERIFY2(x.minCoeff() > -1e-6 && x.maxCoeff() < 1 + 1e-6,
                 qPrintable(QStringLiteral("[%1, %2]").arg(x.minCoeff()).arg(x.maxCoeff())));
        QVERIFY(x.row(0).maxCoeff() > 1 - 1e-6); // the widest feature spans the whole range
    } else if (kind == Normalizer::Kind::Standardize) {
        for (Index j = 0; j < 3; ++j) {
            const double mean = x.row(j).mean(), sd = std::sqrt((x.row(j).array() - mean).square().mean());
            QVERIFY2(std::abs(mean) < 1e-4 && std::abs(sd - 1) < 1e-4,
                     qPrintable(QStringLiteral("feature %1: mean %2, sd %3").arg(j).arg(mean).arg(sd)));
        }
    } else {
        QVERIFY(x == raw);
    }

    n.invert(x);
    for (Index i = 0; i < kRows; ++i)
        for (Index j = 0; j < kCols; ++j)
            QVERIFY2(near(x(j, i), raw(j, i), 1.0 / double(n.scale()[j])),
                     qPrintable(QStringLiteral("sample %1, feature %2: %3 came back as %4")
                                    .arg(i)
                                    .arg(j)
                                    .arg(raw(j, i), 0, 'g', 9)
                                    .arg(x(j, i), 0, 'g', 9)));

    Matrix ones = Matrix::Ones(kCols, 2);
    n.invert(ones);
    const std::vector<double> expected = rawOfOne(kind, v);
    for (Index j = 0; j < kCols; ++j)
        QVERIFY2(near(ones(j, 1), expected[size_t(j)], 1.0 / double(n.scale()[j])),
                 qPrintable(QStringLiteral("feature %1: normalised 1 inverts to %2, expected %3")
                                .arg(j)
                                .arg(ones(j, 1), 0, 'g', 9)
                                .arg(expected[size_t(j)], 0, 'g', 9)));
}

void TestNormalizer::handMade_data() {
    QTest::addColumn<double>("shift");
    QTest::addColumn<double>("scale");
    QTest::addColumn<double>("raw");
    QTest::addColumn<double>("normalised");
    QTest::newRow("scale 0.5") << 10.0 << 0.5 << 12.0 << 1.0;
    QTest::newRow("scale 4") << -3.0 << 4.0 << -2.0 << 4.0;
    QTest::newRow("scale 1/300") << 100.0 << 1.0 / 300 << 400.0 << 1.0;
    QTest::newRow("negative values") << 50.0 << 0.25 << -30.0 << -20.0;
}

// x' = (x - shift) * scale and back, on numbers worked out by hand.
void TestNormalizer::handMade() {
    QFETCH(double, shift);
    QFETCH(double, scale);
    QFETCH(double, raw);
    QFETCH(double, normalised);
    Normalizer n;
    n.set(Normalizer::Kind::Standardize, Vector::Constant(1, Scalar(shift)), Vector::Constant(1, Scalar(scale)));
    Matrix x = Matrix::Constant(1, 1, Scalar(raw));
    n.apply(x);
    QVERIFY2(near(x(0, 0), normalised, 0), qPrintable(QString::number(x(0, 0), 'g', 9)));
    x(0, 0) = Scalar(normalised);
    n.invert(x);
    QVERIFY2(near(x(0, 0), raw, 0), qPrintable(QString::number(x(0, 0), 'g', 9)));
}

QTEST_APPLESS_MAIN(TestNormalizer)
#include "tst_normalizer.moc"
