// Decoding for display stays on the calling thread: a decoder big enough for the engine to
// share its layers among OpenMP threads must not start any when the window decodes a point
// or a gallery. Observed from outside: OpenMP's worker threads, once started, stay as
// threads of the process, so the process must have exactly as many threads afterwards.
// (This test runs in its own process, before anything else could have started them.)
#include "training/Decoding.h"

#include "latentlab/ModelConfig.h"

#include <QDir>
#include <cmath>
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

    // Columns are decoded in blocks; each comes out in its own place, the same as decoding
    // it alone, across the blocks' border too.
    void columnsDecodeAsEachAlone() {
        const auto model = largeDecoder();
        // In the data's units, as a 0..255 image's normaliser gives them back.
        model->normalizer().set(Normalizer::Kind::GlobalMinMax, Vector::Constant(4096, 10), Vector::Constant(4096, 1.0f / 255));
        const Index n = gui::kDecodeColumns + 3;
        Matrix z(2, n);
        for (Index i = 0; i < n; ++i) z.col(i) << Scalar(std::sin(0.1 * double(i))), Scalar(0.02 * double(i) - 2);
        const Matrix all = gui::decodeColumns(*model, z);
        QCOMPARE(all.rows(), Index(4096));
        QCOMPARE(all.cols(), n);
        Matrix raw;
        model->decode(z.col(n - 1), raw);
        QVERIFY2(all.col(n - 1).isApprox((raw.array() * 255 + 10).matrix(), 1e-5f), "not in the data's units");
        for (Index i : {Index(0), Index(1), gui::kDecodeColumns - 1, gui::kDecodeColumns, n - 1}) {
            const Vector alone = gui::decodeToData(*model, z.col(i));
            QVERIFY2(all.col(i).isApprox(alone, 1e-5f), qPrintable(QString("column %1").arg(i)));
            QVERIFY2(!all.col(i).isApprox(gui::decodeToData(*model, z.col(i == 0 ? 1 : i - 1)), 1e-3f),
                     "neighbouring codes decode alike: the check above could not tell columns apart");
        }
    }
};

QTEST_APPLESS_MAIN(TestDecoding)
#include "tst_decoding.moc"
