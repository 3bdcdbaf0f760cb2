// LatestTask: one computation at a time, a waiting request replaced by a newer one, every
// finished result shown in order, nothing started while disabled, nothing shown after
// cancel(), and the share of a core while training. And ModelPacer: a newer model for a
// view that decodes on the GUI thread, at most once per interval while training runs.
#include "views/LatestTask.h"
#include "views/ModelPacer.h"

#include "latentlab/Model.h"

#include <QObject>
#include <QSignalSpy>
#include <QTest>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#include <thread>
#include <vector>

using namespace latentlab;
using namespace latentlab::gui;

namespace {
// Lifts the share at the end of a test, also a failed one.
struct ShareRestore {
    ~ShareRestore() { LatestTask::setCpuShare(1.0); }
};

// Keeps this thread busy for `seconds` of its CPU time.
void burnCpu(double seconds) {
    const std::clock_t start = std::clock();
    while (double(std::clock() - start) / CLOCKS_PER_SEC < seconds) {
    }
}

// A task, and work that waits for `release` before it returns, so a test can ask for more
// while it runs; `shown` lists the ids whose results were shown, in order.
struct Bench {
    QObject owner;
    std::vector<int> shown;
    std::atomic<bool> release{false};
    std::atomic<int> started{0};
    LatestTask task{&owner, "test task"};

    // A failed check must not leave the task's destructor waiting on spinning work.
    ~Bench() { release = true; }

    // Work that takes 20 ms of CPU time, then shows `id`.
    LatestTask::Work burning(int id) {
        return [this, id]() -> LatestTask::Delivery {
            ++started;
            burnCpu(0.02);
            return [this, id] { shown.push_back(id); };
        };
    }

    LatestTask::Work work(int id) {
        return [this, id]() -> LatestTask::Delivery {
            ++started;
            while (!release) std::this_thread::yield();
            return [this, id] { shown.push_back(id); };
        };
    }
};
} // namespace

class TestLatestTask : public QObject {
    Q_OBJECT

private slots:
    void aWaitingRequestIsReplacedAndEveryFinishedOneShown() {
        Bench b;
        b.task.request(b.work(1));
        QTRY_COMPARE(b.started.load(), 1);
        // While 1 runs, 2 and 3 are asked for: 3 replaces 2. 1's result still shows: it is
        // newer than what showed before (work slower than requests come would else never
        // show anything).
        b.task.request(b.work(2));
        b.task.request(b.work(3));
        QVERIFY(b.task.busy());
        b.release = true;
        QTRY_VERIFY(!b.task.busy());
        QCOMPARE(b.started.load(), 2); // 1 and 3; 2 never ran
        QCOMPARE(b.shown, (std::vector<int>{1, 3}));
    }

    void cancelDropsWhatRunsAndWhatWaits() {
        Bench b;
        b.task.request(b.work(1));
        QTRY_COMPARE(b.started.load(), 1);
        b.task.request(b.work(2));
        b.task.cancel();
        b.release = true;
        QTRY_VERIFY(!b.task.busy());
        QCOMPARE(b.started.load(), 1);
        QVERIFY(b.shown.empty());
        // After a cancel the next request is shown as usual.
        b.task.request(b.work(4));
        QTRY_COMPARE(b.shown, std::vector<int>{4});
    }

    void disabledRequestsWaitUntilEnabled() {
        Bench b;
        b.release = true;
        b.task.setEnabled(false);
        b.task.request(b.work(1));
        b.task.request(b.work(2));
        QTest::qWait(50);
        QCOMPARE(b.started.load(), 0);
        QVERIFY(!b.task.busy());
        b.task.setEnabled(true);
        QTRY_COMPARE(b.shown, std::vector<int>{2});
        QCOMPARE(b.started.load(), 1);
    }

