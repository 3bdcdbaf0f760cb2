#include "AnomalyReport.h"

#include "Experiment.h"

#include "latentlab/Batch.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace latentlab::app {

namespace {

std::vector<double> scoresOf(const Model& model, const DataView& view, Index begin, Index end,
                             const std::function<void()>& checkpoint) {
    std::vector<double> out;
    out.reserve(size_t(std::max<Index>(0, end - begin)));
    for (Index b = begin; b < end; b += kScoreChunk) {
        if (checkpoint) checkpoint();
        const RowVector e = reconstructionErrors(model, view, b, std::min(end, b + kScoreChunk));
        out.insert(out.end(), e.data(), e.data() + e.size());
    }
    return out;
}

// The same for chosen rows, in chunks to bound memory.
std::vector<double> scoresOf(const Model& model, const DataView& view, const std::vector<Index>& rows,
                             const std::function<void()>& checkpoint) {
    const size_t kChunk = size_t(kScoreChunk);
    std::vector<double> out;
    out.reserve(rows.size());
    Matrix x;
    for (size_t s = 0; s < rows.size(); s += kChunk) {
        if (checkpoint) checkpoint();
        const Index n = Index(std::min(kChunk, rows.size() - s));
        gatherBatch(view, model.normalizer(), rows.data() + s, n, x);
        const RowVector e = model.reconstructionError(x);
        out.insert(out.end(), e.data(), e.data() + e.size());
    }
    return out;
}

std::vector<double> pick(const std::vector<double>& scores, const std::vector<bool>& anomalous, bool which) {
    std::vector<double> out;
    for (size_t i = 0; i < scores.size(); ++i)
        if (anomalous[i] == which) out.push_back(scores[i]);
    return out;
}

} // namespace

std::vector<double> AnomalyReport::normalScores() const { return pick(testScores, testAnomalous, false); }
std::vector<double> AnomalyReport::anomalyScores() const { return pick(testScores, testAnomalous, true); }

Confusion AnomalyReport::confusion(double t) const { return confusionAt(testScores, testAnomalous, t); }

std::vector<Index> AnomalyReport::worstRows(size_t count) const {
    std::vector<size_t> order(testScores.size());
    std::iota(order.begin(), order.end(), size_t(0));
    count = std::min(count, order.size());
    std::partial_sort(order.begin(), order.begin() + long(count), order.end(),
                      [&](size_t a, size_t b) { return testScores[a] > testScores[b]; });
    std::vector<Index> rows;
    for (size_t i = 0; i < count; ++i) rows.push_back(testRows[order[i]]);
    return rows;
}

QJsonObject AnomalyReport::toJson() const {
    const auto anomalies = std::count(testAnomalous.begin(), testAnomalous.end(), true);
    return QJsonObject{{"anomaly_class", anomalyClass},
                       {"anomaly_class_name", className},
                       {"left_out_of_training", leftOutOfTraining},
                       {"test_normal", double(testScores.size() - size_t(anomalies))},
                       {"test_anomalies", double(anomalies)},
                       {"roc_auc", roc.auc},
                       {"threshold", threshold},
                       {"threshold_rule", QString("the %1 quantile of the reconstruction errors of %2 normal "
                                                  "training samples")
                                              .arg(thresholdQuantile)
                                              .arg(trainingScores.size())},
                       {"precision", atThreshold.precision()},
                       {"recall", atThreshold.recall()},
                       {"flagged", double(atThreshold.truePositives + atThreshold.falsePositives)}};
}

AnomalyReport anomalyReport(const Model& model, const data::Dataset& d, int anomalyClass, bool leftOut,
                            double thresholdQuantile, const std::function<void()>& checkpoint) {
    const QString what = QString::fromStdString(d.name);
    if (d.labelKind != data::LabelKind::Class)
        throw ConfigError(what.toStdString() + ": anomaly detection needs class labels, and this dataset has none");
    if (d.trainRows <= 0 || d.trainRows >= d.rows)
        throw ConfigError(what.toStdString() + ": anomaly detection needs a test part, and this dataset has none");
    AnomalyReport r;
    r.anomalyClass = anomalyClass;
    r.className = size_t(anomalyClass) < d.classNames.size() ? QString::fromStdString(d.classNames[size_t(anomalyClass)])
                                                             : QString::number(anomalyClass);
    r.leftOutOfTraining = leftOut;
    r.thresholdQuantile = thresholdQuantile;
    auto isAnomaly = [&](Index row) { return std::lround(d.labels[size_t(row)]) == anomalyClass; };
    const DataView view = viewOf(d);

    r.testScores = scoresOf(model, view, d.trainRows, d.rows, checkpoint);
    for (Index row = d.trainRows; row < d.rows; ++row) {
        r.testRows.push_back(row);
        r.testAnomalous.push_back(isAnomaly(row));
    }
    // The threshold comes from data the model learnt as normal, never from the test labels.
    // Evenly spaced rows keep a large training part's share of each class.
    const Index step = std::max<Index>(1, (d.trainRows + kMaxTrainingScores - 1) / kMaxTrainingScores);
    std::vector<Index> normalRows;
    for (Index row = 0; row < d.trainRows; row += step)
        if (!isAnomaly(row)) normalRows.push_back(row);
    r.trainingScores = scoresOf(model, view, normalRows, checkpoint);
    if (r.trainingScores.empty())
        throw ConfigError(what.toStdString() + ": every training sample has class " + std::to_string(anomalyClass) +
                          "; nothing is left to call normal");
    r.threshold = quantile(r.trainingScores, thresholdQuantile);
    r.roc = rocCurve(r.testScores, r.testAnomalous); // ConfigError without anomalies or normal samples
    r.atThreshold = r.confusion(r.threshold);
    return r;
}

} // namespace latentlab::app
