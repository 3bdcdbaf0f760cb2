// Optimiser steps against independently computed values: a double-precision reference
// written here in PyTorch's formulation (torch.optim.SGD with dampening 0, torch.optim.AdamW,
// both with decoupled weight decay w <- w (1 - lr wd)), and literal numbers from the same
// formulas evaluated with numpy. Then the state()/setState() round trip the model file uses.
#include "latentlab/Optimizer.h"

#include <QtTest>

#include <cmath>
#include <optional>

using namespace latentlab;

namespace {

// Two parameters (3 weights and 1 bias) so per-parameter state must be kept apart.
const std::vector<std::vector<double>> kInitial = {{1.0, -2.0, 0.5}, {0.25}};
// The gradient of each of three steps, per parameter.
const std::vector<std::vector<std::vector<double>>> kGrads = {
    {{0.5, -1.0, 2.0}, {0.3}},
    {{-0.3, 0.8, 0.1}, {-0.6}},
    {{1.5, 0.2, -0.7}, {0.05}},
};

struct Params {
    std::vector<Vector> value, grad;
    Params() {
        for (const auto& p : kInitial) {
            Vector v(Index(p.size()));
            for (size_t i = 0; i < p.size(); ++i)
                v[Index(i)] = Scalar(p[i]);
            value.push_back(v);
            grad.push_back(Vector::Zero(v.size()));
        }
    }
    void setGrads(size_t step) {
        for (size_t k = 0; k < grad.size(); ++k)
            for (size_t i = 0; i < kGrads[step][k].size(); ++i)
                grad[k][Index(i)] = Scalar(kGrads[step][k][i]);
    }
    std::vector<Parameter> list() {
        return {{"w", value[0].data(), grad[0].data(), value[0].size(), {}},
                {"b", value[1].data(), grad[1].data(), value[1].size(), {}}};
    }
    std::vector<double> flat() const {
        std::vector<double> out;
        for (const auto& v : value)
            for (Index i = 0; i < v.size(); ++i)
                out.push_back(double(v[i]));
        return out;
    }
};

// Reference SGD, element by element, as PyTorch writes it: the momentum buffer starts as
// the first gradient (equivalent to zero-initialised, written differently on purpose).
std::vector<std::vector<double>> referenceSgd(double lr, double mu, bool nesterov, double wd) {
    std::vector<double> w, buf;
    for (const auto& p : kInitial)
        w.insert(w.end(), p.begin(), p.end());
    std::vector<std::optional<double>> momentum(w.size());
    std::vector<std::vector<double>> history;
    for (const auto& stepGrads : kGrads) {
        std::vector<double> g;
        for (const auto& p : stepGrads)
            g.insert(g.end(), p.begin(), p.end());
        for (size_t i = 0; i < w.size(); ++i) {
            w[i] -= lr * wd * w[i];
            double d = g[i];
            if (mu != 0) {
                momentum[i] = momentum[i] ? mu * *momentum[i] + g[i] : g[i];
                d = nesterov ? g[i] + mu * *momentum[i] : *momentum[i];
            }
            w[i] -= lr * d;
        }
        history.push_back(w);
    }
    return history;
}

std::vector<std::vector<double>> referenceAdam(double lr, double b1, double b2, double eps,
                                               double wd) {
    std::vector<double> w;
    for (const auto& p : kInitial)
        w.insert(w.end(), p.begin(), p.end());
    std::vector<double> m(w.size(), 0.0), v(w.size(), 0.0);
    std::vector<std::vector<double>> history;
    int t = 0;
    for (const auto& stepGrads : kGrads) {
        ++t;
        std::vector<double> g;
        for (const auto& p : stepGrads)
            g.insert(g.end(), p.begin(), p.end());
        for (size_t i = 0; i < w.size(); ++i) {
            w[i] *= 1 - lr * wd;
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            const double mHat = m[i] / (1 - std::pow(b1, t));
            const double vHat = v[i] / (1 - std::pow(b2, t));
            w[i] -= lr * mHat / (std::sqrt(vHat) + eps);
        }
        history.push_back(w);
    }
    return history;
}

// The engine works in float: a few ulps per step.
bool close(double actual, double expected) {
    return std::abs(actual - expected) <= 2e-6 * std::max(1.0, std::abs(expected));
}

void compareStep(const std::vector<double>& actual, const std::vector<double>& expected, int step) {
    QCOMPARE(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i)
        QVERIFY2(close(actual[i], expected[i]),
                 qPrintable(QStringLiteral("step %1, entry %2: got %3, expected %4")
                                .arg(step)
                                .arg(i)
                                .arg(actual[i], 0, 'g', 10)
                                .arg(expected[i], 0, 'g', 10)));
}

// Runs the optimiser for the three steps and compares the weights after each.
void runAgainst(const OptimizerConfig& config, double lr,
                const std::vector<std::vector<double>>& expected) {
    auto opt = makeOptimizer(config);
    Params p;
    for (size_t s = 0; s < kGrads.size(); ++s) {
        p.setGrads(s);
        opt->step(p.list(), lr);
        compareStep(p.flat(), expected[s], int(s) + 1);
        if (QTest::currentTestFailed()) return;
        QCOMPARE(opt->steps(), (long long)(s + 1));
    }
}

} // namespace

