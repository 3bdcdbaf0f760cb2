// The model file: a faithful round trip (architecture, normaliser, weights, optimiser state,
// metadata), the documented header layout, and atomic saving. Damaged files are in
// tst_modelfile_damage.
#include "ModelFileFixtures.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "latentlab/Generators.h"

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
    void positionRoundTrips();
    void damagedPositionIsRefused();
    void layeredRoundTrip_data();
    void layeredRoundTrip();
    void versionOneFileOpens();
    void parameterShapeMustMatch();
    void optimizerStateMustMatch();
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
    QCOMPARE(b.geometry, a.geometry);
    QCOMPARE(b.geometryNeighbours, 6);

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
    QVERIFY(saved.optimizerState == f.trainer->optimizer().state(f.model->parameters()));
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

// The trainer's position, mid-epoch, comes back field for field and bit for bit.
void TestModelFile::positionRoundTrips() {
    Fixture f(ModelKind::Vae, Normalizer::Kind::Standardize, OptimizerConfig::Kind::Adam);
    f.trainer->setEpochs(3);
    f.trainer->stepBatch();
    f.trainer->stepBatch();
    const TrainerPosition p = f.trainer->position();
    QCOMPARE(p.epoch, 2);
    QCOMPARE(p.batch, Index(2));
    QCOMPARE(p.history.size(), size_t(2));
    QVERIFY(!p.epochStart.empty());
    const SavedModel saved = deserializeModel(
        serializeModel(*f.model, &f.trainer->optimizer(), f.train.optimizer, f.metadata, &p), "memory");
    QVERIFY(saved.position.has_value());
    const TrainerPosition& q = *saved.position;
    QCOMPARE(q.epoch, p.epoch);
    QCOMPARE(q.batch, p.batch);
    QCOMPARE(q.steps, p.steps);
    QCOMPARE(q.rng, p.rng);
    QCOMPARE(q.order, p.order);
    QCOMPARE(q.epochSamples, p.epochSamples);
    QCOMPARE(q.epochSeconds, p.epochSeconds);
    QCOMPARE(q.learningRate, p.learningRate);
    QCOMPARE(q.beta, p.beta);
    auto same = [](const LossTerms& a, const LossTerms& b) {
        return a.total == b.total && a.reconstruction == b.reconstruction && a.kl == b.kl && a.penalty == b.penalty;
    };
    QVERIFY(same(q.epochSum, p.epochSum));
    QCOMPARE(q.epochStart.size(), p.epochStart.size());
    for (size_t k = 0; k < p.epochStart.size(); ++k) QVERIFY(q.epochStart[k] == p.epochStart[k]);
    QCOMPARE(q.history.size(), p.history.size());
    for (size_t e = 0; e < p.history.size(); ++e) {
        const EpochReport &a = p.history[e], &b = q.history[e];
        QVERIFY(a.epoch == b.epoch && a.epochs == b.epochs && a.hasValidation == b.hasValidation);
        QVERIFY(same(a.train, b.train) && same(a.validation, b.validation));
        QVERIFY(a.seconds == b.seconds && a.samplesPerSecond == b.samplesPerSecond);
        QVERIFY(a.learningRate == b.learningRate && a.beta == b.beta);
    }
    // A file without a position (an older one, or one saved without a trainer) has none.
    QVERIFY(!deserializeModel(f.bytes(), "memory").position.has_value());
}

void TestModelFile::damagedPositionIsRefused() {
    Fixture f(ModelKind::Autoencoder, Normalizer::Kind::None, OptimizerConfig::Kind::Sgd);
    f.trainer->setEpochs(3);
    f.trainer->stepBatch();
    const TrainerPosition good = f.trainer->position();
    auto errorFor = [&](const TrainerPosition& p) {
        return loadError(serializeModel(*f.model, &f.trainer->optimizer(), f.train.optimizer, {}, &p), "s.llmodel");
    };
    TrainerPosition p = good;
    p.epochStart.pop_back();
    QVERIFY2(errorFor(p).startsWith("s.llmodel: training position: the epoch's starting weights of"), qPrintable(errorFor(p)));
    p = good;
    p.epochStart[0](0) = std::numeric_limits<Scalar>::quiet_NaN();
    QVERIFY2(errorFor(p).contains("not a finite number"), qPrintable(errorFor(p)));
    p = good;
    p.epoch = -1;
    QVERIFY2(errorFor(p).contains("training position: a count is out of range"), qPrintable(errorFor(p)));

    // A history record cut short, resealed so that only the contents can tell.
    std::string bytes = serializeModel(*f.model, &f.trainer->optimizer(), f.train.optimizer, {}, &good);
    uint64_t length = 0;
    const size_t at = recordData(bytes, "trainer.history", &length);
    QVERIFY(at != std::string::npos && length == 2 * 15 * 8);
    writeLe(bytes, at - 8, length - 8, 8);
    bytes.erase(at + length - 8, 8);
    writeLe(bytes, 16, bytes.size() - kHeader, 8);
    QCOMPARE(loadError(reseal(bytes), "s.llmodel"), QString("s.llmodel: training position: 'trainer.history' is not whole epochs"));
}

