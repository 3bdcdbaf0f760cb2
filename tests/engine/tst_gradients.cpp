// Finite-difference gradient checks of the dense layer, every loss and each whole model
// objective, on the double engine (the checker and its tolerance: GradientCheck.h).
#include "latentlab/Autoencoder.h"
#include "latentlab/Dense.h"
#include "latentlab/Geometry.h"
#include "latentlab/Loss.h"
#include "latentlab/Random.h"
#include "latentlab/Sequential.h"
#include "latentlab/Vae.h"

#include "GradientCheck.h"

#include <QtTest>

using namespace latentlab;

Q_DECLARE_METATYPE(latentlab::Activation)
Q_DECLARE_METATYPE(latentlab::ReconstructionLoss)
Q_DECLARE_METATYPE(latentlab::ModelKind)

class TestGradients : public QObject {
    Q_OBJECT

private slots:
    void relativeErrorDetectsWrongGradients();
    void denseLayer_data();
    void denseLayer();
    void sequential();
    void mse();
    void bceWithLogits_data();
    void bceWithLogits();
    void bceExtremeLogits();
    void gaussianKl();
    void autoencoder_data();
    void autoencoder();
    void vae_data();
    void vae();
    void geometryPenalty();
    void geometryInModels_data();
    void geometryInModels();
};

// The checker itself: a gradient off by 1% must fail it, an exact one pass.
void TestGradients::relativeErrorDetectsWrongGradients() {
    Vector w(3);
    w << 0.5, -1.5, 2.0;
    auto loss = [&] { return double(w.array().cube().sum()); }; // dL/dw = 3 w^2
    Vector exact = 3 * w.array().square();
    Worst good;
    compare(w.data(), exact.data(), 3, "w", loss, good);
    QVERIFY2(good.error < kTolerance, good.message());
    Vector off = exact * 1.01;
    Worst bad;
    compare(w.data(), off.data(), 3, "w", loss, bad);
    QVERIFY2(bad.error > 1e-3, bad.message());
}

void TestGradients::denseLayer_data() {
    QTest::addColumn<Activation>("activation");
    QTest::newRow("identity") << Activation::Identity;
    QTest::newRow("relu") << Activation::ReLU;
    QTest::newRow("leaky_relu") << Activation::LeakyReLU;
    QTest::newRow("elu") << Activation::ELU;
    QTest::newRow("tanh") << Activation::Tanh;
    QTest::newRow("sigmoid") << Activation::Sigmoid;
}

// L = sum(R o f(W x + b)) for a fixed random R, so dL/da = R is what backward receives.
void TestGradients::denseLayer() {
    QFETCH(Activation, activation);
    Dense layer(4, 3, activation);
    Matrix x;
    // Pick data whose pre-activations all stay 0.05 away from the kinks of the ReLU family,
    // where the derivative jumps and a finite difference across 0 means nothing.
    for (uint64_t seed = 1;; ++seed) {
        QVERIFY2(seed < 1000, "no kink-free data found");
        Rng rng(seed);
        layer.initialize(rng);
        randomizeBiases(layer.parameters(), rng);
        x = randomMatrix(4, 5, rng);
        const Matrix z = (layer.weight() * x).colwise() + layer.bias();
        if (z.cwiseAbs().minCoeff() > 0.05) break;
    }
    Rng rng(99);
    const Matrix r = randomMatrix(3, 5, rng);
    auto loss = [&] {
        Matrix a;
        layer.predict(x, a);
        return double(r.cwiseProduct(a).sum());
    };

    const Matrix& a = layer.forward(x);
    QVERIFY2(std::abs(r.cwiseProduct(a).sum() - loss()) < 1e-12, "forward and predict disagree");
    const Matrix gradInput = layer.backward(r);
    QCOMPARE(gradInput.rows(), Index(4));
    QCOMPARE(gradInput.cols(), Index(5));

    Worst worst;
    compareParameters(layer.parameters(), loss, worst);
    compare(x.data(), gradInput.data(), x.size(), "input", loss, worst);
    QVERIFY2(worst.error < kTolerance, worst.message());
}