class TestOptimizer : public QObject {
    Q_OBJECT

private slots:
    void sgd_data();
    void sgd();
    void adam_data();
    void adam();
    void numpyLiterals_data();
    void numpyLiterals();
    void stateRoundTrip_data();
    void stateRoundTrip();
    void stateMustMatchByNameAndShape();
    void invalidConfig_data();
    void invalidConfig();
    void names();
};

void TestOptimizer::sgd_data() {
    QTest::addColumn<double>("lr");
    QTest::addColumn<double>("momentum");
    QTest::addColumn<bool>("nesterov");
    QTest::addColumn<double>("weightDecay");
    QTest::newRow("plain") << 0.1 << 0.0 << false << 0.0;
    QTest::newRow("momentum") << 0.1 << 0.9 << false << 0.0;
    QTest::newRow("nesterov") << 0.05 << 0.8 << true << 0.0;
    QTest::newRow("plain + decay") << 0.1 << 0.0 << false << 0.5;
    QTest::newRow("momentum + decay") << 0.2 << 0.5 << false << 0.1;
    QTest::newRow("nesterov + decay") << 0.1 << 0.9 << true << 0.05;
}

void TestOptimizer::sgd() {
    QFETCH(double, lr);
    QFETCH(double, momentum);
    QFETCH(bool, nesterov);
    QFETCH(double, weightDecay);
    OptimizerConfig c;
    c.kind = OptimizerConfig::Kind::Sgd;
    c.momentum = momentum;
    c.nesterov = nesterov;
    c.weightDecay = weightDecay;
    runAgainst(c, lr, referenceSgd(lr, momentum, nesterov, weightDecay));
}

void TestOptimizer::adam_data() {
    QTest::addColumn<double>("lr");
    QTest::addColumn<double>("beta1");
    QTest::addColumn<double>("beta2");
    QTest::addColumn<double>("epsilon");
    QTest::addColumn<double>("weightDecay");
    QTest::newRow("defaults") << 1e-3 << 0.9 << 0.999 << 1e-8 << 0.0;
    QTest::newRow("large lr") << 0.1 << 0.9 << 0.999 << 1e-8 << 0.0;
    QTest::newRow("other betas") << 0.05 << 0.5 << 0.9 << 1e-8 << 0.0;
    // eps comparable to sqrt(v): tells eps outside the square root from inside.
    QTest::newRow("large epsilon") << 0.1 << 0.9 << 0.99 << 0.1 << 0.0;
    QTest::newRow("decoupled decay") << 0.1 << 0.9 << 0.999 << 1e-8 << 0.01;
    QTest::newRow("strong decay") << 0.05 << 0.8 << 0.99 << 1e-8 << 2.0;
}

