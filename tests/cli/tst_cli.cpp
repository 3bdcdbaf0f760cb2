// End-to-end tests of latentlab-cli: real processes, real files, exit codes and messages.
#include "CliFixture.h"

#include <QFile>
#include <QImage>
#include <QRegularExpression>
#include <cmath>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

using clitest::fileText;
using clitest::lastErrorLine;

class TestCli : public QObject {
    Q_OBJECT

private:
    using Result = clitest::Result;
    QTemporaryDir m_tmp;
    QString m_swissRun;

    // Runs the CLI; `unset` and `set` change the environment it starts with.
    Result run(const QStringList& args, const QStringList& unset = {}, const QStringList& set = {}) {
        return clitest::runCli(args, clitest::environment(m_tmp.filePath("data"), unset, set));
    }
    QJsonObject evalJson(const QString& dir) {
        const Result r = run({"eval", "--model", dir});
        if (r.code != 0) qWarning() << r.err;
        return QJsonDocument::fromJson(r.out.toUtf8()).object();
    }
    // An SVG file's element names, counted, after a check that it parses as XML whose root
    // is <svg>; empty when it does not.
    static QMap<QString, int> svgElements(const QString& path) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) return {};
        QXmlStreamReader xml(&f);
        QMap<QString, int> count;
        while (!xml.atEnd())
            if (xml.readNext() == QXmlStreamReader::StartElement) ++count[xml.name().toString()];
        if (xml.hasError() || !count.contains("svg")) return {};
        return count;
    }


