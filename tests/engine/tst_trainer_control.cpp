// The trainer controlled while it runs: stop and pause from another thread, learning
// rate and beta changes taking effect, and observer-driven stops.
// No assertion depends on timing: cross-thread tests hand over through flags that the
// trainer's own hooks set.
#include "TrainerFixtures.h"

#include <QtTest>

#include <thread>

using namespace latentlab;
using namespace trainertest;

class TestTrainerControl : public QObject {
    Q_OBJECT

private slots:
    void stopFromAnotherThread();
    void pauseAndResume();
    void stopWhilePaused();
    void onPausedFalseStops();
    void learningRateChangeIsUsed();
    void betaChangeIsUsed();
    void observerStops();
};

// stop is checked before every mini-batch: at most the batch already running when it was
// set gets reported.
void TestTrainerControl::stopFromAnotherThread() {
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
void TestTrainerControl::pauseAndResume() {
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

void TestTrainerControl::stopWhilePaused() {
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

void TestTrainerControl::onPausedFalseStops() {
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
void TestTrainerControl::learningRateChangeIsUsed() {
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

void TestTrainerControl::betaChangeIsUsed() {
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

void TestTrainerControl::observerStops() {
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

QTEST_APPLESS_MAIN(TestTrainerControl)
#include "tst_trainer_control.moc"
