// The model file: a faithful round trip (architecture, normaliser, weights, optimiser state,
// metadata), a clear FileError for every kind of damage (truncation, flipped bits, a newer
// version, foreign files, trailing bytes, checksummed but inconsistent contents), and
// atomic saving. The byte layout is read here independently from Archive.h's table.
#include "latentlab/Archive.h"
#include "latentlab/ModelFile.h"
#include "latentlab/Trainer.h"
#include "latentlab/Vae.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <climits>
#include <cmath>
#include <cstring>

using namespace latentlab;

Q_DECLARE_METATYPE(latentlab::ModelKind)
Q_DECLARE_METATYPE(latentlab::Normalizer::Kind)
Q_DECLARE_METATYPE(latentlab::OptimizerConfig::Kind)

namespace {

constexpr size_t kHeader = 32;

uint64_t readLe(const std::string& b, size_t at, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= uint64_t(uint8_t(b[at + size_t(i)])) << (8 * i);
    return v;
}

void writeLe(std::string& b, size_t at, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
        b[at + size_t(i)] = char(uint8_t(v >> (8 * i)));
}

// Recomputes both checksums (payload at 24, header at 28) after a deliberate edit, so the
// reader gets past them and must judge the contents themselves.
std::string reseal(std::string b) {
    writeLe(b, 24, crc32(b.data() + kHeader, b.size() - kHeader), 4);
    writeLe(b, 28, crc32(b.data(), 28), 4);
    return b;
}

// Offset of the data of record `name` (records: u16 name length, name, u8 type, u64 length).
size_t recordData(const std::string& b, const std::string& name, uint64_t* length = nullptr) {
    size_t at = kHeader;
    while (at < b.size()) {
        const size_t nameLen = size_t(readLe(b, at, 2));
        const std::string n = b.substr(at + 2, nameLen);
        const uint64_t len = readLe(b, at + 3 + nameLen, 8);
        const size_t data = at + 11 + nameLen;
        if (n == name) {
            if (length) *length = len;
            return data;
        }
        at = data + size_t(len);
    }
    return std::string::npos;
}

// The FileError message of parsing bytes, or "" if they parsed. Any other exception
// escapes and fails the test.
QString loadError(const std::string& bytes, const std::string& source = "damaged.llmodel") {
    try {
        deserializeModel(bytes, source);
    } catch (const FileError& e) {
        return QString::fromUtf8(e.what());
    }
    return QString();
}

// Points on a helix in 4-D, sample-major.
std::vector<float> helix(Index rows) {
    std::vector<float> v;
    for (Index i = 0; i < rows; ++i) {
        const double t = 6.0 * double(i) / double(rows);
        v.insert(v.end(), {float(std::cos(t)), float(std::sin(t)), float(0.3 * t),
                           float(0.5 + 0.2 * std::sin(3 * t))});
    }
    return v;
}

struct Fixture {
    std::vector<float> values = helix(60);
    DataView data{values.data(), nullptr, 60, 4};
    std::unique_ptr<Model> model;
    std::unique_ptr<Trainer> trainer;
    TrainConfig train;
    std::map<std::string, std::string> metadata{
        {"dataset", "helix"}, {"epochs", "2"}, {"empty", ""}, {"note", "ünïcødé ✓\nsecond line"}};

    Fixture(ModelKind kind, Normalizer::Kind norm, OptimizerConfig::Kind opt) {
        ModelConfig c;
        c.kind = kind;
        c.inputDim = 4;
        c.encoderWidths = {8, 5};
        c.decoderWidths = {6};
        c.latentDim = 2;
        c.activation = Activation::ELU;
        c.loss = kind == ModelKind::Vae ? ReconstructionLoss::Bce : ReconstructionLoss::Mse;
        c.beta = 0.7;
        c.sparsity = kind == ModelKind::Vae ? 0.0 : 0.05;
        model = makeModel(c);
        model->normalizer() = Normalizer::fit(norm, data, 50);
        train.epochs = 2;
        train.batchSize = 16;
        train.learningRate = 0.01;
        train.threads = 1;
        train.optimizer.kind = opt;
        train.optimizer.nesterov = true;
        train.optimizer.momentum = 0.8;
        train.optimizer.weightDecay = 0.001;
        train.optimizer.beta2 = 0.99;
        trainer = std::make_unique<Trainer>(*model, data, 50, train);
        trainer->run();
    }
    std::string bytes() {
        return serializeModel(*model, &trainer->optimizer(), train.optimizer, metadata);
    }
};

QStringList entries(const QString& dir) {
    return QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden |
                               QDir::System);
}

} // namespace