private slots:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        m_swissRun = m_tmp.filePath("swiss");
        // The real default preset, as `make run` trains it.
        const Result r = run({"train", "--preset", "swissroll-grae", "--threads", "2", "--out", m_swissRun});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    void trainWritesRunFolder() {
        for (const char* f : {"model.llmodel", "config.json", "history.csv", "latent.csv", "latent.png", "loss.png"})
            QVERIFY2(QFile::exists(m_swissRun + "/" + f), f);
        QFile h(m_swissRun + "/history.csv");
        QVERIFY(h.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(h.readAll()).trimmed().split('\n');
        QCOMPARE(lines.first(), QString("epoch,train_loss,train_reconstruction,train_kl,train_penalty,val_loss,"
                                        "val_reconstruction,val_kl,val_penalty,seconds,samples_per_second,"
                                        "learning_rate,beta"));
        QCOMPARE(lines.size(), 301); // header + 300 epochs of the preset
        const double first = lines[1].split(',')[1].toDouble(), last = lines.last().split(',')[1].toDouble();
        QVERIFY2(last < 0.25 * first, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));

        QFile l(m_swissRun + "/latent.csv");
        QVERIFY(l.open(QIODevice::ReadOnly));
        const QStringList rows = QString::fromUtf8(l.readAll()).trimmed().split('\n');
        QCOMPARE(rows.first(), QString("index,label,z0,z1"));
        QCOMPARE(rows.size(), 3001); // every sample
        QCOMPARE(rows[1].split(',').size(), 4);

        QFile c(m_swissRun + "/config.json");
        QVERIFY(c.open(QIODevice::ReadOnly));
        const QJsonObject cfg = QJsonDocument::fromJson(c.readAll()).object();
        QCOMPARE(cfg["model"].toObject()["inputDim"].toInt(), 3);
        QCOMPARE(cfg["training"].toObject()["threads"].toInt(), 2);
        // What multiplied, for the record: the same choice `--version` reports.
        const QJsonObject engine = cfg["engine"].toObject();
        const QString version = run({"--version"}).out;
        QVERIFY2(!engine["multiplyLabel"].toString().isEmpty(), "config.json has no engine.multiplyLabel");
        QVERIFY2(version.contains("multiply: " + engine["multiplyLabel"].toString() + " ("), qPrintable(version));
        QVERIFY2(QStringList({"eigen", "openblas", "onednn"}).contains(engine["multiply"].toString()),
                 qPrintable(engine["multiply"].toString()));
        // And a run's config.json trains again as a configuration: "engine" is not an error.
        const Result again = run({"train", "--config", m_swissRun + "/config.json", "--epochs", "1", "--out",
                                  m_tmp.filePath("again")});
        QVERIFY2(again.code == 0, qPrintable(again.err));
    }

    void resumeContinuesExactly_data() {
        QTest::addColumn<QString>("preset");
        QTest::newRow("vae (noise)") << "swissroll-vae";
        QTest::newRow("geometry (make run's)") << "swissroll-grae";
    }

    // Issue 13: trained to 3 epochs, then `--resume` to 6 in the same folder: the same history
    // (wall times aside) and the same codes as 6 epochs without the break.
    void resumeContinuesExactly() {
        QFETCH(QString, preset);
        const QString straight = m_tmp.filePath("straight-" + preset), broken = m_tmp.filePath("broken-" + preset);
        for (const QStringList& args :
             {QStringList{"train", "--preset", preset, "--epochs", "6", "--threads", "2", "--out", straight},
              QStringList{"train", "--preset", preset, "--epochs", "3", "--threads", "2", "--out", broken},
              QStringList{"train", "--resume", broken, "--epochs", "6", "--out", broken}}) {
            const Result r = run(args);
            QVERIFY2(r.code == 0, qPrintable(args.join(' ') + ": " + r.err));
            if (args.contains("--resume"))
                QVERIFY2(r.out.contains("resuming " + broken + "/model.llmodel after 3 epochs"), qPrintable(r.out));
        }
        // Every column but seconds and samples/s.
        auto withoutTimes = [](const QString& csv) {
            QStringList lines = csv.trimmed().split('\n');
            for (QString& line : lines) {
                QStringList cells = line.split(',');
                if (cells.size() == 13) cells.remove(9, 2);
                line = cells.join(',');
            }
            return lines;
        };
        const QStringList a = withoutTimes(clitest::fileText(straight + "/history.csv"));
        const QStringList b = withoutTimes(clitest::fileText(broken + "/history.csv"));
        QCOMPARE(a.size(), 7);
        QCOMPARE(b, a);
        QVERIFY(clitest::fileText(broken + "/latent.csv") == clitest::fileText(straight + "/latent.csv"));

        // What cannot continue as it was is refused, naming why.
        const Result done = run({"train", "--resume", broken, "--epochs", "6", "--out", broken});
        QCOMPARE(done.code, 2);
        QVERIFY2(clitest::lastErrorLine(done.err).endsWith("has trained 6 epochs already; give --epochs more than 6 (in all)"),
                 qPrintable(done.err));
        const Result changed = run({"train", "--resume", broken, "--epochs", "8", "--batch-size", "7", "--out", broken});
        QCOMPARE(changed.code, 2);
        QVERIFY2(changed.err.contains("--resume continues the saved run as it was configured; --batch-size would change it"),
                 qPrintable(changed.err));
    }

    // The multiply is the rule's unless --multiply or LATENTLAB_MULTIPLY says otherwise, and
    // every report names it.
    void multiplyChoiceIsVisibleAndOverridable() {
        const Result auto1 = run({"--version"}, {"LATENTLAB_MULTIPLY"});
        QVERIFY2(auto1.code == 0, qPrintable(auto1.err));
        QVERIFY2(auto1.out.contains("multiply: Eigen, ") || auto1.out.contains("multiply: OpenBLAS sgemm, ") ||
                     auto1.out.contains("multiply: oneDNN sgemm, "),
                 qPrintable(auto1.out));
        QCOMPARE(run({"--version"}, {"LATENTLAB_MULTIPLY"}).out, auto1.out); // the same every time
        QVERIFY2(QRegularExpression("\nlibraries: Qt 6\\.[0-9.]+, Eigen 3\\.[0-9.]+, OpenMP [0-9.]+ \\([0-9]+\\)")
                     .match(auto1.out)
                     .hasMatch(),
                 qPrintable(auto1.out));

        const QStringList benchArgs{"bench", "--preset", "swissroll-ae", "--samples", "200", "--warmup", "1",
                                    "--gemm-size", "64", "--json"};
        const Result eigen = run(QStringList{"--multiply", "eigen"} + benchArgs, {"LATENTLAB_MULTIPLY"});
        QVERIFY2(eigen.code == 0, qPrintable(eigen.err));
        const QJsonObject e = QJsonDocument::fromJson(eigen.out.toUtf8()).object();
        QCOMPARE(e["multiply"].toString(), QString("eigen"));
        QVERIFY2(e["multiply_label"].toString().startsWith("Eigen, "), qPrintable(eigen.out));
        QCOMPARE(e["engine_gemm"].toString(), e["multiply_label"].toString());

        const Result env = run(benchArgs, {}, {"LATENTLAB_MULTIPLY=eigen"});
        QVERIFY2(env.code == 0, qPrintable(env.err));
        const QJsonObject v = QJsonDocument::fromJson(env.out.toUtf8()).object();
        QCOMPARE(v["multiply"].toString(), QString("eigen"));
        QCOMPARE(v["multiply_reason"].toString(), QString("LATENTLAB_MULTIPLY=eigen"));

        // Nonsense is refused before anything runs, naming where it came from.
        const Result badFlag = run({"--multiply", "fast", "presets"});
        QCOMPARE(badFlag.code, 2);
        QVERIFY2(badFlag.err.contains("--multiply") && badFlag.err.contains("'fast'"), qPrintable(badFlag.err));
        const Result badEnv = run({"presets"}, {}, {"LATENTLAB_MULTIPLY=fast"});
        QCOMPARE(badEnv.code, 2);
        QVERIFY2(badEnv.err.contains("LATENTLAB_MULTIPLY") && badEnv.err.contains("'fast'"), qPrintable(badEnv.err));
        QCOMPARE(run({"presets", "--multiply"}).code, 2);
    }

    // The choice reaches the products: the libraries round differently, so their codes
    // differ in the last digits, while one multiply twice (same seed, threads) is bit-identical.
    void multiplyChoiceReachesTheProducts() {
        QStringList multiplies{"eigen"};
        for (const QString m : {"openblas", "onednn"})
            if (run({"--multiply", m, "--version"}).code == 0) multiplies << m;
        if (multiplies.size() < 2) QSKIP("this build has only Eigen: nothing to compare");
        auto codes = [this](const QString& multiply, const QString& name) {
            const QString dir = m_tmp.filePath(name);
            const Result r = run({"--multiply", multiply, "train", "--preset", "swissroll-ae", "--epochs", "2",
                                  "--samples", "600", "--threads", "2", "--out", dir});
            if (r.code != 0) qWarning() << r.err;
            QFile f(dir + "/latent.csv");
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        QList<QByteArray> results;
        for (const QString& m : multiplies) {
            const QByteArray once = codes(m, "mul-" + m + "-1"), twice = codes(m, "mul-" + m + "-2");
            QVERIFY2(!once.isEmpty(), qPrintable(m));
            QVERIFY2(once == twice, qPrintable(m + ": two runs with the same seed and threads differ"));
            for (int i = 0; i < results.size(); ++i)
                QVERIFY2(results[i] != once, qPrintable("--multiply " + multiplies[i] + " and " + m +
                                                        " gave the same bits: the choice is not used"));
            results << once;
        }
    }

    // The quality bar of the teaching-views issue: the default (geometry-regularised)
    // autoencoder keeps neighbours (trustworthiness) and lays the roll out flat (its roll
    // parameter a straight function of the codes); PCA does neither.
    void swissRollBeatsPca() {
        const QJsonObject e = evalJson(m_swissRun);
        const double ours = e["model"].toObject()["trustworthiness_k10"].toDouble();
        const double pca = e["pca"].toObject()["trustworthiness_k10"].toDouble();
        const double r2 = e["model"].toObject()["label_r2"].toDouble();
        const double pcaR2 = e["pca"].toObject()["label_r2"].toDouble();
        qInfo("trustworthiness: autoencoder %.4f, PCA %.4f; R^2 of t: %.4f, PCA %.4f", ours, pca, r2, pcaR2);
        QVERIFY2(ours > pca, qPrintable(QString("%1 vs PCA %2").arg(ours).arg(pca)));
        QVERIFY2(ours >= 0.99, qPrintable(QString::number(ours)));
        QVERIFY(pca > 0.80 && pca < 0.92);
        QVERIFY2(r2 >= 0.9, qPrintable(QString::number(r2)));
        QVERIFY2(pcaR2 < 0.3, qPrintable(QString::number(pcaR2)));
        QVERIFY2(e["samples_explained"].toString().contains("label_r2 (a linear fit of the roll parameter t from the codes)"),
                 qPrintable(e["samples_explained"].toString()));
    }

    // plot writes what the window shows: the latent plane, PCA of the same data and the loss
    // curves, as PNG (twice the size, for print), SVG or PDF; what it cannot draw it refuses.
    void plotWritesEachKind() {
        for (const QString kind : {"latent", "pca", "loss"}) {
            const QString png = m_tmp.filePath("plot-" + kind + ".png");
            Result r = run({"plot", "--model", m_swissRun, "--kind", kind, "--out", png});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            const QImage image(png);
            QCOMPARE(image.width(), 1800);
            QCOMPARE(image.height(), kind == "loss" ? 1120 : 1440);
            const QString pdf = m_tmp.filePath("plot-" + kind + ".pdf");
            r = run({"plot", "--model", m_swissRun, "--kind", kind, "--out", pdf});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QFile f(pdf);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QString pdfText = QString::fromLatin1(f.readAll());
            QVERIFY(pdfText.startsWith("%PDF-"));
            QCOMPARE(pdfText.count(QRegularExpression("/Type\\s*/Page\\b(?!s)")), 1); // one page
            // The SVG has the plot's elements: a dot per sample (3,000 on the roll), the
            // curves as lines, the title as text.
            const QString svg = m_tmp.filePath("plot-" + kind + ".svg");
            r = run({"plot", "--model", m_swissRun, "--kind", kind, "--out", svg});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            const QMap<QString, int> elements = svgElements(svg);
            QVERIFY2(!elements.isEmpty(), qPrintable(svg + " is not an SVG document"));
            if (kind == "loss")
                QVERIFY(elements.value("polyline") >= 2);
            else
                QVERIFY2(elements.value("circle") >= 3000, qPrintable(QString::number(elements.value("circle"))));
            QVERIFY(fileText(svg).contains(kind == "loss" ? "Loss: swiss" : kind == "pca" ? "PCA: swiss" : "Latent space: swiss"));
        }
    }

    // --size sets the page in points, --dpi a PNG's pixels per inch: a 400 x 300 pt plot at
    // 300 dpi is 1667 x 1250 pixels and says 300 dpi in the file; the SVG and the PDF are
    // one page of 400 x 300 points.
    void plotTakesItsSizeAndResolution() {
        const QString png = m_tmp.filePath("sized.png");
        Result r = run({"plot", "--model", m_swissRun, "--kind", "latent", "--size", "400x300", "--dpi", "300", "--out", png});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QImage image(png);
        QCOMPARE(image.size(), QSize(1667, 1250));
        QCOMPARE(qRound(image.dotsPerMeterX() * 0.0254), 300);
        QCOMPARE(qRound(image.dotsPerMeterY() * 0.0254), 300);
        // Drawn at that scale, not a small plot in a corner: the right and bottom edges
        // hold the frame's and the axes' ink, not only white.
        auto inkIn = [&](QRect area) {
            int ink = 0;
            for (int y = area.top(); y <= area.bottom(); ++y)
                for (int x = area.left(); x <= area.right(); ++x) ink += qGray(image.pixel(x, y)) < 200;
            return ink;
        };
        QVERIFY(inkIn(QRect(1250, 0, 417, 1250)) > 1000);
        QVERIFY(inkIn(QRect(0, 900, 1667, 350)) > 1000);

        const QString svg = m_tmp.filePath("sized.svg");
        r = run({"plot", "--model", m_swissRun, "--kind", "loss", "--size", "400x300", "--out", svg});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile svgFile(svg);
        QVERIFY(svgFile.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&svgFile);
        while (!xml.atEnd() && !(xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("svg"))) {}
        QCOMPARE(xml.attributes().value("viewBox").toString().simplified(), QString("0 0 400 300"));

        const QString pdf = m_tmp.filePath("sized.pdf");
        r = run({"plot", "--model", m_swissRun, "--kind", "pca", "--size", "400x300", "--out", pdf});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile pdfFile(pdf);
        QVERIFY(pdfFile.open(QIODevice::ReadOnly));
        const QByteArray text = pdfFile.readAll();
        QVERIFY(text.startsWith("%PDF-"));
        QCOMPARE(QString::fromLatin1(text).count(QRegularExpression("/Type\\s*/Page\\b(?!s)")), 1);
        QVERIFY(QString::fromLatin1(text).contains(QRegularExpression("/MediaBox \\[0 0 400(\\.0*)? 300(\\.0*)?\\]")));
    }

    void plotRefusesWhatItCannotDraw_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("error");
        QTest::newRow("kind") << QStringList{"--kind", "tsne", "--out", "x.png"}
                              << "--kind: unknown 'tsne' (choose latent, pca, loss, metrics, grid, interpolation, anomaly, roc)";
        QTest::newRow("anomalies of a roll") << QStringList{"--kind", "roc", "--anomaly-class", "1", "--out", "x.png"}
                                             << "anomaly detection needs class labels, and this dataset has none";
        QTest::newRow("path of points") << QStringList{"--kind", "interpolation", "--between", "1,2", "--out", "x.png"}
                                        << "this model's data are not images";
        QTest::newRow("format") << QStringList{"--kind", "latent", "--out", "x.svg.txt"}
                                << "unknown plot format (use .png, .svg or .pdf)";
        QTest::newRow("grid of points") << QStringList{"--kind", "grid", "--out", "x.png"} << "this model's data are not images";
        QTest::newRow("dims") << QStringList{"--kind", "latent", "--dims", "0,2", "--out", "x.png"}
                              << "--dims: two different latent dimensions of 0..1";
        QTest::newRow("size") << QStringList{"--kind", "latent", "--size", "big", "--out", "x.png"}
                              << "--size: width x height in points such as \"900x560\" (got \"big\")";
        QTest::newRow("tiny") << QStringList{"--kind", "latent", "--size", "10x300", "--out", "x.png"}
                              << "--size/--dpi: size 10x300 points is out of range (each side 16..10000)";
        QTest::newRow("dpi") << QStringList{"--kind", "latent", "--dpi", "5000", "--out", "x.png"}
                             << "--size/--dpi: resolution 5000 dpi is out of range (36..1200)";
        QTest::newRow("huge") << QStringList{"--kind", "latent", "--size", "9000x9000", "--dpi", "300", "--out", "x.png"}
                              << "is more than a PNG of 100 million pixels";
        QTest::newRow("dpi of a vector") << QStringList{"--kind", "latent", "--dpi", "300", "--out", "x.svg"}
                                         << "--dpi sets a PNG's pixels";
    }
    void plotRefusesWhatItCannotDraw() {
        QFETCH(QStringList, args);
        QFETCH(QString, error);
        // In the working directory: a file left by an earlier run (a planted bug's) would
        // fail the check below for a refusal that wrote nothing.
        for (const char* name : {"x.png", "x.svg.txt", "x.svg"}) QFile::remove(name);
        const Result r = run(QStringList{"plot", "--model", m_swissRun} + args);
        QCOMPARE(r.code, 2);
        QVERIFY2(lastErrorLine(r.err).contains(error), qPrintable(r.err));
        QVERIFY(!QFile::exists("x.png") && !QFile::exists("x.svg.txt") && !QFile::exists("x.svg"));
    }

    void encodeDecodeAgree() {
        const QString csv = m_tmp.filePath("codes.csv");
        Result r = run({"encode", "--model", m_swissRun, "--out", csv});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(csv), g(m_swissRun + "/latent.csv");
        QVERIFY(f.open(QIODevice::ReadOnly) && g.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), g.readAll()); // same data regenerated from config.json, same codes

        const QString dec = m_tmp.filePath("point.csv");
        r = run({"decode", "--model", m_swissRun, "--z", "0.5,-1.2", "--out", dec});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile d(dec);
        QVERIFY(d.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(d.readAll()).trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines[0], QString("z0,z1,x0,x1,x2"));
        QCOMPARE(lines[1].split(',')[0].toDouble(), 0.5);
    }

    // Decoded points are in the roll's own units: inside its box (datasets/src/Generators.cpp:
    // t in [1.5 pi, 4.5 pi], x0 = t cos t in [-9.48, 12.61], x1 in [0, 21], x2 = t sin t in
    // [-11.04, 14.14], plus noise 0.05), and the code of a sample decodes near the roll at the
    // sample's t (its label): (x0, x2) ~ t (cos t, sin t), turns being 2 pi apart. An inverse
    // that multiplies by the scale instead leaves points within 0.5 of the mean, >= 4 off.
    void decodedPointsLieOnTheRoll_data() {
        QTest::addColumn<double>("tMin"); // the first 5 samples with t in [tMin, tMax)
        QTest::addColumn<double>("tMax"); // 0, 0: z = (0, 0), checked against the box only
        QTest::newRow("z = 0,0") << 0.0 << 0.0;
        QTest::newRow("inner turn") << 4.7 << 7.5;
        QTest::newRow("middle turn") << 7.5 << 11.0;
        QTest::newRow("outer turn") << 11.0 << 14.2;
    }
    void decodedPointsLieOnTheRoll() {
        QFETCH(double, tMin);
        QFETCH(double, tMax);
        QList<QPair<double, QString>> codes{{0.0, "0,0"}}; // (t, z)
        if (tMax > 0) {
            codes.clear();
            QFile l(m_swissRun + "/latent.csv"); // index,label,z0,z1
            QVERIFY(l.open(QIODevice::ReadOnly));
            for (const QString& line : QString::fromUtf8(l.readAll()).trimmed().split('\n').mid(1)) {
                const QStringList row = line.split(',');
                if (row[1].toDouble() >= tMin && row[1].toDouble() < tMax && codes.size() < 5)
                    codes.append({row[1].toDouble(), row[2] + "," + row[3]});
            }
            QCOMPARE(codes.size(), 5);
        }
        int onRoll = 0;
        QString report;
        for (const auto& [t, z] : codes) {
            const QString out = m_tmp.filePath("decoded.csv");
            const Result r = run({"decode", "--model", m_swissRun, "--z", z, "--out", out});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QFile d(out);
            QVERIFY(d.open(QIODevice::ReadOnly));
            const QStringList cells = QString::fromUtf8(d.readAll()).trimmed().split('\n').value(1).split(',');
            QCOMPARE(cells.size(), 5); // z0,z1,x0,x1,x2
            const double x0 = cells[2].toDouble(), x1 = cells[3].toDouble(), x2 = cells[4].toDouble();
            const QString where = QString("z = (%1) decoded to (%2, %3, %4)").arg(z).arg(x0).arg(x1).arg(x2);
            QVERIFY2(x0 > -10 && x0 < 13.1 && x1 > -0.5 && x1 < 21.5 && x2 > -11.5 && x2 < 14.6, qPrintable(where));
            const double miss = std::hypot(x0 - t * std::cos(t), x2 - t * std::sin(t));
            onRoll += miss < 2.5 ? 1 : 0;
            report += where + QString(", %1 from the roll at t = %2; ").arg(miss).arg(t);
        }
        // One short cut across the turns in five is tolerated (the model is not perfect).
        if (tMax > 0) QVERIFY2(onRoll >= 4, qPrintable(report));
    }

    void vaeSamples() {
        const QString dir = m_tmp.filePath("vae");
        Result r = run({"train", "--preset", "swissroll-vae", "--epochs", "3", "--out", dir});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString out = m_tmp.filePath("samples.csv");
        r = run({"sample", "--model", dir, "--count", "7", "--seed", "3", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(f.readAll()).trimmed().split('\n').size(), 8);
        const QJsonObject e = evalJson(dir);
        QVERIFY(e["model"].toObject()["elbo_per_sample"].isDouble());
    }

    void errorsExitTwoWithOneLine_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no command") << QStringList{} << "usage";
        QTest::newRow("unknown command") << QStringList{"frobnicate"} << "unknown command 'frobnicate'";
        QTest::newRow("unknown preset") << QStringList{"train", "--preset", "nope", "--out", "x"} << "unknown preset 'nope'";
        QTest::newRow("unknown option") << QStringList{"train", "--colour", "red"} << "unknown option --colour";
        QTest::newRow("missing out") << QStringList{"train", "--preset", "swissroll-ae"} << "missing required option --out";
        QTest::newRow("bad number") << QStringList{"train", "--epochs", "many", "--out", "x"} << "--epochs: expected a whole number";
        QTest::newRow("nonsense lr") << QStringList{"train", "--lr", "-1", "--out", "x"} << "learningRate";
        QTest::newRow("unknown dataset") << QStringList{"train", "--dataset", "imagenet", "--out", "x"} << "imagenet";
        QTest::newRow("missing model") << QStringList{"eval", "--model", "/nonexistent/run"} << "no such model file";
        QTest::newRow("sample from ae") << QStringList{"sample", "--model", "SWISS", "--out", "s.png"} << "needs a VAE";
        QTest::newRow("wrong z size") << QStringList{"decode", "--model", "SWISS", "--z", "1", "--out", "d.csv"} << "2 dimensions";
        QTest::newRow("png of non-images") << QStringList{"decode", "--model", "SWISS", "--z", "1,2", "--out", "d.png"} << "not images";
        QTest::newRow("wrong features") << QStringList{"eval", "--model", "SWISS", "--dataset", "moons"} << "expects 3 features";
        QTest::newRow("bench threads") << QStringList{"bench", "--threads", "0"} << "--threads";
        QTest::newRow("bench preset") << QStringList{"bench", "--preset", "nope"} << "unknown preset 'nope'";
    }
    void errorsExitTwoWithOneLine() {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        for (QString& a : args) {
            a.replace("SWISS", m_swissRun);
            if (a == "x" || a.endsWith(".png") || a.endsWith(".csv")) a = m_tmp.filePath("err-" + a);
        }
        const Result r = run(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
        if (expected != "usage") // the usage text is the one error of several lines
            QVERIFY2(!r.err.trimmed().contains('\n'), qPrintable(r.err));
        QVERIFY2(!QFile::exists(m_tmp.filePath("err-x")), "a failed run must not create its output");
        QVERIFY(!QFile::exists(m_tmp.filePath("err-d.png")));
    }

    void benchReportsThroughputAgainstTheGemmBound() {
        // Without OMP_WAIT_POLICY and GOMP_SPINCOUNT the program chooses a short spin
        // before libgomp starts, by re-executing itself; the report says what it ran with.
        const Result r = run({"bench", "--preset", "swissroll-ae", "--threads", "2", "--samples", "3000", "--warmup",
                              "3", "--gemm-size", "128", "--json"},
                             {"OMP_WAIT_POLICY", "GOMP_SPINCOUNT"}, {"OMP_DISPLAY_ENV=verbose"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o["preset"].toString(), QString("swissroll-ae"));
        QCOMPARE(o["threads"].toInt(), 2);
        QVERIFY(o["samples"].toInt() >= 3000);
        QVERIFY(o["seconds"].toDouble() > 0);
        QVERIFY(std::isfinite(o["mean_loss"].toDouble()));
        QVERIFY(o["samples_per_second"].toDouble() > 0);
        // 3-64-64-64-2 and back: the exact count is checked in tst_kernels; here, that it
        // is that model's and not the reference workload's 5.6 MFLOP.
        QVERIFY(o["mflop_per_sample"].toDouble() > 0.05 && o["mflop_per_sample"].toDouble() < 0.2);
        QVERIFY(o["gemm_gflops"].toDouble() > 0);
        const double bound = o["gemm_gflops"].toDouble() * 1e3 / o["mflop_per_sample"].toDouble();
        QVERIFY(qAbs(o["bound_samples_per_second"].toDouble() - bound) < 1e-3 * bound + 1);
        // The multiply the engine uses, timed the way the dense layers call it.
        QVERIFY2(o["engine_gemm"].toString().startsWith("OpenBLAS sgemm, ") ||
                     o["engine_gemm"].toString().startsWith("oneDNN sgemm, ") ||
                     o["engine_gemm"].toString().startsWith("Eigen, "),
                 qPrintable(r.out));
        QCOMPARE(o["engine_gemm"].toString(), o["multiply_label"].toString());
        QVERIFY(!o["multiply_reason"].toString().isEmpty());
        QVERIFY(o["engine_gemm_gflops"].toDouble() > 0);
        const double engineBound = o["engine_gemm_gflops"].toDouble() * 1e3 / o["mflop_per_sample"].toDouble();
        QVERIFY(qAbs(o["engine_bound_samples_per_second"].toDouble() - engineBound) < 1e-3 * engineBound + 1);
        const double fraction = o["samples_per_second"].toDouble() / engineBound;
        QVERIFY(qAbs(o["fraction_of_engine_bound"].toDouble() - fraction) < 1e-3 * fraction + 1e-4);
        QVERIFY(o["peak_rss_mb"].toDouble() > 1);
        // Where a step's time went: three parts within the measured time per step.
        const double stepMs = o["step_ms"].toDouble();
        QVERIFY(o["batch_ms"].toDouble() > 0 && o["model_ms"].toDouble() > 0 && o["optimizer_ms"].toDouble() > 0);
        const double partsMs = o["batch_ms"].toDouble() + o["model_ms"].toDouble() + o["optimizer_ms"].toDouble();
        QVERIFY2(partsMs <= stepMs, qPrintable(r.out));
        QVERIFY(stepMs < 1e3 * o["seconds"].toDouble());
        QCOMPARE(o["openmp_wait"].toString(), QString("GOMP_SPINCOUNT=10000"));
        // And libgomp itself read it (it prints its settings on stderr when asked): a
        // setenv() without the re-exec would report the variable but leave libgomp at its
        // default spin of 300,000.
        QVERIFY2(r.err.contains("GOMP_SPINCOUNT = '10000'"), qPrintable(r.err));
    }

    void benchKeepsTheUsersOpenMpSetting() {
        const Result r = run({"bench", "--preset", "swissroll-ae", "--samples", "200", "--no-gemm", "--json"},
                             {"GOMP_SPINCOUNT"}, {"OMP_WAIT_POLICY=active", "OMP_DISPLAY_ENV=verbose"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o["openmp_wait"].toString(), QString("OMP_WAIT_POLICY=active"));
        QVERIFY2(r.err.contains("OMP_WAIT_POLICY = 'ACTIVE'") && !r.err.contains("GOMP_SPINCOUNT = '10000'"),
                 qPrintable(r.err));
        QCOMPARE(o["gemm_gflops"].toDouble(), 0.0);
        QCOMPARE(o["engine_gemm_gflops"].toDouble(), 0.0);
    }

    void corruptModelFile() {
        const QString dir = m_tmp.filePath("corrupt");
        QVERIFY(QDir().mkpath(dir));
        QFile src(m_swissRun + "/model.llmodel");
        QVERIFY(src.open(QIODevice::ReadOnly));
        QByteArray bytes = src.readAll();
        QFile dst(dir + "/model.llmodel");
        QVERIFY(dst.open(QIODevice::WriteOnly));
        dst.write(bytes.left(bytes.size() / 2)); // truncated
        dst.close();
        Result r = run({"eval", "--model", dir});
        QCOMPARE(r.code, 2);
        QVERIFY2(lastErrorLine(r.err).contains("truncated"), qPrintable(r.err));

        bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x10); // one flipped bit
        QVERIFY(dst.open(QIODevice::WriteOnly | QIODevice::Truncate));
        dst.write(bytes);
        dst.close();
        r = run({"encode", "--model", dir, "--out", m_tmp.filePath("never.csv")});
        QCOMPARE(r.code, 2);
        QVERIFY2(lastErrorLine(r.err).contains("corrupted"), qPrintable(r.err));
        QVERIFY(!QFile::exists(m_tmp.filePath("never.csv")));
    }

    void badConfigFile_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{ nope") << "invalid JSON";
        QTest::newRow("unknown key") << QByteArray(R"({"model": {"latent": 2}})") << "model.latent: unknown key";
        QTest::newRow("wrong type") << QByteArray(R"({"training": {"epochs": "ten"}})") << "training.epochs: expected a number";
        QTest::newRow("bad activation") << QByteArray(R"({"model": {"activation": "swish"}})") << "unknown 'swish'";
        QTest::newRow("zero width") << QByteArray(R"({"model": {"encoder": [0]}})") << "model.encoder";
        QTest::newRow("bce on standardized") << QByteArray(R"({"model": {"loss": "bce"}})") << "bce needs data scaled";
        // The file and key once, then the problem: never "f.json: dataset.normalize: f.json: ...".
        QTest::newRow("wrong type, parsed key") << QByteArray(R"({"dataset": {"normalize": 5}})")
                                                << "bad.json: dataset.normalize: expected a string";
        QTest::newRow("unknown name, parsed key") << QByteArray(R"({"dataset": {"normalize": "fancy"}})")
                                                  << "bad.json: dataset.normalize: unknown 'fancy'";
        QTest::newRow("csv header") << QByteArray(R"({"dataset": {"header": "maybe"}})")
                                    << "bad.json: dataset.header: unknown 'maybe' (choose auto, yes or no)";
    }
    void badConfigFile() {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        const QString path = m_tmp.filePath("bad.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(json);
        f.close();
        const Result r = run({"train", "--config", path, "--epochs", "1", "--out", m_tmp.filePath("badcfg")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
        QVERIFY2(r.err.count(path) <= 1, qPrintable(r.err));
        QVERIFY(!QFile::exists(m_tmp.filePath("badcfg")));
    }

    // A first row with a typo is an error, not a header; --header and the config's "header"
    // say what row 1 is.
    void csvHeaderOption() {
        const QString csv = m_tmp.filePath("typo.csv");
        QByteArray rows = "1,x2,0\n";
        for (int i = 0; i < 30; ++i) rows += QByteArray::number(i) + "," + QByteArray::number(i % 4) + ",1\n";
        QFile f(csv);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(rows);
        f.close();
        const QString out = m_tmp.filePath("csvrun");
        Result r = run({"train", "--dataset", csv, "--epochs", "1", "--out", out});
        QCOMPARE(r.code, 2);
        QVERIFY2(lastErrorLine(r.err).contains(csv + ": row 1, column 2: 'x2' is not a number"), qPrintable(r.err));
        r = run({"train", "--dataset", csv, "--header", "maybe", "--epochs", "1", "--out", out});
        QCOMPARE(r.code, 2);
        QVERIFY2(lastErrorLine(r.err).contains("--header: unknown 'maybe' (choose auto, yes or no)"), qPrintable(r.err));
        r = run({"train", "--dataset", csv, "--header", "yes", "--epochs", "1", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("(30 samples x 3 features"), qPrintable(r.out));
        QFile c(out + "/config.json");
        QVERIFY(c.open(QIODevice::ReadOnly));
        const QJsonObject dataset = QJsonDocument::fromJson(c.readAll()).object()["dataset"].toObject();
        QCOMPARE(dataset["header"].toString(), QString("yes"));
        // The run's config.json trains the same data again, label column included.
        const QString config = m_tmp.filePath("csv.json");
        QFile j(config);
        QVERIFY(j.open(QIODevice::WriteOnly));
        j.write(QJsonDocument(QJsonObject{{"dataset", QJsonObject{{"name", csv}, {"header", "yes"}, {"labelColumn", 1}}},
                                          {"training", QJsonObject{{"epochs", 1}}}})
                    .toJson());
        j.close();
        r = run({"train", "--config", config, "--out", out + "2"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("(30 samples x 2 features"), qPrintable(r.out));
    }

    void listsPresetsAndDatasets() {
        Result r = run({"presets"});
        QCOMPARE(r.code, 0);
        for (const char* p : {"swissroll-ae", "swissroll-grae", "swissroll-vae", "mnist-ae", "mnist-vae", "fashion-ae", "fashion-vae",
                              "mnist-conv-ae", "mnist-conv-ae-16d", "mnist-conv-vae", "fashion-conv-ae", "fashion-conv-vae",
                              "fashion-conv-vae-16d"})
            QVERIFY2(r.out.contains(p), p);
        r = run({"datasets"});
        QCOMPARE(r.code, 0);
        for (const char* d : {"swissroll", "mnist", "fashion-mnist", "moons"}) QVERIFY2(r.out.contains(d), d);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
