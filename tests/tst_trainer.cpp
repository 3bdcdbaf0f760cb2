// The trainer: reproducibility, control from other threads (stop, pause, learning rate,
// beta), observer-driven stops, non-finite losses, the documented data split, step-wise
// training, and end-to-end learning of small autoencoders on a generated curve.
// No assertion depends on timing: cross-thread tests hand over through flags that the
// trainer's own hooks set.
#include "latentlab/Trainer.h"

#include <QtTest>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <thread>

using namespace latentlab;

Q_DECLARE_METATYPE(latentlab::ModelKind)

namespace {

// n points on a 1-D curve (a spiral arc) in 3-D, sample-major. The curve parameter runs
// through [0, 1) in a scrambled order (golden-ratio steps) so that every slice of rows,
// including the held-out tail, covers the whole curve.
std::vector<float> curve(Index n) {
    std::vector<float> v;
    v.reserve(size_t(3 * n));
    for (Index i = 0; i < n; ++i) {
        const double t = std::fmod(0.5 + 0.6180339887498949 * double(i), 1.0);
        v.push_back(float(std::cos(3.0 * t)));
        v.push_back(float(std::sin(3.0 * t)));
        v.push_back(float(2.0 * t - 1.0));
    }
    return v;
}

ModelConfig smallConfig(ModelKind kind = ModelKind::Autoencoder) {
    ModelConfig c;
    c.kind = kind;
    c.inputDim = 3;
    c.encoderWidths = {16, 8};
    c.latentDim = kind == ModelKind::Vae ? 2 : 1;
    c.activation = Activation::Tanh;
    return c;
}

TrainConfig smallTraining(int epochs = 3) {
    TrainConfig t;
    t.epochs = epochs;
    t.batchSize = 16;
    t.learningRate = 0.01;
    t.threads = 2;
    t.seed = 7;
    return t;
}

std::vector<Scalar> weights(Model& model) {
    std::vector<Scalar> out;
    for (const auto& p : model.parameters())
        out.insert(out.end(), p.value, p.value + p.size);
    return out;
}

bool allFinite(Model& model) {
    for (Scalar w : weights(model))
        if (!std::isfinite(w)) return false;
    return true;
}

// An observer built from lambdas; unset hooks keep going.
struct Hooks : TrainingObserver {
    std::function<bool(const BatchReport&)> batch;
    std::function<bool(const EpochReport&)> epoch;
    std::function<bool()> paused;
    std::vector<BatchReport> batches;
    std::vector<EpochReport> epochs;
    bool onBatch(const BatchReport& r) override {
        batches.push_back(r);
        return batch ? batch(r) : true;
    }
    bool onEpoch(const EpochReport& r) override {
        epochs.push_back(r);
        return epoch ? epoch(r) : true;
    }
    bool onPaused() override { return paused ? paused() : true; }
};

// Helper threads wait for what the trainer's hooks report, never for an amount of time; the
// deadline only turns a trainer that never reports into a failure instead of a hang.
bool waitFor(const std::atomic<bool>& flag) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!flag.load()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

bool sameTerms(const LossTerms& a, const LossTerms& b) {
    return a.total == b.total && a.reconstruction == b.reconstruction && a.kl == b.kl &&
           a.penalty == b.penalty;
}

// One training run from scratch; returns its history and final weights.
struct RunResult {
    std::vector<EpochReport> history;
    std::vector<Scalar> weights;
    TrainResult result;
};

RunResult train(const ModelConfig& mc, const TrainConfig& tc, const std::vector<float>& values,
                Index rows) {
    auto model = makeModel(mc);
    const DataView data{values.data(), nullptr, rows, 3};
    model->normalizer() = Normalizer::fit(Normalizer::Kind::Standardize, data, rows);
    Trainer trainer(*model, data, rows, tc);
    RunResult r;
    r.result = trainer.run();
    r.history = trainer.history();
    r.weights = weights(*model);
    return r;
}

} // namespace