class TestModelFile : public QObject {
    Q_OBJECT

private slots:
    void crc32KnownValue();
    void layout();
    void roundTrip_data();
    void roundTrip();
    void withoutOptimizer();
    void truncated_data();
    void truncated();
    void flippedBit_data();
    void flippedBit();
    void everySingleBitFlipIsCaught();
    void newerVersion();
    void notAModelFile_data();
    void notAModelFile();
    void trailingBytes();
    void inconsistentContents_data();
    void inconsistentContents();
    void resealedFuzzGivesFileErrorsOnly();
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

// Cut positions: < 0 count from the end. Inside the magic the bytes are no model file at
// all; from 4 bytes of magic on the reader must say "truncated".
void TestModelFile::truncated_data() {
    QTest::addColumn<int>("cut");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << 0 << "not a Latent Lab model file";
    QTest::newRow("3 bytes") << 3 << "not a Latent Lab model file";
    QTest::newRow("magic only") << 8 << "truncated";
    QTest::newRow("inside version") << 10 << "truncated";
    QTest::newRow("inside payload size") << 20 << "truncated";
    QTest::newRow("header minus 1") << 31 << "truncated";
    QTest::newRow("header only") << 32 << "truncated";
    QTest::newRow("first record") << 40 << "truncated";
    QTest::newRow("middle") << 100000 << "truncated"; // replaced by size / 2 below
    QTest::newRow("last byte missing") << -1 << "truncated";
}

void TestModelFile::truncated() {
    QFETCH(int, cut);
    QFETCH(QString, expected);
    Fixture f(ModelKind::Vae, Normalizer::Kind::MinMax, OptimizerConfig::Kind::Adam);
    const std::string b = f.bytes();
    const size_t keep = cut < 0         ? b.size() - size_t(-cut)
                        : cut == 100000 ? b.size() / 2
                                        : size_t(cut);
    QTemporaryDir dir;
    const QString path = dir.filePath("cut.llmodel");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(b.data(), qint64(keep));
    file.close();
    try {
        loadModel(path.toStdString());
        QFAIL("a truncated file loaded");
    } catch (const FileError& e) {
        const QString msg = QString::fromUtf8(e.what());
        QVERIFY2(msg.contains(expected), e.what());
        QVERIFY2(msg.contains(path), "the message must name the file");
    }
}

void TestModelFile::flippedBit_data() {
    QTest::addColumn<int>("offset"); // < 0: from the end
    QTest::addColumn<int>("bit");
    QTest::addColumn<QString>("expected");
    QTest::newRow("magic") << 2 << 0 << "not a Latent Lab model file";
    QTest::newRow("version") << 8 << 1 << "corrupted";
    QTest::newRow("version high byte") << 11 << 7 << "corrupted";
    QTest::newRow("flags") << 13 << 3 << "corrupted";
    QTest::newRow("payload size") << 16 << 0 << "corrupted";
    QTest::newRow("payload size high") << 23 << 6 << "corrupted";
    QTest::newRow("payload crc") << 25 << 4 << "corrupted";
    QTest::newRow("header crc") << 30 << 2 << "corrupted";
    QTest::newRow("first record length") << 32 << 0 << "corrupted";
    QTest::newRow("payload 100") << 100 << 5 << "corrupted";
    QTest::newRow("payload 500") << 500 << 7 << "corrupted";
    QTest::newRow("last byte") << -1 << 0 << "corrupted";
}

void TestModelFile::flippedBit() {
    QFETCH(int, offset);
    QFETCH(int, bit);
    QFETCH(QString, expected);
    Fixture f(ModelKind::Autoencoder, Normalizer::Kind::Standardize, OptimizerConfig::Kind::Adam);
    std::string b = f.bytes();
    QVERIFY(b.size() > 600);
    const size_t at = offset < 0 ? b.size() - size_t(-offset) : size_t(offset);
    b[at] = char(b[at] ^ (1 << bit));
    const QString msg = loadError(b, "flipped.llmodel");
    QVERIFY2(msg.contains(expected), qPrintable(msg.isEmpty() ? QStringLiteral("it loaded") : msg));
    QVERIFY2(msg.startsWith("flipped.llmodel: "), qPrintable(msg));
}

// CRC-32 detects every single-bit error: no flip anywhere may load or throw anything but
// FileError.
void TestModelFile::everySingleBitFlipIsCaught() {
    Fixture f(ModelKind::Vae, Normalizer::Kind::Standardize, OptimizerConfig::Kind::Sgd);
    const std::string good = f.bytes();
    for (size_t at = 0; at < good.size(); ++at) {
        std::string b = good;
        b[at] = char(b[at] ^ (1 << (at % 8)));
        const QString msg = loadError(b);
        QVERIFY2(!msg.isEmpty(), qPrintable(QStringLiteral("flip at byte %1 loaded").arg(at)));
    }
}

void TestModelFile::newerVersion() {
    Fixture f(ModelKind::Autoencoder, Normalizer::Kind::None, OptimizerConfig::Kind::Adam);
    std::string b = f.bytes();
    writeLe(b, 8, kModelFormatVersion + 1, 4);
    writeLe(b, 28, crc32(b.data(), 28), 4); // a genuine newer file has a valid header
    const QString msg = loadError(b);
    QVERIFY2(msg.contains("newer"), qPrintable(msg));
    QVERIFY2(msg.contains(QString::number(kModelFormatVersion + 1)), qPrintable(msg));
}

void TestModelFile::notAModelFile_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("text") << QByteArray("epoch,loss\n1,0.5\n2,0.25\n3,0.125\n4,0.0625\n");
    // The start of a 16 x 16 RGB PNG: signature, then the IHDR chunk.
    QTest::newRow("png") << QByteArray::fromHex(
        "89504e470d0a1a0a0000000d4948445200000010000000100802000000");
    QTest::newRow("zeros") << QByteArray(200, '\0');
    QTest::newRow("json") << QByteArray(
        "{\"kind\": \"ae\", \"latentDim\": 2, \"encoderWidths\": [64, 32]}");
}

