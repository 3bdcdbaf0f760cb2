// The model file: a faithful round trip (architecture, normaliser, weights, optimiser state,
// metadata), the documented header layout, and atomic saving. Damaged files are in
// tst_modelfile_damage.
#include "ModelFileFixtures.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <climits>
#include <cmath>
#include <cstring>

using namespace latentlab;
using namespace modelfiletest;

Q_DECLARE_METATYPE(latentlab::ModelKind)
Q_DECLARE_METATYPE(latentlab::Normalizer::Kind)
Q_DECLARE_METATYPE(latentlab::OptimizerConfig::Kind)

class TestModelFile : public QObject {
    Q_OBJECT

private slots:
    void crc32KnownValue();
    void layout();
    void roundTrip_data();
    void roundTrip();
    void withoutOptimizer();
    void saveIsAtomic();
    void saveIntoMissingDirectory();
    void saveOverDirectoryLeavesNothing();
    void loadMissingFile();
};

void TestModelFile::crc32KnownValue() {
    // The CRC-32 check value (zlib, PNG): crc32("123456789") = 0xCBF43926.
    QCOMPARE(crc32("123456789", 9), 0xCBF43926u);
    QCOMPARE(crc32("", 0), 0u);
    // Incremental use continues the same checksum.
    QCOMPARE(crc32("6789", 4, crc32("12345", 5)), 0xCBF43926u);
}

// The documented header: magic, version 1, flags 0, payload size, two CRCs.
void TestModelFile::layout() {
    Fixture f(ModelKind::Autoencoder, Normalizer::Kind::Standardize, OptimizerConfig::Kind::Adam);
    const std::string b = f.bytes();
    QVERIFY(b.size() > kHeader);
    QCOMPARE(QByteArray::fromStdString(b.substr(0, 8)), QByteArray("LLMODEL\n"));
    QCOMPARE(readLe(b, 8, 4), uint64_t(kModelFormatVersion));
    QCOMPARE(readLe(b, 12, 4), uint64_t(0));
    QCOMPARE(readLe(b, 16, 8), uint64_t(b.size() - kHeader));
    QCOMPARE(readLe(b, 24, 4), uint64_t(crc32(b.data() + kHeader, b.size() - kHeader)));
    QCOMPARE(readLe(b, 28, 4), uint64_t(crc32(b.data(), 28)));
    uint64_t len = 0;
    const size_t at = recordData(b, "model.kind", &len);
    QVERIFY(at != std::string::npos);
    QCOMPARE(QByteArray::fromStdString(b.substr(at, size_t(len))), QByteArray("ae"));
    // Weights are float32 whatever the engine's Scalar: 8 x 4 weights of the first layer.
    QVERIFY(recordData(b, "param.encoder.0.weight", &len) != std::string::npos);
    QCOMPARE(len, uint64_t(4 * 8 * 4));
    // Serialising is deterministic.
    QVERIFY(f.bytes() == b);
}

void TestModelFile::roundTrip_data() {
    QTest::addColumn<ModelKind>("kind");
    QTest::addColumn<Normalizer::Kind>("norm");
    QTest::addColumn<OptimizerConfig::Kind>("opt");
    QTest::newRow("ae standardize adam")
        << ModelKind::Autoencoder << Normalizer::Kind::Standardize << OptimizerConfig::Kind::Adam;
    QTest::newRow("ae minmax sgd")
        << ModelKind::Autoencoder << Normalizer::Kind::MinMax << OptimizerConfig::Kind::Sgd;
    QTest::newRow("vae global-minmax adam")
        << ModelKind::Vae << Normalizer::Kind::GlobalMinMax << OptimizerConfig::Kind::Adam;
    QTest::newRow("vae none sgd") << ModelKind::Vae << Normalizer::Kind::None
                                  << OptimizerConfig::Kind::Sgd;
}