class TestTrainer : public QObject {
    Q_OBJECT

private slots:
    void invalidConfig_data();
    void invalidConfig();
    void reproducible_data();
    void reproducible();
    void stopFromAnotherThread();
    void pauseAndResume();
    void stopWhilePaused();
    void onPausedFalseStops();
    void learningRateChangeIsUsed();
    void betaChangeIsUsed();
    void observerStops();
    void nonFiniteLearningRate_data();
    void nonFiniteLearningRate();
    void nonFiniteData_data();
    void nonFiniteData();
    void validationSplit_data();
    void validationSplit();
    void heldOutRowsAreNeverTrainedOn();
    void stepBatchAndStepEpoch();
    void autoencoderLearnsCurve();
    void denoisingAutoencoderLearns();
    void vaeReportsKl();
};

void TestTrainer::invalidConfig_data() {
    QTest::addColumn<QString>("field");
    QTest::addColumn<double>("value");
    QTest::newRow("epochs -1") << "epochs" << -1.0;
    QTest::newRow("batchSize 0") << "batchSize" << 0.0;
    QTest::newRow("learningRate 0") << "learningRate" << 0.0;
    QTest::newRow("learningRate nan") << "learningRate" << std::nan("");
    QTest::newRow("learningRate 1e30") << "learningRate" << 1e30;
    QTest::newRow("validationFraction 1") << "validationFraction" << 1.0;
    QTest::newRow("threads -1") << "threads" << -1.0;
    QTest::newRow("inputNoise -0.1") << "inputNoise" << -0.1;
    QTest::newRow("maskFraction 1") << "maskFraction" << 1.0;
    QTest::newRow("optimizer momentum 2") << "momentum" << 2.0;
}

void TestTrainer::invalidConfig() {
    QFETCH(QString, field);
    QFETCH(double, value);
    TrainConfig t = smallTraining();
    if (field == "epochs") t.epochs = int(value);
    if (field == "batchSize") t.batchSize = int(value);
    if (field == "learningRate") t.learningRate = value;
    if (field == "validationFraction") t.validationFraction = value;
    if (field == "threads") t.threads = int(value);
    if (field == "inputNoise") t.inputNoise = value;
    if (field == "maskFraction") t.maskFraction = value;
    if (field == "momentum") t.optimizer.momentum = value;
    const auto values = curve(20);
    auto model = makeModel(smallConfig());
    try {
        Trainer trainer(*model, DataView{values.data(), nullptr, 20, 3}, 20, t);
        QFAIL("accepted an invalid config");
    } catch (const ConfigError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(field), e.what());
    }
    // And data that does not fit the model.
    auto wide = makeModel(smallConfig());
    QVERIFY_THROWS_EXCEPTION(
        ConfigError, Trainer(*wide, DataView{values.data(), nullptr, 15, 4}, 15, smallTraining()));
}

void TestTrainer::reproducible_data() {
    QTest::addColumn<ModelKind>("kind");
    QTest::addColumn<bool>("sgd");
    QTest::addColumn<bool>("denoising");
    QTest::newRow("ae adam") << ModelKind::Autoencoder << false << false;
    QTest::newRow("ae sgd denoising") << ModelKind::Autoencoder << true << true;
    QTest::newRow("vae adam") << ModelKind::Vae << false << false; // noise from the seed too
}

