// Finite-difference gradient checks of the image layers (convolution, transposed
// convolution, pooling, upsampling, flatten, reshape) on the double engine: odd sizes,
// stride 2, padding, several channels and batches above one (the checker: GradientCheck.h).
#include "latentlab/Layer.h"
#include "latentlab/Sequential.h"

#include "GradientCheck.h"

#include <QtTest>

using namespace latentlab;

Q_DECLARE_METATYPE(latentlab::Shape)

namespace {

// L = sum(R o predict(x)) for a fixed random R, so backward(R) gives dL/dw and dL/dx.
// Returns the worst relative error over every parameter and input entry.
Worst checkLayer(Layer& layer, Matrix& x, const Matrix& r) {
    auto loss = [&] {
        Matrix y;
        layer.predict(x, y);
        return double(r.cwiseProduct(y).sum());
    };
    Worst worst;
    const Matrix& y = layer.forward(x);
    if (std::abs(r.cwiseProduct(y).sum() - loss()) > 1e-12) {
        worst.update(1, "forward and predict disagree", 0, 0, 0);
        return worst;
    }
    const Matrix gradInput = layer.backward(r);
    compareParameters(layer.parameters(), loss, worst);
    compare(x.data(), gradInput.data(), x.size(), "input", loss, worst);
    return worst;
}

} // namespace

class TestConvGradients : public QObject {
    Q_OBJECT

private slots:
    void layer_data() {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<Shape>("input");
        QTest::addColumn<int>("batch");
        QTest::newRow("conv stride 2, padding, odd sizes") << "conv 3 k3 s2 p1 tanh" << Shape::image(2, 7, 5) << 3;
        QTest::newRow("conv even kernel, no padding") << "conv 4 k2" << Shape::image(3, 5, 6) << 2;
        QTest::newRow("conv padding wider than half") << "conv 2 k3 p2 sigmoid" << Shape::image(1, 4, 4) << 2;
        QTest::newRow("conv stride 3 leaves rows out") << "conv 2 k2 s3 elu" << Shape::image(2, 8, 7) << 2;
        QTest::newRow("convt stride 2, output padding") << "convt 3 k3 s2 p1 op1 tanh" << Shape::image(2, 4, 3) << 3;
        QTest::newRow("convt k4 s2 p1") << "convt 2 k4 s2 p1" << Shape::image(3, 3, 5) << 2;
        QTest::newRow("convt stride equal to kernel") << "convt 2 k3 s3 sigmoid" << Shape::image(1, 2, 3) << 2;
        QTest::newRow("maxpool 2, odd width") << "maxpool 2" << Shape::image(2, 6, 5) << 3;
        QTest::newRow("maxpool overlapping windows") << "maxpool k3 s2" << Shape::image(2, 7, 7) << 2;
        QTest::newRow("avgpool 2") << "avgpool 2" << Shape::image(3, 5, 4) << 2;
        QTest::newRow("avgpool overlapping windows") << "avgpool k3 s1" << Shape::image(2, 5, 5) << 2;
        QTest::newRow("upsample 2") << "upsample 2" << Shape::image(2, 3, 4) << 3;
        QTest::newRow("upsample 3") << "upsample 3" << Shape::image(1, 2, 2) << 2;
        QTest::newRow("flatten") << "flatten" << Shape::image(2, 3, 4) << 2;
        QTest::newRow("reshape") << "reshape 2x3x4" << Shape::flat(24) << 2;
    }

    void layer() {
        QFETCH(QString, spec);
        QFETCH(Shape, input);
        QFETCH(int, batch);
        auto l = makeLayer(LayerSpec::parse(spec.toStdString()), input);
        Rng rng(11);
        l->initialize(rng);
        randomizeBiases(l->parameters(), rng);
        Matrix x = randomMatrix(input.size(), batch, rng);
        const Matrix r = randomMatrix(l->outputSize(), batch, rng);
        const Worst worst = checkLayer(*l, x, r);
        QVERIFY2(worst.error < kTolerance, worst.message());
    }

    // A small encoder and decoder chained: each layer's input gradient reaches the one
    // before it through the reshapes.
    void chain() {
        const auto specs = parseSpecs("conv 3 k3 s2 p1 tanh; maxpool 2; flatten; dense 5 tanh; dense 12 elu; "
                                      "reshape 3x2x2; upsample 2; convt 2 k3 s2 p1 op1 sigmoid; avgpool k3 s1");
        Sequential net = Sequential::build(specs, Shape::image(2, 9, 8));
        QCOMPARE(QString::fromStdString(net.outputShape().text()), QString("2×6×6"));
        Rng rng(5);
        net.initialize(rng);
        randomizeBiases(net.parameters("net"), rng);
        Matrix x = randomMatrix(net.inputSize(), 3, rng);
        const Matrix r = randomMatrix(net.outputSize(), 3, rng);
        auto loss = [&] {
            Matrix y;
            net.predict(x, y);
            return double(r.cwiseProduct(y).sum());
        };
        net.forward(x);
        const Matrix gradInput = net.backward(r);
        Worst worst;
        compareParameters(net.parameters("net"), loss, worst);
        compare(x.data(), gradInput.data(), x.size(), "input", loss, worst);
        QVERIFY2(worst.error < kTolerance, worst.message());
    }

    // Accumulate adds this pass's gradients to those already there: two passes over the
    // same batch give twice one pass's, for every parameter of every kind of layer.
    void accumulateAddsToTheGradients() {
        const auto specs = parseSpecs("conv 3 k3 s2 p1 tanh; flatten; dense 4 relu; reshape 1x2x2; convt 2 k3 s2 p1 op1");
        Sequential net = Sequential::build(specs, Shape::image(1, 5, 6));
        Rng rng(3);
        net.initialize(rng);
        const Matrix x = randomMatrix(net.inputSize(), 4, rng);
        const Matrix r = randomMatrix(net.outputSize(), 4, rng);
        net.forward(x);
        net.backward(r);
        std::vector<Vector> once;
        for (const auto& p : net.parameters("net")) once.push_back(Eigen::Map<const Vector>(p.grad, p.size));
        net.forward(x);
        net.backward(r, GradientMode::Accumulate);
        const auto params = net.parameters("net");
        QCOMPARE(params.size(), size_t(6));
        for (size_t i = 0; i < params.size(); ++i) {
            const Vector twice = Eigen::Map<const Vector>(params[i].grad, params[i].size);
            QVERIFY2(once[i].norm() > 0, params[i].name.c_str());
            QVERIFY2((twice - 2 * once[i]).norm() <= 1e-12 * twice.norm(), params[i].name.c_str());
        }
        // Overwrite starts afresh.
        net.forward(x);
        net.backward(r);
        for (size_t i = 0; i < params.size(); ++i)
            QVERIFY((Eigen::Map<const Vector>(params[i].grad, params[i].size) - once[i]).norm() == 0);
    }
};

QTEST_APPLESS_MAIN(TestConvGradients)
#include "tst_conv_gradients.moc"
