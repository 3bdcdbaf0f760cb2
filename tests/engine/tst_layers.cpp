// Layers as the engine chains them: each declares the shape of a sample in and out
// (flat, channels × height × width, steps × features), and Sequential accepts a layer only
// if it takes the shape its neighbour gives, naming both layers when not.
#include "latentlab/Conv.h"
#include "latentlab/Dense.h"
#include "latentlab/Sequential.h"
#include "latentlab/Shape.h"

#include <QtTest>

#include <omp.h>

using namespace latentlab;

Q_DECLARE_METATYPE(latentlab::Shape)

namespace {

// A test double: passes its input through, declaring whatever shapes it is given, so the
// chaining rule can be tried on shapes no real layer has yet; it records the passes it saw.
class ShapedIdentity : public Layer {
public:
    ShapedIdentity(Shape in, Shape out) : m_in(in), m_out(out) {}
    LayerSpec spec() const override {
        LayerSpec s;
        s.kind = "identity";
        return s;
    }
    Shape inputShape() const override { return m_in; }
    Shape outputShape() const override { return m_out; }
    void predict(const Matrix& input, Matrix& output) const override { output = input; }
    void initialize(Rng&) override {}
    std::vector<Parameter> parameters() override { return {}; }
    std::unique_ptr<Layer> clone() const override { return std::make_unique<ShapedIdentity>(*this); }

    Pass lastPass;
    GradientMode lastMode = GradientMode::Overwrite;

protected:
    const Matrix& forwardPass(const Matrix& input, const Pass& pass) override {
        lastPass = pass;
        return m_y = input;
    }
    const Matrix& backwardPass(const Matrix& g, GradientMode mode) override {
        lastMode = mode;
        return m_g = g;
    }

private:
    Shape m_in, m_out;
    Matrix m_y, m_g;
};

Matrix randomMatrix(Index rows, Index cols, Rng& rng) {
    Matrix m(rows, cols);
    for (Index i = 0; i < m.size(); ++i) m.data()[i] = Scalar(rng.normal());
    return m;
}

// Value (c, y, x) of sample b, zero outside the image (padding).
double pixel(const Matrix& m, const Shape& s, Index b, Index c, Index y, Index x) {
    if (y < 0 || y >= s.height || x < 0 || x >= s.width) return 0;
    return double(m((c * s.height + y) * s.width + x, b));
}

// Convolution by its definition, in double, with PyTorch's weight layout out × in × k × k:
//   out[o][y][x] = b[o] + sum_{i,ky,kx} W[o][i][ky][kx] in[i][y·s − p + ky][x·s − p + kx]
Matrix naiveConv(const Matrix& in, const Shape& is, const Shape& os, const Scalar* w, const Vector& bias,
                 Index k, Index stride, Index pad) {
    Matrix out(os.size(), in.cols());
    for (Index b = 0; b < in.cols(); ++b)
        for (Index o = 0; o < os.channels; ++o)
            for (Index y = 0; y < os.height; ++y)
                for (Index x = 0; x < os.width; ++x) {
                    double sum = bias[o];
                    for (Index i = 0; i < is.channels; ++i)
                        for (Index ky = 0; ky < k; ++ky)
                            for (Index kx = 0; kx < k; ++kx)
                                sum += double(w[((o * is.channels + i) * k + ky) * k + kx]) *
                                       pixel(in, is, b, i, y * stride - pad + ky, x * stride - pad + kx);
                    out((o * os.height + y) * os.width + x, b) = Scalar(sum);
                }
    return out;
}

// Transposed convolution by its definition, PyTorch's layout in × out × k × k: every input
// value spreads its kernel onto the output,
//   out[o][y·s − p + ky][x·s − p + kx] += W[i][o][ky][kx] in[i][y][x]   (+ b[o] everywhere)
Matrix naiveConvTranspose(const Matrix& in, const Shape& is, const Shape& os, const Scalar* w, const Vector& bias,
                          Index k, Index stride, Index pad) {
    Matrix out(os.size(), in.cols());
    for (Index b = 0; b < in.cols(); ++b) {
        std::vector<double> acc(size_t(os.size()), 0.0);
        for (Index o = 0; o < os.channels; ++o)
            for (Index p = 0; p < os.height * os.width; ++p) acc[size_t(o * os.height * os.width + p)] = bias[o];
        for (Index i = 0; i < is.channels; ++i)
            for (Index y = 0; y < is.height; ++y)
                for (Index x = 0; x < is.width; ++x)
                    for (Index o = 0; o < os.channels; ++o)
                        for (Index ky = 0; ky < k; ++ky)
                            for (Index kx = 0; kx < k; ++kx) {
                                const Index oy = y * stride - pad + ky, ox = x * stride - pad + kx;
                                if (oy < 0 || oy >= os.height || ox < 0 || ox >= os.width) continue;
                                acc[size_t((o * os.height + oy) * os.width + ox)] +=
                                    double(w[((i * os.channels + o) * k + ky) * k + kx]) * pixel(in, is, b, i, y, x);
                            }
        for (Index r = 0; r < os.size(); ++r) out(r, b) = Scalar(acc[size_t(r)]);
    }
    return out;
}

double maxRelativeError(const Matrix& a, const Matrix& b) {
    return (a - b).cwiseAbs().maxCoeff() / std::max(Scalar(1e-6), b.cwiseAbs().maxCoeff());
}

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