// Same seed and thread count: every epoch's losses and the final weights bit-identical.
// Another seed: different.
void TestTrainer::reproducible() {
    QFETCH(ModelKind, kind);
    QFETCH(bool, sgd);
    QFETCH(bool, denoising);
    const auto values = curve(200);
    TrainConfig tc = smallTraining(4);
    if (sgd) tc.optimizer.kind = OptimizerConfig::Kind::Sgd;
    if (denoising) {
        tc.inputNoise = 0.1;
        tc.maskFraction = 0.2;
    }
    const RunResult a = train(smallConfig(kind), tc, values, 200);
    const RunResult b = train(smallConfig(kind), tc, values, 200);
    QCOMPARE(a.result.reason, StopReason::Finished);
    QCOMPARE(a.history.size(), size_t(4));
    QCOMPARE(b.history.size(), a.history.size());
    for (size_t e = 0; e < a.history.size(); ++e) {
        QVERIFY2(sameTerms(a.history[e].train, b.history[e].train),
                 qPrintable(QStringLiteral("train loss, epoch %1").arg(e + 1)));
        QVERIFY2(a.history[e].hasValidation && b.history[e].hasValidation, "no validation");
        QVERIFY2(sameTerms(a.history[e].validation, b.history[e].validation),
                 qPrintable(QStringLiteral("validation loss, epoch %1").arg(e + 1)));
    }
    QVERIFY2(a.weights == b.weights, "weights differ between identical runs");

    tc.seed = 8;
    const RunResult c = train(smallConfig(kind), tc, values, 200);
    QVERIFY2(c.weights != a.weights, "another seed gave the same weights");
    QVERIFY2(!sameTerms(c.history.back().train, a.history.back().train),
             "another seed gave the same loss");
}

// stop is checked before every mini-batch: at most the batch already running when it was
// set gets reported.
void TestTrainer::stopFromAnotherThread() {
    const auto values = curve(64);
    auto model = makeModel(smallConfig());
    TrainConfig tc = smallTraining(1000000);
    tc.batchSize = 4;
    Trainer trainer(*model, DataView{values.data(), nullptr, 64, 3}, 64, tc);
    std::atomic<int> batches{0}, afterStop{0};
    Hooks hooks;
    hooks.batch = [&](const BatchReport&) {
        if (trainer.control().stop.load()) ++afterStop;
        return ++batches < 1000000; // a safety net: fail rather than hang
    };
    std::thread stopper([&] {
        while (batches.load() < 25)
            std::this_thread::yield();
        trainer.control().stop = true;
    });
    const TrainResult r = trainer.run(&hooks);
    stopper.join();
    QCOMPARE(r.reason, StopReason::StopRequested);
    QVERIFY2(afterStop.load() <= 1, qPrintable(QString::number(afterStop.load())));
    QVERIFY(batches.load() >= 25);
    QVERIFY(allFinite(*model));

    // Still stopped: nothing runs. Cleared: training continues where it was.
    const int before = batches.load();
    QCOMPARE(trainer.run(&hooks).reason, StopReason::StopRequested);
    QCOMPARE(batches.load(), before);
    trainer.control().stop = false;
    hooks.batch = [&](const BatchReport&) { return ++batches < before + 3; };
    QCOMPARE(trainer.run(&hooks).reason, StopReason::ObserverStopped);
    QCOMPARE(batches.load(), before + 3);
    QCOMPARE(hooks.batches.back().step, (long long)(before + 3));
}

// Pause set from the observer; no batch may run until another thread resumes, which it
// does only after the trainer has reported that it is waiting (onPaused).
void TestTrainer::pauseAndResume() {
    const auto values = curve(80);
    auto model = makeModel(smallConfig());
    TrainConfig tc = smallTraining(3);
    tc.validationFraction = 0;
    Trainer trainer(*model, DataView{values.data(), nullptr, 80, 3}, 80, tc);
    std::atomic<bool> pauseRequested{false}, waiting{false}, resumed{false};
    std::atomic<int> pausedCalls{0}, batchesWhilePaused{0};
    Hooks hooks;
    hooks.batch = [&](const BatchReport&) {
        if (pauseRequested && !resumed) ++batchesWhilePaused;
        if (hooks.batches.size() == 7) {
            trainer.control().pause = true;
            pauseRequested = true;
        }
        return true;
    };
    hooks.paused = [&] {
        ++pausedCalls;
        waiting = true;
        return true;
    };
    bool sawWaiting = false;
    std::thread resumer([&] {
        sawWaiting = waitFor(waiting);
        resumed = true;
        trainer.control().pause = false;
    });
    const TrainResult r = trainer.run(&hooks);
    resumer.join();
    QVERIFY2(sawWaiting, "the trainer never called onPaused while paused");
    QCOMPARE(r.reason, StopReason::Finished);
    QVERIFY(resumed.load());
    QVERIFY(pausedCalls.load() >= 1);
    QCOMPARE(batchesWhilePaused.load(), 0);
    QCOMPARE(hooks.batches.size(), size_t(3 * 5)); // every batch still ran, once
    QCOMPARE(r.epochsCompleted, 3);
}