void TestModelFile::notAModelFile() {
    QFETCH(QByteArray, bytes);
    const QString msg = loadError(bytes.toStdString());
    QVERIFY2(msg.contains("not a Latent Lab model file"), qPrintable(msg));
}

void TestModelFile::trailingBytes() {
    Fixture f(ModelKind::Autoencoder, Normalizer::Kind::None, OptimizerConfig::Kind::Adam);
    const std::string b = f.bytes();
    QVERIFY(loadError(b).isEmpty());
    for (const std::string& extra : {std::string(1, '\0'), std::string("garbage"), b}) {
        const QString msg = loadError(b + extra);
        QVERIFY2(msg.contains("unexpected bytes"), qPrintable(msg));
    }
}

// Edits with valid checksums: what a buggy writer or a deliberate edit could produce.
// Each must be refused with a FileError naming the problem, before anything is allocated
// from the bad numbers.
void TestModelFile::inconsistentContents_data() {
    QTest::addColumn<QString>("record");
    QTest::addColumn<qint64>("value"); // for int records; -1: shorten a float record
    QTest::addColumn<QString>("expected");
    QTest::newRow("inputDim 0") << "model.inputDim" << qint64(0) << "inputDim";
    QTest::newRow("inputDim 5") << "model.inputDim" << qint64(5) << "param";
    // 2^31 - 1 inputs x 8 units would be a 64 GiB weight matrix.
    QTest::newRow("inputDim huge") << "model.inputDim" << qint64(INT_MAX) << "param";
    // Would wrap to 4 in an int and silently load.
    QTest::newRow("inputDim 2^32+4") << "model.inputDim" << (qint64(1) << 32) + 4 << "inputDim";
    QTest::newRow("latentDim 3") << "model.latentDim" << qint64(3) << "param";
    QTest::newRow("latentDim 5000") << "model.latentDim" << qint64(5000) << "latentDim";
    QTest::newRow("optimizer slots 10^6") << "optimizer.slots" << qint64(1000000) << "slot";
    QTest::newRow("weight shortened") << "param.decoder.1.weight" << qint64(-1) << "param";
    QTest::newRow("optimizer slot shortened") << "optimizer.slot.3" << qint64(-1) << "optimizer";
}