// A chain of every smooth activation: the input gradient of each layer must reach the
// one before it.
void TestGradients::sequential() {
    Sequential net;
    net.add(std::make_unique<Dense>(5, 6, Activation::Tanh));
    net.add(std::make_unique<Dense>(6, 4, Activation::ELU));
    net.add(std::make_unique<Dense>(4, 4, Activation::LeakyReLU));
    net.add(std::make_unique<Dense>(4, 3, Activation::Sigmoid));
    net.add(std::make_unique<Dense>(3, 2, Activation::Identity));
    Rng rng(7);
    net.initialize(rng);
    randomizeBiases(net.parameters("net"), rng);
    Matrix x = randomMatrix(5, 6, rng);
    const Matrix r = randomMatrix(2, 6, rng);
    auto loss = [&] {
        Matrix y;
        net.predict(x, y);
        return double(r.cwiseProduct(y).sum());
    };
    net.forward(x);
    const Matrix gradInput = net.backward(r);

    const auto params = net.parameters("net");
    QCOMPARE(params.size(), size_t(10));
    QCOMPARE(QString::fromStdString(params[2].name), QStringLiteral("net.1.weight"));
    Worst worst;
    compareParameters(params, loss, worst);
    compare(x.data(), gradInput.data(), x.size(), "input", loss, worst);
    QVERIFY2(worst.error < kTolerance, worst.message());
}

void TestGradients::mse() {
    Rng rng(3);
    Matrix y = randomMatrix(3, 4, rng);
    const Matrix t = randomMatrix(3, 4, rng);
    Matrix grad;
    const double value = mseLoss(y, t, &grad);
    // (1/B) sum (y - t)^2, written out.
    double expected = 0;
    for (Index j = 0; j < 4; ++j)
        for (Index i = 0; i < 3; ++i)
            expected += (y(i, j) - t(i, j)) * (y(i, j) - t(i, j));
    expected /= 4;
    QVERIFY2(std::abs(value - expected) < 1e-12, qPrintable(QString::number(value)));
    QCOMPARE(mseLoss(y, t, nullptr), value);
    Worst worst;
    compare(
        y.data(), grad.data(), y.size(), "prediction",
        [&] { return double(mseLoss(y, t, nullptr)); }, worst);
    QVERIFY2(worst.error < kTolerance, worst.message());
}

void TestGradients::bceWithLogits_data() {
    QTest::addColumn<double>("logitScale");
    QTest::addColumn<double>("logitOffset");
    QTest::newRow("moderate") << 2.0 << 0.0;
    QTest::newRow("+50") << 0.5 << 50.0;
    QTest::newRow("-50") << 0.5 << -50.0;
}

void TestGradients::bceWithLogits() {
    QFETCH(double, logitScale);
    QFETCH(double, logitOffset);
    Rng rng(11);
    Matrix x = randomMatrix(3, 4, rng, logitScale).array() + logitOffset;
    const Matrix t = uniformMatrix(3, 4, rng, 0.0, 1.0); // soft targets too
    Matrix grad;
    const double value = bceWithLogitsLoss(x, t, &grad);
    QVERIFY2(std::isfinite(value), "loss not finite");
    QVERIFY2(grad.allFinite(), "gradient not finite");

    // Reference: -t log s(x) - (1-t) log(1 - s(x)), with log s(x) = -log1p(e^-x) and
    // log(1 - s(x)) = -x - log1p(e^-x) rewritten for x < 0 so no e^{big} is formed.
    double expected = 0;
    for (Index i = 0; i < x.size(); ++i) {
        const double xi = x.data()[i], ti = t.data()[i];
        const double logS = xi >= 0 ? -std::log1p(std::exp(-xi)) : xi - std::log1p(std::exp(xi));
        const double log1mS = xi >= 0 ? -xi - std::log1p(std::exp(-xi)) : -std::log1p(std::exp(xi));
        expected += -ti * logS - (1 - ti) * log1mS;
    }
    expected /= 4;
    QVERIFY2(
        std::abs(value - expected) <= 1e-12 * std::max(1.0, std::abs(expected)),
        qPrintable(QStringLiteral("%1 vs %2").arg(value, 0, 'g', 17).arg(expected, 0, 'g', 17)));

    Worst worst;
    compare(
        x.data(), grad.data(), x.size(), "logits",
        [&] { return double(bceWithLogitsLoss(x, t, nullptr)); }, worst);
    QVERIFY2(worst.error < kTolerance, worst.message());
}