void TestTrainer::stopWhilePaused() {
    const auto values = curve(80);
    auto model = makeModel(smallConfig());
    Trainer trainer(*model, DataView{values.data(), nullptr, 80, 3}, 80, smallTraining(3));
    std::atomic<bool> waiting{false};
    Hooks hooks;
    hooks.batch = [&](const BatchReport&) {
        if (hooks.batches.size() == 2) trainer.control().pause = true;
        return true;
    };
    hooks.paused = [&] {
        waiting = true;
        return true;
    };
    bool sawWaiting = false;
    std::thread stopper([&] {
        sawWaiting = waitFor(waiting);
        trainer.control().stop = true;
    });
    const TrainResult r = trainer.run(&hooks);
    stopper.join();
    QVERIFY2(sawWaiting, "the trainer never called onPaused while paused");
    QCOMPARE(r.reason, StopReason::StopRequested);
    QCOMPARE(hooks.batches.size(), size_t(2));
}

void TestTrainer::onPausedFalseStops() {
    const auto values = curve(80);
    auto model = makeModel(smallConfig());
    Trainer trainer(*model, DataView{values.data(), nullptr, 80, 3}, 80, smallTraining(3));
    trainer.control().pause = true;
    int calls = 0;
    Hooks hooks;
    hooks.paused = [&] { return ++calls < 3; };
    std::atomic<bool> done{false};
    std::thread watchdog([&] {
        if (!waitFor(done)) trainer.control().stop = true; // fail below rather than hang
    });
    const TrainResult r = trainer.run(&hooks);
    done = true;
    watchdog.join();
    QCOMPARE(r.reason, StopReason::ObserverStopped);
    QCOMPARE(calls, 3);
    QVERIFY(hooks.batches.empty());
}

// A learning rate stored into control() between batches shows in the next BatchReport and
// is the one the step used: with plain SGD, w_new = w_old - lr * grad exactly.
void TestTrainer::learningRateChangeIsUsed() {
    const auto values = curve(100);
    auto model = makeModel(smallConfig());
    TrainConfig tc = smallTraining(2);
    tc.optimizer.kind = OptimizerConfig::Kind::Sgd;
    tc.optimizer.momentum = 0;
    tc.learningRate = 0.01;
    Trainer trainer(*model, DataView{values.data(), nullptr, 100, 3}, 100, tc);
    const double newRate = 0.25;
    std::vector<Scalar> before;
    double worst = -1, moved = 0;
    Hooks hooks;
    hooks.batch = [&](const BatchReport&) {
        if (hooks.batches.size() == 3) {
            before = weights(*model);
            trainer.control().learningRate = newRate;
        } else if (hooks.batches.size() == 4) {
            // The gradients of this batch are still in the parameters.
            size_t at = 0;
            worst = 0;
            for (const auto& p : model->parameters())
                for (Index i = 0; i < p.size; ++i, ++at) {
                    const double expected = double(before[at]) - newRate * double(p.grad[i]);
                    worst = std::max(worst, std::abs(double(p.value[i]) - expected) /
                                                (1 + std::abs(expected)));
                    moved = std::max(moved, std::abs(double(p.value[i]) - double(before[at])));
                }
        }
        return true;
    };
    trainer.run(&hooks);
    QCOMPARE(hooks.batches[2].learningRate, 0.01);
    QCOMPARE(hooks.batches[3].learningRate, newRate);
    QVERIFY2(worst >= 0 && worst < 1e-6,
             qPrintable(QStringLiteral("step not w - lr g: %1").arg(worst)));
    QVERIFY2(moved > 1e-3, "the step did not move the weights");
    QCOMPARE(hooks.batches.back().learningRate, newRate);
    QCOMPARE(hooks.epochs.back().learningRate, newRate);
}

