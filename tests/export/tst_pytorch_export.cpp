// The PyTorch package against Debian's torch: the exported modules reproduce our encoder
// and decoder within 1e-5 for every layer kind and activation; a trained run's package
// trains one more epoch under a 2-process torchrun (DistributedDataParallel over gloo), the
// loss falls, and `latentlab-cli import` turns the checkpoint into a model file that
// encodes as the PyTorch model does and trains on in Latent Lab.
#include "ExportFixtures.h"
#include "PyTorchExport.h"
#include "cli/CliFixture.h"

#include "latentlab/ModelFile.h"
#include "latentlab/Vae.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace latentlab;
using namespace exporttest;

namespace {

// Debian's python3, which has torch (a python3 earlier on PATH, such as a pyenv's, may not).
QString python() {
    return QFileInfo::exists("/usr/bin/python3") ? QString("/usr/bin/python3")
                                                 : QStandardPaths::findExecutable("python3");
}

// A dataset of `rows` random samples for a package's data.safetensors.
data::Dataset randomData(Index features, bool pixels, int rows) {
    data::Dataset d;
    d.name = "generated";
    d.rows = rows;
    d.cols = features;
    d.trainRows = rows;
    Rng rng(3);
    if (pixels) {
        d.bytes.resize(size_t(rows * features));
        for (auto& b : d.bytes)
            b = uint8_t(rng.below(256));
    } else {
        d.values.resize(size_t(rows * features));
        for (auto& v : d.values)
            v = float(rng.normal());
    }
    return d;
}

} // namespace

class TestPyTorchExport : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;

    clitest::Result cli(const QStringList& args) {
        return clitest::runCli(args, clitest::environment(m_tmp.filePath("data")));
    }
    // The package's model on `input` (encode, then decode its codes), by runner name.
    QMap<QString, Matrix> runPackage(const QString& package, const Matrix& input,
                                     bool checkpoint = false) {
        QStringList args{LATENTLAB_PYTORCH_RUNNER, package};
        if (checkpoint) args << "--checkpoint"; // the runner takes it anywhere
        return runScript(python(), args, QProcessEnvironment::systemEnvironment(), input, package);
    }

