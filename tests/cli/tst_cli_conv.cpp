// Convolutional models from the command line: a JSON configuration with layer lists trains
// on an IDX image file (its samples are 1×12×12 images) with a falling loss, the run folder
// keeps the layers, the model opens again, and layers that do not fit the images are
// refused naming the layer.
#include "CliFixture.h"

#include "latentlab/IdxReader.h"

#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace clitest;

namespace {
constexpr int kSide = 12, kSamples = 240;

// A bright 4×4 square in one of four corners (the label), over faint noise.
void writeImages(const QString& path) {
    latentlab::data::IdxArray a;
    a.dims = {kSamples, kSide, kSide};
    uint32_t noise = 12345;
    for (int s = 0; s < kSamples; ++s)
        for (int y = 0; y < kSide; ++y)
            for (int x = 0; x < kSide; ++x) {
                noise = noise * 1664525u + 1013904223u;
                const int corner = s % 4, top = corner / 2 ? 7 : 1, left = corner % 2 ? 7 : 1;
                const bool inSquare = y >= top && y < top + 4 && x >= left && x < left + 4;
                a.data.push_back(uint8_t(inSquare ? 200 + (noise >> 28) : (noise >> 27)));
            }
    latentlab::data::writeIdx(path.toStdString(), a);
}

QJsonArray strings(std::initializer_list<const char*> items) {
    QJsonArray a;
    for (const char* i : items) a.append(i);
    return a;
}
} // namespace

class TestCliConv : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_images;

    Result run(const QStringList& args) { return runCli(args, environment(m_tmp.filePath("data"))); }

    QString writeConfig(const QString& name, const QString& kind, const QJsonArray& encoder, const QJsonArray& decoder) {
        const QJsonObject config{
            {"dataset", QJsonObject{{"name", m_images}, {"normalize", "global-minmax"}}},
            {"model", QJsonObject{{"kind", kind}, {"encoder", encoder}, {"decoder", decoder}, {"latentDim", 2}, {"loss", "bce"}}},
            {"training", QJsonObject{{"epochs", 8}, {"batchSize", 16}, {"learningRate", 0.005}, {"threads", 2}, {"seed", 1}}}};
        const QString path = m_tmp.filePath(name + ".json");
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly)) return {};
        f.write(QJsonDocument(config).toJson());
        return path;
    }

