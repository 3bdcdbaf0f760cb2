// What the trainer's steps see and keep: the order in which the training rows reach the
// model (shuffled per epoch from the seed, or in file order), and the weights kept when a
// batch's loss is finite but one of its gradients is not, and the time of each step's parts.
#include "TrainerFixtures.h"

#include <QtTest>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <thread>

using namespace latentlab;
using namespace trainertest;

namespace {

// A model that learns nothing and records which rows it was shown. Row i of the data holds
// the single feature i (exact in float), and the normaliser is the identity, so every
// column of a training batch names the row it came from.
class RecordingModel final : public Model {
public:
    RecordingModel() : Model(config()), m_weight(Vector::Zero(1)), m_grad(Vector::Zero(1)) {}
    static ModelConfig config() {
        ModelConfig c;
        c.inputDim = 1;
        c.latentDim = 1;
        c.encoderWidths = {};
        return c;
    }
    std::vector<Index> seen; // rows in the order trainStep received them
    std::chrono::milliseconds pause{0}; // how long each trainStep takes at least

    void initialize(Rng&) override {}
    LossTerms trainStep(const Matrix& input, const Matrix&, Rng&, const Matrix*) override {
        for (Index j = 0; j < input.cols(); ++j)
            seen.push_back(Index(input(0, j)));
        if (pause.count() > 0) std::this_thread::sleep_for(pause);
        return LossTerms{};
    }
    bool gradientsFinite() override { return true; }
    LossTerms evaluate(const Matrix&, const Matrix&, Rng&) const override { return LossTerms{}; }
    void encode(const Matrix& x, Matrix& z) const override { z = x; }
    void decodeRaw(const Matrix& z, Matrix& out) const override { out = z; }
    std::vector<Parameter> parameters() override {
        return {{"weight", m_weight.data(), m_grad.data(), 1, {}}};
    }
    std::unique_ptr<Model> clone() const override { return std::make_unique<RecordingModel>(*this); }
    const Sequential& encoderNetwork() const override { return m_none; }
    const Sequential& decoderNetwork() const override { return m_none; }

private:
    Vector m_weight, m_grad;
    Sequential m_none; // it has no layers
};

// The rows each epoch of a run showed the model, one vector per epoch.
std::vector<std::vector<Index>> epochOrders(Index rows, const TrainConfig& tc) {
    std::vector<float> values(static_cast<size_t>(rows));
    std::iota(values.begin(), values.end(), 0.0f);
    RecordingModel model;
    Trainer trainer(model, DataView{values.data(), nullptr, rows, 1}, rows, tc);
    trainer.run();
    const size_t n = size_t(trainer.trainingSamples());
    std::vector<std::vector<Index>> epochs;
    for (size_t at = 0; at + n <= model.seen.size(); at += n)
        epochs.emplace_back(model.seen.begin() + long(at), model.seen.begin() + long(at + n));
    return epochs;
}

std::string show(const std::vector<Index>& order) {
    std::string s;
    for (size_t i = 0; i < order.size() && i < 12; ++i)
        s += (i ? " " : "") + std::to_string(order[i]);
    return s + (order.size() > 12 ? " ..." : "");
}

Parameter parameterNamed(Model& model, const std::string& name) {
    for (const Parameter& p : model.parameters())
        if (p.name == name) return p;
    return {};
}

} // namespace

class TestTrainerSteps : public QObject {
    Q_OBJECT

private slots:
    void sampleOrder_data();
    void sampleOrder();
    void finiteLossNonFiniteGradient_data();
    void finiteLossNonFiniteGradient();
    void stepTimesSplitTheSteps();
};

void TestTrainerSteps::sampleOrder_data() {
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("batchSize");
    QTest::addColumn<double>("validationFraction");
    QTest::addColumn<bool>("shuffle");
    QTest::addColumn<int>("expectedTraining");
    QTest::newRow("shuffled, 40 rows, batches of 16") << 40 << 16 << 0.0 << true << 40;
    QTest::newRow("shuffled, 50 rows, 10 held out") << 50 << 7 << 0.2 << true << 40;
    QTest::newRow("shuffled, one batch") << 25 << 64 << 0.0 << true << 25;
    QTest::newRow("in order, 40 rows, batches of 16") << 40 << 16 << 0.0 << false << 40;
    QTest::newRow("in order, 50 rows, 10 held out") << 50 << 7 << 0.2 << false << 40;
}

