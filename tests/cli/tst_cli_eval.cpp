// `latentlab-cli eval` on a labelled CSV whose 1-NN and 5-NN accuracies differ: the
// "knn5_accuracy" figures must be those of k = 5, computed here from the codes themselves
// (the model's, read back with `encode`, and PCA's, which for 2 components of 2-D data is a
// rotation: the raw points' answer). tst_metrics checks knnAccuracy itself by hand.
#include "latentlab/Metrics.h"

#include <cmath>

#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace latentlab;

namespace {

// The hand-worked set of tst_metrics' knnOneAndFiveDisagree: 12 training rows (two clusters,
// each with a decoy of the other class near its centre), 6 more of a third class far away
// (eval's trustworthiness needs 22 points; none is among any query's 5 nearest), then the
// 5 test rows, on which 1-NN scores 3/5 and 5-NN 4/5.
const char* kCsv = "x,y,label\n"
                   "1,0,0\n-1,0,0\n0,1,0\n0,-1,0\n-0.7,-0.7,0\n0.1,0,1\n"
                   "11,0,1\n9,0,1\n10,1,1\n10,-1,1\n9.3,-0.7,1\n10.1,0,0\n"
                   "50,50,2\n51,50,2\n50,51,2\n49,50,2\n50,49,2\n51,51,2\n"
                   "0.05,0,0\n10.05,0,1\n0,-0.6,0\n10,0.7,1\n0.12,0,1\n";
constexpr int kTrain = 18, kRows = 23;

// Columns `first`, `first` + 1 of a CSV's data lines as 2 x n points, and column `label`.
void readPoints(const QByteArray& csv, int first, int label, Matrix& points, std::vector<int>& labels) {
    const QList<QByteArray> lines = csv.trimmed().split('\n').mid(1);
    points.resize(2, lines.size());
    labels.clear();
    for (int i = 0; i < lines.size(); ++i) {
        const QList<QByteArray> cells = lines[i].split(',');
        points(0, i) = cells.value(first).toFloat();
        points(1, i) = cells.value(first + 1).toFloat();
        labels.push_back(cells.value(label).toInt());
    }
}

} // namespace

class TestCliEval : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_run;
    QJsonObject m_eval;

    struct Result {
        int code;
        QString out, err;
    };
    Result run(const QStringList& args) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("LATENTLAB_DATA", m_tmp.filePath("data"));
        p.setProcessEnvironment(env);
        p.start(LATENTLAB_CLI_PATH, args);
        if (!p.waitForFinished(600000)) {
            p.kill();
            return {-1, {}, "timed out"};
        }
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }

    // Writes `bytes` to a file of the temporary folder; its path, or empty if it failed.
    QString writeFile(const QString& name, const QByteArray& bytes) {
        const QString path = m_tmp.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) return {};
        return path;
    }

