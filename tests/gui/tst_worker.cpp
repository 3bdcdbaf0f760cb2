// The desktop program's training logic without any widget: throttling, loss merging,
// rates, the rolling code refresh, the training session, and the worker thread behind
// the TrainingController (pause within one batch, stop on shutdown, steps, failures).
#include "training/CodeRefresher.h"
#include "training/LossBuffer.h"
#include "training/RateEstimator.h"
#include "training/SnapshotThrottle.h"
#include "training/TrainingController.h"
#include "training/TrainingSession.h"

#include "Experiment.h"
#include "RunFiles.h"

#include "latentlab/ModelFile.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

using namespace latentlab;
using namespace latentlab::gui;
using namespace std::chrono_literals;

namespace {

app::RunConfig smallConfig(int epochs = 3) {
    app::RunConfig c = app::loadPreset("swissroll-ae");
    c.dataset.generator.samples = 600;
    c.training.epochs = epochs;
    c.training.threads = 1;
    return c;
}

app::RunConfig exploding() {
    app::RunConfig c = smallConfig(20);
    c.model.encoderWidths = {16};
    c.model.activation = Activation::ReLU;
    c.training.optimizer.kind = OptimizerConfig::Kind::Sgd;
    c.training.learningRate = 5; // diverges within a few batches
    return c;
}

std::shared_ptr<const data::Dataset> load(const app::DatasetSpec& spec) {
    return std::make_shared<const data::Dataset>(app::loadDataset(spec, data::Catalogue()));
}

bool allFinite(const Model& m) {
    const std::unique_ptr<Model> copy = m.clone(); // parameters() needs a mutable model
    for (const Parameter& p : copy->parameters())
        if (!Eigen::Map<const Vector>(p.value, p.size).allFinite()) return false;
    return true;
}

} // namespace