void TestTrainer::betaChangeIsUsed() {
    const auto values = curve(100);
    auto model = makeModel(smallConfig(ModelKind::Vae));
    Trainer trainer(*model, DataView{values.data(), nullptr, 100, 3}, 100, smallTraining(1));
    QCOMPARE(trainer.control().beta.load(), 1.0);
    Hooks hooks;
    hooks.batch = [&](const BatchReport&) {
        if (hooks.batches.size() == 2) trainer.control().beta = 0.125;
        return true;
    };
    trainer.run(&hooks);
    QCOMPARE(hooks.batches[1].beta, 1.0);
    QCOMPARE(hooks.batches[2].beta, 0.125);
    QCOMPARE(model->config().beta, 0.125);
    for (const auto& b : hooks.batches) {
        const double expected = b.loss.reconstruction + b.beta * b.loss.kl;
        QVERIFY2(std::abs(b.loss.total - expected) < 1e-5 * std::abs(expected),
                 "total != rec + beta kl");
    }
}

void TestTrainer::observerStops() {
    const auto values = curve(100);
    auto model = makeModel(smallConfig());
    Trainer trainer(*model, DataView{values.data(), nullptr, 100, 3}, 100, smallTraining(5));
    Hooks hooks;
    hooks.batch = [&](const BatchReport&) { return hooks.batches.size() < 4; };
    TrainResult r = trainer.run(&hooks);
    QCOMPARE(r.reason, StopReason::ObserverStopped);
    QCOMPARE(hooks.batches.size(), size_t(4));
    QCOMPARE(r.epochsCompleted, 0);
    // From onEpoch, and training can be resumed afterwards.
    hooks.batch = nullptr;
    hooks.epoch = [&](const EpochReport& e) { return e.epoch < 2; };
    r = trainer.run(&hooks);
    QCOMPARE(r.reason, StopReason::ObserverStopped);
    QCOMPARE(r.epochsCompleted, 2);
    hooks.epoch = nullptr;
    QCOMPARE(trainer.run(&hooks).reason, StopReason::Finished);
    QCOMPARE(trainer.epochsCompleted(), 5);
}

void TestTrainer::nonFiniteLearningRate_data() {
    QTest::addColumn<double>("rate");
    QTest::addColumn<QString>("expected");
    // 1e30 in float: the first step leaves huge but finite weights, the next loss overflows.
    QTest::newRow("loss overflows") << 1e30 << "NaN or infinite";
    // 1e300 is infinite in float: the step itself overflows the weights.
    QTest::newRow("weights overflow") << 1e300 << "overflowed";
}

// A learning rate far past any sane value, set through control() (which, unlike the
// config, is not validated) in the middle of epoch 2, must end with NonFinite, a message
// that names the learning rate, and finite weights: those of the last finite step, or
// after an overflowing step those of the start of the epoch.
void TestTrainer::nonFiniteLearningRate() {
    QFETCH(double, rate);
    QFETCH(QString, expected);
    const auto values = curve(100);
    auto model = makeModel(smallConfig());
    TrainConfig tc = smallTraining(20);
    tc.optimizer.kind = OptimizerConfig::Kind::Sgd;
    Trainer trainer(*model, DataView{values.data(), nullptr, 100, 3}, 100, tc);
    std::vector<Scalar> epochStart, lastFinite;
    Hooks hooks;
    hooks.epoch = [&](const EpochReport&) {
        epochStart = weights(*model);
        return true;
    };
    hooks.batch = [&](const BatchReport& b) {
        lastFinite = weights(*model);
        if (b.epoch == 1 && b.batch == 2) trainer.control().learningRate = rate;
        return true;
    };
    const TrainResult r = trainer.run(&hooks);
    QCOMPARE(r.reason, StopReason::NonFinite);
    QVERIFY2(QString::fromStdString(r.message).contains("learning rate"), r.message.c_str());
    QVERIFY2(QString::fromStdString(r.message).contains(expected), r.message.c_str());
    QVERIFY2(QString::fromStdString(r.message).contains("epoch 2"), r.message.c_str());
    QVERIFY2(allFinite(*model), "non-finite weights left in the model");
    QCOMPARE(r.epochsCompleted, 1);
    QVERIFY(weights(*model) == (expected == "overflowed" ? epochStart : lastFinite));
    for (const auto& b : hooks.batches)
        QVERIFY(b.loss.finite()); // never reported a bad loss
    // It stays stopped: neither stepping nor running does anything more.
    const size_t reported = hooks.batches.size();
    QVERIFY(!trainer.stepBatch(&hooks));
    QCOMPARE(trainer.run(&hooks).reason, StopReason::NonFinite);
    QCOMPARE(hooks.batches.size(), reported);
}

