// app::measureEpoch and metrics.csv: each figure against an independent computation on the
// same samples (the engine's metrics called here directly, `eval`'s figures where the probe
// is the whole test part), the probe's limits, active units by hand, and the file's reader.
#include "EpochMetrics.h"
#include "HistoryCsv.h"
#include "RunFiles.h"
#include "AnomalyReport.h"
#include "Evaluation.h"
#include "Experiment.h"
#include "RunConfig.h"
#include "TrainedModel.h"

#include "latentlab/Batch.h"
#include "latentlab/Metrics.h"
#include "latentlab/Trainer.h"

#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

using namespace latentlab;

namespace {
// Three classes as blobs in 4-D (well apart, so the codes can tell them apart), `train`
// training rows then `test` test rows, classes taking turns.
std::shared_ptr<const data::Dataset> blobs(int train, int test) {
    auto d = std::make_shared<data::Dataset>();
    d->name = "blobs-by-hand";
    d->rows = train + test;
    d->cols = 4;
    d->trainRows = train;
    d->labelKind = data::LabelKind::Class;
    Rng rng(7);
    for (int64_t r = 0; r < d->rows; ++r) {
        const int c = int(r % 3);
        for (int f = 0; f < 4; ++f) d->values.push_back(float((f == c ? 6.0 : 0.0) + rng.normal()));
        d->labels.push_back(float(c));
    }
    return d;
}

app::Experiment experiment(const QString& preset, std::shared_ptr<const data::Dataset> d, double beta = 1) {
    app::RunConfig c = app::loadPreset(preset);
    c.model.beta = beta;
    c.dataset.name = QString::fromStdString(d->name);
    return app::Experiment::prepare(c, std::move(d));
}
} // namespace

class TestEpochMetrics : public QObject {
    Q_OBJECT

private slots:
    void everyFigureMatchesAnIndependentComputation() {
        const auto d = blobs(300, 200);
        // Trained with beta = 4: the ELBO still weighs the KL term once.
        app::Experiment e = experiment("swissroll-vae", d, 4.0);
        const Model& model = e.model();
        QCOMPARE(model.config().beta, 4.0);
        // A few epochs, so the codes mean something and the KL term is not nil.
        e.config().training.epochs = 3;
        Trainer trainer(e.model(), e.view(), d->trainingRows(), e.config().training);
        QVERIFY(trainer.run(nullptr).epochsCompleted == 3);
        const auto probe = app::makeMetricsProbe(d, model.normalizer());
        QCOMPARE(probe->begin, Index(300));
        QCOMPARE(probe->end, Index(500));
        const app::EpochMetrics m = app::measureEpoch(model, *probe, 4, 123);
        QCOMPARE(m.epoch, 4.0);
        QCOMPARE(m.steps, 123LL);
        QCOMPARE(m.latentDim, int(model.latentDim()));

        const DataView view = app::viewOf(*d);
        const Matrix x = toMatrix(view, model.normalizer(), 300, 500);
        Matrix xhat, z, refZ;
        model.reconstruct(x, xhat);
        model.encode(x, z);
        model.encode(toMatrix(view, model.normalizer(), 0, 300), refZ);
        std::vector<int> testLabels, refLabels;
        for (int r = 0; r < 500; ++r) (r < 300 ? refLabels : testLabels).push_back(r % 3);
        QCOMPARE(m.msePerFeature, (xhat - x).squaredNorm() / double(x.size()));
        QVERIFY(m.knnAccuracy);
        QCOMPARE(*m.knnAccuracy, knnAccuracy(refZ, refLabels, z, testLabels, 5));
        QVERIFY(m.trustworthiness);
        QCOMPARE(*m.trustworthiness, trustworthiness(x, z, 10));
        QVERIFY(!m.labelR2); // class labels
        // The probe is the whole test part here, so `eval`'s figures are the same.
        const app::EvaluationResult r = app::evaluate(model, *d);
        QVERIFY(m.elbo && r.model.elbo);
        QVERIFY(-*m.elbo > m.msePerFeature); // the KL term counts
        QCOMPARE(*m.elbo, *r.model.elbo);
        QCOMPARE(m.msePerFeature, r.model.msePerFeature);
        QVERIFY(m.activeUnits);
        QCOMPARE(*m.activeUnits, app::countActiveUnits(z));
    }