namespace {
// A small convolutional model on 1×6×6 images, trained a few steps by hand so that the
// optimiser has state.
struct LayeredFixture {
    std::unique_ptr<Model> model;
    std::unique_ptr<Optimizer> optimizer;
    OptimizerConfig oc;
    Matrix x;
    LayeredFixture(ModelKind kind, const char* encoder, const char* decoder) {
        ModelConfig c;
        c.kind = kind;
        c.inputDim = 36;
        c.inputShape = Shape::image(1, 6, 6);
        c.latentDim = 3;
        c.loss = ReconstructionLoss::Bce;
        c.encoderLayers = parseSpecs(encoder);
        c.decoderLayers = parseSpecs(decoder);
        model = makeModel(c);
        Rng rng(4);
        model->initialize(rng);
        optimizer = makeOptimizer(oc);
        x = Matrix(36, 10);
        for (Index i = 0; i < x.size(); ++i) x.data()[i] = Scalar(rng.uniform());
        for (int step = 0; step < 3; ++step) {
            model->trainStep(x, x, rng);
            optimizer->step(model->parameters(), 0.01);
        }
    }
    std::string bytes() { return serializeModel(*model, optimizer.get(), oc, {{"note", "conv"}}); }
};
} // namespace

void TestModelFile::layeredRoundTrip_data() {
    QTest::addColumn<ModelKind>("kind");
    QTest::addColumn<QString>("encoder");
    QTest::addColumn<QString>("decoder");
    QTest::newRow("conv ae") << ModelKind::Autoencoder << "conv 4 k3 s2 p1 relu; maxpool 2"
                             << "dense 18 relu; reshape 2x3x3; convt 3 k3 s2 p1 op1 tanh; conv 1 k3 p1";
    QTest::newRow("conv vae, upsample") << ModelKind::Vae << "conv 2 k3 elu; avgpool 2"
                                        << "dense 8; reshape 2x2x2; upsample 3; convt 1 k1";
    QTest::newRow("dense layers on an image") << ModelKind::Autoencoder << "dense 7 tanh" << "dense 5 relu";
}

// Layer specs, the input shape, every parameter with its shape and the optimiser's slots by
// name come back as they were: the same codes, reconstructions and next step.
void TestModelFile::layeredRoundTrip() {
    QFETCH(ModelKind, kind);
    QFETCH(QString, encoder);
    QFETCH(QString, decoder);
    LayeredFixture f(kind, qPrintable(encoder), qPrintable(decoder));
    const SavedModel saved = deserializeModel(f.bytes(), "memory");
    const ModelConfig& a = f.model->config();
    const ModelConfig& b = saved.model->config();
    QVERIFY(b.inputShape == Shape::image(1, 6, 6));
    QCOMPARE(QString::fromStdString(specsText(b.encoderLayers)), encoder);
    QCOMPARE(QString::fromStdString(specsText(b.decoderLayers)), decoder);
    QCOMPARE(QString::fromStdString(b.architectureText()), QString::fromStdString(a.architectureText()));
    const auto pa = f.model->parameters(), pb = saved.model->parameters();
    QCOMPARE(pb.size(), pa.size());
    for (size_t i = 0; i < pa.size(); ++i) {
        QCOMPARE(QString::fromStdString(pb[i].name), QString::fromStdString(pa[i].name));
        QVERIFY(pb[i].shape == pa[i].shape);
        QVERIFY(std::equal(pa[i].value, pa[i].value + pa[i].size, pb[i].value));
    }
    Matrix za, zb, ra, rb;
    f.model->encode(f.x, za);
    saved.model->encode(f.x, zb);
    QVERIFY(za == zb);
    f.model->reconstruct(f.x, ra);
    saved.model->reconstruct(f.x, rb);
    QVERIFY(ra == rb);
    QCOMPARE(saved.optimizerSteps, 3LL);
    QVERIFY(saved.optimizerState == f.optimizer->state(f.model->parameters()));
}