void TestTrainer::nonFiniteData_data() {
    QTest::addColumn<float>("bad");
    QTest::newRow("huge") << 1e30f;
    QTest::newRow("infinity") << std::numeric_limits<float>::infinity();
    QTest::newRow("nan") << std::numeric_limits<float>::quiet_NaN();
}

// Data that makes the loss non-finite: stop at that batch with the weights of the last
// finite step (here: the initial ones, since every batch holds a bad value).
void TestTrainer::nonFiniteData() {
    QFETCH(float, bad);
    auto values = curve(64);
    for (size_t i = 0; i < values.size(); i += 3 * 4)
        values[i] = bad; // every 4th sample
    auto model = makeModel(smallConfig());
    TrainConfig tc = smallTraining(3);
    tc.validationFraction = 0;
    Trainer trainer(*model, DataView{values.data(), nullptr, 64, 3}, 64, tc);
    const auto initial = weights(*model);
    const TrainResult r = trainer.run();
    QCOMPARE(r.reason, StopReason::NonFinite);
    QVERIFY2(QString::fromStdString(r.message).contains("learning rate"), r.message.c_str());
    QVERIFY2(QString::fromStdString(r.message).contains("batch 1"), r.message.c_str());
    QVERIFY(weights(*model) == initial);
}

void TestTrainer::validationSplit_data() {
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("trainRows");
    QTest::addColumn<double>("fraction");
    QTest::addColumn<int>("expectedTraining");
    QTest::addColumn<int>("expectedValidation");
    QTest::newRow("100/80 at 0.25") << 100 << 80 << 0.25 << 60 << 20;
    QTest::newRow("all rows at 0.1") << 100 << 100 << 0.1 << 90 << 10;
    QTest::newRow("floor(1.5)") << 10 << 10 << 0.15 << 9 << 1;
    QTest::newRow("none held out") << 50 << 50 << 0.0 << 50 << 0;
    QTest::newRow("trainRows clamped") << 50 << 500 << 0.2 << 40 << 10;
    QTest::newRow("one left") << 7 << 7 << 0.99 << 1 << 6;
}

// The documented rule: the last floor(trainRows * validationFraction) of the first
// trainRows samples are held out, the rest are trained on, rows past trainRows unused.
void TestTrainer::validationSplit() {
    QFETCH(int, rows);
    QFETCH(int, trainRows);
    QFETCH(double, fraction);
    QFETCH(int, expectedTraining);
    QFETCH(int, expectedValidation);
    const auto values = curve(rows);
    const DataView data{values.data(), nullptr, rows, 3};
    auto model = makeModel(smallConfig());
    TrainConfig tc = smallTraining(2);
    tc.validationFraction = fraction;
    Trainer trainer(*model, data, trainRows, tc);
    QCOMPARE(trainer.trainingSamples(), Index(expectedTraining));
    QCOMPARE(trainer.validationSamples(), Index(expectedValidation));
    QCOMPARE(trainer.batchesPerEpoch(), Index((expectedTraining + 15) / 16));
    Hooks hooks;
    trainer.run(&hooks);
    Index seen = 0;
    for (const auto& b : hooks.batches)
        seen += b.epoch == 0 ? b.samples : 0;
    QCOMPARE(seen, Index(expectedTraining));
    const EpochReport& last = trainer.history().back();
    QCOMPARE(last.hasValidation, expectedValidation > 0);
    if (expectedValidation > 0) {
        // Exactly the loss over those rows, with the documented noise seed.
        const Index end = std::min(rows, trainRows);
        const LossTerms v = Trainer::evaluateRange(*model, data, end - expectedValidation, end,
                                                   tc.seed * 1000003ull + 2);
        QVERIFY2(sameTerms(last.validation, v),
                 qPrintable(QStringLiteral("%1 vs %2").arg(last.validation.total).arg(v.total)));
    }
    QVERIFY_THROWS_EXCEPTION(ConfigError, Trainer(*model, data, 0, tc));
}