// Exact values at extreme logits, where a naive log(sigmoid) gives -inf or e^x overflows.
// Per element: l(50, 1) = l(-50, 0) = log1p(e^-50) = 1.9287498479639178e-22,
// l(50, 0) = l(-50, 1) = 50 + 1.93e-22 = 50 (in double), l(1000, 0.25) = 750.
void TestGradients::bceExtremeLogits() {
    Matrix x(6, 1), t(6, 1);
    x << 50, -50, 50, -50, 1000, -1000;
    t << 1, 0, 0, 1, 0.25, 0.25;
    Matrix grad;
    const double value = bceWithLogitsLoss(x, t, &grad);
    const double tiny = 1.9287498479639178e-22;
    const double expected = 2 * tiny + 50 + 50 + 750 + 250;
    QVERIFY2(std::isfinite(value) && std::abs(value - expected) < 1e-12,
             qPrintable(QString::number(value, 'g', 17)));
    // One-sample loss of the first row alone: must not collapse to 0 or -inf.
    Matrix one = x.topRows(1), oneT = t.topRows(1);
    QVERIFY2(std::abs(bceWithLogitsLoss(one, oneT, nullptr) / tiny - 1) < 1e-12,
             "log1p(e^-50) lost");
    // dL/dx = s(x) - t (B = 1): exactly representable at these logits.
    Vector g(6);
    g << -tiny, tiny, 1, -1, 0.75, -0.25;
    for (Index i = 0; i < 6; ++i)
        QVERIFY2(std::abs(grad(i, 0) - g[i]) <= 1e-15 * std::max(1.0, std::abs(g[i])) &&
                     std::isfinite(grad(i, 0)),
                 qPrintable(QStringLiteral("row %1: %2").arg(i).arg(grad(i, 0), 0, 'g', 17)));
}

void TestGradients::gaussianKl() {
    // Hand values: KL(N(1, 1) || N(0, 1)) = 1/2; KL(N(0, 2) || N(0, 1)) = (1 - ln 2) / 2.
    {
        Matrix mu(2, 1), lv(2, 1);
        mu << 1, 0;
        lv << 0, std::log(2.0);
        const double kl = latentlab::gaussianKl(mu, lv, nullptr, nullptr);
        QVERIFY2(std::abs(kl - (0.5 + 0.5 * (1 - std::log(2.0)))) < 1e-14,
                 qPrintable(QString::number(kl)));
    }
    Rng rng(5);
    Matrix mu = randomMatrix(3, 4, rng);
    Matrix lv = randomMatrix(3, 4, rng, 0.7);
    Matrix gMu, gLv;
    latentlab::gaussianKl(mu, lv, &gMu, &gLv);
    auto loss = [&] { return double(latentlab::gaussianKl(mu, lv, nullptr, nullptr)); };
    Worst worst;
    compare(mu.data(), gMu.data(), mu.size(), "mu", loss, worst);
    compare(lv.data(), gLv.data(), lv.size(), "logVar", loss, worst);
    QVERIFY2(worst.error < kTolerance, worst.message());
}

void TestGradients::autoencoder_data() {
    QTest::addColumn<Activation>("activation");
    QTest::addColumn<ReconstructionLoss>("loss");
    QTest::addColumn<double>("sparsity");
    QTest::addColumn<bool>("corruptedInput");
    QTest::newRow("tanh mse") << Activation::Tanh << ReconstructionLoss::Mse << 0.0 << false;
    QTest::newRow("relu mse") << Activation::ReLU << ReconstructionLoss::Mse << 0.0 << false;
    QTest::newRow("elu bce") << Activation::ELU << ReconstructionLoss::Bce << 0.0 << false;
    QTest::newRow("sigmoid mse sparse")
        << Activation::Sigmoid << ReconstructionLoss::Mse << 0.3 << false;
    QTest::newRow("leaky bce sparse")
        << Activation::LeakyReLU << ReconstructionLoss::Bce << 0.5 << false;
    QTest::newRow("tanh mse denoising")
        << Activation::Tanh << ReconstructionLoss::Mse << 0.1 << true;
}