void TestModelFile::roundTrip() {
    QFETCH(ModelKind, kind);
    QFETCH(Normalizer::Kind, norm);
    QFETCH(OptimizerConfig::Kind, opt);
    Fixture f(kind, norm, opt);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("model.llmodel").toStdString();
    saveModel(path, *f.model, &f.trainer->optimizer(), f.train.optimizer, f.metadata);
    const SavedModel saved = loadModel(path);
    QVERIFY(saved.model);

    const ModelConfig& a = f.model->config();
    const ModelConfig& b = saved.model->config();
    QCOMPARE(b.kind, a.kind);
    QCOMPARE(b.inputDim, a.inputDim);
    QCOMPARE(b.encoderWidths, a.encoderWidths);
    QCOMPARE(b.decoderWidths, a.decoderWidths);
    QCOMPARE(b.latentDim, a.latentDim);
    QCOMPARE(b.activation, a.activation);
    QCOMPARE(b.loss, a.loss);
    QCOMPARE(b.beta, a.beta);
    QCOMPARE(b.sparsity, a.sparsity);

    QCOMPARE(saved.model->normalizer().kind(), norm);
    QVERIFY(saved.model->normalizer().shift() == f.model->normalizer().shift());
    QVERIFY(saved.model->normalizer().scale() == f.model->normalizer().scale());

    auto pa = f.model->parameters();
    auto pb = saved.model->parameters();
    QCOMPARE(pb.size(), pa.size());
    for (size_t k = 0; k < pa.size(); ++k) {
        QCOMPARE(pb[k].name, pa[k].name);
        QCOMPARE(pb[k].size, pa[k].size);
        QVERIFY2(std::memcmp(pa[k].value, pb[k].value, size_t(pa[k].size) * sizeof(Scalar)) == 0,
                 pa[k].name.c_str());
    }

    // Same codes and reconstructions, bit for bit, for data in the model's own units.
    Matrix x = toMatrix(f.data, Normalizer::identity(4), 0, 60);
    f.model->normalizer().apply(x);
    Matrix za, zb, ra, rb;
    f.model->encode(x, za);
    saved.model->encode(x, zb);
    QVERIFY(za == zb);
    f.model->reconstruct(x, ra);
    saved.model->reconstruct(x, rb);
    QVERIFY(ra == rb);

    const OptimizerConfig& oa = f.train.optimizer;
    const OptimizerConfig& ob = saved.optimizerConfig;
    QCOMPARE(ob.kind, oa.kind);
    QCOMPARE(ob.momentum, oa.momentum);
    QCOMPARE(ob.nesterov, oa.nesterov);
    QCOMPARE(ob.beta1, oa.beta1);
    QCOMPARE(ob.beta2, oa.beta2);
    QCOMPARE(ob.epsilon, oa.epsilon);
    QCOMPARE(ob.weightDecay, oa.weightDecay);
    QVERIFY(f.trainer->optimizer().steps() > 0);
    QCOMPARE(saved.optimizerSteps, f.trainer->optimizer().steps());
    QVERIFY(!saved.optimizerState.empty());
    QVERIFY(saved.optimizerState == f.trainer->optimizer().state());
    QVERIFY(saved.metadata == f.metadata);
}

void TestModelFile::withoutOptimizer() {
    Fixture f(ModelKind::Autoencoder, Normalizer::Kind::None, OptimizerConfig::Kind::Adam);
    const SavedModel saved =
        deserializeModel(serializeModel(*f.model, nullptr, f.train.optimizer, {}), "memory");
    QVERIFY(saved.optimizerState.empty());
    QCOMPARE(saved.optimizerSteps, 0LL);
    QVERIFY(saved.metadata.empty());
    QCOMPARE(saved.optimizerConfig.kind, OptimizerConfig::Kind::Adam);
}

void TestModelFile::saveIsAtomic() {
    Fixture f(ModelKind::Autoencoder, Normalizer::Kind::Standardize, OptimizerConfig::Kind::Adam);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("run.llmodel").toStdString();
    saveModel(path, *f.model, &f.trainer->optimizer(), f.train.optimizer, f.metadata);
    QCOMPARE(entries(dir.path()), QStringList{"run.llmodel"});

    // Overwriting replaces the contents completely and still leaves one file.
    Fixture other(ModelKind::Vae, Normalizer::Kind::MinMax, OptimizerConfig::Kind::Sgd);
    saveModel(path, *other.model, nullptr, other.train.optimizer, {{"second", "yes"}});
    QCOMPARE(entries(dir.path()), QStringList{"run.llmodel"});
    const SavedModel saved = loadModel(path);
    QCOMPARE(saved.model->kind(), ModelKind::Vae);
    QCOMPARE(saved.metadata.at("second"), std::string("yes"));
    QVERIFY(readWholeFile(path) ==
            serializeModel(*other.model, nullptr, other.train.optimizer, {{"second", "yes"}}));
}

void TestModelFile::saveIntoMissingDirectory() {
    Fixture f(ModelKind::Autoencoder, Normalizer::Kind::None, OptimizerConfig::Kind::Adam);
    QTemporaryDir dir;
    const QString missing = dir.filePath("no/such/folder");
    const std::string path = (missing + "/model.llmodel").toStdString();
    try {
        saveModel(path, *f.model, nullptr, f.train.optimizer, {});
        QFAIL("saving into a missing folder succeeded");
    } catch (const FileError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(QString::fromStdString(path)), e.what());
    }
    QVERIFY(entries(dir.path()).isEmpty());
    QVERIFY(!QDir(missing).exists());
}

// The rename fails (the target is a folder): the temporary file must be cleaned up and
// the folder left alone.
void TestModelFile::saveOverDirectoryLeavesNothing() {
    Fixture f(ModelKind::Autoencoder, Normalizer::Kind::None, OptimizerConfig::Kind::Adam);
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkdir("taken.llmodel"));
    const std::string path = dir.filePath("taken.llmodel").toStdString();
    QVERIFY_THROWS_EXCEPTION(FileError, saveModel(path, *f.model, nullptr, f.train.optimizer, {}));
    QCOMPARE(entries(dir.path()), QStringList{"taken.llmodel"});
    QVERIFY(entries(dir.filePath("taken.llmodel")).isEmpty());
}

void TestModelFile::loadMissingFile() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("absent.llmodel").toStdString();
    try {
        loadModel(path);
        QFAIL("loaded a missing file");
    } catch (const FileError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(QString::fromStdString(path)), e.what());
        QVERIFY2(QString::fromUtf8(e.what()).contains("cannot open"), e.what());
    }
}

QTEST_APPLESS_MAIN(TestModelFile)
#include "tst_modelfile.moc"