// Every epoch shows each training row exactly once and never a held-out one. Shuffled:
// epoch 1 is not the file order, no two epochs share an order, and the same seed repeats
// them all while another seed does not. Not shuffled: every epoch is 0, 1, ..., n - 1.
void TestTrainerSteps::sampleOrder() {
    QFETCH(int, rows);
    QFETCH(int, batchSize);
    QFETCH(double, validationFraction);
    QFETCH(bool, shuffle);
    QFETCH(int, expectedTraining);
    TrainConfig tc = smallTraining(4);
    tc.batchSize = batchSize;
    tc.validationFraction = validationFraction;
    tc.shuffle = shuffle;
    const auto epochs = epochOrders(rows, tc);
    QCOMPARE(epochs.size(), size_t(4));
    std::vector<Index> identity(static_cast<size_t>(expectedTraining));
    std::iota(identity.begin(), identity.end(), Index(0));
    for (size_t e = 0; e < epochs.size(); ++e) {
        std::vector<Index> sorted = epochs[e];
        std::sort(sorted.begin(), sorted.end());
        QVERIFY2(sorted == identity,
                 qPrintable(QStringLiteral("epoch %1 is not a permutation of the training rows: %2")
                                .arg(e + 1)
                                .arg(QString::fromStdString(show(epochs[e])))));
    }
    if (!shuffle) {
        for (size_t e = 0; e < epochs.size(); ++e)
            QVERIFY2(epochs[e] == identity,
                     qPrintable(QStringLiteral("epoch %1 without shuffling: %2")
                                    .arg(e + 1)
                                    .arg(QString::fromStdString(show(epochs[e])))));
        return;
    }
    QVERIFY2(epochs[0] != identity,
             qPrintable("shuffled epoch 1 is in file order: " + QString::fromStdString(show(epochs[0]))));
    for (size_t a = 0; a < epochs.size(); ++a)
        for (size_t b = a + 1; b < epochs.size(); ++b)
            QVERIFY2(epochs[a] != epochs[b],
                     qPrintable(QStringLiteral("epochs %1 and %2 share the order %3")
                                    .arg(a + 1)
                                    .arg(b + 1)
                                    .arg(QString::fromStdString(show(epochs[a])))));
    QVERIFY2(epochOrders(rows, tc) == epochs, "the same seed gave other orders");
    tc.seed += 1;
    QVERIFY2(epochOrders(rows, tc)[0] != epochs[0], "another seed gave the same order");
}

void TestTrainerSteps::finiteLossNonFiniteGradient_data() {
    QTest::addColumn<bool>("adam");
    QTest::addColumn<int>("epoch"); // 0-based epoch and batch after which the weights are set up
    QTest::addColumn<int>("batch");
    QTest::addColumn<QString>("where"); // where the first bad step is
    QTest::newRow("sgd, epoch 2") << false << 1 << 2 << "at epoch 2, batch 4 ";
    QTest::newRow("adam, epoch 2") << true << 1 << 2 << "at epoch 2, batch 4 ";
    QTest::newRow("sgd, epoch 1") << false << 0 << 0 << "at epoch 1, batch 2 ";
}

