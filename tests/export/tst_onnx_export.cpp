// The ONNX export against a real ONNX runtime: the encoder and decoder files of every layer
// kind and activation, run by ONNX Runtime (npm onnxruntime-node, installed by
// scripts/install-onnxruntime.sh) on 100 samples, give our own outputs within 1e-5
// (relative to the value's size where it exceeds 1: decoded pixels are in 0..255).
#include "ExportFixtures.h"
#include "OnnxExport.h"
#include "cli/CliFixture.h"

#include "latentlab/ModelFile.h"

#include "latentlab/Model.h"
#include "latentlab/ModelConfig.h"
#include "latentlab/Random.h"
#include "latentlab/Vae.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

using namespace latentlab;
using namespace exporttest;

namespace {

struct Runtime {
    QString node, runner, modules;
};

QMap<QString, Matrix> runOnnx(const Runtime& rt, const QString& model, const Matrix& input,
                              const QString& work) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("NODE_PATH", rt.modules);
    return exporttest::runScript(rt.node, {rt.runner, model}, env, input, work);
}

} // namespace

class TestOnnxExport : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    Runtime m_runtime;

private slots:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        m_runtime.node = QStandardPaths::findExecutable("node");
        m_runtime.runner = LATENTLAB_ONNX_RUNNER;
        m_runtime.modules = LATENTLAB_ONNXRUNTIME_MODULES;
        QVERIFY2(!m_runtime.node.isEmpty(), "node is not installed: run `make deps`");
        QVERIFY2(QFileInfo::exists(m_runtime.modules + "/onnxruntime-node/package.json"),
                 qPrintable("ONNX Runtime is not installed in " + m_runtime.modules +
                            ": run scripts/install-onnxruntime.sh (or `make deps`)"));
    }

    void runtimeGivesOurOutputs_data() { architectureRows(); }
    void runtimeGivesOurOutputs() {
        const Architecture arch = fetchArchitecture();
        const ModelConfig& c = arch.config;
        const int channels = arch.pixels ? 1 : 0;
        const std::unique_ptr<Model>& model = arch.model;
        const QString dir = m_tmp.filePath(QTest::currentDataTag());
        exporting::OnnxExport about{"test model", "generated", "0"};
        const std::vector<std::string> files =
            exporting::writeOnnx(*model, about, dir.toStdString());
        QCOMPARE(files.size(), size_t(2));

        // Ours: the raw samples normalised, encoded; the codes decoded and un-normalised.
        const Matrix raw = rawSamples(c.inputDim, channels > 0, 11);
        Matrix x = raw, z, xhat;
        model->normalizer().apply(x);
        model->encode(x, z);
        model->decode(z, xhat);
        model->normalizer().invert(xhat);

        const QMap<QString, Matrix> enc = runOnnx(m_runtime, dir + "/encoder.onnx", raw, dir);
        QVERIFY2(!enc.isEmpty(), "the encoder did not run");
        if (c.kind == ModelKind::Vae) {
            Matrix mu, logVar;
            static_cast<const Vae&>(*model).encodeDistribution(x, mu, logVar);
            QCOMPARE(enc.keys(), QStringList({"log_variance", "mean"}));
            QVERIFY2(worstDifference(enc["mean"], mu) <= 1e-5,
                     qPrintable(QString::number(worstDifference(enc["mean"], mu))));
            QVERIFY2(worstDifference(enc["log_variance"], logVar) <= 1e-5,
                     qPrintable(QString::number(worstDifference(enc["log_variance"], logVar))));
        } else {
            QCOMPARE(enc.keys(), QStringList({"z"}));
            QVERIFY2(worstDifference(enc["z"], z) <= 1e-5,
                     qPrintable(QString::number(worstDifference(enc["z"], z))));
        }
        const QMap<QString, Matrix> dec = runOnnx(m_runtime, dir + "/decoder.onnx", z, dir);
        QCOMPARE(dec.keys(), QStringList({"x"}));
        QVERIFY2(worstDifference(dec["x"], xhat) <= 1e-5,
                 qPrintable(QString::number(worstDifference(dec["x"], xhat))));
        qInfo("worst relative difference of the decoded samples: %.3g",
              worstDifference(dec["x"], xhat));
        // Not a constant: the decoded samples differ from one another.
        QVERIFY((xhat.col(0) - xhat.col(1)).norm() > 1e-3);
    }

    // `latentlab-cli export --format onnx` on a trained run writes the two files; ONNX
    // Runtime encodes 100 of the roll's points as the model file does.
    void cliExportsATrainedRun() {
        const QString run = m_tmp.filePath("roll"), out = m_tmp.filePath("roll-onnx");
        const QProcessEnvironment env = clitest::environment(m_tmp.filePath("data"));
        clitest::Result r = clitest::runCli(
            {"train", "--preset", "swissroll-vae", "--epochs", "2", "--out", run}, env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = clitest::runCli({"export", "--model", run, "--format", "onnx", "--out", out}, env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("encoder.onnx") && r.out.contains("decoder.onnx"));
        const SavedModel saved = loadModel((run + "/model.llmodel").toStdString());
        const Model& model = *saved.model;
        Matrix raw(3, kSamples);
        for (Index i = 0; i < kSamples; ++i) {
            const double t = 4.7 + 9.4 * double(i) / kSamples;
            raw.col(i) << Scalar(t * std::cos(t)), Scalar(21.0 * (i % 7) / 7.0),
                Scalar(t * std::sin(t));
        }
        Matrix x = raw, mu, logVar;
        model.normalizer().apply(x);
        static_cast<const Vae&>(model).encodeDistribution(x, mu, logVar);
        const QMap<QString, Matrix> enc = runOnnx(m_runtime, out + "/encoder.onnx", raw, out);
        QVERIFY2(!enc.isEmpty(), "the encoder did not run");
        QVERIFY(worstDifference(enc["mean"], mu) <= 1e-5);
        QVERIFY(worstDifference(enc["log_variance"], logVar) <= 1e-5);
        QVERIFY(mu.row(0).maxCoeff() - mu.row(0).minCoeff() > 0.1); // a trained, spread-out code
    }

    void cliRefusesWhatItCannotExport_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("error");
        QTest::newRow("format") << QStringList{"--model", "ROLL",  "--format",
                                               "tflite",  "--out", "x"}
                                << "--format: unknown 'tflite'";
        QTest::newRow("no model") << QStringList{"--model", "nowhere", "--format",
                                                 "onnx",    "--out",   "x"}
                                  << "nowhere";
        QTest::newRow("out is a file")
            << QStringList{"--model", "ROLL", "--format", "onnx", "--out", "FILE"}
            << "--out names a folder to write into, and this is a file";
    }
    void cliRefusesWhatItCannotExport() {
        QFETCH(QStringList, args);
        QFETCH(QString, error);
        const QString file = m_tmp.filePath("a-file");
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        args.replaceInStrings("ROLL", m_tmp.filePath("roll")).replaceInStrings("FILE", file);
        const clitest::Result r = clitest::runCli(QStringList{"export"} + args,
                                                  clitest::environment(m_tmp.filePath("data")));
        QCOMPARE(r.code, 2);
        QVERIFY2(clitest::lastErrorLine(r.err).contains(error), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists("x"));
    }
};

QTEST_GUILESS_MAIN(TestOnnxExport)
#include "tst_onnx_export.moc"
