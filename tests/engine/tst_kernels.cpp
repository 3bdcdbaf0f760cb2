// The engine's fast paths against plain references: the row-tiled, multi-threaded dense
// layer against straightforward double-precision products, bit-identical results for one
// and two threads, the in-cache gradient check, the vectorised BCE against the scalar
// formula, the row tiling the threads share, and the benchmark's arithmetic count.
#include "Gemm.h"
#include "latentlab/Benchmark.h"
#include "latentlab/Dense.h"
#include "latentlab/Loss.h"
#include "latentlab/Multiply.h"
#include "latentlab/Optimizer.h"
#include "latentlab/Random.h"

#include <QtTest>

#include <omp.h>

#include <cmath>
#include <limits>

using namespace latentlab;

namespace {

using DMatrix = Eigen::MatrixXd;

Matrix randomMatrix(Index rows, Index cols, Rng& rng, double scale = 1.0) {
    Matrix m(rows, cols);
    for (Index i = 0; i < m.size(); ++i) m.data()[i] = Scalar(scale * rng.normal());
    return m;
}

double maxRelativeError(const Matrix& got, const DMatrix& want) {
    const double scale = std::max(1.0, want.cwiseAbs().maxCoeff());
    return (got.cast<double>() - want).cwiseAbs().maxCoeff() / scale;
}

struct PassResult {
    Matrix output, gradInput, weightGrad;
    Vector biasGrad;
    bool finite = true;
};

// One forward and backward pass of `layer` with `threads` OpenMP threads.
PassResult runPass(Dense& layer, const Matrix& x, const Matrix& g, int threads) {
    omp_set_num_threads(threads);
    PassResult p;
    p.output = layer.forward(x);
    p.gradInput = layer.backward(g);
    const auto params = layer.parameters();
    p.weightGrad = Eigen::Map<const Matrix>(params[0].grad, layer.outputSize(), layer.inputSize());
    p.biasGrad = Eigen::Map<const Vector>(params[1].grad, layer.outputSize());
    p.finite = layer.gradientsFinite();
    return p;
}

} // namespace

class TestKernels : public QObject {
    Q_OBJECT
private slots:
    void cleanup() { omp_set_num_threads(omp_get_num_procs()); }

    // CTest runs this file with LATENTLAB_MULTIPLY unset, =eigen and =openblas: each run
    // must test the multiply it names, not fall back silently.
    void multiplyIsTheOneAskedFor() {
        const QByteArray asked = qgetenv("LATENTLAB_MULTIPLY");
        qInfo("multiply: %s (%s)", multiplyChoice().label.c_str(), multiplyChoice().reason.c_str());
        if (!asked.isEmpty()) QCOMPARE(QByteArray::fromStdString(multiplyChoice().name), asked);
        QCOMPARE(multiplyRequestError(), std::string());
    }

    // Every row in exactly one tile, in order; an even count of tiles when there are more
    // than one; heights multiples of 8 but the last, differing by at most 8 rows, taller
    // ones first; so that two threads taking the tiles in turn get rows within 16 of each other
    // (8 for the rounding to whole units of 8 rows, up to 7 more for a partial last unit).
    void tilesCoverRowsEvenly() {
        using detail::Tiles;
        for (Index rows = 1; rows <= 2100; ++rows) {
            const Tiles tiles(rows);
            const QByteArray where = "rows " + QByteArray::number(qlonglong(rows));
            QVERIFY2(tiles.count >= 1, where);
            QVERIFY2(tiles.count == 1 || tiles.count % 2 == 0, where);
            QCOMPARE(tiles.begin(0), Index(0));
            Index tallest = 0, shortest = rows, previous = rows, first = 0, second = 0;
            for (Index t = 0; t < tiles.count; ++t) {
                const Index n = tiles.size(t);
                QVERIFY2(n > 0, where);
                QCOMPARE(tiles.begin(t + 1), tiles.begin(t) + n);
                if (t + 1 < tiles.count) {
                    QVERIFY2(n % 8 == 0, where);
                    QVERIFY2(n <= previous, where);
                    tallest = std::max(tallest, n);
                    shortest = std::min(shortest, n);
                    previous = n;
                }
                (t % 2 == 0 ? first : second) += n;
                QVERIFY2(n <= 2 * Tiles::kTargetTileRows, where);
            }
            QCOMPARE(tiles.begin(tiles.count), rows);
            if (tiles.count > 2) QVERIFY2(tallest - shortest <= 8, where);
            if (tiles.count > 1) QVERIFY2(std::abs(first - second) < 16, where);
        }
        // The reference model's layers.
        QCOMPARE(Tiles(784).count, Index(8));
        QCOMPARE(Tiles(784).size(0), Index(104));
        QCOMPARE(Tiles(784).size(7), Index(96));
        QCOMPARE(Tiles(512).size(3), Index(128));
        QCOMPARE(Tiles(256).count, Index(2));
    }