    // The cache of the data-only figures: the same figures as without it, and another seed
    // (other trustworthiness samples) starts it afresh.
    void evaluationCacheGivesTheSameFigures() {
        const auto d = blobs(300, 200);
        app::Experiment e = experiment("swissroll-ae", d);
        app::EvaluationCache cache;
        for (uint64_t seed : {1, 1, 2}) {
            const app::EvaluationResult cached = app::evaluate(e.model(), *d, seed, &cache);
            const app::EvaluationResult fresh = app::evaluate(e.model(), *d, seed);
            QCOMPARE(cached.model.trustworthiness, fresh.model.trustworthiness);
            QCOMPARE(cached.pca.trustworthiness, fresh.pca.trustworthiness);
            QCOMPARE(cached.pca.msePerFeature, fresh.pca.msePerFeature);
            QCOMPARE(cached.model.knnAccuracy, fresh.model.knnAccuracy);
            QCOMPARE(cache.seed, seed);
        }
    }

    // Trustworthiness on fewer samples when asked (the window's previews): the count is
    // kept, the cache follows the count, and a limit above the data's size is all of it.
    void evaluationTrustSamplesLimit() {
        const auto d = blobs(300, 200);
        app::Experiment e = experiment("swissroll-ae", d);
        app::EvaluationCache cache;
        const app::EvaluationResult some = app::evaluate(e.model(), *d, 1, &cache, 100);
        QCOMPARE(some.trustSamples, Index(100));
        QVERIFY(some.samplesExplained.contains("100 of all 500 samples"));
        const app::EvaluationResult all = app::evaluate(e.model(), *d, 1, &cache, 500);
        QCOMPARE(all.trustSamples, Index(500));
        QCOMPARE(all.model.trustworthiness, app::evaluate(e.model(), *d).model.trustworthiness);
        QCOMPARE(app::evaluate(e.model(), *d, 1, &cache, 100).model.trustworthiness, some.model.trustworthiness);
        QVERIFY(some.model.trustworthiness != all.model.trustworthiness);
        bool refused = false;
        try {
            app::evaluate(e.model(), *d, 1, nullptr, 0);
        } catch (const ConfigError& err) {
            refused = QString(err.what()).contains("trustworthiness");
        }
        QVERIFY(refused);
    }

    // history.csv is read by column name: what historyCsv writes comes back; a file with
    // another order, more terms or fewer loads; a line of another width is skipped and said.
    // The one writer and reader of model files (both front-ends): what is written comes
    // back, and data other than the training data is named as such.
    void modelFilesRoundTripAndKnowTheirData() {
        app::RunConfig c = app::loadPreset("swissroll-ae");
        c.dataset.generator.samples = 600;
        c.training.epochs = 2;
        c.training.threads = 1;
        app::Experiment e = app::Experiment::prepare(c, data::Catalogue());
        Trainer trainer(e.model(), e.view(), e.dataset().trainingRows(), e.config().training);
        trainer.control().learningRate.store(0.0005); // changed while training: the file keeps the live value
        trainer.stepEpoch();
        trainer.stepBatch();
        QTemporaryDir dir;
        const QString path = dir.filePath("m.llmodel");
        app::writeFileAtomic(path, app::modelFileBytes(e, e.model(), trainer, {{"note", "extra"}}));

        const app::OpenedModel m = app::openModelFile(path);
        QVERIFY(m.saved.position.has_value());
        QCOMPARE(m.saved.position->epoch, 1);
        QCOMPARE(m.saved.position->batch, Index(1));
        QCOMPARE(m.history.size(), size_t(1));
        QCOMPARE(m.config.training.learningRate, 0.0005);
        QCOMPARE(m.config.dataset.generator.samples, int64_t(600));
        QCOMPARE(m.saved.metadata.at("note"), std::string("extra"));
        QCOMPARE(m.saved.metadata.at("training.epochsDone"), std::string("1"));
        QVERIFY(m.saved.metadata.at("history.csv").find("epoch,train_loss") == 0);
        app::checkSameData(m, e.dataset()); // the same data: no complaint

        auto complaint = [&](const app::RunConfig& other) {
            try {
                app::checkSameData(m, app::loadDataset(other.dataset, data::Catalogue()));
            } catch (const FileError& err) {
                return QString(err.what());
            }
            return QString();
        };
        app::RunConfig moreRows = c, otherNoise = c;
        moreRows.dataset.generator.samples = 700;
        otherNoise.dataset.generator.noise += 0.01;
        QVERIFY2(complaint(moreRows).contains("trained on 600 samples of 3 features, but"), qPrintable(complaint(moreRows)));
        QVERIFY2(complaint(otherNoise).contains("is not the data the model was trained on"), qPrintable(complaint(otherNoise)));
    }

