// Optimiser updates of a single weight, worked out by hand: SGD's momentum (plain and
// Nesterov) as literal numbers, Adam's epsilon and bias corrections with an epsilon large
// enough to matter, as a closed form and in double by Optimizer.cpp's formula. tst_optimizer
// compares whole runs with a PyTorch-style reference and covers weight decay and state.
#include "latentlab/Optimizer.h"

#include <QtTest>

#include <cmath>

using namespace latentlab;

namespace {

// Steps an optimiser on one weight (from 0) through the gradients; the weight after each
// step, and the optimiser's state after the last.
QVector<double> walk(const OptimizerConfig& config, double lr, const QVector<double>& grads,
                     OptimizerState* state = nullptr) {
    auto opt = makeOptimizer(config);
    Vector w = Vector::Zero(1), g(1);
    const std::vector<Parameter> params{{"w", w.data(), g.data(), 1, {}}};
    QVector<double> out;
    for (double grad : grads) {
        g[0] = Scalar(grad);
        opt->step(params, lr);
        out << double(w[0]);
    }
    if (state) *state = opt->state(params);
    return out;
}

void compareWalk(const QVector<double>& actual, const QVector<double>& expected) {
    QCOMPARE(actual.size(), expected.size());
    for (int s = 0; s < actual.size(); ++s)
        QVERIFY2(std::abs(actual[s] - expected[s]) <= 2e-6 * std::max(1.0, std::abs(expected[s])),
                 qPrintable(QStringLiteral("after step %1: got %2, expected %3")
                                .arg(s + 1)
                                .arg(actual[s], 0, 'g', 10)
                                .arg(expected[s], 0, 'g', 10)));
}

OptimizerConfig adam(double beta1, double beta2, double epsilon) {
    OptimizerConfig c;
    c.kind = OptimizerConfig::Kind::Adam;
    c.beta1 = beta1;
    c.beta2 = beta2;
    c.epsilon = epsilon;
    return c;
}

} // namespace

class TestOptimizerByHand : public QObject {
    Q_OBJECT

private slots:
    void sgdMomentum_data();
    void sgdMomentum();
    void adamConstantGradient_data();
    void adamConstantGradient();
    void adamFormula_data();
    void adamFormula();
};

// v <- mu v + g (v starts at 0, no dampening); w <- w - lr v, or w - lr (g + mu v) for
// Nesterov. Gradients 1, 1, -1 at lr 0.1, mu 0.9:
//   v = 1, 1.9, 0.71;   w = -0.1, -0.29, -0.361;
//   Nesterov steps 1.9, 2.71, -0.361:   w = -0.19, -0.461, -0.4249.
// Gradients 2, -1, 0.5, 0 at lr 1, mu 0.5 (the zero gradient still moves the weight):
//   v = 2, 0, 0.5, 0.25;   w = -2, -2, -2.5, -2.75;
//   Nesterov steps 3, -1, 0.75, 0.125:   w = -3, -2, -2.75, -2.875.
void TestOptimizerByHand::sgdMomentum_data() {
    QTest::addColumn<double>("lr");
    QTest::addColumn<double>("momentum");
    QTest::addColumn<bool>("nesterov");
    QTest::addColumn<QVector<double>>("grads");
    QTest::addColumn<QVector<double>>("weights");
    QTest::addColumn<double>("velocity");
    QTest::newRow("momentum 0.9") << 0.1 << 0.9 << false << QVector<double>{1, 1, -1}
                                  << QVector<double>{-0.1, -0.29, -0.361} << 0.71;
    QTest::newRow("nesterov 0.9") << 0.1 << 0.9 << true << QVector<double>{1, 1, -1}
                                  << QVector<double>{-0.19, -0.461, -0.4249} << 0.71;
    QTest::newRow("momentum 0.5") << 1.0 << 0.5 << false << QVector<double>{2, -1, 0.5, 0}
                                  << QVector<double>{-2, -2, -2.5, -2.75} << 0.25;
    QTest::newRow("nesterov 0.5") << 1.0 << 0.5 << true << QVector<double>{2, -1, 0.5, 0}
                                  << QVector<double>{-3, -2, -2.75, -2.875} << 0.25;
    QTest::newRow("no momentum") << 0.1 << 0.0 << false << QVector<double>{1, 1, -1}
                                 << QVector<double>{-0.1, -0.2, -0.1} << 0.0;
}