// The whole objective: every parameter's gradient from trainStep against evaluate().
void TestGradients::autoencoder() {
    QFETCH(Activation, activation);
    QFETCH(ReconstructionLoss, loss);
    QFETCH(double, sparsity);
    QFETCH(bool, corruptedInput);
    ModelConfig c;
    c.inputDim = 5;
    c.encoderWidths = {6, 4};
    c.latentDim = 3;
    c.activation = activation;
    c.loss = loss;
    c.sparsity = sparsity;
    Autoencoder model(c);
    Rng rng(21);
    model.initialize(rng);
    randomizeBiases(model.parameters(), rng);
    const Matrix target =
        loss == ReconstructionLoss::Bce ? uniformMatrix(5, 7, rng, 0, 1) : randomMatrix(5, 7, rng);
    const Matrix input = corruptedInput ? Matrix(target + randomMatrix(5, 7, rng, 0.3)) : target;
    if (sparsity > 0) {
        // |z| has a kink at 0; the check is only meaningful away from it.
        Matrix z;
        model.encode(input, z);
        QVERIFY2(z.cwiseAbs().minCoeff() > 1e-3, "a latent code sits at the L1 kink");
    }

    Rng noise(1);
    // Twice: gradients must be overwritten by each pass, not accumulated.
    model.trainStep(input, target, noise);
    const LossTerms terms = model.trainStep(input, target, noise);
    const LossTerms evaluated = model.evaluate(input, target, noise);
    QVERIFY2(std::abs(terms.total - evaluated.total) < 1e-12, "trainStep and evaluate disagree");
    QVERIFY2(std::abs(terms.total - terms.reconstruction - terms.penalty) < 1e-12, "total");
    if (sparsity > 0)
        QVERIFY2(terms.penalty > 0, "sparsity penalty missing");
    else
        QCOMPARE(terms.penalty, 0.0);

    Worst worst;
    compareParameters(
        model.parameters(), [&] { return model.evaluate(input, target, noise).total; }, worst);
    QVERIFY2(worst.error < kTolerance, worst.message());
}

void TestGradients::vae_data() {
    QTest::addColumn<Activation>("activation");
    QTest::addColumn<ReconstructionLoss>("loss");
    QTest::addColumn<double>("beta");
    QTest::newRow("tanh mse beta 1") << Activation::Tanh << ReconstructionLoss::Mse << 1.0;
    QTest::newRow("elu mse beta 0.25") << Activation::ELU << ReconstructionLoss::Mse << 0.25;
    QTest::newRow("tanh bce beta 4") << Activation::Tanh << ReconstructionLoss::Bce << 4.0;
    QTest::newRow("sigmoid bce beta 0.5") << Activation::Sigmoid << ReconstructionLoss::Bce << 0.5;
}

// With the noise held fixed (trainStep and evaluate draw eps identically from an Rng of the
// same seed) the VAE objective is a deterministic function of the weights, so the
// reparameterised gradients can be checked like any other.
void TestGradients::vae() {
    QFETCH(Activation, activation);
    QFETCH(ReconstructionLoss, loss);
    QFETCH(double, beta);
    ModelConfig c;
    c.kind = ModelKind::Vae;
    c.inputDim = 5;
    c.encoderWidths = {6};
    c.decoderWidths = {4, 6};
    c.latentDim = 2;
    c.activation = activation;
    c.loss = loss;
    c.beta = beta;
    Vae model(c);
    Rng rng(31);
    model.initialize(rng);
    randomizeBiases(model.parameters(), rng);
    const Matrix x =
        loss == ReconstructionLoss::Bce ? uniformMatrix(5, 6, rng, 0, 1) : randomMatrix(5, 6, rng);
    constexpr uint64_t kNoiseSeed = 4242;
    Rng trainNoise(kNoiseSeed);
    const LossTerms terms = model.trainStep(x, x, trainNoise);
    Rng evalNoise(kNoiseSeed);
    const LossTerms evaluated = model.evaluate(x, x, evalNoise);
    QVERIFY2(std::abs(terms.total - evaluated.total) < 1e-12,
             "trainStep and evaluate draw different noise");
    QVERIFY2(terms.kl > 0, "KL term missing");
    QVERIFY2(std::abs(terms.total - (terms.reconstruction + beta * terms.kl)) < 1e-12,
             "total != rec + beta kl");
    // The noise must matter, or this would only check the posterior mean path.
    Rng otherNoise(kNoiseSeed + 1);
    QVERIFY(std::abs(model.evaluate(x, x, otherNoise).total - terms.total) > 1e-6);

    Worst worst;
    compareParameters(
        model.parameters(),
        [&] {
            Rng r(kNoiseSeed);
            return model.evaluate(x, x, r).total;
        },
        worst);
    QVERIFY2(worst.error < kTolerance, worst.message());
}

