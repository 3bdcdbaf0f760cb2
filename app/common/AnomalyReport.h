// Anomaly detection with a trained model, as `latentlab-cli eval --anomaly-class` prints it
// and the window's Anomalies view shows it: the reconstruction error of every test sample
// is its score, one class counts as the anomaly, and a threshold taken from the errors of
// normal training samples flags what lies above it.
#pragma once

#include "latentlab/Anomaly.h"
#include "latentlab/Dataset.h"
#include "latentlab/Model.h"

#include <QJsonObject>
#include <QString>
#include <functional>
#include <vector>

namespace latentlab::app {

struct AnomalyReport {
    int anomalyClass = -1;
    QString className;              // the class's name when the data has names, else its number
    bool leftOutOfTraining = false; // whether the model was trained without that class
    // Test samples: dataset row, reconstruction error, whether of the anomaly class.
    std::vector<Index> testRows;
    std::vector<double> testScores;
    std::vector<bool> testAnomalous;
    // Errors of the normal training samples (at most kMaxTrainingScores of them).
    std::vector<double> trainingScores;
    double thresholdQuantile = 0.95;
    double threshold = 0; // that quantile of trainingScores
    Confusion atThreshold;
    RocCurve roc;

    // Test errors of the normal samples and of the anomalies, apart.
    std::vector<double> normalScores() const;
    std::vector<double> anomalyScores() const;
    // Precision and recall of flagging the test samples above `threshold`.
    Confusion confusion(double threshold) const;
    // The `count` test samples reconstructed worst, worst first: dataset rows.
    std::vector<Index> worstRows(size_t count) const;
    QJsonObject toJson() const;
};

constexpr Index kMaxTrainingScores = 20000;

// ConfigError when the data has no class labels, no test part, or no test sample of the
// class (or only of the class); `leftOut` is the run's holdOutClass setting. `checkpoint`
// runs between chunks of at most kScoreChunk samples (the window's views end work there
// that training has made pointless, by throwing).
constexpr Index kScoreChunk = 4096;
AnomalyReport anomalyReport(const Model& model, const data::Dataset& dataset, int anomalyClass, bool leftOut,
                            double thresholdQuantile = 0.95, const std::function<void()>& checkpoint = {});

} // namespace latentlab::app