    // The specs' text form: each kind read and written back in one spelling, and nonsense
    // refused naming the layer.
    void specsReadAndWrite() {
        const char* texts[] = {"dense 64 relu", "conv 16 k3 s2 p1 relu", "convt 1 k3 s2 p1 op1", "maxpool 2",
                               "avgpool 3 s1", "upsample 2", "flatten", "reshape 32x7x7", "reshape 784",
                               "conv 8 k5 leaky_relu"};
        for (const char* t : texts) {
            const LayerSpec s = LayerSpec::parse(t);
            QCOMPARE(QString::fromStdString(s.text()), QString(t));
            QVERIFY(LayerSpec::parse(s.text()) == s);
        }
        // Defaults and other spellings mean the same layer.
        QVERIFY(LayerSpec::parse("conv 16 k3 s1") == LayerSpec::parse("Conv2d 16 k3"));
        QVERIFY(LayerSpec::parse("maxpool k2 s2") == LayerSpec::parse("maxpool 2"));
        QCOMPARE(QString::fromStdString(LayerSpec::parse("conv 16 k3 s2 p1 relu").label()),
                 QString("conv 16@3×3/2 pad 1 relu"));
        const std::pair<const char*, const char*> refused[] = {
            {"", "layer '': is empty (write for example 'conv 16 k3 s2 p1 relu')"},
            {"conv k3", "layer 'conv k3': needs the number of channels after 'conv'"},
            {"conv 16", "layer 'conv 16': needs a kernel size (k3)"},
            {"pool 2", "layer 'pool 2': unknown kind 'pool' (choose dense, conv, convt, maxpool, avgpool, upsample, "
                       "flatten or reshape)"},
            {"conv 16 k3 q7", "layer 'conv 16 k3 q7': 'q7' is neither a setting (k3, s2, p1) nor an activation: "
                              "activation: unknown 'q7' (choose one of identity, relu, leaky_relu, elu, tanh, sigmoid)"},
            {"dense 8 op1", "layer 'dense 8 op1': activation: unknown 'op1' (choose one of identity, relu, leaky_relu, "
                            "elu, tanh, sigmoid)"},
            {"dense 8 op1 relu", "layer 'dense 8 op1 relu': does not understand 'op1'"},
            {"reshape 3x3", "layer 'reshape 3x3': shape '3x3' is not like 32x7x7 or 784"},
            {"reshape 2x", "layer 'reshape 2x': shape '2x' is not like 32x7x7 or 784"},
            {"reshape 4x3x3x", "layer 'reshape 4x3x3x': shape '4x3x3x' is not like 32x7x7 or 784"},
            {"reshape 999999999x999999999x999999999",
             "layer 'reshape 999999999x999999999x999999999': shape '999999999x999999999x999999999' has more than "
             "2^24 values"},
        };
        for (const auto& [text, message] : refused) {
            try {
                LayerSpec::parse(text);
                QFAIL(text);
            } catch (const ConfigError& e) {
                QCOMPARE(QString::fromUtf8(e.what()), QString::fromUtf8(message));
            }
        }
    }

    // Shapes through a chain, and specs that do not fit their input named with the layer.
    void specsFitTheirInput() {
        const auto specs = parseSpecs("conv 16 k3 s2 p1 relu; conv 32 k3 s2 p1 relu; flatten");
        const auto shapes = chainShapes(specs, Shape::image(1, 28, 28));
        QCOMPARE(QString::fromStdString(shapes[1].text()), QString("16×14×14"));
        QCOMPARE(QString::fromStdString(shapes[2].text()), QString("32×7×7"));
        QVERIFY(shapes[3] == Shape::flat(1568));
        QCOMPARE(specs[0].parameterCount(shapes[0]), int64_t(16 * 9 + 16));
        QCOMPARE(QString::fromStdString(
                     chainShapes(parseSpecs("convt 16 k3 s2 p1 op1"), Shape::image(32, 7, 7)).back().text()),
                 QString("16×14×14"));
        const std::pair<const char*, const char*> refused[] = {
            {"conv 4 k5", "layer 1: layer 'conv 4 k5': kernel 5 is larger than the padded input 1×3×3"},
            {"dense 4", "layer 1: layer 'dense 4': needs flat features but is given 1×3×3; put a flatten before it"},
            {"flatten; dense 4; conv 2 k1", "layer 3: layer 'conv 2 k1': needs an image (channels×height×width) but "
                                            "is given 4 flat features; put a reshape before it"},
            {"flatten; reshape 2x2x3", "layer 2: layer 'reshape 2x2x3': cannot lay out 9 (9 values) as 2×2×3 (12)"},
            {"convt 2 k3 s2 op2", "layer 1: layer 'convt 2 k3 s2 op2': output padding must be smaller than the "
                                  "stride (got 2)"},
            {"maxpool 4", "layer 1: layer 'maxpool 4': window 4 is larger than the input 1×3×3"},
        };
        for (const auto& [text, message] : refused) {
            try {
                chainShapes(parseSpecs(text), Shape::image(1, 3, 3));
                QFAIL(text);
            } catch (const ConfigError& e) {
                QCOMPARE(QString::fromUtf8(e.what()), QString::fromUtf8(message));
            }
        }
    }