// NaN in every held-out row (validation and test part): training never touches them, so
// it runs to the end with finite training losses, while the validation loss shows them.
void TestTrainer::heldOutRowsAreNeverTrainedOn() {
    auto values = curve(100);
    for (size_t i = 3 * 60; i < values.size(); ++i)
        values[i] = std::numeric_limits<float>::quiet_NaN();
    auto model = makeModel(smallConfig());
    TrainConfig tc = smallTraining(3);
    tc.validationFraction = 0.25; // rows 60..79 validation, 80..99 unused
    Trainer trainer(*model, DataView{values.data(), nullptr, 100, 3}, 80, tc);
    const TrainResult r = trainer.run();
    QCOMPARE(r.reason, StopReason::Finished);
    for (const auto& e : trainer.history()) {
        QVERIFY(e.train.finite());
        QVERIFY(std::isnan(e.validation.total));
    }
    QVERIFY(allFinite(*model));
}

// stepBatch does one mini-batch, with an epoch report after the last one; stepEpoch runs
// to the end of the current epoch; both return false once the configured epochs are done,
// and more epochs can be added.
void TestTrainer::stepBatchAndStepEpoch() {
    const auto values = curve(50);
    auto model = makeModel(smallConfig());
    TrainConfig tc = smallTraining(2);
    tc.validationFraction = 0;
    Trainer trainer(*model, DataView{values.data(), nullptr, 50, 3}, 50, tc);
    QCOMPARE(trainer.batchesPerEpoch(), Index(4)); // 16 + 16 + 16 + 2
    Hooks hooks;

    QVERIFY(trainer.stepBatch(&hooks));
    QCOMPARE(hooks.batches.size(), size_t(1));
    QCOMPARE(hooks.batches[0].batch, Index(0));
    QCOMPARE(hooks.batches[0].epoch, 0);
    QCOMPARE(hooks.batches[0].samples, Index(16));
    QCOMPARE(hooks.batches[0].step, 1LL);
    QCOMPARE(hooks.batches[0].batchesPerEpoch, Index(4));
    QVERIFY(hooks.epochs.empty());
    QCOMPARE(trainer.epochsCompleted(), 0);

    // The rest of epoch 1 only.
    QVERIFY(trainer.stepEpoch(&hooks));
    QCOMPARE(hooks.batches.size(), size_t(4));
    QCOMPARE(hooks.batches.back().samples, Index(2));
    QCOMPARE(hooks.epochs.size(), size_t(1));
    QCOMPARE(hooks.epochs[0].epoch, 1);
    QCOMPARE(hooks.epochs[0].epochs, 2);
    QCOMPARE(trainer.epochsCompleted(), 1);
    QCOMPARE(trainer.history().size(), size_t(1));
    // The epoch's loss is the sample-weighted mean of its batches.
    double sum = 0;
    for (const auto& b : hooks.batches)
        sum += b.loss.total * double(b.samples);
    QVERIFY(std::abs(hooks.epochs[0].train.total - sum / 50) < 1e-9 * std::abs(sum));

    // The last epoch: done, so false.
    QVERIFY(!trainer.stepEpoch(&hooks));
    QCOMPARE(trainer.epochsCompleted(), 2);
    QCOMPARE(hooks.batches.size(), size_t(8));
    QCOMPARE(hooks.batches.back().step, 8LL);
    QCOMPARE(trainer.lastResult().reason, StopReason::Finished);
    QVERIFY(!trainer.stepBatch(&hooks));
    QVERIFY(!trainer.stepEpoch(&hooks));
    QCOMPARE(hooks.batches.size(), size_t(8));

    // Continue for one more epoch.
    trainer.setEpochs(3);
    QVERIFY(trainer.stepBatch(&hooks));
    QCOMPARE(hooks.batches.back().epoch, 2);
    QCOMPARE(trainer.run(&hooks).reason, StopReason::Finished);
    QCOMPARE(trainer.epochsCompleted(), 3);
    QCOMPARE(hooks.batches.size(), size_t(12));
    QCOMPARE(trainer.history().size(), size_t(3));
}

