// The trainer: reproducibility, non-finite losses, the documented data split, step-wise
// training, and end-to-end learning of small autoencoders on a generated curve. Control
// from other threads (stop, pause, learning rate, beta) is in tst_trainer_control.
#include "TrainerFixtures.h"

#include "latentlab/ModelFile.h"

#include <QtTest>

#include <cstring>
#include <limits>

using namespace latentlab;
using namespace trainertest;

Q_DECLARE_METATYPE(latentlab::ModelKind)

class TestTrainer : public QObject {
    Q_OBJECT

private slots:
    void invalidConfig_data();
    void invalidConfig();
    void reproducible_data();
    void reproducible();
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
    void geometryPullsCodesTowardGeodesics();
    void resumesExactly_data();
    void resumesExactly();
    void resumeRefusesAPositionThatDoesNotFit();
    void generatorStateRoundTrips();
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

// Same seed, thread count and multiply (this process's multiplyChoice(), fixed for its
// life): every epoch's losses and the final weights bit-identical. Another seed: different.
// (tst_cli's multiplyChoiceReachesTheProducts holds the same across processes for each
// multiply.)
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
    // The position saved now says where these weights stand: after an overflow, the start
    // of the epoch (a file saved and opened again must not skip the epoch's first batches).
    const TrainerPosition at = trainer.position();
    QCOMPARE(at.epoch, 1);
    if (expected == "overflowed") {
        QCOMPARE(at.batch, Index(0));
        QCOMPARE(at.epochSamples, Index(0));
    } else {
        QVERIFY(at.batch > 0);
    }
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

// A 1-D code of a curve with the geometry term: the table covers the training samples
// only (the validation tail stays unseen), the penalty is reported in training and not in
// validation, and training brings the codes' distances toward the arc lengths.
void TestTrainer::geometryPullsCodesTowardGeodesics() {
    const auto values = curve(400);
    const DataView view{values.data(), nullptr, 400, 3};
    ModelConfig mc = smallConfig();
    mc.geometry = 1.0;
    mc.geometryNeighbours = 8;
    const std::unique_ptr<Model> model = makeModel(mc);
    TrainConfig tc = smallTraining(40);
    tc.batchSize = 32;
    Trainer trainer(*model, view, 400, tc);
    QVERIFY(trainer.geodesics());
    QCOMPARE(trainer.geodesics()->samples, trainer.trainingSamples());
    QCOMPARE(trainer.trainingSamples(), Index(360));
    const GeodesicTable own = geodesicDistances(toMatrix(view, model->normalizer(), 0, 360), 8);
    QVERIFY(own.distances == trainer.geodesics()->distances);

    QCOMPARE(trainer.run().reason, StopReason::Finished);
    const auto& h = trainer.history();
    for (const auto& e : h) {
        QVERIFY(e.train.penalty > 0);
        QCOMPARE(e.validation.penalty, 0.0);
        QVERIFY(std::abs(e.train.total - (e.train.reconstruction + e.train.penalty)) < 1e-5 * e.train.total);
    }
    QVERIFY2(h.back().train.penalty < 0.2 * h.front().train.penalty,
             qPrintable(QStringLiteral("%1 -> %2").arg(h.front().train.penalty).arg(h.back().train.penalty)));

    // Without the term, no table.
    const std::unique_ptr<Model> plain = makeModel(smallConfig());
    Trainer without(*plain, view, 400, smallTraining(1));
    QVERIFY(!without.geodesics());
}

void TestTrainer::resumesExactly_data() {
    QTest::addColumn<ModelKind>("kind");
    QTest::addColumn<bool>("sgd");
    QTest::addColumn<bool>("denoising");
    QTest::addColumn<double>("geometry");
    QTest::addColumn<int>("stopAfterBatches"); // 12 batches an epoch
    QTest::newRow("ae adam, between epochs") << ModelKind::Autoencoder << false << false << 0.0 << 36;
    QTest::newRow("ae adam, mid-epoch") << ModelKind::Autoencoder << false << false << 0.0 << 41;
    QTest::newRow("ae sgd denoising, mid-epoch") << ModelKind::Autoencoder << true << true << 0.0 << 29;
    QTest::newRow("vae, between epochs") << ModelKind::Vae << false << false << 0.0 << 24;
    QTest::newRow("vae, mid-epoch") << ModelKind::Vae << false << false << 0.0 << 31;
    QTest::newRow("geometry, mid-epoch") << ModelKind::Autoencoder << false << false << 0.5 << 17;
}

// Issue 13: a run stopped after any batch, saved to a model file with its position, opened
// again and trained on gives bit for bit the history (wall times excepted) and the weights
// of the same run without the break.
void TestTrainer::resumesExactly() {
    QFETCH(ModelKind, kind);
    QFETCH(bool, sgd);
    QFETCH(bool, denoising);
    QFETCH(double, geometry);
    QFETCH(int, stopAfterBatches);
    const auto values = curve(200);
    ModelConfig mc = smallConfig(kind);
    mc.geometry = geometry;
    TrainConfig tc = smallTraining(6);
    if (sgd) tc.optimizer.kind = OptimizerConfig::Kind::Sgd;
    if (denoising) {
        tc.inputNoise = 0.1;
        tc.maskFraction = 0.2;
    }
    const RunResult straight = train(mc, tc, values, 200);
    QCOMPARE(straight.result.reason, StopReason::Finished);

    const DataView data{values.data(), nullptr, 200, 3};
    std::string bytes;
    {
        auto model = makeModel(mc);
        model->normalizer() = Normalizer::fit(Normalizer::Kind::Standardize, data, 200);
        Trainer first(*model, data, 200, tc);
        Hooks hooks;
        hooks.batch = [&](const BatchReport&) { return int(hooks.batches.size()) < stopAfterBatches; };
        QCOMPARE(first.run(&hooks).reason, StopReason::ObserverStopped);
        QCOMPARE(int(first.position().steps), stopAfterBatches);
        const TrainerPosition at = first.position();
        bytes = serializeModel(*model, &first.optimizer(), tc.optimizer, {}, &at);
    }
    SavedModel saved = deserializeModel(bytes, "resume.llmodel");
    QVERIFY(saved.position.has_value());
    Trainer second(*saved.model, data, 200, tc, false);
    second.optimizer().setState(saved.optimizerState, saved.model->parameters(), saved.optimizerSteps);
    second.resume(*saved.position);
    QCOMPARE(second.epochsCompleted(), stopAfterBatches / 12);
    QCOMPARE(second.run().reason, StopReason::Finished);

    const std::vector<EpochReport>& h = second.history();
    QCOMPARE(h.size(), straight.history.size());
    for (size_t e = 0; e < h.size(); ++e) {
        const EpochReport& a = straight.history[e];
        const EpochReport& b = h[e];
        const QString where = QStringLiteral("epoch %1").arg(e + 1);
        QVERIFY2(a.epoch == b.epoch && a.epochs == b.epochs, qPrintable(where + ": numbering"));
        QVERIFY2(sameTerms(a.train, b.train), qPrintable(where + ": train loss"));
        QVERIFY2(a.hasValidation && b.hasValidation && sameTerms(a.validation, b.validation),
                 qPrintable(where + ": validation loss"));
        QVERIFY2(a.learningRate == b.learningRate && a.beta == b.beta, qPrintable(where + ": lr, beta"));
    }
    QVERIFY2(weights(*saved.model) == straight.weights, "weights differ from the run without a break");
}

void TestTrainer::resumeRefusesAPositionThatDoesNotFit() {
    const auto values = curve(200);
    const DataView data{values.data(), nullptr, 200, 3};
    auto model = makeModel(smallConfig());
    model->normalizer() = Normalizer::fit(Normalizer::Kind::Standardize, data, 200);
    Trainer trainer(*model, data, 200, smallTraining(3));
    trainer.stepBatch();
    const TrainerPosition good = trainer.position();

    auto refused = [&](TrainerPosition p, const char* expected) {
        try {
            trainer.resume(p);
        } catch (const ConfigError& e) {
            if (QString(e.what()).contains(expected)) return true;
            qWarning("unexpected message: %s", e.what());
            return false;
        }
        return false;
    };
    TrainerPosition p = good;
    p.order.pop_back();
    QVERIFY(refused(p, "an order of 179 training samples, the data has 180"));
    p = good;
    p.order[0] = p.order[1];
    QVERIFY(refused(p, "not a permutation"));
    p = good;
    p.batch = 12;
    QVERIFY(refused(p, "batch 12 of an epoch of 12 batches"));
    p = good;
    p.epochStart.pop_back();
    QVERIFY(refused(p, "starting weights"));
    p = good;
    p.rng = "12 x";
    QVERIFY(refused(p, "random generator"));
    // Nothing changed: the trainer goes on from where it was.
    QCOMPARE(trainer.position().steps, 1LL);
    QCOMPARE(trainer.position().order, good.order);
}

// The saved generator goes on with the same draws, also with half a Box-Muller pair kept.
void TestTrainer::generatorStateRoundTrips() {
    for (int drawn : {0, 1, 2, 7}) {
        Rng a(42);
        for (int i = 0; i < drawn; ++i) a.normal();
        Rng b(1);
        b.restore(a.state());
        for (int i = 0; i < 5; ++i) {
            const double x = a.normal(), y = b.normal();
            QVERIFY2(std::memcmp(&x, &y, sizeof x) == 0, qPrintable(QStringLiteral("after %1 draws").arg(drawn)));
        }
        QCOMPARE(b.next(), a.next());
    }
    Rng c;
    for (const char* text : {"", "1 2 3", "garbage", "0 0"})
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, c.restore(text));
    const std::string trailing = Rng(3).state() + " 5";
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, c.restore(trailing));
}

QTEST_APPLESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