void TestOptimizer::adam() {
    QFETCH(double, lr);
    QFETCH(double, beta1);
    QFETCH(double, beta2);
    QFETCH(double, epsilon);
    QFETCH(double, weightDecay);
    OptimizerConfig c;
    c.kind = OptimizerConfig::Kind::Adam;
    c.beta1 = beta1;
    c.beta2 = beta2;
    c.epsilon = epsilon;
    c.weightDecay = weightDecay;
    runAgainst(c, lr, referenceAdam(lr, beta1, beta2, epsilon, weightDecay));
}

// Weights after the three steps, from numpy (1.24) running the PyTorch update rules:
//   SGD:   w *= 1 - lr wd; buf = g (first step) else mu buf + g; w -= lr (g + mu buf)
//   AdamW: w *= 1 - lr wd; m, v moments; w -= lr/(1-b1^t) m / (sqrt(v)/sqrt(1-b2^t) + eps)
// The SGD row was also checked by hand for its first entry (1 -> 0.9 -> 0.912 -> 0.61029).
void TestOptimizer::numpyLiterals_data() {
    QTest::addColumn<bool>("isAdam");
    QTest::addColumn<QVector<double>>("expected");
    QTest::newRow("sgd lr 0.1 momentum 0.9 nesterov wd 0.05")
        << false << QVector<double>{0.61029, -1.88259, -0.08466706250000008, 0.29631879375};
    QTest::newRow("adamw lr 0.1 wd 0.01")
        << true
        << QVector<double>{0.8131652570867507, -1.893824879163907, 0.29768980915492926,
                           0.20949482495681176};
}

void TestOptimizer::numpyLiterals() {
    QFETCH(bool, isAdam);
    QFETCH(QVector<double>, expected);
    OptimizerConfig c;
    c.kind = isAdam ? OptimizerConfig::Kind::Adam : OptimizerConfig::Kind::Sgd;
    c.momentum = 0.9;
    c.nesterov = true;
    c.weightDecay = isAdam ? 0.01 : 0.05;
    auto opt = makeOptimizer(c);
    Params p;
    for (size_t s = 0; s < kGrads.size(); ++s) {
        p.setGrads(s);
        opt->step(p.list(), 0.1);
    }
    compareStep(p.flat(), std::vector<double>(expected.begin(), expected.end()), 3);
}

void TestOptimizer::stateRoundTrip_data() {
    QTest::addColumn<bool>("isAdam");
    QTest::addColumn<bool>("nesterov");
    QTest::addColumn<double>("weightDecay");
    QTest::newRow("sgd momentum") << false << false << 0.0;
    QTest::newRow("sgd nesterov decay") << false << true << 0.1;
    QTest::newRow("adam") << true << false << 0.0;
    QTest::newRow("adamw") << true << false << 0.05;
}

// An optimiser restored from state() continues exactly as the original would have; a fresh
// one does not (so the state really carries something).
void TestOptimizer::stateRoundTrip() {
    QFETCH(bool, isAdam);
    QFETCH(bool, nesterov);
    QFETCH(double, weightDecay);
    OptimizerConfig c;
    c.kind = isAdam ? OptimizerConfig::Kind::Adam : OptimizerConfig::Kind::Sgd;
    c.nesterov = nesterov;
    c.weightDecay = weightDecay;
    const double lr = 0.05;

    auto original = makeOptimizer(c);
    Params a;
    for (size_t s = 0; s < 2; ++s) {
        a.setGrads(s);
        original->step(a.list(), lr);
    }
    const auto state = original->state(a.list());
    QCOMPARE(state.size(), size_t(isAdam ? 4 : 2)); // per slot kind, per parameter
    QCOMPARE(QString::fromStdString(state[0].slot), QString(isAdam ? "m" : "velocity"));
    QCOMPARE(QString::fromStdString(state[0].parameter), QString("w"));
    QCOMPARE(state[0].values.size(), size_t(3));
    QCOMPARE(state[1].values.size(), size_t(1));

    // Given in another order, the slots are matched by name.
    auto restored = makeOptimizer(c);
    restored->setState(OptimizerState(state.rbegin(), state.rend()), a.list(), original->steps());
    QCOMPARE(restored->steps(), 2LL);
    QVERIFY(restored->state(a.list()) == state);
    auto fresh = makeOptimizer(c);

    Params b = a, f = a;
    a.setGrads(2);
    b.setGrads(2);
    f.setGrads(2);
    original->step(a.list(), lr);
    restored->step(b.list(), lr);
    fresh->step(f.list(), lr);
    QCOMPARE(restored->steps(), original->steps());
    const auto wa = a.flat(), wb = b.flat(), wf = f.flat();
    for (size_t i = 0; i < wa.size(); ++i)
        QVERIFY2(wa[i] == wb[i],
                 qPrintable(QStringLiteral("entry %1: %2 vs %3").arg(i).arg(wa[i]).arg(wb[i])));
    QVERIFY2(wa != wf, "a fresh optimiser continued identically: the state carries nothing");
    QVERIFY(restored->state(b.list()) == original->state(a.list()));
}