    void historyCsvByColumnName() {
        EpochReport a;
        a.epoch = 1;
        a.train = {10.5, 9.25, 1.25, 0};
        a.hasValidation = true;
        a.validation = {11.5, 10, 1.5, 0};
        a.seconds = 2.5;
        a.samplesPerSecond = 1000;
        a.learningRate = 0.001;
        a.beta = 4;
        EpochReport b = a;
        b.epoch = 2;
        b.hasValidation = false;
        const std::vector<EpochReport> back = app::parseHistoryCsv(app::historyCsv({a, b}));
        QCOMPARE(back.size(), size_t(2));
        QCOMPARE(back[0].train.kl, 1.25);
        QCOMPARE(back[0].validation.reconstruction, 10.0);
        QCOMPARE(back[0].beta, 4.0);
        QCOMPARE(back[0].learningRate, 0.001);
        QVERIFY(!back[1].hasValidation);

        // Fewer terms (no penalty, no beta), another order, and a column from a later version.
        QStringList problems;
        const std::vector<EpochReport> other = app::parseHistoryCsv("train_loss,epoch,val_loss,future_term,train_kl\n"
                                                                    "7.5,1,8.5,42,0.5\n"
                                                                    "6.5,2,,43,0.25\n"
                                                                    "6,3,7\n"
                                                                    "x,4,7,1,1\n",
                                                                    &problems);
        QCOMPARE(other.size(), size_t(2));
        QCOMPARE(other[0].epoch, 1);
        QCOMPARE(other[0].train.total, 7.5);
        QCOMPARE(other[0].train.kl, 0.5);
        QCOMPARE(other[0].train.penalty, 0.0);
        QCOMPARE(other[0].validation.total, 8.5);
        QVERIFY(other[0].hasValidation && !other[1].hasValidation);
        QCOMPARE(other[1].train.kl, 0.25);
        QCOMPARE(problems.size(), 2);
        QVERIFY2(problems[0].startsWith("line 4: 3 fields, the header has 5"), qPrintable(problems[0]));
        QVERIFY2(problems[1].startsWith("line 5: not a number"), qPrintable(problems[1]));

        problems.clear();
        QVERIFY(app::parseHistoryCsv("epoch,loss\n1,2\n", &problems).empty());
        QCOMPARE(problems, QStringList{"line 1: no column 'train_loss' in the header"});
    }

    void anAutoencoderHasNoElboNorActiveUnits() {
        const auto d = blobs(60, 30);
        app::Experiment e = experiment("swissroll-ae", d);
        const app::EpochMetrics m = app::measureEpoch(e.model(), *app::makeMetricsProbe(d, e.model().normalizer()), 0, 0);
        QVERIFY(!m.elbo);
        QVERIFY(!m.activeUnits);
        QVERIFY(m.knnAccuracy);
    }

    void theProbeKeepsToItsLimits() {
        const auto d = blobs(2500, 1200);
        app::Experiment e = experiment("swissroll-ae", d);
        const auto p = app::makeMetricsProbe(d, e.model().normalizer());
        QCOMPARE(p->end - p->begin, app::kProbeSamples);
        QCOMPARE(p->x.cols(), app::kProbeSamples);
        QCOMPARE(p->ranks.size(), app::kProbeSamples);
        QCOMPARE(p->reference.cols(), app::kProbeReferenceSamples);
        QCOMPARE(p->referenceClasses.size(), size_t(app::kProbeReferenceSamples));
        // Without a test part the probe is the first samples of all, and there is no k-NN.
        auto all = std::make_shared<data::Dataset>(*d);
        all->trainRows = all->rows;
        const auto q = app::makeMetricsProbe(all, e.model().normalizer());
        QCOMPARE(q->begin, Index(0));
        QVERIFY(q->classes.empty());
        QVERIFY(!app::measureEpoch(e.model(), *q, 1, 1).knnAccuracy);
    }

    void activeUnitsByHand() {
        // Variances (n - 1): row 0 of {0, 0.19, 0, 0.19} is 0.0361/3 = 0.0120 > 0.01 (over n
        // it would be 0.0090); row 1 of {0, 0.1, 0, 0.1} 0.01/3 = 0.0033; row 2 constant.
        Matrix means(3, 4);
        means << 0, 0.19f, 0, 0.19f, 0, 0.1f, 0, 0.1f, 5, 5, 5, 5;
        QCOMPARE(app::countActiveUnits(means), 1);
        means.row(1) *= 2; // 0.0133
        QCOMPARE(app::countActiveUnits(means), 2);
        QCOMPARE(app::countActiveUnits(Matrix(3, 1)), 0);
    }