// A file of format version 1 (dense widths, positional optimiser slots), written by the
// first version's CLI: `latentlab-cli train --preset swissroll-vae --epochs 2 --samples 400
// --seed 3 --threads 1`. It opens, and encodes as that version did (its `encode` output).
void TestModelFile::versionOneFileOpens() {
    const SavedModel saved = loadModel(LATENTLAB_TEST_DATA "/v1-swissroll-vae.llmodel");
    const ModelConfig& c = saved.model->config();
    QCOMPARE(c.kind, ModelKind::Vae);
    QCOMPARE(c.inputDim, 3);
    QCOMPARE(c.encoderWidths, std::vector<int>({64, 64, 64}));
    QVERIFY(!c.layered());
    QCOMPARE(c.activation, Activation::ELU);
    QCOMPARE(c.geometry, 0.0); // a term that came later: off
    QCOMPARE(c.geometryNeighbours, 10);
    QCOMPARE(saved.optimizerConfig.kind, OptimizerConfig::Kind::Adam);
    QVERIFY(saved.optimizerSteps > 0);
    // Adam's two slots for each parameter, named now.
    const auto params = saved.model->parameters();
    QCOMPARE(saved.optimizerState.size(), 2 * params.size());
    QCOMPARE(QString::fromStdString(saved.optimizerState.back().slot), QString("v"));
    QCOMPARE(QString::fromStdString(saved.optimizerState.back().parameter), QString::fromStdString(params.back().name));
    QCOMPARE(QString::fromStdString(saved.metadata.at("dataset")), QString("swissroll"));

    data::GeneratorOptions o;
    o.samples = 400;
    const data::Dataset roll = data::makeSwissRoll(o);
    Matrix x(3, 3), z;
    for (Index s = 0; s < 3; ++s)
        for (Index j = 0; j < 3; ++j) x(j, s) = Scalar(roll.value(s, j));
    saved.model->normalizer().apply(x);
    saved.model->encode(x, z);
    const double expected[3][2] = {{0.0985933915, -3.21524453}, {1.488446, -2.95318317}, {-0.887932777, -2.97802925}};
    for (Index s = 0; s < 3; ++s)
        for (Index k = 0; k < 2; ++k)
            QVERIFY2(std::abs(z(k, s) - expected[s][k]) < 1e-5,
                     qPrintable(QString("sample %1, z%2: %3, version 1 gave %4").arg(s).arg(k).arg(z(k, s)).arg(expected[s][k])));
}

namespace {
// The file with one record's contents replaced by `text`, checksums recomputed.
std::string withRecord(std::string b, const std::string& name, const std::string& text) {
    uint64_t len = 0;
    const size_t at = recordData(b, name, &len);
    if (at == std::string::npos) return {};
    b.replace(at, size_t(len), text);
    writeLe(b, at - 8, text.size(), 8);
    writeLe(b, 16, b.size() - kHeader, 8);
    return reseal(b);
}
} // namespace

// A parameter stored with another shape (same number of values) is refused by name.
void TestModelFile::parameterShapeMustMatch() {
    LayeredFixture f(ModelKind::Autoencoder, "conv 4 k3 s2 p1 relu", "dense 36");
    const std::string bytes = f.bytes();
    QCOMPARE(loadError(bytes, "m.llmodel"), QString());
    // Dimensions each allowed, their product too large (it would overflow an index).
    QCOMPARE(loadError(withRecord(bytes, "model.inputShape", "image 16777216 16777216 16777216"), "m.llmodel"),
             QString("m.llmodel: field 'model.inputShape' is not a shape ('image 16777216 16777216 16777216')"));
    QCOMPARE(loadError(withRecord(bytes, "shape.encoder.0.weight", "4,1,9,1"), "m.llmodel"),
             QString("m.llmodel: parameter 'encoder.0.weight' is stored as 4,1,9,1, the architecture needs 4,1,3,3"));
}

// Optimiser slots are matched to parameters by name and shape when the file is opened.
void TestModelFile::optimizerStateMustMatch() {
    LayeredFixture f(ModelKind::Autoencoder, "conv 4 k3 s2 p1 relu", "dense 36");
    const std::string bytes = f.bytes();
    QCOMPARE(loadError(withRecord(bytes, "slot-shape.m.encoder.0.weight", "4,9"), "m.llmodel"),
             QString("m.llmodel: optimiser state 'm' of parameter 'encoder.0.weight' is 4×9, the parameter is "
                     "4×1×3×3"));
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