private slots:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        const QString csv = writeFile("decoys.csv", kCsv);
        QVERIFY(!csv.isEmpty());
        const QJsonObject config{
            {"dataset", QJsonObject{{"name", csv},
                                    {"labelColumn", 2},
                                    {"testFraction", double(kRows - kTrain) / kRows},
                                    {"normalize", "none"}}},
            {"model", QJsonObject{{"kind", "ae"}, {"encoder", QJsonArray{16}}, {"latentDim", 2}, {"activation", "tanh"}}},
            {"training", QJsonObject{{"epochs", 200},
                                     {"batchSize", 4},
                                     {"learningRate", 0.01},
                                     {"validationFraction", 0.0},
                                     {"threads", 2},
                                     {"seed", 1}}}};
        const QString path = writeFile("config.json", QJsonDocument(config).toJson());
        QVERIFY(!path.isEmpty());
        m_run = m_tmp.filePath("run");
        Result r = run({"train", "--config", path, "--out", m_run});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = run({"eval", "--model", m_run});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        m_eval = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(m_eval["split"].toString(), QString("test"));
        QCOMPARE(m_eval["evaluated_samples"].toInt(), kRows - kTrain);
    }

    // Each count says in words what it counts: the 5 test rows for the reconstruction, all
    // 23 rows for trustworthiness (it needs no labels), the 18 training codes for k-NN.
    void sampleCountsSayWhatTheyCount() {
        QCOMPARE(m_eval["trustworthiness_samples"].toInt(), kRows);
        QCOMPARE(m_eval["knn_reference_samples"].toInt(), kTrain);
        const QString words = m_eval["samples_explained"].toString();
        QVERIFY2(words.contains("reconstruction figures: the 5 samples of the test split") &&
                     words.contains("trustworthiness: all 23 samples (training and test)") &&
                     words.contains("among the 18 training codes"),
                 qPrintable(words));
    }

    void knnFiguresUseFiveNeighbours_data() {
        QTest::addColumn<QString>("figures"); // "model" or "pca" in eval's JSON
        QTest::newRow("model codes") << "model";
        QTest::newRow("pca codes") << "pca";
    }
    void knnFiguresUseFiveNeighbours() {
        QFETCH(QString, figures);
        Matrix points;
        std::vector<int> labels;
        if (figures == "model") {
            const QString out = m_tmp.filePath("codes.csv");
            const Result r = run({"encode", "--model", m_run, "--out", out});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QFile f(out);
            QVERIFY(f.open(QIODevice::ReadOnly));
            readPoints(f.readAll(), 2, 1, points, labels); // index,label,z0,z1
        } else {
            readPoints(kCsv, 0, 2, points, labels); // x,y,label
        }
        QCOMPARE(points.cols(), Index(kRows));
        const Matrix train = points.leftCols(kTrain), test = points.rightCols(kRows - kTrain);
        const std::vector<int> trainLabels(labels.begin(), labels.begin() + kTrain),
            testLabels(labels.begin() + kTrain, labels.end());
        const double k1 = knnAccuracy(train, trainLabels, test, testLabels, 1);
        const double k5 = knnAccuracy(train, trainLabels, test, testLabels, 5);
        if (figures == "pca") {
            QCOMPARE(k1, 0.6); // by hand, in tst_metrics
            QCOMPARE(k5, 0.8);
        }
        QVERIFY2(k1 != k5, qPrintable(QString("1-NN and 5-NN agree (%1) on these codes: the test proves nothing").arg(k1)));
        const QJsonValue reported = m_eval[figures].toObject()["knn5_accuracy"];
        QVERIFY2(reported.isDouble(), qPrintable(QJsonDocument(m_eval).toJson()));
        QVERIFY2(reported.toDouble() == k5,
                 qPrintable(QString("eval says %1; 5-NN gives %2, 1-NN %3").arg(reported.toDouble()).arg(k5).arg(k1)));
    }

    // Anomaly detection on data whose answer is known: two clusters on the x axis to learn,
    // a third far above them, a 1-D code. Trained without class 2, the model's line through
    // the two cannot reach the third, so every one of its test samples is reconstructed
    // worse than any normal one. Rows interleave the classes; the last quarter is the test part.
    void anomalyClassFoundByReconstructionError() {
        QByteArray csv = "x,y,label\n";
        const double cx[] = {-5, 5, 0}, cy[] = {0, 0, 8};
        const int rows = 120, train = 90;
        int trainNormal = 0, trainZeros = 0, testAnomalies = 0, testNormal = 0;
        for (int i = 0; i < rows; ++i) {
            const int c = i % 3;
            const double jx = 0.3 * std::sin(1.7 * i), jy = 0.3 * std::cos(2.3 * i);
            csv += QByteArray::number(cx[c] + jx) + "," + QByteArray::number(cy[c] + jy) + "," + QByteArray::number(c) + "\n";
            if (i < train) trainNormal += c != 2, trainZeros += c == 0;
            else (c == 2 ? testAnomalies : testNormal) += 1;
        }
        const QString data = writeFile("clusters.csv", csv);
        QVERIFY(!data.isEmpty());
        const QJsonObject config{
            {"dataset", QJsonObject{{"name", data}, {"labelColumn", 2}, {"testFraction", 0.25}, {"normalize", "none"}}},
            {"model", QJsonObject{{"kind", "ae"}, {"encoder", QJsonArray{16}}, {"latentDim", 1}, {"activation", "tanh"}}},
            {"training", QJsonObject{{"epochs", 150}, {"batchSize", 8}, {"learningRate", 0.01},
                                     {"validationFraction", 0.0}, {"threads", 2}, {"seed", 1}}}};
        const QString path = writeFile("clusters.json", QJsonDocument(config).toJson());
        QVERIFY(!path.isEmpty());
        const QString dir = m_tmp.filePath("normal-only");
        Result r = run({"train", "--config", path, "--hold-out-class", "2", "--out", dir});
        QVERIFY2(r.code == 0, qPrintable(r.err));

        // The class defaults to the one left out of training.
        r = run({"eval", "--model", dir, "--threshold-quantile", "0.95"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject e = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(e["anomaly_class"].toInt(), 2);
        QCOMPARE(e["left_out_of_training"].toBool(), true);
        QVERIFY(!e.contains("note"));
        QCOMPARE(e["test_anomalies"].toInt(), testAnomalies);
        QCOMPARE(e["test_normal"].toInt(), testNormal);
        QVERIFY2(e["threshold_rule"].toString().contains(QString("of %1 normal training samples").arg(trainNormal)),
                 qPrintable(e["threshold_rule"].toString()));
        QCOMPARE(e["roc_auc"].toDouble(), 1.0);
        // Every anomaly lies above every normal error, so above the threshold too; of the
        // flagged, the anomalies are the share precision says.
        QCOMPARE(e["recall"].toDouble(), 1.0);
        const int flagged = e["flagged"].toInt();
        QVERIFY(flagged >= testAnomalies);
        QCOMPARE(e["precision"].toDouble(), double(testAnomalies) / flagged);

        // Asked about a class the model did learn: figures, and a note saying why they mean little.
        r = run({"eval", "--model", dir, "--anomaly-class", "1"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject seen = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY2(seen["note"].toString().contains("saw class 1 in training"), qPrintable(r.out));
        QVERIFY(seen["roc_auc"].toDouble() < 1.0);
        // Its threshold comes from the training samples of the other classes only (class 2
        // is not among them: it was left out).
        QVERIFY2(seen["threshold_rule"].toString().contains(QString("of %1 normal training samples").arg(trainZeros)),
                 qPrintable(seen["threshold_rule"].toString()));

        for (const QString kind : {"anomaly", "roc"}) {
            const QString png = m_tmp.filePath(kind + ".png");
            r = run({"plot", "--model", dir, "--kind", kind, "--out", png});
            QVERIFY2(r.code == 0, qPrintable(r.err));
            const QImage image(png);
            QVERIFY2(!image.isNull(), qPrintable(kind));
            QCOMPARE(image.width(), kind == "roc" ? 1520 : 1800);
        }
        r = run({"plot", "--model", dir, "--kind", "roc", "--out", m_tmp.filePath("roc.pdf")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile pdf(m_tmp.filePath("roc.pdf"));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");

        // What cannot be answered is refused with a reason.
        r = run({"eval", "--model", dir, "--anomaly-class", "7"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("needs both anomalies and normal samples"), qPrintable(r.err));
        r = run({"eval", "--model", m_run, "--threshold-quantile", "0.2"});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--threshold-quantile"), qPrintable(r.err));
        r = run({"plot", "--model", m_run, "--kind", "roc", "--out", m_tmp.filePath("x.png")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("give --anomaly-class N"), qPrintable(r.err));
        r = run({"train", "--preset", "swissroll-ae", "--hold-out-class", "1", "--epochs", "1", "--out",
                 m_tmp.filePath("roll")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("needs class labels"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliEval)
#include "tst_cli_eval.moc"