class TestWorker : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void throttleKeepsRate_data() {
        QTest::addColumn<double>("perSecond");
        QTest::addColumn<int>("gapMs");
        QTest::addColumn<bool>("due");
        QTest::newRow("15/s, 30 ms later") << 15.0 << 30 << false;
        QTest::newRow("15/s, 67 ms later") << 15.0 << 67 << true;
        QTest::newRow("10/s, 90 ms later") << 10.0 << 90 << false;
        QTest::newRow("10/s, 101 ms later") << 10.0 << 101 << true;
    }
    void throttleKeepsRate() {
        QFETCH(double, perSecond);
        QFETCH(int, gapMs);
        QFETCH(bool, due);
        SnapshotThrottle t(perSecond);
        const auto t0 = SnapshotThrottle::Clock::now();
        QVERIFY(t.due(t0)); // the first snapshot goes out at once
        t.published(t0);
        QCOMPARE(t.due(t0 + std::chrono::milliseconds(gapMs)), due);
    }

    void lossBufferMerges_data() {
        QTest::addColumn<int>("points");
        QTest::addColumn<int>("maxPoints");
        QTest::addColumn<int>("expected");
        QTest::newRow("fewer than the limit") << 5 << 16 << 5;
        QTest::newRow("exactly the limit") << 16 << 16 << 16;
        QTest::newRow("many batches") << 1000 << 16 << 16;
        QTest::newRow("one") << 1 << 16 << 1;
        QTest::newRow("none") << 0 << 16 << 0;
    }
    void lossBufferMerges() {
        QFETCH(int, points);
        QFETCH(int, maxPoints);
        QFETCH(int, expected);
        LossBuffer buffer(maxPoints);
        double sum = 0;
        for (int i = 0; i < points; ++i) {
            LossTerms l;
            l.total = l.reconstruction = 1.0 + i % 7;
            sum += l.total;
            buffer.add(i + 1, l);
        }
        const std::vector<BatchPoint> out = buffer.take();
        QCOMPARE(int(out.size()), expected);
        QVERIFY(buffer.empty());
        if (points == 0) return;
        QCOMPARE(out.back().position, double(points)); // the last point ends where the batches end
        // Group means weighted by group sizes give back the overall mean.
        double merged = 0;
        for (size_t g = 0; g < out.size(); ++g) {
            const size_t size = (g + 1) * points / out.size() - g * points / out.size();
            merged += out[g].loss.total * double(size);
        }
        QVERIFY(std::abs(merged - sum) < 1e-9 * sum);
    }

    void rateEstimatorSmoothsAndSkipsPauses() {
        RateEstimator r;
        auto t = RateEstimator::Clock::now();
        r.restart(t);
        QCOMPARE(r.etaSeconds(1000), -1.0); // unknown before the first window
        for (int i = 0; i < 40; ++i) {
            t += 50ms;
            r.add(500, t); // 10,000 samples per second
        }
        QVERIFY(std::abs(r.samplesPerSecond() - 10000) < 1);
        QVERIFY(std::abs(r.etaSeconds(20000) - 2.0) < 1e-3);
        // A long pause, then training at the same speed: the pause does not count.
        t += 30s;
        r.restart(t);
        for (int i = 0; i < 10; ++i) {
            t += 50ms;
            r.add(500, t);
        }
        QVERIFY(std::abs(r.samplesPerSecond() - 10000) < 1);
    }

    void codeRefresherMatchesEncodeData() {
        app::Experiment e = app::Experiment::prepare(smallConfig(), load(smallConfig().dataset));
        Rng rng(3);
        e.model().initialize(rng);
        const Index n = e.dataset().rows;
        CodeRefresher refresher(n, 2, 7);
        QVERIFY(!refresher.complete());
        const auto empty = refresher.publish();
        QVERIFY(!empty); // nothing encoded yet
        refresher.refresh(e.model(), e.view(), 0.0); // one small chunk
        const auto partial = refresher.publish();
        QVERIFY(partial);
        Index encoded = 0;
        for (Index i = 0; i < n; ++i) encoded += partial->col(i).allFinite() ? 1 : 0;
        QVERIFY(encoded > 0 && encoded < n);
        refresher.refreshAll(e.model(), e.view());
        QVERIFY(refresher.complete());
        const auto all = refresher.publish();
        const Matrix expected = encodeData(e.model(), e.view(), 0, n);
        QVERIFY(all->allFinite());
        QVERIFY((*all - expected).cwiseAbs().maxCoeff() <= 1e-5f * (1 + expected.cwiseAbs().maxCoeff()));
        // A published matrix never changes afterwards.
        const Matrix before = *partial;
        refresher.modelChanged();
        refresher.refreshAll(e.model(), e.view());
        QVERIFY(partial->isApprox(before) || (partial->array().isNaN() == before.array().isNaN()).all());
    }

    void sessionPublishesSnapshots() {
        auto s = TrainingSession::create(1, smallConfig(4), load);
        std::vector<SnapshotPtr> published;
        s->setPublisher([&](SnapshotPtr p) { published.push_back(std::move(p)); }, [] { return true; });
        s->restartClock();
        QElapsedTimer timer;
        timer.start();
        TrainingSession::Outcome o;
        while ((o = s->step()) == TrainingSession::Outcome::Trained) {
        }
        QCOMPARE(o, TrainingSession::Outcome::Finished);
        QVERIFY(s->finished());
        const SnapshotPtr last = s->snapshot(RunState::Finished);
        published.push_back(last);
        // Throttled: at most ~10 a second (plus the first and the last).
        QVERIFY2(double(published.size()) <= timer.elapsed() / 1000.0 * 10 + 3, qPrintable(QString::number(published.size())));
        std::vector<int> epochs;
        long long batches = 0;
        for (const auto& p : published) {
            for (const auto& r : p->epochs) epochs.push_back(r.epoch);
            batches += Index(p->batches.size());
        }
        QCOMPARE(epochs, (std::vector<int>{1, 2, 3, 4}));
        QVERIFY(batches > 0);
        QCOMPARE(last->progress.epoch, 4);
        QVERIFY(last->reconstructions && last->reconstructions->inputs.cols() > 0);
        // The decoder is a clone: training on does not change it.
        const Vector z = Vector::Constant(2, 0.3f);
        Matrix before;
        last->decoder->decode(Matrix(z), before);
        s->setEpochs(6);
        while (s->step() == TrainingSession::Outcome::Trained) {
        }
        Matrix after;
        last->decoder->decode(Matrix(z), after);
        QCOMPARE(after, before);
        QCOMPARE(s->epochsDone(), 6);
        // Codes settle to those of the current model.
        while (!s->settleCodes(0.05)) {
        }
        const SnapshotPtr settled = s->snapshot(RunState::Finished);
        QVERIFY(settled->codesComplete);
        QVERIFY(settled->codes && settled->codes->allFinite());
    }

    void sessionMarksHyperparameterChanges() {
        app::RunConfig c = smallConfig(2);
        c.model.kind = ModelKind::Vae;
        auto s = TrainingSession::create(1, c, load);
        QCOMPARE(s->step(), TrainingSession::Outcome::Trained);
        s->control().learningRate.store(0.0005);
        s->control().beta.store(0.5);
        QCOMPARE(s->step(), TrainingSession::Outcome::Trained);
        const SnapshotPtr p = s->snapshot(RunState::Paused);
        QCOMPARE(int(p->changes.size()), 2);
        QVERIFY(p->changes[0].text.startsWith("lr"));
        QVERIFY(p->changes[1].text.startsWith(QString::fromUtf8("β")));
        QVERIFY(p->batches.size() == 2);
        QVERIFY(p->batches[1].loss.kl > 0); // each term travels separately
    }

    void nonFiniteLossKeepsLastWeights() {
        auto s = TrainingSession::create(1, exploding(), load);
        TrainingSession::Outcome o;
        int steps = 0;
        while ((o = s->step()) == TrainingSession::Outcome::Trained) ++steps;
        QCOMPARE(o, TrainingSession::Outcome::Failed);
        QVERIFY(s->failure().contains("learning rate"));
        QVERIFY(allFinite(s->model()));
        QCOMPARE(s->step(), TrainingSession::Outcome::Failed); // stays stopped until rebuilt
        // A new trainer may go on from these weights (they may be too far gone to recover:
        // then it fails again, cleanly).
        s->control().learningRate.store(0.001);
        s->rebuildTrainer();
        QVERIFY(!s->failed());
        const TrainingSession::Outcome again = s->step();
        QVERIFY(again == TrainingSession::Outcome::Trained || again == TrainingSession::Outcome::Failed);
        QVERIFY(allFinite(s->model()));
    }

    void rebuiltTrainerContinuesTheRun() {
        auto s = TrainingSession::create(1, smallConfig(3), load);
        while (s->epochsDone() < 1) QCOMPARE(s->step(), TrainingSession::Outcome::Trained);
        s->step(); // a batch into the second epoch, which the new trainer starts again
        const long long steps = s->steps();
        s->snapshot(RunState::Paused);
        s->rebuildTrainer(64, 1, 5);
        QCOMPARE(s->epochsDone(), 1);
        QCOMPARE(s->config().training.batchSize, 64);
        TrainingSession::Outcome o;
        while ((o = s->step()) == TrainingSession::Outcome::Trained) {
        }
        QCOMPARE(o, TrainingSession::Outcome::Finished);
        QCOMPARE(s->epochsDone(), 3);
        QVERIFY(s->steps() > steps);
        std::vector<int> epochs;
        const SnapshotPtr last = s->snapshot(RunState::Finished);
        for (const auto& r : last->epochs) epochs.push_back(r.epoch);
        QCOMPARE(epochs, (std::vector<int>{2, 3}));
    }

    void saveAndOpenGiveSameModel() {
        QTemporaryDir dir;
        auto s = TrainingSession::create(1, smallConfig(2), load);
        while (s->step() == TrainingSession::Outcome::Trained) {
        }
        const QString path = dir.filePath("m.llmodel");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(s->serialize());
        f.close();
        auto t = TrainingSession::open(2, path, load);
        QCOMPARE(t->epochsDone(), 2);
        QCOMPARE(t->config().dataset.generator.samples, int64_t(600));
        QCOMPARE(t->info().modelFile, path);
        // The loss curves come back with the model.
        const SnapshotPtr original = s->snapshot(RunState::Paused), reopened = t->snapshot(RunState::Paused);
        QCOMPARE(int(reopened->epochs.size()), 2);
        QCOMPARE(reopened->epochs[1].epoch, 2);
        QVERIFY(std::abs(reopened->epochs[1].train.total - original->epochs[1].train.total) <
                1e-6 * original->epochs[1].train.total);
        QCOMPARE(reopened->epochs[1].validation.kl, original->epochs[1].validation.kl);
        const Matrix a = encodeData(s->model(), app::viewOf(s->dataset()), 0, s->dataset().rows);
        const Matrix b = encodeData(t->model(), app::viewOf(t->dataset()), 0, t->dataset().rows);
        QCOMPARE(a, b);
    }

    // Issue 13: a model saved from the window in the middle of an epoch and opened again
    // trains on to the same history (wall times aside) and weights as a run without the break.
    void savedMidEpochContinuesExactly() {
        app::RunConfig c = smallConfig(4);
        c.model.kind = ModelKind::Vae; // noise: the generator must come back too
        c.model.beta = 0.05;
        auto straight = TrainingSession::create(1, c, load);
        while (straight->step() == TrainingSession::Outcome::Trained) {
        }
        auto first = TrainingSession::create(2, c, load);
        while (first->epochsDone() < 2) QCOMPARE(first->step(), TrainingSession::Outcome::Trained);
        for (int i = 0; i < 3; ++i) QCOMPARE(first->step(), TrainingSession::Outcome::Trained);
        QVERIFY(!first->atEpochStart());
        QTemporaryDir dir;
        const QString path = dir.filePath("mid.llmodel");
        app::writeFileAtomic(path, first->serialize());
        first.reset();

        auto second = TrainingSession::open(3, path, load);
        QCOMPARE(second->epochsDone(), 2);
        QVERIFY(!second->atEpochStart());
        QCOMPARE(second->steps(), straight->steps() / 4 * 2 + 3);
        while (second->step() == TrainingSession::Outcome::Trained) {
        }
        QCOMPARE(second->epochsDone(), 4);
        QCOMPARE(second->steps(), straight->steps());
        const SnapshotPtr a = straight->snapshot(RunState::Finished), b = second->snapshot(RunState::Finished);
        // The reopened session publishes the two saved epochs, then the two it trained.
        QCOMPARE(b->epochs.size(), size_t(4));
        for (size_t e = 0; e < 4; ++e) {
            const EpochReport &x = a->epochs[e], &y = b->epochs[e];
            const QString where = QString("epoch %1").arg(e + 1);
            QCOMPARE(y.epoch, x.epoch);
            QVERIFY2(y.train.total == x.train.total && y.train.kl == x.train.kl, qPrintable(where));
            QVERIFY2(y.validation.total == x.validation.total, qPrintable(where));
        }
        const Matrix za = encodeData(straight->model(), app::viewOf(straight->dataset()), 0, straight->dataset().rows);
        const Matrix zb = encodeData(second->model(), app::viewOf(second->dataset()), 0, second->dataset().rows);
        QVERIFY2(za == zb, "the codes differ from the run without a break");
    }

    void opensCliRunFolders() {
        // What `latentlab-cli train` leaves: the model with the data's metadata only, and
        // config.json beside it.
        auto s = TrainingSession::create(1, smallConfig(2), load);
        while (s->step() == TrainingSession::Outcome::Trained) {
        }
        SavedModel saved = deserializeModel(s->serialize().toStdString(), "memory");
        saved.metadata.erase("config");
        saved.metadata.erase("training.epochsDone");
        const auto optimizer = makeOptimizer(saved.optimizerConfig);
        optimizer->setState(saved.optimizerState, saved.model->parameters(), saved.optimizerSteps);
        QTemporaryDir dir;
        saveModel(dir.filePath("model.llmodel").toStdString(), *saved.model, optimizer.get(), saved.optimizerConfig,
                  saved.metadata);
        app::writeFileAtomic(dir.filePath("config.json"), app::configJson(s->config()));
        auto t = TrainingSession::open(2, dir.filePath("model.llmodel"), load);
        QCOMPARE(t->config().dataset.generator.samples, int64_t(600));
        QCOMPARE(t->config().model.encoderWidths, s->config().model.encoderWidths);
        QCOMPARE(t->epochsDone(), 2); // from the optimiser's step count
        QVERIFY(t->finished());
    }

    void openBadFilesNameThem_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("problem");
        QTest::newRow("garbage") << QByteArray("this is not a model") << QString();
        QTest::newRow("empty") << QByteArray() << QString();
        QTest::newRow("truncated") << QByteArray("LLMODEL\n\1\0\0\0", 12) << QString();
    }
    void openBadFilesNameThem() {
        QFETCH(QByteArray, bytes);
        QTemporaryDir dir;
        const QString path = dir.filePath("bad.llmodel");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        f.close();
        try {
            TrainingSession::open(1, path, load);
            QFAIL("opened a corrupt file");
        } catch (const std::exception& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(path), e.what());
        }
    }

    void openModelOfOtherDataNamesBoth() {
        // A Swiss roll model (3 features) whose stored configuration says "moons" (2).
        app::Experiment e = app::Experiment::prepare(smallConfig(), load(smallConfig().dataset));
        app::RunConfig other = smallConfig();
        other.dataset.name = "moons";
        auto meta = e.metadata();
        meta["config"] = QJsonDocument(other.toJson()).toJson().toStdString();
        QTemporaryDir dir;
        const QString path = dir.filePath("other.llmodel");
        saveModel(path.toStdString(), e.model(), nullptr, OptimizerConfig{}, meta);
        try {
            TrainingSession::open(1, path, load);
            QFAIL("opened a model for other data");
        } catch (const std::exception& ex) {
            const QString m = QString::fromUtf8(ex.what());
            QVERIFY2(m.contains(path) && m.contains("moons") && m.contains("3 features"), ex.what());
        }
    }

    // Data that fits but is not the training data (a roll regenerated with more noise)
    // opens for exploring, and the session says so.
    void openModelOfChangedDataSaysSo() {
        auto s = TrainingSession::create(1, smallConfig(1), load);
        while (s->step() == TrainingSession::Outcome::Trained) {
        }
        QVERIFY(s->info().notice.isEmpty());
        SavedModel saved = deserializeModel(s->serialize().toStdString(), "memory");
        app::RunConfig noisier = s->config();
        noisier.dataset.generator.noise += 0.05;
        saved.metadata["config"] = QJsonDocument(noisier.toJson()).toJson().toStdString();
        QTemporaryDir dir;
        const QString path = dir.filePath("noisier.llmodel");
        saveModel(path.toStdString(), *saved.model, nullptr, saved.optimizerConfig, saved.metadata);
        auto t = TrainingSession::open(2, path, load);
        QVERIFY2(t->info().notice.contains(path + ": the data of") &&
                     t->info().notice.contains("is not the data the model was trained on"),
                 qPrintable(t->info().notice));
    }

    // --- the worker thread, through the controller ---

    void pauseStopsWithinOneBatch() {
        TrainingController c;
        QSignalSpy session(&c, &TrainingController::sessionStarted);
        c.startSession(smallConfig(100000));
        QTRY_COMPARE(session.count(), 1);
        c.train();
        QTRY_VERIFY(c.stepsDone() > 200);
        c.pause();
        const long long atPause = c.stepsDone();
        QTRY_COMPARE(c.state(), RunState::Paused);
        QTest::qWait(200);
        QVERIFY2(c.stepsDone() - atPause <= 1, qPrintable(QString::number(c.stepsDone() - atPause)));
        // Resume goes on.
        const long long paused = c.stepsDone();
        c.togglePause();
        QTRY_VERIFY(c.stepsDone() > paused + 10);
    }

    void stepsAreExact() {
        TrainingController c;
        QSignalSpy session(&c, &TrainingController::sessionStarted);
        c.startSession(smallConfig(50));
        QTRY_COMPARE(session.count(), 1);
        c.stepBatch();
        QTRY_COMPARE(c.stepsDone(), 1LL);
        QTRY_COMPARE(c.state(), RunState::Paused);
        QTest::qWait(100);
        QCOMPARE(c.stepsDone(), 1LL);
        QSignalSpy epochs(&c, &TrainingController::epochCompleted);
        c.stepEpoch();
        QTRY_COMPARE(epochs.count(), 1);
        QTRY_COMPARE(c.state(), RunState::Paused);
        QTRY_VERIFY(c.latest() && c.latest()->progress.epoch == 1);
        QCOMPARE(epochs.at(0).at(0).value<EpochReport>().epoch, 1);
    }

    void shutdownStopsWithinOneBatch() {
        auto c = std::make_unique<TrainingController>();
        QSignalSpy session(c.get(), &TrainingController::sessionStarted);
        c->startSession(smallConfig(100000));
        QTRY_COMPARE(session.count(), 1);
        c->train();
        QTRY_VERIFY(c->stepsDone() > 50);
        QThread* thread = c->thread();
        QVERIFY(thread->isRunning());
        c->shutdown();
        // The stop flag ends the batch loop: at most the batch under way finishes after the
        // flag (the count is taken right after raising it, so a descheduled test thread
        // cannot widen the gap), where the event loop's quit() alone would let the whole
        // 40 ms training chunk run on.
        const long long after = c->stepsDone() - c->stepsAtHalt();
        QVERIFY2(after >= 0 && after <= 1, qPrintable(QString::number(after)));
        QVERIFY(!c->isThreadRunning());
        c.reset(); // and the destructor after shutdown is harmless
    }

    void nonFiniteLossPausesWorker() {
        TrainingController c;
        QSignalSpy session(&c, &TrainingController::sessionStarted);
        QSignalSpy errors(&c, &TrainingController::errorOccurred);
        c.startSession(exploding());
        QTRY_COMPARE(session.count(), 1);
        c.train();
        QTRY_COMPARE(c.state(), RunState::Failed);
        QTRY_COMPARE(errors.count(), 1);
        QVERIFY(errors.at(0).at(1).toString().contains("learning rate"));
        QTRY_VERIFY(c.latest() && c.latest()->state == RunState::Failed);
        QVERIFY(allFinite(*c.latest()->decoder));
        // The worker goes on: a new session trains.
        QSignalSpy states(&c, &TrainingController::stateChanged);
        c.startSession(smallConfig(100000));
        QTRY_COMPARE(session.count(), 2);
        const long long steps = c.stepsDone();
        c.train();
        QTRY_VERIFY(c.stepsDone() > steps + 20);
        // The state arrives by a queued message, possibly after the steps counter moved.
        QTRY_COMPARE(c.state(), RunState::Running);
    }
};

QTEST_GUILESS_MAIN(TestWorker)
#include "tst_worker.moc"