    void tiledDenseMatchesReference_data() {
        QTest::addColumn<int>("inputs");
        QTest::addColumn<int>("outputs");
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("activation");
        // Row counts that are and are not multiples of the tile, above and below the size
        // at which the layer goes parallel, and the reference model's own shapes.
        QTest::newRow("small, one thread path") << 7 << 5 << 3 << int(Activation::Tanh);
        QTest::newRow("784 -> 512 relu") << 784 << 512 << 128 << int(Activation::ReLU);
        QTest::newRow("512 -> 784 identity") << 512 << 784 << 128 << int(Activation::Identity);
        QTest::newRow("300 -> 200 elu, odd batch") << 300 << 200 << 41 << int(Activation::ELU);
        QTest::newRow("97 -> 193 sigmoid") << 97 << 193 << 77 << int(Activation::Sigmoid);
        // Input-gradient tiles costlier than weight-gradient ones (they are queued first).
        QTest::newRow("256 -> 512 relu") << 256 << 512 << 128 << int(Activation::ReLU);
    }
    void tiledDenseMatchesReference() {
        QFETCH(int, inputs);
        QFETCH(int, outputs);
        QFETCH(int, batch);
        QFETCH(int, activation);
        const auto f = Activation(activation);
        Rng rng(7);
        Dense layer(inputs, outputs, f);
        layer.initialize(rng);
        layer.bias() = randomMatrix(outputs, 1, rng, 0.1);
        const Matrix x = randomMatrix(inputs, batch, rng);
        const Matrix g = randomMatrix(outputs, batch, rng);

        const PassResult p = runPass(layer, x, g, 2);

        // Reference in double: z = W x + b, a = f(z), delta = g * f'(z).
        const DMatrix W = layer.weight().cast<double>(), X = x.cast<double>(), G = g.cast<double>();
        DMatrix Z = W * X;
        Z.colwise() += layer.bias().cast<double>();
        DMatrix A = Z, D = G;
        for (Index i = 0; i < Z.size(); ++i) {
            const double z = Z.data()[i];
            double a = z, d = 1;
            switch (f) {
            case Activation::ReLU: a = std::max(z, 0.0); d = z > 0; break;
            case Activation::ELU: a = z > 0 ? z : std::expm1(z); d = z > 0 ? 1 : std::exp(z); break;
            case Activation::Tanh: a = std::tanh(z); d = 1 - a * a; break;
            case Activation::Sigmoid: a = 1 / (1 + std::exp(-z)); d = a * (1 - a); break;
            default: break;
            }
            A.data()[i] = a;
            D.data()[i] *= d;
        }
        QVERIFY2(maxRelativeError(p.output, A) < 1e-5, "forward output");
        QVERIFY2(maxRelativeError(p.weightGrad, D * X.transpose()) < 1e-5, "weight gradient");
        QVERIFY2(maxRelativeError(p.biasGrad, D.rowwise().sum()) < 1e-5, "bias gradient");
        QVERIFY2(maxRelativeError(p.gradInput, W.transpose() * D) < 1e-5, "input gradient");
        QVERIFY(p.finite);
    }

    void resultsDoNotDependOnThreads() {
        Rng rng(3);
        Dense layer(784, 512, Activation::ReLU);
        layer.initialize(rng);
        const Matrix x = randomMatrix(784, 128, rng), g = randomMatrix(512, 128, rng);
        const PassResult one = runPass(layer, x, g, 1);
        const PassResult two = runPass(layer, x, g, 2);
        const PassResult three = runPass(layer, x, g, 3);
        // Bit for bit: each tile is the same single-threaded product whoever computes it.
        QVERIFY(one.output == two.output && one.output == three.output);
        QVERIFY(one.weightGrad == two.weightGrad && one.weightGrad == three.weightGrad);
        QVERIFY(one.biasGrad == two.biasGrad && one.gradInput == two.gradInput);
        QVERIFY(one.biasGrad == three.biasGrad && one.gradInput == three.gradInput);
    }

    void gradientCheckSeesOverflowInAnyTile() {
        // x = 1e30 in one input and a gradient of 1e10 for one output: that weight's
        // gradient is 1e40, beyond float, while the forward pass stays finite. The bad
        // element sits in the last row tile, which another thread may have computed.
        Rng rng(5);
        Dense layer(300, 200, Activation::Identity);
        layer.initialize(rng);
        layer.weight() *= Scalar(1e-12);
        Matrix x = randomMatrix(300, 40, rng);
        Matrix g = randomMatrix(200, 40, rng);
        const PassResult clean = runPass(layer, x, g, 2);
        QVERIFY(clean.finite);
        QCOMPARE(gradientsFinite(layer.parameters()), true);
        x(17, 3) = Scalar(1e30);
        g(199, 3) = Scalar(1e10);
        const PassResult bad = runPass(layer, x, g, 2);
        QVERIFY(bad.output.allFinite());
        QVERIFY(!bad.finite);
        QCOMPARE(gradientsFinite(layer.parameters()), false); // the full scan agrees
        QVERIFY(std::isinf(bad.weightGrad(199, 17)));
        // Either thread may take either tile (dynamic schedule), so one pass proves little
        // about the reduction: the overflow at each edge of both tiles (200 rows: tiles of
        // 104 and 96), ten passes each, must be seen every time.
        g(199, 3) = 0;
        for (Index row : {Index(0), Index(103), Index(104), Index(199)}) {
            g(row, 3) = Scalar(1e10);
            for (int k = 0; k < 10; ++k)
                QVERIFY2(!runPass(layer, x, g, 2).finite, qPrintable(QString("row %1, pass %2").arg(row).arg(k)));
            g(row, 3) = 0;
        }
    }