    // With a share of a core, work that took CPU time holds the next start back (here
    // 0.001: 20 ms of CPU would hold it back 20 s, capped at 15 s) until the share is lifted.
    void aShareOfACoreHoldsTheNextStartBack() {
        Bench b;
        b.release = true;
        const ShareRestore restore;
        LatestTask::setCpuShare(0.001);
        b.task.request(b.burning(1));
        QTRY_COMPARE(b.shown, std::vector<int>{1});
        b.task.request(b.work(2));
        QTest::qWait(200);
        QCOMPARE(b.started.load(), 1);
        QVERIFY(b.task.busy()); // it waits to start
        LatestTask::setCpuShare(1.0);
        QTRY_COMPARE(b.shown, (std::vector<int>{1, 2}));
        // A new session (cancel) is not held back by the old one's pause.
        LatestTask::setCpuShare(0.001);
        b.task.request(b.burning(3));
        QTRY_COMPARE(b.shown, (std::vector<int>{1, 2, 3})); // 3 paused the task for 15 s
        b.task.cancel();
        b.task.request(b.work(4));
        QTRY_COMPARE(b.shown, (std::vector<int>{1, 2, 3, 4}));
    }

    // While the pauses are held (the performance report's headless slices), no pause runs
    // down and no work starts; once they run on, a pause goes on for what was left of it.
    void heldPausesStandStill() {
        Bench b;
        b.release = true;
        struct Restore {
            ~Restore() {
                LatestTask::holdPauses(false);
                LatestTask::setCpuShare(1.0);
            }
        } restore;
        LatestTask::setCpuShare(0.01);
        b.task.request(b.burning(1));
        QTRY_COMPARE(b.shown, std::vector<int>{1}); // a pause of about 2 s begins
        LatestTask::holdPauses(true);
        b.task.request(b.work(2));
        QTest::qWait(2500); // longer than the whole pause
        QCOMPARE(b.started.load(), 1);
        LatestTask::holdPauses(false);
        QTest::qWait(300); // most of the pause is still to come
        QCOMPARE(b.started.load(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(b.shown, (std::vector<int>{1, 2}), 10000);
    }

    // The CPU time of work begun while training runs is counted by the task's name; work
    // begun before training is not.
    void cpuTimeWhileTrainingIsCounted() {
        const ShareRestore restore;
        QObject owner;
        LatestTask task(&owner, "cpu count test");
        auto burn = [](int* done) {
            return [done]() -> LatestTask::Delivery {
                burnCpu(0.03);
                return [done] { ++*done; };
            };
        };
        auto counted = [] {
            const auto all = LatestTask::cpuSecondsWhileTraining();
            const auto it = all.find("cpu count test");
            return it == all.end() ? 0.0 : it->second;
        };
        int done = 0;
        task.request(burn(&done));
        QTRY_COMPARE(done, 1);
        QCOMPARE(counted(), 0.0);
        LatestTask::setCpuShare(0.5);
        task.request(burn(&done));
        QTRY_COMPARE(done, 2);
        QVERIFY2(counted() >= 0.025 && counted() < 1.0, qPrintable(QString::number(counted())));
    }

    // The pause: the work's CPU time times (1 / share - 1), never longer than the cap.
    void thePauseKeepsToTheShareUpToItsCap() {
        QCOMPARE(LatestTask::pauseSeconds(0.1, 0.02), 0.1 * 49);
        QCOMPARE(LatestTask::pauseSeconds(0.1, 0.5), 0.1);
        QCOMPARE(LatestTask::pauseSeconds(1.0, 0.02), LatestTask::kMaxPauseSeconds); // 49 s capped
        QCOMPARE(LatestTask::pauseSeconds(0.1, 1.0), 0.0);
        QCOMPARE(LatestTask::pauseSeconds(0.0, 0.02), 0.0);
    }

    // Work started without a share (before training) holds nothing back, even when the
    // share is set while it runs: the next request starts as soon as it ends.
    void workStartedWithoutAShareHoldsNothingBack() {
        Bench b;
        const ShareRestore restore;
        b.task.request(b.burning(1));
        LatestTask::setCpuShare(0.001); // training starts: 20 ms would pause the task for 20 s
        QTRY_COMPARE(b.shown, std::vector<int>{1});
        b.release = true;
        b.task.request(b.work(2));
        QTRY_COMPARE(b.shown, (std::vector<int>{1, 2}));
    }

#ifdef __linux__
    // Work begun before training that still runs when training starts drops to idle
    // priority until it ends (an unprivileged thread cannot come back); the next work runs
    // at training's priority, and work begun under the share keeps it.
    void unlimitedWorkYieldsWhenTrainingStarts() {
        const ShareRestore restore;
        QObject owner;
        std::atomic<long> tid{0};
        std::atomic<bool> release{false};
        LatestTask task(&owner, "nice test");
        struct Release { // a failed check must not leave the task's destructor waiting
            std::atomic<bool>& flag;
            ~Release() { flag = true; }
        } releaseOnExit{release};
        auto work = [&]() -> LatestTask::Work {
            return [&]() -> LatestTask::Delivery {
                tid = long(syscall(SYS_gettid));
                while (!release) std::this_thread::yield();
                return [] {};
            };
        };
        auto niceOf = [&] { return getpriority(PRIO_PROCESS, id_t(tid.load())); };
        task.request(work());
        QTRY_VERIFY(tid.load() != 0);
        QCOMPARE(niceOf(), 5);
        LatestTask::setCpuShare(0.01);
        QCOMPARE(niceOf(), 19);
        LatestTask::setCpuShare(1.0);
        QCOMPARE(niceOf(), 19);
        release = true;
        QTRY_VERIFY(!task.busy());
        tid = 0;
        release = false;
        task.request(work());
        QTRY_VERIFY(tid.load() != 0);
        QCOMPARE(niceOf(), 5);
        release = true;
        QTRY_VERIFY(!task.busy());

        // Begun while training runs: within the share already, at training's priority.
        LatestTask::setCpuShare(0.01);
        tid = 0;
        release = false;
        task.request(work());
        QTRY_VERIFY(tid.load() != 0);
        QCOMPARE(niceOf(), 5);
        LatestTask::setCpuShare(0.02);
        QCOMPARE(niceOf(), 5);
        release = true;
        QTRY_VERIFY(!task.busy());
    }

    // The niced thread never comes back: work asked for the moment niced work delivers
    // (its delivery asks) runs on another thread at training's priority, every time.
    void workAfterNicedWorkIsNeverNiced() {
        const ShareRestore restore;
        QObject owner;
        LatestTask task(&owner, "renice test");
        std::atomic<bool> release{false};
        std::atomic<long> nicedTid{0};
        std::vector<int> nextNice;
        std::vector<long> nicedTids, nextTids;
        struct Release {
            std::atomic<bool>& flag;
            ~Release() { flag = true; }
        } releaseOnExit{release};
        LatestTask::Work next = [&]() -> LatestTask::Delivery {
            const long tid = long(syscall(SYS_gettid));
            const int nice = getpriority(PRIO_PROCESS, id_t(tid));
            return [&, nice, tid] { nextNice.push_back(nice), nextTids.push_back(tid); };
        };
        for (int round = 0; round < 40; ++round) {
            LatestTask::setCpuShare(1.0);
            release = false;
            nicedTid = 0;
            task.request([&]() -> LatestTask::Delivery {
                nicedTid = long(syscall(SYS_gettid));
                while (!release) std::this_thread::yield();
                return [&] { task.request(next); };
            });
            QTRY_VERIFY(nicedTid.load() != 0);
            LatestTask::setCpuShare(0.01); // training starts: the running work drops to nice 19
            QCOMPARE(getpriority(PRIO_PROCESS, id_t(nicedTid.load())), 19);
            nicedTids.push_back(nicedTid.load());
            release = true;
            QTRY_COMPARE(int(nextNice.size()), round + 1);
            QTRY_VERIFY(!task.busy());
        }
        // As root a reused thread would be reniced to 5 and pass the line above; so no work
        // may run on a thread that was niced (a thread that never was may run more work).
        QCOMPARE(nextNice, std::vector<int>(40, 5));
        std::sort(nicedTids.begin(), nicedTids.end());
        for (long tid : nextTids) QVERIFY(!std::binary_search(nicedTids.begin(), nicedTids.end(), tid));
        QVERIFY(std::adjacent_find(nicedTids.begin(), nicedTids.end()) == nicedTids.end());
    }
#endif

    void modelPacerShowsANewerModelAtMostOncePerInterval() {
        QObject owner;
        auto model = [] {
            ModelConfig c;
            c.inputDim = 3;
            return std::shared_ptr<const Model>(makeModel(c));
        };
        const auto a = model(), b = model(), c = model(), d = model();
        using Shown = std::vector<const Model*>;
        Shown shown;
        // An interval no pause of the machine reaches: what is held stays held.
        ModelPacer slow(&owner, [&](std::shared_ptr<const Model> m) { shown.push_back(m.get()); }, 60000);
        slow.offer(a); // not training: each at once
        slow.offer(b);
        QCOMPARE(shown, (Shown{a.get(), b.get()}));
        slow.setRunning(true);
        slow.offer(c); // b showed just now: held
        QCOMPARE(shown.size(), size_t(2));
        QVERIFY(slow.holds());
        slow.offer(d); // replaces c
        slow.setRunning(false); // training stops: the newest shows at once
        QCOMPARE(shown, (Shown{a.get(), b.get(), d.get()}));
        QVERIFY(!slow.holds());
        slow.setRunning(true);
        slow.offer(a); // held
        QVERIFY(slow.holds());
        slow.reset(); // a new session: the old one's model is dropped, the next shows at once
        QVERIFY(!slow.holds());
        slow.offer(b);
        QCOMPARE(shown, (Shown{a.get(), b.get(), d.get(), b.get()}));

        // When the interval ends, the held model shows by itself. (The interval is long
        // enough that no pause between the three offers below outlasts it.)
        Shown fastShown;
        ModelPacer fast(&owner, [&](std::shared_ptr<const Model> m) { fastShown.push_back(m.get()); }, 300);
        fast.setRunning(true);
        fast.offer(a);
        fast.offer(b);
        fast.offer(c);
        QTRY_COMPARE(fastShown, (Shown{a.get(), c.get()}));
        QVERIFY(!fast.holds());
    }

    // Work begun before training ends at its next checkpoint once training starts, showing
    // nothing; the request waiting behind it runs next. Work begun under the share, and
    // work of a task outside the share (Metrics), goes on.
    void unlimitedWorkIsAbandonedWhenTrainingStarts() {
        const ShareRestore restore;
        QObject owner;
        std::vector<int> shown;
        std::atomic<int> checkpoints{0};
        std::atomic<bool> inside{false};
        LatestTask task(&owner, "abandon test");
        auto work = [&](int id) -> LatestTask::Work {
            return [&, id]() -> LatestTask::Delivery {
                inside = true;
                for (int i = 0; i < 1500; ++i) { // at most ~2 s
                    LatestTask::checkpoint();
                    ++checkpoints;
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                }
                return [&shown, id] { shown.push_back(id); };
            };
        };
        task.request(work(1));
        QTRY_VERIFY(inside.load());
        task.request(work(2)); // waits behind the first
        LatestTask::setCpuShare(0.5);
        // The first ends early and shows nothing; the second began under the share: it runs
        // to the end and shows.
        QTRY_COMPARE_WITH_TIMEOUT(shown, std::vector<int>{2}, 20000);
        QVERIFY2(checkpoints.load() > 1500 && checkpoints.load() < 3000, qPrintable(QString::number(checkpoints)));

        // A task outside the share is never abandoned.
        LatestTask::setCpuShare(1.0);
        shown.clear();
        checkpoints = 0;
        inside = false;
        task.setShareLimited(false);
        task.request(work(3));
        QTRY_VERIFY(inside.load());
        LatestTask::setCpuShare(0.5);
        QTRY_COMPARE_WITH_TIMEOUT(shown, std::vector<int>{3}, 20000);
        QCOMPARE(checkpoints.load(), 1500);
    }

    // The task goes before its owner with a result on the way: nothing runs afterwards.
    void aTaskGoneFirstDeliversNothing() {
        QObject owner;
        bool shown = false;
        {
            LatestTask task(&owner, "test task");
            task.request([&shown]() -> LatestTask::Delivery { return [&shown] { shown = true; }; });
        } // waits for the work; its delivery is queued to the task, which is gone
        QTest::qWait(50);
        QVERIFY(!shown);
    }

    void anEscapedErrorEndsTheRunAndTheNextRequestRuns() {
        Bench b;
        b.task.request([]() -> LatestTask::Delivery { throw std::runtime_error("escaped"); });
        QTRY_VERIFY(!b.task.busy());
        b.task.request([&b]() -> LatestTask::Delivery { return [&b] { b.shown.push_back(5); }; });
        QTRY_COMPARE(b.shown, std::vector<int>{5});
    }
};

QTEST_GUILESS_MAIN(TestLatestTask)
#include "tst_latesttask.moc"
