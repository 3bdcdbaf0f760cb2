// The IDX reader and writer (MNIST's format, raw or gzip): round trips, every error path
// with its message, lying headers that must not allocate, cut gzip streams.
#include "DatasetFixtures.h"

#include "latentlab/IdxReader.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cstdlib>
#include <new>

using namespace latentlab::data;
using namespace datasettest;

// Every operator new in this executable goes through here, so a test can ask for the
// largest single request made while it ran: proof that a lying IDX header allocated nothing.
namespace {
std::atomic<bool> g_trackAllocations{false};
std::atomic<size_t> g_largestAllocation{0};
} // namespace

void* operator new(std::size_t n) {
    if (g_trackAllocations.load(std::memory_order_relaxed)) {
        size_t seen = g_largestAllocation.load();
        while (n > seen && !g_largestAllocation.compare_exchange_weak(seen, n)) {
        }
    }
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

namespace {

// A gzip file with stored (uncompressed) deflate blocks: lets a test wrap any bytes,
// including malformed IDX content, without linking zlib. RFC 1952 + RFC 1951 section 3.2.4.
QByteArray gzipStored(const QByteArray& data) {
    uint32_t crc = 0xFFFFFFFFu; // CRC-32, reflected polynomial 0xEDB88320
    for (char ch : data) {
        crc ^= uint8_t(ch);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    crc = ~crc;
    QByteArray out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
    qsizetype pos = 0;
    do {
        const qsizetype n = std::min<qsizetype>(65535, data.size() - pos);
        const bool last = pos + n == data.size();
        out.append(char(last ? 1 : 0));
        out.append(char(n & 0xFF)).append(char(n >> 8));
        out.append(char(~n & 0xFF)).append(char((~n >> 8) & 0xFF));
        out.append(data.mid(pos, n));
        pos += n;
    } while (pos < data.size());
    for (uint32_t v : {crc, uint32_t(data.size())})
        for (int k = 0; k < 4; ++k)
            out.append(char((v >> (8 * k)) & 0xFF));
    return out;
}

QByteArray idxHeader(uint8_t type, const QList<uint32_t>& dims) {
    QByteArray h;
    h.append(char(0)).append(char(0)).append(char(type)).append(char(dims.size()));
    for (uint32_t d : dims)
        for (int shift = 24; shift >= 0; shift -= 8)
            h.append(char((d >> shift) & 0xFF));
    return h;
}

} // namespace

class TestIdx : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString path(const QString& name) const { return m_tmp.filePath(name); }
    // Writes raw or gzip-wrapped bytes to name(.gz) and returns the path.
    QString writeIdxBytes(const QString& name, const QByteArray& bytes, bool gz) const {
        const QString p = path(name + (gz ? ".gz" : ""));
        writeFile(p, gz ? gzipStored(bytes) : bytes);
        return p;
    }

private slots:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    // ---- IDX ----
    void idxRoundTrip_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QList<int>>("dims");
        QTest::newRow("idx1 raw") << "a-idx1" << QList<int>{300};
        QTest::newRow("idx1 gz") << "a-idx1.gz" << QList<int>{300};
        QTest::newRow("idx3 raw") << "b-idx3" << QList<int>{50, 28, 28};
        QTest::newRow("idx3 gz") << "b-idx3.gz" << QList<int>{400, 28, 28}; // > one chunk
    }
    void idxRoundTrip() {
        QFETCH(QString, file);
        QFETCH(QList<int>, dims);
        const IdxArray a = pattern(std::vector<int64_t>(dims.begin(), dims.end()), 3);
        writeIdx(str(path(file)), a);
        QVERIFY(!QFile::exists(path(file) + ".tmp"));
        QFile f(path(file));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray head = f.read(3);
        QCOMPARE(head,
                 file.endsWith(".gz") ? QByteArray("\x1f\x8b\x08") : QByteArray("\0\0\x08", 3));
        const IdxArray b = readIdx(str(path(file)));
        QCOMPARE(b.dims, a.dims);
        QVERIFY(b.data == a.data);
    }

    void idxErrors_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QStringList>("expected");
        const QByteArray five(5, '\x01');
        QTest::newRow("bad magic") << QByteArray("\x12\x34\x08\x01\0\0\0\x05", 8) + five
                                   << QStringList{"bad magic 0x12340801"};
        QTest::newRow("float type")
            << idxHeader(0x0D, {5}) + five << QStringList{"unsupported element type 0x0D", "float"};
        QTest::newRow("zero dims") << idxHeader(0x08, {}) << QStringList{"zero dimensions"};
        QTest::newRow("short header")
            << idxHeader(0x08, {5, 2}).left(9) << QStringList{"truncated", "inside the header"};
        QTest::newRow("truncated") << idxHeader(0x08, {100}) + QByteArray(60, '\x02')
                                   << QStringList{"truncated: header says 100 bytes of data, "
                                                  "file has 60"};
        QTest::newRow("trailing") << idxHeader(0x08, {2, 2, 2}) + QByteArray(11, '\x02')
                                  << QStringList{"size in header (8 bytes) does not match data "
                                                 "(11 bytes)",
                                                 "trailing"};
        QTest::newRow("over 4 GiB") << idxHeader(0x08, {65536, 65536, 2}) + five
                                    << QStringList{"65536 x 65536 x 2", "4 GiB limit"};
        QTest::newRow("overflow") << idxHeader(0x08, {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu})
                                  << QStringList{"4 GiB limit"};
        QTest::newRow("empty") << QByteArray() << QStringList{"file is empty"};
    }
    void idxErrors() {
        QFETCH(QByteArray, bytes);
        QFETCH(QStringList, expected);
        for (bool gz : {false, true}) {
            const QString p = writeIdxBytes(QTest::currentDataTag(), bytes, gz);
            const QString msg = errorOf([&] { readIdx(str(p)); });
            QVERIFY2(msg.startsWith(p + ": "), qPrintable(msg));
            for (const QString& e : expected)
                QVERIFY2(msg.contains(e), qPrintable(gz ? "gz: " + msg : msg));
        }
    }

    // A header claiming 2^31 one-byte items in a 20-byte file: an error naming the claim,
    // and no allocation anywhere near 2 GiB (the gzip path grows only with real data).
    void idxHugeClaim_data() {
        QTest::addColumn<bool>("gz");
        QTest::newRow("raw") << false;
        QTest::newRow("gz") << true;
    }
    void idxHugeClaim() {
        QFETCH(bool, gz);
        const QString p =
            writeIdxBytes("huge", idxHeader(0x08, {1u << 31}) + QByteArray(12, 'x'), gz);
        g_largestAllocation = 0;
        g_trackAllocations = true;
        const QString msg = errorOf([&] { readIdx(str(p)); });
        g_trackAllocations = false;
        QVERIFY2(msg.contains("truncated: header says 2147483648 bytes of data, file has 12"),
                 qPrintable(msg));
        QVERIFY2(g_largestAllocation < (size_t(4) << 20),
                 qPrintable(QString("largest allocation %1 bytes").arg(g_largestAllocation)));
    }

    // A real gzip stream cut in the middle (not a short but well-formed one).
    void idxCutGzipStream() {
        const std::string p = str(path("cut-idx3.gz"));
        IdxArray a = pattern({20, 28, 28}, 1);
        for (size_t i = 0; i < a.data.size(); ++i) // incompressible, so the cut hits data
            a.data[i] = uint8_t((i * 2654435761u) >> 13);
        writeIdx(p, a);
        QFile f(QString::fromStdString(p));
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.resize(f.size() / 2));
        f.close();
        QString msg = errorOf([&] { readIdx(p); });
        QVERIFY2(msg.contains("truncated: header says 15680 bytes of data"), qPrintable(msg));

        // Cut inside the 8-byte trailer: all data is there but the CRC is not.
        writeIdx(p, a);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.resize(f.size() - 4));
        f.close();
        msg = errorOf([&] { readIdx(p); });
        QVERIFY2(msg.contains("truncated: the gzip stream ends before its checksum"),
                 qPrintable(msg));
    }

    void idxImagesAndLabels() {
        const std::string img = str(path("set-images-idx3-ubyte.gz"));
        const std::string lab = str(path("set-labels-idx1-ubyte.gz"));
        const std::string lab4 = str(path("four-labels-idx1-ubyte"));
        writeIdx(img, pattern({5, 4, 3}, 0));
        writeIdx(lab, IdxArray{{5}, {3, 1, 4, 1, 5}});
        writeIdx(lab4, IdxArray{{4}, {3, 1, 4, 1}});
        const Dataset d = readIdxImages(img, lab);
        d.validate();
        QCOMPARE(d.rows, 5);
        QCOMPARE(d.cols, 12);
        QCOMPARE(d.imageWidth, 3);
        QCOMPARE(d.imageHeight, 4);
        QCOMPARE(d.sampleShape(), (std::vector<int64_t>{1, 4, 3})); // one grey channel, 4 rows of 3
        QCOMPARE(d.trainRows, 5);
        QVERIFY(d.isBytes());
        QCOMPARE(d.labelKind, LabelKind::Class);
        QCOMPARE(d.labels[2], 4.0f);
        QCOMPARE(d.value(1, 0), float((12 * 7) % 256));

        QString msg = errorOf([&] { readIdxImages(img, lab4); });
        QVERIFY2(msg.contains("images file has 5 items but labels file has 4"), qPrintable(msg));
        msg = errorOf([&] { readIdxImages(lab, lab); });
        QVERIFY2(msg.contains("3 dimensions"), qPrintable(msg));
        msg = errorOf([&] { readIdx(str(path("nothing-here.gz"))); });
        QVERIFY2(msg.contains("nothing-here.gz: file not found"), qPrintable(msg));
    }

    // One label per image, neither fewer nor more: 4 or 6 labels beside 5 images is an
    // error naming both counts; 5 is read.
    void idxLabelCountMustMatch_data() {
        QTest::addColumn<int>("labels");
        QTest::newRow("4 labels for 5 images") << 4;
        QTest::newRow("6 labels for 5 images") << 6;
        QTest::newRow("5 labels for 5 images") << 5;
    }
    void idxLabelCountMustMatch() {
        QFETCH(int, labels);
        const std::string img = str(path("count-images-idx3-ubyte"));
        const std::string lab = str(path(QString("count-%1-labels-idx1-ubyte").arg(labels)));
        writeIdx(img, pattern({5, 2, 2}, 0));
        writeIdx(lab, pattern({labels}, 1));
        const QString msg = errorOf([&] { readIdxImages(img, lab); });
        if (labels == 5) {
            QVERIFY2(msg.isEmpty(), qPrintable(msg));
            const Dataset d = readIdxImages(img, lab);
            d.validate();
            QCOMPARE(d.labels.size(), size_t(5));
            return;
        }
        QVERIFY2(msg.contains(QString("images file has 5 items but labels file has %1").arg(labels)),
                 qPrintable(msg.isEmpty() ? QString("accepted") : msg));
    }

    void idxWriteRefusesInconsistentArray() {
        const QString p = path("bad-write.gz");
        const QString msg = errorOf([&] { writeIdx(str(p), IdxArray{{3, 2}, {1, 2, 3}}); });
        QVERIFY2(msg.contains("need 6 bytes but the array holds 3"), qPrintable(msg));
        QVERIFY(!QFile::exists(p));
        QVERIFY(!QFile::exists(p + ".tmp"));
    }
};

QTEST_GUILESS_MAIN(TestIdx)
#include "tst_idx.moc"