    void finiteCheck() {
        Vector v = Vector::Constant(1000, Scalar(3e38)); // huge but finite: no overflow in the check
        QVERIFY(allFinite(v));
        QVERIFY(allFinite(Vector()));
        for (const Scalar bad : {std::numeric_limits<Scalar>::quiet_NaN(), std::numeric_limits<Scalar>::infinity(),
                                 -std::numeric_limits<Scalar>::infinity()}) {
            Vector w = v;
            w[999] = bad;
            QVERIFY(!allFinite(w));
            Matrix m = Matrix::Ones(300, 7);
            m(150, 3) = bad;
            QVERIFY(!allFinite(m.middleRows(100, 100))); // a strided block, as the tiles are
            QVERIFY(allFinite(m.middleRows(0, 100)));
        }
    }

    void vectorisedBceMatchesScalarFormula() {
        // Logits from -100 to 100 (exp overflows if taken naively), targets in [0, 1].
        const Index rows = 301, cols = 260; // > 65536 elements: the threaded path
        Matrix x(rows, cols), t(rows, cols);
        Rng rng(11);
        for (Index i = 0; i < x.size(); ++i) {
            x.data()[i] = Scalar(-100.0 + 200.0 * double(i % 997) / 996.0);
            t.data()[i] = Scalar(rng.uniform());
        }
        Matrix grad;
        const double loss = bceWithLogitsLoss(x, t, &grad);
        double want = 0;
        DMatrix wantGrad(rows, cols);
        for (Index i = 0; i < x.size(); ++i) {
            const double xi = x.data()[i], ti = t.data()[i];
            want += std::max(xi, 0.0) - xi * ti + std::log1p(std::exp(-std::abs(xi)));
            wantGrad.data()[i] = (1.0 / (1.0 + std::exp(-xi)) - ti) / double(cols);
        }
        want /= double(cols);
        QVERIFY2(std::abs(loss - want) / want < 1e-5, qPrintable(QString("%1 vs %2").arg(loss).arg(want)));
        QVERIFY(grad.allFinite());
        QVERIFY((grad.cast<double>() - wantGrad).cwiseAbs().maxCoeff() < 1e-7);
        QCOMPARE(bceWithLogitsLoss(x, t, nullptr), Scalar(loss));
    }

    void adamReportsOverflowedWeights() {
        Vector w = Vector::Constant(5000, Scalar(3e38)), g = Vector::Constant(5000, Scalar(-1));
        std::vector<Parameter> params{{"w", w.data(), g.data(), w.size(), {}}};
        OptimizerConfig c;
        c.kind = OptimizerConfig::Kind::Adam;
        auto adam = makeOptimizer(c);
        QVERIFY(!adam->step(params, 1e38)); // 3e38 + 1e38 is infinite in float
        w.setOnes();
        QVERIFY(adam->step(params, 1e-3));
    }

    void trainingArithmeticOfTheReferenceModel() {
        ModelConfig c;
        c.kind = ModelKind::Vae;
        c.inputDim = 784;
        c.encoderWidths = {512, 256};
        c.latentDim = 2;
        // Multiply-adds per sample: 784*512 + 512*256 + 256*4 + 2*256 + 256*512 + 512*784
        // = 1,066,496. Forward and weight gradients: 2 flops each; input gradients for
        // all but the first layer (784*512 is skipped).
        const double macs = 1066496.0;
        QCOMPARE(trainingFlopsPerSample(c), 2 * macs + 2 * macs + 2 * (macs - 784.0 * 512.0));
        // An autoencoder (no mean/log-variance pair): 3-64-64-64-2 and back, the Swiss roll's.
        ModelConfig ae;
        ae.kind = ModelKind::Autoencoder;
        ae.inputDim = 3;
        ae.encoderWidths = {64, 64, 64};
        ae.latentDim = 2;
        // 3*64 + 64*64 + 64*64 + 64*2 = 8,512 multiply-adds on each side; the first layer
        // (3*64) needs no input gradient.
        QCOMPARE(trainingFlopsPerSample(ae), 2 * 17024.0 + 2 * 17024.0 + 2 * (17024.0 - 3 * 64));
    }
};

QTEST_GUILESS_MAIN(TestKernels)
#include "tst_kernels.moc"