    // The convolutions compute what their definitions say, with PyTorch's weight layouts.
    void convolutionsMatchTheirDefinition_data() {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<Shape>("input");
        QTest::newRow("conv s2 p1") << "conv 5 k3 s2 p1" << Shape::image(3, 9, 7);
        QTest::newRow("conv k4 s3") << "conv 2 k4 s3" << Shape::image(2, 11, 10);
        QTest::newRow("convt s2 p1 op1") << "convt 4 k3 s2 p1 op1" << Shape::image(3, 5, 4);
        QTest::newRow("convt k4 s2 p1") << "convt 2 k4 s2 p1" << Shape::image(2, 3, 6);
    }
    void convolutionsMatchTheirDefinition() {
        QFETCH(QString, spec);
        QFETCH(Shape, input);
        const LayerSpec s = LayerSpec::parse(spec.toStdString());
        auto layer = makeLayer(s, input);
        Rng rng(21);
        layer->initialize(rng);
        auto* conv = dynamic_cast<ConvolutionBase*>(layer.get());
        QVERIFY(conv);
        conv->bias() = Vector::Random(conv->bias().size());
        const Matrix x = randomMatrix(input.size(), 3, rng);
        Matrix y;
        layer->predict(x, y);
        const Shape os = layer->outputShape();
        const Matrix expected =
            s.kind == "conv"
                ? naiveConv(x, input, os, conv->weight().data(), conv->bias(), s.kernel, s.effectiveStride(), s.padding)
                : naiveConvTranspose(x, input, os, conv->weight().data(), conv->bias(), s.kernel, s.effectiveStride(),
                                     s.padding);
        QVERIFY2(maxRelativeError(y, expected) < 1e-5, qPrintable(QString::number(maxRelativeError(y, expected))));
    }

    // Every image layer's forward and backward passes give bit-identical results on 1, 2 and
    // 3 threads, at a batch big enough to be shared among them.
    void imageLayersIgnoreThreadCount() {
        const auto specs = parseSpecs("conv 16 k3 s2 p1 relu; maxpool 2; conv 8 k3 p1 elu; avgpool 1; upsample 2; "
                                      "convt 4 k3 s2 p1 op1 tanh; flatten; dense 10");
        Sequential net = Sequential::build(specs, Shape::image(3, 28, 28));
        Rng rng(9);
        net.initialize(rng);
        const Matrix x = randomMatrix(net.inputSize(), 96, rng);
        const Matrix g = randomMatrix(net.outputSize(), 96, rng);
        auto run = [&](int threads) {
            omp_set_num_threads(threads);
            Sequential copy = net;
            Matrix out = copy.forward(x);
            Matrix gin = copy.backward(g);
            std::vector<Scalar> all(out.data(), out.data() + out.size());
            all.insert(all.end(), gin.data(), gin.data() + gin.size());
            for (const auto& p : copy.parameters("net")) all.insert(all.end(), p.grad, p.grad + p.size);
            return all;
        };
        const int saved = omp_get_max_threads();
        const auto one = run(1), two = run(2), three = run(3);
        omp_set_num_threads(saved);
        QVERIFY(one == two);
        QVERIFY(one == three);
    }

    // A pass reaches every layer of a chain, with the trainer's generator; so does the
    // gradient mode.
    void passAndModeReachEveryLayer() {
        Sequential net;
        net.add(std::make_unique<ShapedIdentity>(Shape::flat(4), Shape::flat(4)));
        net.add(std::make_unique<ShapedIdentity>(Shape::flat(4), Shape::flat(4)));
        Rng rng(1);
        const Matrix x = Matrix::Ones(4, 2);
        net.forward(x, Pass{false, &rng});
        net.backward(x, GradientMode::Accumulate);
        for (size_t i = 0; i < 2; ++i) {
            auto& l = dynamic_cast<ShapedIdentity&>(net.layer(i));
            QCOMPARE(l.lastPass.training, false);
            QCOMPARE(l.lastPass.rng, &rng);
            QCOMPARE(l.lastMode, GradientMode::Accumulate);
        }
    }
};

QTEST_APPLESS_MAIN(TestLayers)
#include "tst_layers.moc"
