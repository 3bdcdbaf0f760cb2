// train --metrics and plot --kind metrics, end to end. Apart from tst_cli (whose runs
// share one long training) so that ctest runs the two side by side.
#include "CliFixture.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <cmath>

using clitest::fileText;
using clitest::lastErrorLine;

class TestCliMetrics : public QObject {
    Q_OBJECT

    using Result = clitest::Result;
    QTemporaryDir m_tmp;

    Result run(const QStringList& args) {
        return clitest::runCli(args, clitest::environment(m_tmp.filePath("data")));
    }
    QJsonObject evalJson(const QString& dir) {
        const Result r = run({"eval", "--model", dir});
        if (r.code != 0) qWarning() << r.err;
        return QJsonDocument::fromJson(r.out.toUtf8()).object();
    }
    static int svgPolylines(const QString& path) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) return -1;
        QXmlStreamReader xml(&f);
        int lines = 0;
        while (!xml.atEnd())
            if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("polyline")) ++lines;
        return xml.hasError() ? -1 : lines;
    }

private slots:
    // train --metrics measures the codes after every epoch into metrics.csv; on 800 roll
    // samples the probe is the whole test part (160), so the last row's reconstruction error
    // is `eval`'s (trustworthiness and R^2: eval takes all samples, tst_epochmetrics checks
    // the probe's). plot --kind metrics draws them; a run trained again without --metrics
    // loses the file.
    void trainMetricsPerEpoch() {
        const QString dir = m_tmp.filePath("metrics-run");
        Result r = run({"train", "--preset", "swissroll-ae", "--samples", "800", "--epochs", "4", "--metrics",
                        "--out", dir});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("metrics.csv"), qPrintable(r.out));
        const QStringList lines = fileText(dir + "/metrics.csv").trimmed().split('\n');
        QCOMPARE(lines.first(), QString("epoch,steps,mse_per_feature,elbo_per_sample,knn5_accuracy,"
                                        "trustworthiness_k10,label_r2,active_units,latent_dim"));
        QCOMPARE(lines.size(), 5);
        for (int e = 1; e <= 4; ++e) QCOMPARE(lines[e].split(',')[0], QString::number(e));
        const QStringList last = lines[4].split(',');
        const QJsonObject e = evalJson(dir), m = e["model"].toObject();
        QVERIFY(std::abs(last[2].toDouble() - m["reconstruction_mse_per_feature"].toDouble()) < 1e-6);
        QCOMPARE(e["evaluated_samples"].toInt(), 160);
        QVERIFY(last[5].toDouble() > 0.5 && last[5].toDouble() <= 1.0);
        QVERIFY(!last[6].isEmpty());
        QVERIFY(last[3].isEmpty() && last[4].isEmpty() && last[7].isEmpty()); // no ELBO, k-NN, units
        QVERIFY(last[1].toInt() > lines[3].split(',')[1].toInt()); // the steps grow

        const QString svg = m_tmp.filePath("metrics.svg");
        r = run({"plot", "--model", dir, "--kind", "metrics", "--out", svg});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(svgPolylines(svg) >= 2);
        QVERIFY(fileText(svg).contains("trustworthiness (k = 10)"));

        r = run({"train", "--preset", "swissroll-ae", "--samples", "800", "--epochs", "1", "--out", dir});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(!QFile::exists(dir + "/metrics.csv"));
        QVERIFY(!r.out.contains("metrics.csv"));
        r = run({"plot", "--model", dir, "--kind", "metrics", "--out", m_tmp.filePath("none.png")});
        QVERIFY(r.code != 0);
        QVERIFY2(lastErrorLine(r.err).contains("metrics.csv: not found; `latentlab-cli train --metrics` writes it"),
                 qPrintable(r.err));
    }

};

QTEST_GUILESS_MAIN(TestCliMetrics)
#include "tst_cli_metrics.moc"
