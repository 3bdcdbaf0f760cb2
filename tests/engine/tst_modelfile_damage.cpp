// A damaged model file gets a clear FileError for every kind of damage: truncation, flipped
// bits, a newer version, foreign files, trailing bytes, checksummed but inconsistent
// contents, and a byte-by-byte fuzz with the checksums recomputed.
#include "ModelFileFixtures.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <climits>

using namespace latentlab;
using namespace modelfiletest;

class TestModelFileDamage : public QObject {
    Q_OBJECT

private slots:
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
};

// Cut positions: < 0 count from the end. Inside the magic the bytes are no model file at
// all; from 4 bytes of magic on the reader must say "truncated".
void TestModelFileDamage::truncated_data() {
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

void TestModelFileDamage::truncated() {
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

void TestModelFileDamage::flippedBit_data() {
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

void TestModelFileDamage::flippedBit() {
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
void TestModelFileDamage::everySingleBitFlipIsCaught() {
    Fixture f(ModelKind::Vae, Normalizer::Kind::Standardize, OptimizerConfig::Kind::Sgd);
    const std::string good = f.bytes();
    for (size_t at = 0; at < good.size(); ++at) {
        std::string b = good;
        b[at] = char(b[at] ^ (1 << (at % 8)));
        const QString msg = loadError(b);
        QVERIFY2(!msg.isEmpty(), qPrintable(QStringLiteral("flip at byte %1 loaded").arg(at)));
    }
}

void TestModelFileDamage::newerVersion() {
    Fixture f(ModelKind::Autoencoder, Normalizer::Kind::None, OptimizerConfig::Kind::Adam);
    std::string b = f.bytes();
    writeLe(b, 8, kModelFormatVersion + 1, 4);
    writeLe(b, 28, crc32(b.data(), 28), 4); // a genuine newer file has a valid header
    const QString msg = loadError(b);
    QVERIFY2(msg.contains("newer"), qPrintable(msg));
    QVERIFY2(msg.contains(QString::number(kModelFormatVersion + 1)), qPrintable(msg));
}

void TestModelFileDamage::notAModelFile_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("text") << QByteArray("epoch,loss\n1,0.5\n2,0.25\n3,0.125\n4,0.0625\n");
    // The start of a 16 x 16 RGB PNG: signature, then the IHDR chunk.
    QTest::newRow("png") << QByteArray::fromHex(
        "89504e470d0a1a0a0000000d4948445200000010000000100802000000");
    QTest::newRow("zeros") << QByteArray(200, '\0');
    QTest::newRow("json") << QByteArray(
        "{\"kind\": \"ae\", \"latentDim\": 2, \"encoderWidths\": [64, 32]}");
}

void TestModelFileDamage::notAModelFile() {
    QFETCH(QByteArray, bytes);
    const QString msg = loadError(bytes.toStdString());
    QVERIFY2(msg.contains("not a Latent Lab model file"), qPrintable(msg));
}

void TestModelFileDamage::trailingBytes() {
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
void TestModelFileDamage::inconsistentContents_data() {
    QTest::addColumn<QString>("record");
    QTest::addColumn<qint64>("value"); // for int records; -1: shorten a float record
    QTest::addColumn<QString>("expected");
    QTest::newRow("inputDim 0") << "model.inputDim" << qint64(0) << "inputDim";
    QTest::newRow("inputDim 5") << "model.inputDim" << qint64(5) << "param";
    // 2^31 - 1 inputs x 8 units would be a 64 GiB weight matrix.
    QTest::newRow("inputDim huge") << "model.inputDim" << qint64(INT_MAX) << "outputs must be between 1 and 16777216";
    // Would wrap to 4 in an int and silently load.
    QTest::newRow("inputDim 2^32+4") << "model.inputDim" << (qint64(1) << 32) + 4 << "inputDim";
    QTest::newRow("latentDim 3") << "model.latentDim" << qint64(3) << "param";
    QTest::newRow("latentDim 5000") << "model.latentDim" << qint64(5000) << "latentDim";
    QTest::newRow("weight shortened") << "param.decoder.1.weight" << qint64(-1) << "param";
    QTest::newRow("optimizer slot shortened") << "slot.v.decoder.0.bias" << qint64(-1)
                                              << "optimiser state 'v' of parameter 'decoder.0.bias' has 5 values, "
                                                 "the parameter 6";
}

void TestModelFileDamage::inconsistentContents() {
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
void TestModelFileDamage::resealedFuzzGivesFileErrorsOnly() {
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
                makeOptimizer(s.optimizerConfig)->setState(s.optimizerState, s.model->parameters(), s.optimizerSteps);
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

QTEST_APPLESS_MAIN(TestModelFileDamage)
#include "tst_modelfile_damage.moc"
