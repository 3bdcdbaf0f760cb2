#include "EpochMetrics.h"

#include "Experiment.h"
#include "RunConfig.h"

#include "latentlab/Batch.h"
#include "latentlab/Metrics.h"
#include "latentlab/Trainer.h"

#include <QList>
#include <QStringList>
#include <cmath>

namespace latentlab::app {

namespace {
constexpr int kTrustNeighbours = 10;
constexpr Index kMinTrustSamples = 2 * kTrustNeighbours + 2;
const QStringList kColumns{"epoch", "steps", "mse_per_feature", "elbo_per_sample", "knn5_accuracy",
                           "trustworthiness_k10", "label_r2", "active_units", "latent_dim"};

std::vector<int> classesOf(const data::Dataset& d, Index begin, Index end) {
    std::vector<int> out;
    out.reserve(size_t(end - begin));
    for (Index i = begin; i < end; ++i) out.push_back(int(std::lround(d.labels[size_t(i)])));
    return out;
}

QByteArray optionalField(const std::optional<double>& v) {
    return v ? QByteArray::number(*v, 'g', 9) : QByteArray();
}
} // namespace

std::shared_ptr<const MetricsProbe> makeMetricsProbe(std::shared_ptr<const data::Dataset> dataset,
                                                     const Normalizer& normalizer) {
    const data::Dataset& d = *dataset;
    const Index trainRows = d.trainRows > 0 && d.trainRows < d.rows ? d.trainRows : d.rows;
    const bool hasTest = trainRows < d.rows;
    auto p = std::make_shared<MetricsProbe>();
    p->begin = hasTest ? trainRows : 0;
    p->end = std::min(d.rows, p->begin + kProbeSamples);
    const DataView view = viewOf(d);
    p->x = toMatrix(view, normalizer, p->begin, p->end);
    if (p->x.cols() >= kMinTrustSamples) p->ranks = TrustRanks(squaredDistances(p->x));
    if (hasTest && d.labelKind == data::LabelKind::Class) {
        p->classes = classesOf(d, p->begin, p->end);
        const Index refEnd = std::min(trainRows, kProbeReferenceSamples);
        p->reference = toMatrix(view, normalizer, 0, refEnd);
        p->referenceClasses = classesOf(d, 0, refEnd);
    }
    if (d.labelKind == data::LabelKind::Continuous)
        for (Index i = p->begin; i < p->end; ++i) p->continuousLabels.push_back(double(d.labels[size_t(i)]));
    p->dataset = std::move(dataset);
    return p;
}

int countActiveUnits(const Matrix& means) {
    int active = 0;
    for (Index u = 0; u < means.rows(); ++u) {
        if (means.cols() < 2) break;
        const double mean = means.row(u).cast<double>().mean();
        const double variance =
            (means.row(u).cast<double>().array() - mean).square().sum() / double(means.cols() - 1);
        if (variance > kActiveUnitVariance) ++active;
    }
    return active;
}

EpochMetrics measureEpoch(const Model& model, const MetricsProbe& p, double epoch, long long steps) {
    EpochMetrics m;
    m.epoch = epoch;
    m.steps = steps;
    m.latentDim = int(model.latentDim());
    // Model::reconstruct's two steps, the codes kept for the figures below.
    Matrix xhat, z;
    model.encode(p.x, z);
    model.decode(z, xhat);
    m.msePerFeature = p.x.size() > 0 ? (xhat - p.x).squaredNorm() / double(p.x.size()) : 0.0;
    if (!p.classes.empty()) {
        Matrix refZ;
        model.encode(p.reference, refZ);
        m.knnAccuracy = knnAccuracy(refZ, p.referenceClasses, z, p.classes, 5);
    }
    if (p.ranks.size() > 0) m.trustworthiness = trustworthiness(p.ranks, z, kTrustNeighbours);
    if (!p.continuousLabels.empty()) {
        try {
            m.labelR2 = linearFitR2(z, p.continuousLabels);
        } catch (const ConfigError&) {
            // a constant label: no figure
        }
    }
    if (model.kind() == ModelKind::Vae) {
        // As `eval` gives it: the KL term weighed once whatever the training beta.
        const LossTerms t = Trainer::evaluateRange(model, viewOf(*p.dataset), p.begin, p.end, 1);
        m.elbo = -(t.reconstruction + t.kl);
        m.activeUnits = countActiveUnits(z); // z holds the posterior means
    }
    return m;
}

QByteArray metricsCsv(const std::vector<EpochMetrics>& rows) {
    QByteArray out = kColumns.join(',').toUtf8() + '\n';
    for (const EpochMetrics& m : rows) {
        const QList<QByteArray> cells{QByteArray::number(m.epoch, 'g', 9),
                                      QByteArray::number(m.steps),
                                      QByteArray::number(m.msePerFeature, 'g', 9),
                                      optionalField(m.elbo),
                                      optionalField(m.knnAccuracy),
                                      optionalField(m.trustworthiness),
                                      optionalField(m.labelR2),
                                      m.activeUnits ? QByteArray::number(*m.activeUnits) : QByteArray(),
                                      QByteArray::number(m.latentDim)};
        out += cells.join(',') + '\n';
    }
    return out;
}

std::vector<EpochMetrics> parseMetricsCsv(const QByteArray& text, const QString& source) {
    const QList<QByteArray> lines = text.split('\n');
    auto fail = [&](int line, const QString& what) {
        throw ConfigFileError(QString("%1:%2: %3").arg(source).arg(line).arg(what).toStdString());
    };
    if (lines.isEmpty() || lines[0].trimmed().isEmpty()) fail(1, "no header (expected " + kColumns.join(',') + ")");
    const QList<QByteArray> header = lines[0].trimmed().split(',');
    std::vector<int> column(size_t(kColumns.size()), -1);
    for (int c = 0; c < header.size(); ++c) {
        const int known = kColumns.indexOf(QString::fromUtf8(header[c].trimmed()));
        if (known >= 0) column[size_t(known)] = c;
    }
    for (const char* needed : {"epoch", "mse_per_feature"})
        if (column[size_t(kColumns.indexOf(needed))] < 0) fail(1, QString("no column '%1'").arg(needed));
    std::vector<EpochMetrics> out;
    for (int i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty()) continue;
        const QList<QByteArray> cells = line.split(',');
        if (cells.size() != header.size())
            fail(i + 1, QString("%1 fields where the header has %2").arg(cells.size()).arg(header.size()));
        auto cell = [&](const char* name) -> QByteArray {
            const int c = column[size_t(kColumns.indexOf(name))];
            return c < 0 ? QByteArray() : cells[c].trimmed();
        };
        auto number = [&](const char* name) -> std::optional<double> {
            const QByteArray v = cell(name);
            if (v.isEmpty()) return std::nullopt;
            bool ok = false;
            const double d = v.toDouble(&ok);
            if (!ok || !std::isfinite(d))
                fail(i + 1, QString("%1 is not a finite number: '%2'").arg(name, QString::fromUtf8(v)));
            return d;
        };
        // A count: a whole number in [0, limit].
        auto count = [&](const char* name, double limit) -> std::optional<long long> {
            const std::optional<double> d = number(name);
            if (d && (*d < 0 || *d > limit || *d != std::floor(*d)))
                fail(i + 1, QString("%1 must be a whole number from 0 to %2: '%3'")
                                .arg(name)
                                .arg(limit, 0, 'g', 12)
                                .arg(QString::fromUtf8(cell(name))));
            return d ? std::optional<long long>((long long)*d) : std::nullopt;
        };
        EpochMetrics m;
        const std::optional<double> epoch = number("epoch");
        const std::optional<double> mse = number("mse_per_feature");
        if (!epoch || !mse) fail(i + 1, "epoch and mse_per_feature must not be empty");
        if (*epoch < 0 || *epoch > 1e9) fail(i + 1, QString("epoch out of range (0 to 1e9): %1").arg(*epoch));
        m.epoch = *epoch;
        m.steps = count("steps", 1e15).value_or(0);
        m.msePerFeature = *mse;
        m.elbo = number("elbo_per_sample");
        m.knnAccuracy = number("knn5_accuracy");
        m.trustworthiness = number("trustworthiness_k10");
        m.labelR2 = number("label_r2");
        if (const auto au = count("active_units", 1 << 20)) m.activeUnits = int(*au);
        m.latentDim = int(count("latent_dim", 1 << 20).value_or(0));
        out.push_back(m);
    }
    return out;
}

} // namespace latentlab::app
