// Messages that tell what is wrong, where: data at the edge of float's range, training that
// would not fit in memory, too few samples for a figure, damaged model files and options
// that are nonsense. Real latentlab-cli processes; model files made with the engine.
#include "CliFixture.h"
#include "ModelFileFixtures.h"

#include "latentlab/FileIo.h"
#include "latentlab/ModelFile.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>
#include <sys/stat.h>

using namespace latentlab;

class TestCliMessages : public QObject {
    Q_OBJECT

private:
    using Result = clitest::Result;
    QTemporaryDir m_tmp;
    QString m_run; // a small trained Swiss roll run

    Result run(const QStringList& args) { return clitest::runCli(args, clitest::environment(m_tmp.filePath("data")), 120000); }
    QString writeFile(const QString& name, const QByteArray& bytes) {
        QFile f(m_tmp.filePath(name));
        if (!f.open(QIODevice::WriteOnly)) return {};
        f.write(bytes);
        return f.fileName();
    }
    // A configuration training on a CSV file.
    QString csvConfig(const QString& name, const QByteArray& csv, const QString& normalize) {
        const QString data = writeFile(name + ".csv", csv);
        const QJsonObject config{
            {"dataset", QJsonObject{{"name", data}, {"normalize", normalize}}},
            {"model", QJsonObject{{"kind", "ae"}, {"encoder", QJsonArray{8}}, {"latentDim", 2}}},
            {"training", QJsonObject{{"epochs", 2}, {"batchSize", 8}}}};
        return writeFile(name + ".json", QJsonDocument(config).toJson());
    }
    // A model file of a small autoencoder, changed by `edit` before it is saved.
    QString modelFile(const QString& name, const std::function<void(Model&, std::map<std::string, std::string>&)>& edit) {
        ModelConfig c;
        c.inputDim = 4;
        c.encoderWidths = {3};
        c.latentDim = 2;
        auto model = makeModel(c);
        std::map<std::string, std::string> meta;
        edit(*model, meta);
        QDir().mkpath(m_tmp.filePath(name));
        const QString path = m_tmp.filePath(name + "/model.llmodel");
        saveModel(path.toStdString(), *model, nullptr, OptimizerConfig{}, meta);
        return path;
    }

private slots:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        m_run = m_tmp.filePath("swiss");
        const Result r = run({"train", "--preset", "swissroll-ae", "--epochs", "2", "--out", m_run});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    // Values whose squares overflow float are the data's fault, said before training.
    void hugeValuesAreNamedAsTheData() {
        QByteArray csv;
        for (int i = 0; i < 40; ++i) csv += QByteArray::number(i) + "," + (i == 17 ? "1e30" : "2") + ",3\n";
        const Result r = run({"train", "--config", csvConfig("huge", csv, "none"), "--out", m_tmp.filePath("h")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("sample 17, feature 1 is 1e+30 after normalisation 'none'"), qPrintable(r.err));
        QVERIFY2(r.err.contains("Normalise the data"), qPrintable(r.err));
        QVERIFY2(!r.err.contains("learning rate"), qPrintable(r.err));
        QVERIFY2(!r.out.contains("epoch"), qPrintable(r.out)); // refused before training
    }
    void valuesAtFloatsLimitCannotBeNormalised() {
        QByteArray csv;
        for (int i = 0; i < 40; ++i) csv += (i % 2 ? "3e38" : "-3e38") + QByteArray(",1,") + QByteArray::number(i) + "\n";
        const Result r = run({"train", "--config", csvConfig("edge", csv, "minmax"), "--out", m_tmp.filePath("e")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("feature 0 (3e+38) cannot be normalised (minmax)"), qPrintable(r.err));
        QVERIFY2(!r.err.contains("learning rate"), qPrintable(r.err));
    }

    // Refused before allocating, naming the size and the option; not std::bad_alloc.
    void trainingTooBigForMemoryIsRefused_data() {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("advice");
        // Sizes beyond any machine's memory (terabytes), so that the test does not depend on
        // the RAM it runs with, nor need an address-space limit (which AddressSanitizer's
        // shadow memory would not survive).
        QTest::newRow("batch") << QStringList{"--config", "widebatch.json", "--batch-size", "1048576", "--latent-dim",
                                              "4096"}
                               << "lower --batch-size";
        QTest::newRow("model") << QStringList{"--config", "wide.json"} << "use narrower layers (model.encoderWidths)";
    }
    void trainingTooBigForMemoryIsRefused() {
        QFETCH(QStringList, options);
        QFETCH(QString, advice);
        QJsonArray widths;
        for (int i = 0; i < 10; ++i) widths.append(65536);
        const QJsonObject wide{{"dataset", QJsonObject{{"name", "swissroll"}}},
                               {"model", QJsonObject{{"kind", "ae"}, {"encoder", widths}}}};
        const QJsonObject wideBatch{{"dataset", QJsonObject{{"name", "swissroll"}}},
                                    {"model", QJsonObject{{"kind", "ae"}, {"encoder", QJsonArray{65536}}}}};
        options.replaceInStrings("widebatch.json", writeFile("widebatch.json", QJsonDocument(wideBatch).toJson()));
        options.replaceInStrings("wide.json", writeFile("wide.json", QJsonDocument(wide).toJson()));
        const Result r = run(QStringList{"train", "--out", m_tmp.filePath("big")} + options);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("training needs about"), qPrintable(r.err));
        QVERIFY2(r.err.contains(" GiB available"), qPrintable(r.err));
        QVERIFY2(r.err.contains(advice), qPrintable(r.err));
        QVERIFY2(!r.err.contains("bad_alloc"), qPrintable(r.err));
    }

    // Fewer samples than trustworthiness needs: the figure is null with the reason, status 0.
    void evalWithTooFewSamplesReportsUnavailable() {
        const QString dir = m_tmp.filePath("s20");
        const Result t = run({"train", "--preset", "swissroll-ae", "--samples", "20", "--epochs", "1", "--out", dir});
        QVERIFY2(t.code == 0, qPrintable(t.err));
        const Result r = run({"eval", "--model", dir});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY(o["model"].toObject().contains("trustworthiness_k10"));
        QVERIFY(o["model"].toObject()["trustworthiness_k10"].isNull());
        QVERIFY(o["pca"].toObject()["trustworthiness_k10"].isNull());
        QVERIFY(std::isfinite(o["model"].toObject()["reconstruction_mse_per_feature"].toDouble()));
        QVERIFY2(o["notes"].toArray().first().toString().contains("at least 22 samples, the data has 20"),
                 qPrintable(r.out));
        // And with enough samples the figure is there.
        const QJsonObject full = QJsonDocument::fromJson(run({"eval", "--model", m_run}).out.toUtf8()).object();
        QVERIFY(full["model"].toObject()["trustworthiness_k10"].toDouble() > 0.5);
        QCOMPARE(full["notes"].toArray().size(), 0);
    }

    void noValidationPartPrintsNotApplicable() {
        const QJsonObject config{{"dataset", QJsonObject{{"name", "swissroll"}, {"samples", 200}}},
                                 {"training", QJsonObject{{"epochs", 2}, {"validationFraction", 0}}}};
        const Result r = run({"train", "--config", writeFile("noval.json", QJsonDocument(config).toJson()), "--out",
                              m_tmp.filePath("noval")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("validation n/a"), qPrintable(r.out));
        QVERIFY2(r.out.contains("validation loss n/a"), qPrintable(r.out));
        QVERIFY2(!r.out.contains("validation 0"), qPrintable(r.out));
    }

    void decodeOptionErrors_data() {
        QTest::addColumn<QString>("z");
        QTest::addColumn<QString>("message");
        QTest::newRow("beyond float") << "1e39,0" << "--z: '1e39' is beyond the range of float";
        QTest::newRow("beyond double") << "0,-1e400" << "--z: '-1e400' is beyond the range of float";
        QTest::newRow("empty value") << "0.5,,1" << "--z: value 2 is empty";
        QTest::newRow("trailing comma") << "0.5," << "--z: value 2 is empty";
        QTest::newRow("text") << "0.5,abc" << "--z: 'abc' is not a number";
    }
    void decodeOptionErrors() {
        QFETCH(QString, z);
        QFETCH(QString, message);
        const Result r = run({"decode", "--model", m_run, "--z", z, "--out", m_tmp.filePath("z.csv")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    // Huge image sizes in the metadata: a clear refusal (and no int overflow under UBSan).
    void hugeImageSizeInMetadata() {
        const QString path = modelFile("huge-image", [](Model&, std::map<std::string, std::string>& meta) {
            meta["dataset.imageWidth"] = "65536";
            meta["dataset.imageHeight"] = "65536";
        });
        const Result r = run({"decode", "--model", path, "--z", "0,0", "--out", m_tmp.filePath("huge.png")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("PNG output needs a model of images"), qPrintable(r.err));
    }

    void infiniteNormaliserIsRefused() {
        const QString path = modelFile("inf-norm", [](Model& m, std::map<std::string, std::string>&) {
            Vector scale = Vector::Ones(4);
            scale[2] = std::numeric_limits<Scalar>::infinity();
            m.normalizer().set(Normalizer::Kind::Standardize, Vector::Zero(4), scale);
        });
        const Result r = run({"decode", "--model", path, "--z", "0,0", "--out", m_tmp.filePath("inf.csv")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("normalizer.scale value 2 is not a finite number"), qPrintable(r.err));
        QVERIFY(!QFile::exists(m_tmp.filePath("inf.csv")));
    }

    // What is not a readable regular file is named as what it is, at once.
    void modelPathsThatAreNotFiles_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("message");
        QTest::newRow("fifo") << "fifo" << "model.llmodel: is a FIFO, not a regular file";
        QTest::newRow("folder") << "folder" << "model.llmodel: is a folder, not a regular file";
        QTest::newRow("symlink loop") << "loop" << "Too many levels of symbolic links";
    }
    void modelPathsThatAreNotFiles() {
        QFETCH(QString, kind);
        QFETCH(QString, message);
        const QString dir = m_tmp.filePath("odd-" + kind);
        QVERIFY(QDir().mkpath(dir));
        const QByteArray model = QFile::encodeName(dir + "/model.llmodel");
        if (kind == "fifo") QCOMPARE(::mkfifo(model.constData(), 0600), 0);
        if (kind == "folder") QVERIFY(QDir().mkpath(dir + "/model.llmodel"));
        if (kind == "loop") QVERIFY(QFile::link(dir + "/model.llmodel", dir + "/model.llmodel"));
        const Result r = run({"decode", "--model", dir, "--z", "0,0", "--out", m_tmp.filePath("o.csv")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY2(!r.err.contains("magic"), qPrintable(r.err));
    }

    void configPathsThatAreNotFiles_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("message");
        QTest::newRow("fifo") << "fifo" << "c.json: is a FIFO, not a regular file";
        QTest::newRow("folder") << "folder" << "c.json: is a folder, not a regular file";
        QTest::newRow("symlink loop") << "loop" << "c.json: cannot open (Too many levels of symbolic links)";
        QTest::newRow("missing") << "missing" << "c.json: cannot open (No such file or directory)";
    }
    void configPathsThatAreNotFiles() {
        QFETCH(QString, kind);
        QFETCH(QString, message);
        const QString dir = m_tmp.filePath("config-" + kind);
        QVERIFY(QDir().mkpath(dir));
        const QString path = dir + "/c.json";
        if (kind == "fifo") QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
        if (kind == "folder") QVERIFY(QDir().mkpath(path));
        if (kind == "loop") QVERIFY(QFile::link(path, path));
        const Result r = run({"train", "--config", path, "--out", m_tmp.filePath("cfg-" + kind)});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void noiseOutOfRangeSaysTheRange() {
        const Result r = run({"train", "--preset", "swissroll-ae", "--noise", "1e7", "--out", m_tmp.filePath("noisy")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("dataset.noise: must be from 0 to 1e6, got 1e+07"), qPrintable(r.err));
    }

    void versionZeroIsNotCalledNewer() {
        const QString path = modelFile("v0", [](Model&, std::map<std::string, std::string>&) {});
        std::string bytes = readWholeFile(path.toStdString());
        modelfiletest::writeLe(bytes, 8, 0, 4); // the version field
        bytes = modelfiletest::reseal(bytes);   // valid checksums: the version is what is wrong
        writeFileAtomically(path.toStdString(), bytes);
        const Result r = run({"decode", "--model", path, "--z", "0,0", "--out", m_tmp.filePath("v0.csv")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("format version 0 does not exist"), qPrintable(r.err));
        QVERIFY2(!r.err.contains("newer"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliMessages)
#include "tst_cli_messages.moc"