void TestTrainer::autoencoderLearnsCurve() {
    const auto values = curve(400);
    TrainConfig tc = smallTraining(60);
    tc.batchSize = 32;
    const RunResult r = train(smallConfig(), tc, values, 400);
    QCOMPARE(r.result.reason, StopReason::Finished);
    const double first = r.history.front().train.total;
    const double last = r.history.back().train.total;
    const double validation = r.history.back().validation.total;
    // Standardised data: predicting the mean costs 3 (one per feature).
    QVERIFY2(first > 0.5, qPrintable(QString::number(first)));
    QVERIFY2(last < 0.01,
             qPrintable(QStringLiteral("train loss %1 (first epoch %2)").arg(last).arg(first)));
    QVERIFY2(validation < 0.01, qPrintable(QStringLiteral("validation loss %1").arg(validation)));
}

// Corrupted inputs, clean targets: the validation loss (on clean data) must still drop far.
void TestTrainer::denoisingAutoencoderLearns() {
    const auto values = curve(400);
    TrainConfig tc = smallTraining(60);
    tc.batchSize = 32;
    tc.inputNoise = 0.1;
    tc.maskFraction = 0.1;
    const RunResult noisy = train(smallConfig(), tc, values, 400);
    QCOMPARE(noisy.result.reason, StopReason::Finished);
    const double validation = noisy.history.back().validation.total;
    QVERIFY2(validation < 0.05, qPrintable(QStringLiteral("validation loss %1").arg(validation)));
    // The corruption really happens: the same seed without it trains to a lower training
    // loss, and each kind on its own changes the result.
    tc.inputNoise = 0;
    tc.maskFraction = 0;
    tc.epochs = 2;
    const RunResult clean = train(smallConfig(), tc, values, 400);
    QVERIFY(noisy.history[1].train.total > clean.history.back().train.total);
    tc.inputNoise = 0.1;
    QVERIFY2(train(smallConfig(), tc, values, 400).weights != clean.weights, "inputNoise ignored");
    tc.inputNoise = 0;
    tc.maskFraction = 0.1;
    QVERIFY2(train(smallConfig(), tc, values, 400).weights != clean.weights,
             "maskFraction ignored");
}

void TestTrainer::vaeReportsKl() {
    const auto values = curve(400);
    ModelConfig mc = smallConfig(ModelKind::Vae);
    mc.beta = 0.5;
    TrainConfig tc = smallTraining(30);
    tc.batchSize = 32;
    const RunResult r = train(mc, tc, values, 400);
    QCOMPARE(r.result.reason, StopReason::Finished);
    for (const auto& e : r.history) {
        QVERIFY2(e.train.kl > 0, qPrintable(QString::number(e.train.kl)));
        QVERIFY(e.validation.kl > 0);
        QCOMPARE(e.beta, 0.5);
        QVERIFY(std::abs(e.train.total - (e.train.reconstruction + 0.5 * e.train.kl)) <
                1e-5 * e.train.total);
    }
    QVERIFY2(r.history.back().train.total < 0.7 * r.history.front().train.total,
             qPrintable(QStringLiteral("%1 -> %2")
                            .arg(r.history.front().train.total)
                            .arg(r.history.back().train.total)));
}

QTEST_APPLESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