// The geometry penalty lambda mean_{i<j} (|z_i - z_j| - D_ij)^2 against its gradient in z,
// with one pair the graph does not join (infinite target), which must be left out of both
// the mean and the gradient.
void TestGradients::geometryPenalty() {
    Rng rng(7);
    Matrix z = randomMatrix(3, 6, rng);
    Matrix targets(6, 6);
    for (Index j = 0; j < 6; ++j)
        for (Index i = 0; i < 6; ++i) targets(i, j) = i == j ? 0.0 : 0.5 + 2.0 * rng.uniform();
    targets = (targets + targets.transpose()).eval() / 2;
    targets(1, 4) = targets(4, 1) = std::numeric_limits<double>::infinity();
    const double lambda = 0.7;

    // By hand: the 14 finite pairs of the 15.
    double sum = 0;
    for (Index j = 1; j < 6; ++j)
        for (Index i = 0; i < j; ++i)
            if (std::isfinite(targets(i, j))) sum += std::pow((z.col(i) - z.col(j)).norm() - targets(i, j), 2);
    QCOMPARE(latentlab::geometryPenalty(lambda, z, targets, nullptr), lambda * sum / 14);
    QCOMPARE(latentlab::geometryPenalty(0.0, z, targets, nullptr), 0.0);

    Matrix grad = Matrix::Constant(3, 6, 0.25); // added to, not overwritten
    latentlab::geometryPenalty(lambda, z, targets, &grad);
    grad.array() -= 0.25;
    Worst worst;
    compare(z.data(), grad.data(), z.size(), "z", [&] { return latentlab::geometryPenalty(lambda, z, targets, nullptr); },
            worst);
    QVERIFY2(worst.error < kTolerance, worst.message());
}

void TestGradients::geometryInModels_data() {
    QTest::addColumn<ModelKind>("kind");
    QTest::newRow("autoencoder") << ModelKind::Autoencoder;
    QTest::newRow("vae") << ModelKind::Vae;
}

// The whole objective with the geometry term: every parameter's gradient from trainStep
// against trainStep's own total (the term exists only in training). The VAE's term acts
// on the posterior means.
void TestGradients::geometryInModels() {
    QFETCH(ModelKind, kind);
    ModelConfig c;
    c.kind = kind;
    c.inputDim = 4;
    c.encoderWidths = {5};
    c.latentDim = 2;
    c.activation = Activation::Tanh;
    c.geometry = 0.8;
    const std::unique_ptr<Model> model = makeModel(c);
    Rng rng(5);
    model->initialize(rng);
    randomizeBiases(model->parameters(), rng);
    const Matrix x = randomMatrix(4, 7, rng);
    Matrix targets(7, 7);
    for (Index j = 0; j < 7; ++j)
        for (Index i = 0; i < 7; ++i) targets(i, j) = std::abs(double(i - j)) * 0.4;
    constexpr uint64_t kNoiseSeed = 99;
    auto loss = [&] {
        Rng r(kNoiseSeed);
        return model->trainStep(x, x, r, &targets).total;
    };
    Rng r(kNoiseSeed);
    const LossTerms with = model->trainStep(x, x, r, &targets);
    Rng r2(kNoiseSeed);
    const LossTerms without = model->evaluate(x, x, r2);
    QVERIFY2(with.penalty > 1e-3, "geometry penalty missing");
    QVERIFY2(std::abs(with.total - (without.total + with.penalty)) < 1e-12, "total != the rest + penalty");
    // The gradients of this step, kept: every loss() below is a trainStep that overwrites them.
    Rng r3(kNoiseSeed);
    model->trainStep(x, x, r3, &targets);
    std::vector<Vector> analytic;
    for (const auto& p : model->parameters()) analytic.emplace_back(Eigen::Map<const Vector>(p.grad, p.size));
    Worst worst;
    const std::vector<Parameter> params = model->parameters();
    for (size_t k = 0; k < params.size(); ++k)
        compare(params[k].value, analytic[k].data(), params[k].size, QString::fromStdString(params[k].name), loss, worst);
    QVERIFY2(worst.error < kTolerance, worst.message());
}

QTEST_APPLESS_MAIN(TestGradients)
#include "tst_gradients.moc"
