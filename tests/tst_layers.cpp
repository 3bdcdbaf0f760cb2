// Layers as the engine chains them: each declares the shape of a sample in and out
// (flat, channels × height × width, steps × features), and Sequential accepts a layer only
// if it takes the shape its neighbour gives, naming both layers when not.
#include "latentlab/Dense.h"
#include "latentlab/Sequential.h"
#include "latentlab/Shape.h"

#include <QtTest>

using namespace latentlab;

namespace {

// A test double: passes its input through, declaring whatever shapes it is given, so the
// chaining rule can be tried on shapes no real layer has yet.
class ShapedIdentity : public Layer {
public:
    ShapedIdentity(Shape in, Shape out) : m_in(in), m_out(out) {}
    std::string kind() const override { return "identity"; }
    Shape inputShape() const override { return m_in; }
    Shape outputShape() const override { return m_out; }
    const Matrix& forward(const Matrix& input) override { return m_y = input; }
    const Matrix& backward(const Matrix& g) override { return m_g = g; }
    void predict(const Matrix& input, Matrix& output) const override { output = input; }
    void initialize(Rng&) override {}
    std::vector<Parameter> parameters() override { return {}; }
    std::unique_ptr<Layer> clone() const override { return std::make_unique<ShapedIdentity>(*this); }

private:
    Shape m_in, m_out;
    Matrix m_y, m_g;
};

QString addError(Sequential& net, std::unique_ptr<Layer> layer) {
    try {
        net.add(std::move(layer));
    } catch (const ConfigError& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

class TestLayers : public QObject {
    Q_OBJECT

private slots:
    void shapesCountAndName() {
        QCOMPARE(Shape::flat(784).size(), Index(784));
        QCOMPARE(Shape::image(1, 28, 28).size(), Index(784));
        QCOMPARE(Shape::image(3, 5, 7).size(), Index(105));
        QCOMPARE(Shape::sequence(20, 3).size(), Index(60));
        QCOMPARE(QString::fromStdString(Shape::flat(784).text()), QString("784"));
        QCOMPARE(QString::fromStdString(Shape::image(1, 28, 28).text()), QString("1×28×28"));
        QCOMPARE(QString::fromStdString(Shape::sequence(20, 3).text()), QString("20 steps × 3"));
        // The same number of values laid out differently is another shape.
        QVERIFY(Shape::flat(784) != Shape::image(1, 28, 28));
        QVERIFY(Shape::image(1, 28, 28) != Shape::image(4, 14, 14));
        QVERIFY(Shape::image(4, 14, 14) != Shape::image(4, 7, 28));
        QVERIFY(Shape::sequence(20, 3) != Shape::sequence(3, 20));
        QVERIFY(Shape::sequence(20, 3) != Shape::flat(60));
        QVERIFY(Shape::flat(3) != Shape::sequence(20, 3)); // the kind counts, not only the fields
        QVERIFY(Shape::image(2, 3, 4) == Shape::image(2, 3, 4));
    }

    void emptyDimensionsAreRefused() {
        Shape::image(1, 28, 28).validate("input");
        for (const Shape& s : {Shape::image(0, 28, 28), Shape::image(1, 0, 28), Shape::image(1, 28, 0),
                               Shape::sequence(0, 3), Shape::sequence(5, 0), Shape::flat(0)}) {
            try {
                s.validate("layer 2");
                QFAIL(qPrintable(QString::fromStdString(s.text()) + " was accepted"));
            } catch (const ConfigError& e) {
                QVERIFY2(QString(e.what()).startsWith("layer 2: shape "), e.what());
            }
        }
    }

    void denseLayersAreFlat() {
        const Dense d(3, 64, Activation::ReLU);
        QVERIFY(d.inputShape() == Shape::flat(3));
        QVERIFY(d.outputShape() == Shape::flat(64));
        QCOMPARE(d.inputSize(), Index(3));
        QCOMPARE(d.outputSize(), Index(64));
        QCOMPARE(QString::fromStdString(d.describe()), QString("dense 3 → 64"));
    }

    void neighboursMustAgree() {
        Sequential net;
        net.add(std::make_unique<Dense>(3, 64, Activation::ReLU));
        net.add(std::make_unique<Dense>(64, 2, Activation::Identity));
        QCOMPARE(net.size(), size_t(2));
        QVERIFY(net.outputShape() == Shape::flat(2));
        // Another number of values: named with both layers.
        const QString sizes = addError(net, std::make_unique<Dense>(5, 2, Activation::Identity));
        QCOMPARE(sizes, QString("layer 2 (dense 64 → 2) gives 2 but layer 3 (dense 5 → 2) takes 5"));
        QCOMPARE(net.size(), size_t(2));
    }

    void sameSizeOtherLayoutIsRefused() {
        // 784 flat values do not become a 1×28×28 image without a layer that says so.
        Sequential net;
        net.add(std::make_unique<Dense>(2, 784, Activation::Sigmoid));
        const QString error =
            addError(net, std::make_unique<ShapedIdentity>(Shape::image(1, 28, 28), Shape::image(1, 28, 28)));
        QCOMPARE(error, QString("layer 1 (dense 2 → 784) gives 784 but layer 2 (identity 1×28×28 → 1×28×28) "
                                "takes 1×28×28"));
        // With a reshaping layer between them they chain.
        net.add(std::make_unique<ShapedIdentity>(Shape::flat(784), Shape::image(1, 28, 28)));
        net.add(std::make_unique<ShapedIdentity>(Shape::image(1, 28, 28), Shape::image(1, 28, 28)));
        QVERIFY(net.outputShape() == Shape::image(1, 28, 28));
        QCOMPARE(net.outputSize(), Index(784));
    }
};

QTEST_APPLESS_MAIN(TestLayers)
#include "tst_layers.moc"
