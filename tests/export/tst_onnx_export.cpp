// The ONNX export against a real ONNX runtime: the encoder and decoder files of every layer
// kind and activation, run by ONNX Runtime (npm onnxruntime-node, installed by
// scripts/install-onnxruntime.sh) on 100 samples, give our own outputs within 1e-5
// (relative to the value's size where it exceeds 1: decoded pixels are in 0..255).
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

namespace {

constexpr int kSamples = 100;

// A model of `config` whose every parameter is drawn at random, biases too (they start at
// zero, where a dropped bias would go unseen), with a normaliser that moves every feature
// and brings data of magnitude `range` to about 1, as a fitted one does.
std::unique_ptr<Model> randomModel(ModelConfig config, Normalizer::Kind norm, double range, uint64_t seed) {
    config.validate();
    std::unique_ptr<Model> model = makeModel(config);
    Rng rng(seed);
    model->initialize(rng);
    for (Parameter& p : model->parameters())
        for (Index i = 0; i < p.size; ++i) p.value[i] += Scalar(0.1 * rng.normal());
    const Index f = config.inputDim;
    Vector shift(f), scale(f);
    for (Index i = 0; i < f; ++i) {
        shift[i] = Scalar(0.1 * range * rng.normal());
        scale[i] = Scalar((0.5 + rng.uniform()) / range);
    }
    model->normalizer().set(norm, shift, scale);
    return model;
}

// kSamples raw samples as columns: pixels 0..255 for images, else standard normals.
Matrix rawSamples(Index features, bool pixels, uint64_t seed) {
    Rng rng(seed);
    Matrix x(features, kSamples);
    for (Index i = 0; i < x.size(); ++i) x.data()[i] = Scalar(pixels ? std::floor(256 * rng.uniform()) : rng.normal());
    return x;
}

struct Runtime {
    QString node, runner, modules;
};

// Runs `model` on the columns of `input`; its outputs by name as features x samples.
QMap<QString, Matrix> runOnnx(const Runtime& rt, const QString& model, const Matrix& input, const QString& work) {
    // Columns of a column-major matrix are the rows ONNX wants, already in order.
    const QString in = work + "/input.f32";
    QFile f(in);
    if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(in));
    f.write(reinterpret_cast<const char*>(input.data()), qint64(input.size() * sizeof(float)));
    f.close();
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("NODE_PATH", rt.modules);
    p.setProcessEnvironment(env);
    p.start(rt.node, {rt.runner, model, in, QString::number(input.cols()), QString::number(input.rows()), work + "/out-"});
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning("%s: %s %s", qPrintable(model), p.readAllStandardOutput().constData(), p.readAllStandardError().constData());
        return {};
    }
    const QJsonObject report = QJsonDocument::fromJson(p.readAllStandardOutput()).object();
    QMap<QString, Matrix> outputs;
    const QJsonObject dims = report["outputs"].toObject();
    for (auto it = dims.begin(); it != dims.end(); ++it) {
        const QJsonArray d = it.value().toArray();
        if (d.size() != 2 || d[0].toInt() != input.cols()) return {};
        QFile o(work + "/out-" + it.key() + ".f32");
        if (!o.open(QIODevice::ReadOnly)) return {};
        const QByteArray bytes = o.readAll();
        Matrix m(d[1].toInt(), d[0].toInt());
        if (bytes.size() != qsizetype(m.size() * sizeof(float))) return {};
        std::memcpy(m.data(), bytes.constData(), size_t(bytes.size()));
        outputs[it.key()] = m;
    }
    return outputs;
}

// The largest |theirs - ours| / max(1, |ours|); infinity when the shapes differ.
double worstDifference(const Matrix& theirs, const Matrix& ours) {
    if (theirs.rows() != ours.rows() || theirs.cols() != ours.cols()) return INFINITY;
    double worst = 0;
    for (Index i = 0; i < ours.size(); ++i) {
        const double a = theirs.data()[i], b = ours.data()[i];
        worst = std::max(worst, std::abs(a - b) / std::max(1.0, std::abs(b)));
    }
    return std::isfinite(worst) ? worst : INFINITY;
}