    void csvRoundTripsAndNamesWhatIsWrong() {
        app::EpochMetrics a;
        a.epoch = 1;
        a.steps = 57;
        a.msePerFeature = 0.25;
        a.knnAccuracy = 0.5;
        a.trustworthiness = 0.75;
        a.latentDim = 2;
        app::EpochMetrics b = a;
        b.epoch = 2.5;
        b.elbo = -180.5;
        b.activeUnits = 1;
        b.labelR2 = 0.125;
        const QByteArray csv = app::metricsCsv({a, b});
        const std::vector<app::EpochMetrics> back = app::parseMetricsCsv(csv, "m.csv");
        QCOMPARE(back.size(), size_t(2));
        QCOMPARE(back[0].epoch, 1.0);
        QCOMPARE(back[0].steps, 57LL);
        QVERIFY(!back[0].elbo && !back[0].activeUnits && !back[0].labelR2);
        QCOMPARE(*back[1].elbo, -180.5);
        QCOMPARE(*back[1].activeUnits, 1);
        QCOMPARE(*back[1].labelR2, 0.125);
        QCOMPARE(back[1].epoch, 2.5);
        // Columns are found by name, in any order; unknown ones are skipped.
        const auto swapped = app::parseMetricsCsv("note,mse_per_feature,epoch\nx,0.5,3\n", "s.csv");
        QCOMPARE(swapped.size(), size_t(1));
        QCOMPARE(swapped[0].epoch, 3.0);
        QCOMPARE(swapped[0].msePerFeature, 0.5);
        auto error = [](const QByteArray& text) {
            try {
                app::parseMetricsCsv(text, "bad.csv");
            } catch (const app::ConfigFileError& e) {
                return QString::fromUtf8(e.what());
            }
            return QString();
        };
        QCOMPARE(error("epoch,mse_per_feature\n1,0.5\n2\n"), QString("bad.csv:3: 1 fields where the header has 2"));
        QCOMPARE(error("epoch,mse_per_feature\n1,abc\n"),
                 QString("bad.csv:2: mse_per_feature is not a finite number: 'abc'"));
        QCOMPARE(error("epoch,mse_per_feature\nnan,0.5\n"), QString("bad.csv:2: epoch is not a finite number: 'nan'"));
        QCOMPARE(error("epoch,mse_per_feature\n1e20,0.5\n"), QString("bad.csv:2: epoch out of range (0 to 1e9): 1e+20"));
        QCOMPARE(error("epoch,mse_per_feature,active_units\n1,0.5,2.5\n"),
                 QString("bad.csv:2: active_units must be a whole number from 0 to 1048576: '2.5'"));
        QCOMPARE(error("epoch,mse_per_feature,latent_dim\n1,0.5,-1\n"),
                 QString("bad.csv:2: latent_dim must be a whole number from 0 to 1048576: '-1'"));
        QCOMPARE(error("epoch,steps\n1,2\n"), QString("bad.csv:1: no column 'mse_per_feature'"));
        QVERIFY(error("").startsWith("bad.csv:1: no header"));
    }

    // The anomaly scores come in chunks with a checkpoint before each (the window's view
    // ends its work there once training starts): one that throws ends the report.
    void anomalyScoringStopsAtItsCheckpoints() {
        data::Dataset d;
        d.name = "blobs";
        d.rows = 14000;
        d.cols = 4;
        d.trainRows = 9000;
        d.labelKind = data::LabelKind::Class;
        Rng rng(5);
        for (Index i = 0; i < d.rows; ++i) {
            const int label = int(i % 3);
            d.labels.push_back(float(label));
            for (Index j = 0; j < d.cols; ++j) d.values.push_back(float(label * 2 + rng.normal()));
        }
        ModelConfig c;
        c.inputDim = 4;
        c.inputShape = Shape::flat(4);
        c.encoderWidths = {8};
        const std::unique_ptr<Model> model = makeModel(c);
        model->initialize(rng);
        model->normalizer() = Normalizer::identity(4);
        int calls = 0;
        const app::AnomalyReport r = app::anomalyReport(*model, d, 2, true, 0.95, [&] { ++calls; });
        QCOMPARE(r.testScores.size(), size_t(5000));
        // 5,000 test samples in 2 chunks, 6,000 normal training samples in 2.
        QCOMPARE(calls, 4);
        struct Stop {};
        calls = 0;
        bool stopped = false;
        try {
            app::anomalyReport(*model, d, 2, true, 0.95, [&] {
                if (++calls == 2) throw Stop{};
            });
        } catch (const Stop&) {
            stopped = true;
        }
        QVERIFY(stopped);
        QCOMPARE(calls, 2);
    }
};

QTEST_GUILESS_MAIN(TestEpochMetrics)
#include "tst_epochmetrics.moc"