// The decoder (1 -> 8 -> 16 -> 3, tanh) is given a unit a of its first layer with no input
// (weights and bias 0, so tanh gives exactly 0), a unit b of its second layer fed only by a
// (weight 1e30, so b is exactly 0 too) and output weights 1e30 from b. The forward pass,
// and so the loss, does not change: 1e30 * 0 = 0. Backwards, b's delta is about 1e29 and
// a's is 1e30 times that: it overflows float, and with it the gradient tile of the first
// decoder layer (and, through 0 * inf, everything before it). The trainer must stop before
// the optimiser sees that gradient, name the case, and keep the weights of the last finite
// step, here the set-up ones (not those of the epoch's start).
void TestTrainerSteps::finiteLossNonFiniteGradient() {
    QFETCH(bool, adam);
    QFETCH(int, epoch);
    QFETCH(int, batch);
    QFETCH(QString, where);
    const auto values = curve(100);
    auto model = makeModel(smallConfig());
    TrainConfig tc = smallTraining(5);
    tc.optimizer.kind = adam ? OptimizerConfig::Kind::Adam : OptimizerConfig::Kind::Sgd;
    Trainer trainer(*model, DataView{values.data(), nullptr, 100, 3}, 100, tc);
    std::vector<Scalar> epochStart = weights(*model), lastFinite;
    const Parameter w1 = parameterNamed(*model, "decoder.0.weight"); // 8 x 1
    const Parameter b1 = parameterNamed(*model, "decoder.0.bias");
    const Parameter w2 = parameterNamed(*model, "decoder.1.weight"); // 16 x 8
    const Parameter b2 = parameterNamed(*model, "decoder.1.bias");
    const Parameter w3 = parameterNamed(*model, "decoder.2.weight"); // 3 x 16
    QVERIFY(w1.size == 8 && b1.size == 8 && w2.size == 16 * 8 && b2.size == 16 && w3.size == 3 * 16);
    const Index a = 5, b = 11;
    Hooks hooks;
    hooks.epoch = [&](const EpochReport&) {
        epochStart = weights(*model);
        return true;
    };
    hooks.batch = [&](const BatchReport& r) {
        if (r.epoch == epoch && r.batch == batch) {
            w1.value[a] = 0; // column-major: element (row, col) at row + col * rows
            b1.value[a] = 0;
            for (Index k = 0; k < 8; ++k)
                w2.value[b + k * 16] = k == a ? Scalar(1e30) : Scalar(0);
            b2.value[b] = 0;
            for (Index i = 0; i < 3; ++i)
                w3.value[i + b * 3] = Scalar(1e30);
            lastFinite = weights(*model);
        }
        return true;
    };
    const TrainResult r = trainer.run(&hooks);
    QCOMPARE(r.reason, StopReason::NonFinite);
    const QString message = QString::fromStdString(r.message);
    QVERIFY2(message.startsWith("the loss became finite but its gradient not " + where), r.message.c_str());
    QVERIFY2(message.contains("The weights are those of the last finite step"), r.message.c_str());
    QVERIFY2(message.contains("learning rate 0.01"), r.message.c_str());
    QCOMPARE(r.epochsCompleted, epoch);
    QVERIFY2(!lastFinite.empty(), "the set-up batch never ran");
    QVERIFY2(allFinite(*model), "non-finite weights left in the model");
    QVERIFY2(weights(*model) == lastFinite, "not the weights of the last finite step");
    QVERIFY2(weights(*model) != epochStart, "the set-up weights are those of the epoch's start");
    QCOMPARE(hooks.batches.size(), size_t(epoch * trainer.batchesPerEpoch() + batch + 1));
    QCOMPARE(trainer.optimizer().steps(), (long long)hooks.batches.size()); // no step for the bad batch
    // It stays stopped.
    QVERIFY(!trainer.stepBatch(&hooks));
    QCOMPARE(trainer.run(&hooks).reason, StopReason::NonFinite);
    QCOMPARE(hooks.batches.size(), size_t(epoch * trainer.batchesPerEpoch() + batch + 1));
}

// Each finished step is counted once, and the model's forward and backward pass goes to the
// model's part: a model that takes at least 3 ms a step puts at least 3 ms a step there (a
// lower bound only, which a slow machine cannot fail). Gathering one-row batches and an SGD
// step on one weight take far less than the pause, so the other two parts stay below it;
// were the parts swapped, they would not. A reset starts again from 0.
void TestTrainerSteps::stepTimesSplitTheSteps() {
    std::vector<float> values(40);
    std::iota(values.begin(), values.end(), 0.0f);
    RecordingModel model;
    model.pause = std::chrono::milliseconds(3);
    TrainConfig tc = smallTraining(10);
    tc.batchSize = 4;
    tc.optimizer.kind = OptimizerConfig::Kind::Sgd;
    Trainer trainer(model, DataView{values.data(), nullptr, 40, 1}, 40, tc);
    QCOMPARE(trainer.stepTimes().steps, 0LL);
    for (int i = 0; i < 5; ++i) QVERIFY(trainer.stepBatch());
    const StepTimes t = trainer.stepTimes();
    QCOMPARE(t.steps, 5LL);
    QVERIFY2(t.model >= 5 * 0.003, qPrintable(QString::number(t.model)));
    QVERIFY(t.batch > 0 && t.optimizer > 0);
    QVERIFY2(t.batch < t.model && t.optimizer < t.model,
             qPrintable(QStringLiteral("batch %1 s, model %2 s, optimiser %3 s").arg(t.batch).arg(t.model).arg(t.optimizer)));
    trainer.resetStepTimes();
    QCOMPARE(trainer.stepTimes().steps, 0LL);
    QCOMPARE(trainer.stepTimes().batch, 0.0);
    QCOMPARE(trainer.stepTimes().model, 0.0);
    QCOMPARE(trainer.stepTimes().optimizer, 0.0);
    QVERIFY(trainer.stepBatch());
    QCOMPARE(trainer.stepTimes().steps, 1LL);
}

QTEST_APPLESS_MAIN(TestTrainerSteps)
#include "tst_trainer_steps.moc"