// A saved state that does not fit the parameters is refused, naming the slot and the
// parameter, and leaves the optimiser as it was.
void TestOptimizer::stateMustMatchByNameAndShape() {
    OptimizerConfig c; // Adam
    auto original = makeOptimizer(c);
    Params a;
    a.setGrads(0);
    original->step(a.list(), 0.05);
    const OptimizerState state = original->state(a.list());
    auto refused = [&](OptimizerState s, const QString& expected) {
        auto o = makeOptimizer(c);
        try {
            o->setState(s, a.list(), 1);
        } catch (const ConfigError& e) {
            QCOMPARE(QString(e.what()), expected);
            QCOMPARE(o->steps(), 0LL);
            return;
        }
        QFAIL(qPrintable("accepted: " + expected));
    };
    OptimizerState renamed = state;
    renamed[1].parameter = "bias";
    refused(renamed, "optimiser state 'm' of parameter 'b' is missing");
    OptimizerState reshaped = state;
    reshaped[0].shape = {1, 3};
    refused(reshaped, "optimiser state 'm' of parameter 'w' is 1×3, the parameter is 3");
    OptimizerState extra = state;
    extra.push_back({"m", "c", {1}, {0.f}});
    refused(extra, "optimiser state 'm' of 'c' belongs to no parameter of this model (or to no slot of this "
                   "optimiser)");
    OptimizerState sgd = state; // an SGD's state given to Adam
    for (auto& st : sgd) st.slot = st.slot == "m" ? "velocity" : "v";
    refused(sgd, "optimiser state 'm' of parameter 'w' is missing");
}

void TestOptimizer::invalidConfig_data() {
    QTest::addColumn<QString>("field");
    QTest::addColumn<double>("value");
    QTest::newRow("momentum 1") << "momentum" << 1.0;
    QTest::newRow("momentum -0.1") << "momentum" << -0.1;
    QTest::newRow("beta1 1") << "beta1" << 1.0;
    QTest::newRow("beta2 nan") << "beta2" << std::nan("");
    QTest::newRow("epsilon 0") << "epsilon" << 0.0;
    QTest::newRow("weight decay -1") << "weight decay" << -1.0;
}

void TestOptimizer::invalidConfig() {
    QFETCH(QString, field);
    QFETCH(double, value);
    OptimizerConfig c;
    if (field == "momentum") c.momentum = value;
    if (field == "beta1") c.beta1 = value;
    if (field == "beta2") c.beta2 = value;
    if (field == "epsilon") c.epsilon = value;
    if (field == "weight decay") c.weightDecay = value;
    try {
        makeOptimizer(c);
        QFAIL("accepted an invalid config");
    } catch (const ConfigError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(field), e.what());
    }
}

void TestOptimizer::names() {
    QCOMPARE(parseOptimizer("sgd"), OptimizerConfig::Kind::Sgd);
    QCOMPARE(parseOptimizer("adam"), OptimizerConfig::Kind::Adam);
    QCOMPARE(parseOptimizer("adamw"), OptimizerConfig::Kind::Adam);
    QCOMPARE(parseOptimizer(optimizerName(OptimizerConfig::Kind::Sgd)), OptimizerConfig::Kind::Sgd);
    QVERIFY_THROWS_EXCEPTION(ConfigError, parseOptimizer("rmsprop"));
}

QTEST_APPLESS_MAIN(TestOptimizer)
#include "tst_optimizer.moc"