private slots:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        QProcess p;
        p.start(python(), {"-c", "import torch"});
        QVERIFY2(p.waitForFinished(120000) && p.exitCode() == 0,
                 "python3 cannot import torch: install Debian's python3-torch (`make deps`)");
    }

    void modulesGiveOurOutputs_data() { architectureRows(); }
    void modulesGiveOurOutputs() {
        const Architecture arch = fetchArchitecture();
        const ModelConfig& c = arch.config;
        const int channels = arch.pixels ? 1 : 0;
        const std::unique_ptr<Model>& model = arch.model;
        const data::Dataset data = randomData(c.inputDim, channels > 0, 50);
        exporting::PyTorchPackage package;
        package.name = "test model";
        package.model = model.get();
        package.modelFile =
            QByteArray::fromStdString(serializeModel(*model, nullptr, OptimizerConfig{}, {}));
        package.dataset = &data;
        const QString dir = m_tmp.filePath(QTest::currentDataTag());
        const QStringList written = exporting::writePyTorchPackage(package, dir);
        QCOMPARE(written.size(), 7);

        const Matrix raw = rawSamples(c.inputDim, channels > 0, 11);
        Matrix x = raw, z, logVar, xhat;
        model->normalizer().apply(x);
        if (c.kind == ModelKind::Vae)
            static_cast<const Vae&>(*model).encodeDistribution(x, z, logVar);
        else
            model->encode(x, z);
        model->decode(z, xhat);
        model->normalizer().invert(xhat);

        const QMap<QString, Matrix> theirs = runPackage(dir, raw);
        QVERIFY2(!theirs.isEmpty(), "the package's model did not run");
        QCOMPARE(theirs.keys(), c.kind == ModelKind::Vae ? QStringList({"log_variance", "x", "z"})
                                                         : QStringList({"x", "z"}));
        QVERIFY2(worstDifference(theirs["z"], z) <= 1e-5,
                 qPrintable(QString::number(worstDifference(theirs["z"], z))));
        if (c.kind == ModelKind::Vae)
            QVERIFY2(worstDifference(theirs["log_variance"], logVar) <= 1e-5,
                     qPrintable(QString::number(worstDifference(theirs["log_variance"], logVar))));
        QVERIFY2(worstDifference(theirs["x"], xhat) <= 1e-5,
                 qPrintable(QString::number(worstDifference(theirs["x"], xhat))));
        QVERIFY((xhat.col(0) - xhat.col(1)).norm() > 1e-3);
        qInfo("worst relative difference: codes %.3g, decoded %.3g",
              worstDifference(theirs["z"], z), worstDifference(theirs["x"], xhat));
    }

    // The whole trip: train here, export, one epoch under torchrun on 2 processes, import,
    // encode and train on here.
    void torchrunTrainsAndTheResultComesBack() {
        const QString run = m_tmp.filePath("roll"), package = m_tmp.filePath("roll-pytorch");
        clitest::Result r =
            cli({"train", "--preset", "swissroll-ae", "--epochs", "1", "--out", run});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = cli({"export", "--model", run, "--format", "pytorch", "--out", package});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject exported =
            QJsonDocument::fromJson(clitest::fileText(package + "/model.json").toUtf8()).object();
        const QJsonArray before = exported["history"].toArray();
        QCOMPARE(before.size(), 1);

        // The data as the trainer split it: of the roll's 2,400 training points (600 are its
        // test part) the last tenth validates.
        const QMap<QString, exporting::Tensor> data =
            exporting::readSafetensors(package + "/data.safetensors");
        QCOMPARE(data["train"].shape, std::vector<int64_t>({2160, 3}));
        QCOMPARE(data["validation"].shape, std::vector<int64_t>({240, 3}));

        // Debian's torchrun (torch 1.13) needs --redirects and --tee to start; --standalone
        // finds a free port, --monitor_interval 1 sees the workers end sooner than every 5 s.
        QProcess torchrun;
        torchrun.setWorkingDirectory(m_tmp.path()); // train.py finds its package by its own path
        torchrun.start(QFileInfo::exists("/usr/bin/torchrun") ? "/usr/bin/torchrun" : "torchrun",
                       {"--standalone", "--redirects", "1", "--tee", "1", "--monitor_interval", "1",
                        "--nproc_per_node=2", package + "/train.py", "--epochs", "1"});
        r = clitest::finish(torchrun, 300000);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains("world size 2") || r.err.contains("world size 2"),
                 qPrintable(r.out + r.err));
        const QJsonObject checkpoint =
            QJsonDocument::fromJson(clitest::fileText(package + "/checkpoint.json").toUtf8())
                .object();
        QCOMPARE(checkpoint["epochs_done"].toInt(), 2);
        QCOMPARE(checkpoint["world_size"].toInt(), 2);
        const QJsonArray after = checkpoint["history"].toArray();
        QCOMPARE(after.size(), 2);
        const double lossBefore = before[0].toObject()["validation_loss"].toDouble();
        const double lossAfter = after[1].toObject()["validation_loss"].toDouble();
        qInfo("validation loss %.4f after epoch 1 here, %.4f after epoch 2 under torchrun",
              lossBefore, lossAfter);
        QVERIFY2(lossAfter < lossBefore,
                 qPrintable(QString("%1 -> %2").arg(lossBefore).arg(lossAfter)));

        const QString imported = m_tmp.filePath("imported.llmodel");
        r = cli({"import", "--package", package, "--out", imported});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("2 epochs in all"), qPrintable(r.out));
        // It encodes as the PyTorch model with the checkpoint's weights does.
        const SavedModel saved = loadModel(imported.toStdString());
        const Matrix raw = rawSamples(3, false, 5) * 8;
        Matrix x = raw, z;
        saved.model->normalizer().apply(x);
        saved.model->encode(x, z);
        const QMap<QString, Matrix> theirs = runPackage(package, raw, true);
        QVERIFY(!theirs.isEmpty());
        QVERIFY2(worstDifference(theirs["z"], z) <= 1e-5,
                 qPrintable(QString::number(worstDifference(theirs["z"], z))));
        // The weights changed: not the exported model's codes.
        const SavedModel original = loadModel((run + "/model.llmodel").toStdString());
        Matrix zBefore;
        original.model->encode(x, zBefore);
        QVERIFY((zBefore - z).norm() > 1e-3);
        // Latent Lab opens it and trains on from epoch 2.
        r = cli({"train", "--resume", imported, "--epochs", "3", "--out",
                 m_tmp.filePath("roll-again")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QStringList history =
            clitest::fileText(m_tmp.filePath("roll-again/history.csv")).trimmed().split('\n');
        QCOMPARE(history.size(), 4); // the header and epochs 1..3
        QVERIFY(history[2].startsWith("2,"));
    }

    void importRefusesACheckpointThatDoesNotFit() {
        const QString package = m_tmp.filePath("roll-pytorch");
        QVERIFY(QFileInfo::exists(package + "/checkpoint.safetensors"));
        // A tensor of another shape, named with both shapes.
        QMap<QString, exporting::Tensor> tensors =
            exporting::readSafetensors(package + "/checkpoint.safetensors");
        tensors["encoder.0.weight"].shape = {1, int64_t(tensors["encoder.0.weight"].values.size())};
        const QString bad = m_tmp.filePath("bad-checkpoint");
        QDir().mkpath(bad);
        QFile f(bad + "/checkpoint.safetensors");
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(exporting::safetensorsBytes(tensors));
        f.close();
        QVERIFY(QFile::copy(package + "/checkpoint.json", bad + "/checkpoint.json"));
        clitest::Result r = cli({"import", "--package", package, "--checkpoint", bad, "--out",
                                 m_tmp.filePath("x.llmodel")});
        QCOMPARE(r.code, 2);
        QVERIFY2(clitest::lastErrorLine(r.err).contains("tensor encoder.0.weight is [1, "),
                 qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(m_tmp.filePath("x.llmodel")));
        // A truncated file.
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("\x10\0\0\0\0\0\0\0{\"a\":", 13);
        f.close();
        r = cli({"import", "--package", package, "--checkpoint", bad, "--out",
                 m_tmp.filePath("x.llmodel")});
        QCOMPARE(r.code, 2);
        QVERIFY2(clitest::lastErrorLine(r.err).contains(
                     "checkpoint.safetensors: its header runs past the end"),
                 qPrintable(r.err));
        // No package.
        r = cli({"import", "--package", m_tmp.filePath("nowhere"), "--out",
                 m_tmp.filePath("x.llmodel")});
        QCOMPARE(r.code, 2);
        QVERIFY2(clitest::lastErrorLine(r.err).contains("no model.llmodel"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestPyTorchExport)
#include "tst_pytorch_export.moc"
