// Decoding for display stays on the calling thread: a decoder big enough for the engine to
// share its layers among OpenMP threads must not start any when the window decodes a point
// or a gallery. Observed from outside: OpenMP's worker threads, once started, stay as
// threads of the process, so the process must have exactly as many threads afterwards.
// (This test runs in its own process, before anything else could have started them.)
#include "training/Decoding.h"

#include "latentlab/ModelConfig.h"

#include <QDir>
#include <QtTest>

#include <omp.h>

using namespace latentlab;

namespace {
int processThreads() { return int(QDir("/proc/self/task").entryList(QDir::Dirs | QDir::NoDotAndDotDot).size()); }

std::unique_ptr<Model> largeDecoder() {
    ModelConfig c;
    c.inputDim = 4096;
    c.encoderWidths = {8};
    c.decoderWidths = {2048, 2048}; // 4M multiply-adds in the middle layer: parallel in training
    c.latentDim = 2;
    auto m = makeModel(c);
    Rng rng(1);
    m->initialize(rng);
    return m;
}
} // namespace

class TestDecoding : public QObject {
    Q_OBJECT

private slots:
    void displayDecodingStartsNoThreads() {
        QVERIFY2(omp_get_max_threads() >= 2, "the test needs OpenMP to be allowed more than one thread");
        const auto model = largeDecoder();
        const int before = processThreads();
        const Vector one = gui::decodeToData(*model, Vector::Ones(2));
        const Matrix many = gui::decodeColumns(*model, Matrix::Ones(2, 3));
        QCOMPARE(one.size(), Index(4096));
        QCOMPARE(many.cols(), Index(3));
        QCOMPARE(processThreads(), before);
        QCOMPARE(omp_get_max_threads() >= 2, true); // the caller's own setting is back
        // The observation works: the same decode outside the display path does start them.
        Matrix out;
        model->decode(Matrix::Ones(2, 1), out);
        QVERIFY2(processThreads() > before, "the engine never went parallel: the check above proves nothing");
    }
};

QTEST_APPLESS_MAIN(TestDecoding)
#include "tst_decoding.moc"