ModelConfig layered(ModelKind kind, const Shape& input, const std::string& encoder, const std::string& decoder, int latent) {
    ModelConfig c;
    c.kind = kind;
    c.inputShape = input;
    c.inputDim = int(input.size());
    c.latentDim = latent;
    c.encoderLayers = parseSpecs(encoder);
    c.decoderLayers = parseSpecs(decoder);
    return c;
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

    void runtimeGivesOurOutputs_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("encoder");
        QTest::addColumn<QString>("decoder");
        QTest::addColumn<int>("channels"); // 0: flat features
        QTest::addColumn<int>("side");
        QTest::addColumn<int>("loss");
        QTest::addColumn<int>("normalizer");
        QTest::addColumn<int>("activation"); // of a widths model
        const int ae = int(ModelKind::Autoencoder), vae = int(ModelKind::Vae);
        const int mse = int(ReconstructionLoss::Mse), bce = int(ReconstructionLoss::Bce);
        const int stdz = int(Normalizer::Kind::Standardize), gmm = int(Normalizer::Kind::GlobalMinMax);
        const int mm = int(Normalizer::Kind::MinMax), none = int(Normalizer::Kind::None);
        QTest::newRow("widths ae tanh") << ae << "" << "" << 0 << 5 << mse << stdz << int(Activation::Tanh);
        QTest::newRow("widths vae elu") << vae << "" << "" << 0 << 7 << mse << mm << int(Activation::ELU);
        QTest::newRow("conv ae, pools") << ae << "conv 4 k3 s2 p1 relu; maxpool 2; conv 6 k2 leaky_relu; avgpool 2 s1"
                                        << "dense 24 elu; reshape 6x2x2; upsample 3; convt 3 k3 s2 p1 op1 tanh; convt 1 k1 sigmoid"
                                        << 1 << 12 << mse << gmm << 0;
        QTest::newRow("conv vae, bce") << vae << "conv 3 k3 p1 elu; avgpool 2; flatten; dense 16 sigmoid"
                                       << "dense 27 relu; reshape 3x3x3; convt 2 k3 s2 op1 leaky_relu; upsample 2"
                                       << 2 << 16 << bce << gmm << 0;
        QTest::newRow("dense on images, no normaliser") << ae << "dense 20 relu; dense 10 tanh" << "dense 30 sigmoid"
                                                        << 1 << 6 << mse << none << 0;
    }
    void runtimeGivesOurOutputs() {
        QFETCH(int, kind);
        QFETCH(QString, encoder);
        QFETCH(QString, decoder);
        QFETCH(int, channels);
        QFETCH(int, side);
        QFETCH(int, loss);
        QFETCH(int, normalizer);
        QFETCH(int, activation);
        ModelConfig c;
        if (encoder.isEmpty()) {
            c.kind = ModelKind(kind);
            c.inputDim = side;
            c.inputShape = Shape::flat(side);
            c.encoderWidths = {16, 8};
            c.latentDim = 3;
            c.activation = Activation(activation);
        } else {
            c = layered(ModelKind(kind), Shape::image(channels, side, side), encoder.toStdString(), decoder.toStdString(), 2);
        }
        c.loss = ReconstructionLoss(loss);
        const std::unique_ptr<Model> model = randomModel(c, Normalizer::Kind(normalizer), channels > 0 ? 255 : 1, 7);
        const QString dir = m_tmp.filePath(QTest::currentDataTag());
        exporting::OnnxExport about{"test model", "generated", "0"};
        const std::vector<std::string> files = exporting::writeOnnx(*model, about, dir.toStdString());
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
            QVERIFY2(worstDifference(enc["mean"], mu) <= 1e-5, qPrintable(QString::number(worstDifference(enc["mean"], mu))));
            QVERIFY2(worstDifference(enc["log_variance"], logVar) <= 1e-5,
                     qPrintable(QString::number(worstDifference(enc["log_variance"], logVar))));
        } else {
            QCOMPARE(enc.keys(), QStringList({"z"}));
            QVERIFY2(worstDifference(enc["z"], z) <= 1e-5, qPrintable(QString::number(worstDifference(enc["z"], z))));
        }
        const QMap<QString, Matrix> dec = runOnnx(m_runtime, dir + "/decoder.onnx", z, dir);
        QCOMPARE(dec.keys(), QStringList({"x"}));
        QVERIFY2(worstDifference(dec["x"], xhat) <= 1e-5, qPrintable(QString::number(worstDifference(dec["x"], xhat))));
        qInfo("worst relative difference of the decoded samples: %.3g", worstDifference(dec["x"], xhat));
        // Not a constant: the decoded samples differ from one another.
        QVERIFY((xhat.col(0) - xhat.col(1)).norm() > 1e-3);
    }

    // `latentlab-cli export --format onnx` on a trained run writes the two files; ONNX
    // Runtime encodes 100 of the roll's points as the model file does.
    void cliExportsATrainedRun() {
        const QString run = m_tmp.filePath("roll"), out = m_tmp.filePath("roll-onnx");
        const QProcessEnvironment env = clitest::environment(m_tmp.filePath("data"));
        clitest::Result r = clitest::runCli({"train", "--preset", "swissroll-vae", "--epochs", "2", "--out", run}, env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = clitest::runCli({"export", "--model", run, "--format", "onnx", "--out", out}, env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("encoder.onnx") && r.out.contains("decoder.onnx"));
        const SavedModel saved = loadModel((run + "/model.llmodel").toStdString());
        const Model& model = *saved.model;
        Matrix raw(3, kSamples);
        for (Index i = 0; i < kSamples; ++i) {
            const double t = 4.7 + 9.4 * double(i) / kSamples;
            raw.col(i) << Scalar(t * std::cos(t)), Scalar(21.0 * (i % 7) / 7.0), Scalar(t * std::sin(t));
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
        QTest::newRow("format") << QStringList{"--model", "ROLL", "--format", "tflite", "--out", "x"}
                                << "--format: unknown 'tflite'";
        QTest::newRow("no model") << QStringList{"--model", "nowhere", "--format", "onnx", "--out", "x"} << "nowhere";
        QTest::newRow("out is a file") << QStringList{"--model", "ROLL", "--format", "onnx", "--out", "FILE"}
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
        const clitest::Result r = clitest::runCli(QStringList{"export"} + args, clitest::environment(m_tmp.filePath("data")));
        QCOMPARE(r.code, 2);
        QVERIFY2(clitest::lastErrorLine(r.err).contains(error), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists("x"));
    }
};

QTEST_GUILESS_MAIN(TestOnnxExport)
#include "tst_onnx_export.moc"