void TestOptimizerByHand::sgdMomentum() {
    QFETCH(double, lr);
    QFETCH(double, momentum);
    QFETCH(bool, nesterov);
    QFETCH(QVector<double>, grads);
    QFETCH(QVector<double>, weights);
    QFETCH(double, velocity);
    OptimizerConfig c;
    c.kind = OptimizerConfig::Kind::Sgd;
    c.momentum = momentum;
    c.nesterov = nesterov;
    OptimizerState state;
    compareWalk(walk(c, lr, grads, &state), weights);
    QCOMPARE(state.size(), size_t(1));
    QCOMPARE(QString::fromStdString(state[0].slot), QString("velocity"));
    QVERIFY2(std::abs(state[0].values[0] - velocity) < 1e-6,
             qPrintable(QStringLiteral("velocity %1, expected %2").arg(state[0].values[0]).arg(velocity)));
}

// With a constant gradient g the bias corrections cancel the moments exactly: m / c1 = g and
// v / c2 = g^2, so every step is lr g / (|g| + eps), whatever the betas. Epsilon inside
// the square root (lr g / sqrt(g^2 + eps)) or an uncorrected v (lr g / (sqrt(c2) |g| + eps))
// give other steps. Each row moves the weight by `step` per step, by hand:
//   0.1 * 0.5 / (0.5 + 0.5) = 0.05;   0.1 * 2 / (2 + 2) = 0.05;   0.2 * 3 / (3 + 1) = 0.15;
//   0.01 * 4 / (4 + 1e-8) = 0.01 (to 1e-10).
void TestOptimizerByHand::adamConstantGradient_data() {
    QTest::addColumn<double>("lr");
    QTest::addColumn<double>("beta1");
    QTest::addColumn<double>("beta2");
    QTest::addColumn<double>("epsilon");
    QTest::addColumn<double>("gradient");
    QTest::addColumn<double>("step"); // the weight's change per step
    QTest::newRow("eps 0.5, default betas") << 0.1 << 0.9 << 0.999 << 0.5 << 0.5 << -0.05;
    QTest::newRow("eps 2, negative gradient") << 0.1 << 0.8 << 0.99 << 2.0 << -2.0 << 0.05;
    QTest::newRow("eps 1, fast betas") << 0.2 << 0.5 << 0.9 << 1.0 << 3.0 << -0.15;
    QTest::newRow("eps 1e-8") << 0.01 << 0.9 << 0.999 << 1e-8 << 4.0 << -0.01;
}

void TestOptimizerByHand::adamConstantGradient() {
    QFETCH(double, lr);
    QFETCH(double, beta1);
    QFETCH(double, beta2);
    QFETCH(double, epsilon);
    QFETCH(double, gradient);
    QFETCH(double, step);
    const QVector<double> grads(5, gradient);
    QVector<double> expected;
    for (int s = 1; s <= 5; ++s)
        expected << s * step;
    compareWalk(walk(adam(beta1, beta2, epsilon), lr, grads), expected);
}

// Varying gradients, in double, written as Optimizer.cpp writes it:
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  c1 = 1 - b1^t;  c2 = 1 - b2^t
//   w -= lr / c1 * m / (sqrt(v) / sqrt(c2) + eps)
void TestOptimizerByHand::adamFormula_data() {
    QTest::addColumn<double>("lr");
    QTest::addColumn<double>("beta1");
    QTest::addColumn<double>("beta2");
    QTest::addColumn<double>("epsilon");
    QTest::newRow("eps 0.3") << 0.1 << 0.9 << 0.999 << 0.3;
    QTest::newRow("eps 1") << 0.05 << 0.8 << 0.99 << 1.0;
    QTest::newRow("eps 0.05") << 0.1 << 0.9 << 0.9 << 0.05;
}

void TestOptimizerByHand::adamFormula() {
    QFETCH(double, lr);
    QFETCH(double, beta1);
    QFETCH(double, beta2);
    QFETCH(double, epsilon);
    const QVector<double> grads{0.4, -1.5, 0.05, 2.0, -0.3};
    QVector<double> expected;
    double w = 0, m = 0, v = 0;
    for (int t = 1; t <= grads.size(); ++t) {
        const double g = grads[t - 1];
        m = beta1 * m + (1 - beta1) * g;
        v = beta2 * v + (1 - beta2) * g * g;
        const double c1 = 1 - std::pow(beta1, t), c2 = 1 - std::pow(beta2, t);
        w -= lr / c1 * m / (std::sqrt(v) / std::sqrt(c2) + epsilon);
        expected << w;
    }
    compareWalk(walk(adam(beta1, beta2, epsilon), lr, grads), expected);
}

QTEST_APPLESS_MAIN(TestOptimizerByHand)
#include "tst_optimizer_byhand.moc"