private slots:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        m_images = m_tmp.filePath("squares-idx3-ubyte");
        writeImages(m_images);
    }

    void trainsAndReopens_data() {
        QTest::addColumn<QString>("kind");
        QTest::newRow("conv ae") << "ae";
        QTest::newRow("conv vae") << "vae";
    }
    void trainsAndReopens() {
        QFETCH(QString, kind);
        const QString config =
            writeConfig(kind, kind, strings({"conv 8 k3 s2 p1 relu", "maxpool 2"}),
                        strings({"dense 72 relu", "reshape 8x3x3", "upsample 2", "convt 1 k3 s2 p1 op1"}));
        const QString out = m_tmp.filePath("run-" + kind);
        Result r = run({"train", "--config", config, "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("1×12×12 → conv 8@3×3/2 pad 1 relu → 8×6×6 → maxpool 2×2 → 8×3×3"), qPrintable(r.out));

        QFile h(out + "/history.csv");
        QVERIFY(h.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(h.readAll()).trimmed().split('\n');
        QCOMPARE(lines.size(), 9);
        const double first = lines[1].split(',')[1].toDouble(), last = lines.last().split(',')[1].toDouble();
        QVERIFY2(last < 0.8 * first, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));

        QFile c(out + "/config.json");
        QVERIFY(c.open(QIODevice::ReadOnly));
        const QJsonObject model = QJsonDocument::fromJson(c.readAll()).object()["model"].toObject();
        QCOMPARE(model["encoder"].toArray(), strings({"conv 8 k3 s2 p1 relu", "maxpool 2"}));

        r = run({"encode", "--model", out, "--out", out + "/codes.csv"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = run({"eval", "--model", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(QJsonDocument::fromJson(r.out.toUtf8()).object()["model"].toObject()["bce_per_sample"].toDouble() > 0,
                 qPrintable(r.out));

        // A decoded PNG shows the values the CSV gives, in the data's polarity (bright
        // squares bright), pixel for pixel: the window draws them the same way.
        r = run({"decode", "--model", out, "--z", "0.3,-0.2", "--out", out + "/d.csv"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = run({"decode", "--model", out, "--z", "0.3,-0.2", "--out", out + "/d.png"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile csv(out + "/d.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QStringList row = QString::fromUtf8(csv.readAll()).trimmed().split('\n').last().split(',');
        QCOMPARE(row.size(), 2 + kSide * kSide); // z0, z1, x0 ...
        const QImage png(out + "/d.png");
        QCOMPARE(png.width(), kSide * 8); // one image, enlarged 8 times, no border
        int lo = 255, hi = 0;
        for (int y = 0; y < kSide; ++y)
            for (int x = 0; x < kSide; ++x) {
                const double v = row[2 + y * kSide + x].toDouble();
                const int expected = int(std::clamp(std::lround(v), 0L, 255L));
                QCOMPARE(qGray(png.pixel(x * 8 + 3, y * 8 + 3)), expected);
                lo = std::min(lo, expected);
                hi = std::max(hi, expected);
            }
        QVERIFY2(hi - lo > 40, qPrintable(QString("%1..%2").arg(lo).arg(hi))); // a picture, not a flat grey

        // The decoded manifold: 5 x 5 cells of 12 x 12 pixels enlarged twice, 1-pixel gaps,
        // written at twice the size. A VAE's middle cell is the prior's median, z = (0, 0).
        r = run({"plot", "--model", out, "--kind", "grid", "--grid", "5", "--out", out + "/grid.png"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QImage grid(out + "/grid.png");
        QCOMPARE(grid.width(), 2 * (5 * (2 * kSide + 1) - 1));
        QCOMPARE(grid.height(), grid.width());
        if (kind == "vae") {
            QVERIFY2(r.out.contains("at the quantiles of the prior"), qPrintable(r.out));
            r = run({"decode", "--model", out, "--z", "0,0", "--out", out + "/origin.csv"});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QFile o(out + "/origin.csv");
            QVERIFY(o.open(QIODevice::ReadOnly));
            const QStringList origin = QString::fromUtf8(o.readAll()).trimmed().split('\n').last().split(',');
            const int cell = 2 * (2 * kSide + 1); // in the PNG's pixels
            for (int y = 0; y < kSide; ++y)
                for (int x = 0; x < kSide; ++x) {
                    const int expected = int(std::clamp(std::lround(origin[2 + y * kSide + x].toDouble()), 0L, 255L));
                    QCOMPARE(qGray(grid.pixel(2 * cell + 4 * x + 1, 2 * cell + 4 * y + 1)), expected);
                }
        } else {
            QVERIFY2(r.out.contains("z0 ") && r.out.contains("z1 "), qPrintable(r.out)); // the box it spans
        }

        // The path between two samples: its ends are the decoded codes of those samples.
        r = run({"plot", "--model", out, "--kind", "interpolation", "--between", "0,3", "--steps", "6", "--out",
                 out + "/path.png"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(kind == "vae" ? "(spherical)" : "(linear)"), qPrintable(r.out));
        const QImage path(out + "/path.png");
        QCOMPARE(path.width(), 2 * (6 * (2 * kSide + 1) - 1));
        QCOMPARE(path.height(), 2 * 2 * kSide);
        r = run({"encode", "--model", out, "--out", out + "/all.csv"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile all(out + "/all.csv");
        QVERIFY(all.open(QIODevice::ReadOnly));
        const QStringList codes = QString::fromUtf8(all.readAll()).trimmed().split('\n'); // index,label,z0,z1
        // The images at the ends of a path (end 0 or 5) are the decoded codes `z`.
        auto endShows = [&](const QImage& strip, int end, const QString& z) {
            const Result d = run({"decode", "--model", out, "--z", z, "--out", out + "/end.csv"});
            if (d.code != 0) return d.err;
            QFile e(out + "/end.csv");
            if (!e.open(QIODevice::ReadOnly)) return QString("no end.csv");
            const QStringList values = QString::fromUtf8(e.readAll()).trimmed().split('\n').last().split(',');
            const int cell = 2 * (2 * kSide + 1);
            for (int y = 0; y < kSide; y += 3)
                for (int x = 0; x < kSide; x += 3) {
                    const int expected = int(std::clamp(std::lround(values[2 + y * kSide + x].toDouble()), 0L, 255L));
                    if (std::abs(qGray(strip.pixel(end * cell + 4 * x + 1, 4 * y + 1)) - expected) > 1)
                        return QString("end %1 (%2, %3)").arg(end).arg(x).arg(y);
                }
            return QString();
        };
        for (int end : {0, 5}) {
            const QStringList code = codes[end == 0 ? 1 : 4].split(',');
            const QString problem = endShows(path, end, code[2] + "," + code[3]);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
        // Points of the latent space as ends, or a sample and a point.
        r = run({"plot", "--model", out, "--kind", "interpolation", "--from-z", "0.5,-0.25", "--to-z", "-1,0.75",
                 "--steps", "6", "--out", out + "/points.png"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("from point (0.5,-0.25) to point (-1,0.75)"), qPrintable(r.out));
        const QImage points(out + "/points.png");
        for (const auto& [end, z] : {std::pair{0, QString("0.5,-0.25")}, std::pair{5, QString("-1,0.75")}}) {
            const QString problem = endShows(points, end, z);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
        r = run({"plot", "--model", out, "--kind", "interpolation", "--between", "0,3", "--to-z", "-1,0.75",
                 "--steps", "6", "--out", out + "/mixed.png"});
        QVERIFY2(r.code == 0 && r.out.contains("from sample 0 to point (-1,0.75)"), qPrintable(r.out + r.err));
        const QImage mixed(out + "/mixed.png");
        const QStringList sample0 = codes[1].split(',');
        QString problem = endShows(mixed, 0, sample0[2] + "," + sample0[3]);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        problem = endShows(mixed, 5, "-1,0.75");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        r = run({"plot", "--model", out, "--kind", "interpolation", "--from-z", "1", "--to-z", "0,0", "--out",
                 out + "/bad.png"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--from-z: the model's latent space has 2 dimensions, got 1 values"), qPrintable(r.err));
        r = run({"plot", "--model", out, "--kind", "interpolation", "--between", "0,3", "--from-z", "0,0", "--to-z",
                 "1,1", "--out", out + "/bad.png"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--between has no end left to set"), qPrintable(r.err));
    }

    void layersThatDoNotFitAreRefused_data() {
        QTest::addColumn<QJsonArray>("encoder");
        QTest::addColumn<QJsonArray>("decoder");
        QTest::addColumn<QString>("message");
        QTest::newRow("kernel larger than the image")
            << strings({"conv 8 k3 s2 p1 relu", "conv 4 k9"}) << strings({"dense 144"})
            << "model.encoder: layer 2: layer 'conv 4 k9': kernel 9 is larger than the padded input 8×6×6";
        QTest::newRow("decoder ends in another image")
            << strings({"conv 8 k3 s2 p1 relu"}) << strings({"dense 72 relu", "reshape 8x3x3", "convt 1 k3 s2"})
            << "model.decoder: layer 4: layer 'reshape 1x12x12': cannot lay out 1×7×7 (49 values) as 1×12×12 (144)";
        QTest::newRow("not a layer") << strings({"conv 8 k3 s2 p1 relu", "pool 2"}) << strings({"dense 144"})
                                     << "model.encoder: entry 2: layer 'pool 2': unknown kind 'pool'";
    }
    void layersThatDoNotFitAreRefused() {
        QFETCH(QJsonArray, encoder);
        QFETCH(QJsonArray, decoder);
        QFETCH(QString, message);
        const QString config = writeConfig("bad", "ae", encoder, decoder);
        const Result r = run({"train", "--config", config, "--out", m_tmp.filePath("bad-run")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QCOMPARE(r.err.trimmed().count('\n'), 0);
    }
};

QTEST_GUILESS_MAIN(TestCliConv)
#include "tst_cli_conv.moc"