void TestModelFile::inconsistentContents() {
    QFETCH(QString, record);
    QFETCH(qint64, value);
    QFETCH(QString, expected);
    Fixture f(ModelKind::Autoencoder, Normalizer::Kind::Standardize, OptimizerConfig::Kind::Adam);
    std::string b = f.bytes();
    uint64_t len = 0;
    const size_t at = recordData(b, record.toStdString(), &len);
    QVERIFY2(at != std::string::npos, "record not found");
    if (value >= 0) {
        QCOMPARE(len, uint64_t(8));
        writeLe(b, at, uint64_t(value), 8);
    } else {
        // Drop the record's last float: shrink its length and the payload size.
        QVERIFY(len >= 8);
        writeLe(b, at - 8, len - 4, 8);
        b.erase(at + size_t(len) - 4, 4);
        writeLe(b, 16, b.size() - kHeader, 8);
    }
    const QString msg = loadError(reseal(b));
    QVERIFY2(!msg.isEmpty(), "the inconsistent file loaded");
    QVERIFY2(msg.contains(expected), qPrintable(msg));
}

// Every byte of the payload changed in turn, checksums recomputed: the reader must either
// load a model whose configuration is usable or refuse with a FileError. Anything else
// (std::bad_alloc, a crash, a config the trainer later rejects) fails.
void TestModelFile::resealedFuzzGivesFileErrorsOnly() {
    Fixture f(ModelKind::Autoencoder, Normalizer::Kind::Standardize, OptimizerConfig::Kind::Adam);
    const std::string good = f.bytes();
    int refused = 0, loaded = 0;
    for (size_t at = kHeader; at < good.size(); ++at) {
        for (uint8_t mask : {uint8_t(0x01), uint8_t(0x40), uint8_t(0x80)}) {
            std::string b = good;
            b[at] = char(b[at] ^ mask);
            try {
                const SavedModel s = deserializeModel(reseal(b), "fuzz");
                ++loaded;
                s.model->config().validate();
                s.optimizerConfig.validate();
                // The optimiser state must fit the parameters it will be applied to.
                const auto params = s.model->parameters();
                for (size_t i = 0; i < s.optimizerState.size(); ++i)
                    QVERIFY2(
                        Index(s.optimizerState[i].size()) == params[i % params.size()].size,
                        qPrintable(QStringLiteral("byte %1: optimizer slot %2 has the wrong size")
                                       .arg(at)
                                       .arg(i)));
            } catch (const FileError&) {
                ++refused;
            } catch (const std::exception& e) {
                QFAIL(qPrintable(
                    QStringLiteral("byte %1 mask %2: %3").arg(at).arg(mask).arg(e.what())));
            }
        }
    }
    // Weight bytes change freely; names, lengths and types do not.
    QVERIFY2(loaded > 0 && refused > 0,
             qPrintable(QStringLiteral("%1 loaded, %2 refused").arg(loaded).arg(refused)));
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
