// The figures the Metrics tab follows as a model trains, and `latentlab-cli train --metrics`
// writes per epoch to metrics.csv: reconstruction error, ELBO (VAE), k-NN accuracy and
// trustworthiness of the codes, R^2 of a linear fit of a continuous label, active units (VAE).
// They are measured on a fixed probe of the data, small enough to measure every epoch in a
// few milliseconds: the first 1,000 samples of the test part (of all samples when there is
// no test part), with the first 2,000 training samples as k-NN's reference. `eval` gives
// the same figures on the whole data.
#pragma once

#include "latentlab/Dataset.h"
#include "latentlab/Metrics.h"
#include "latentlab/Model.h"
#include "latentlab/Normalizer.h"

#include <QByteArray>
#include <QString>
#include <memory>
#include <optional>
#include <vector>

namespace latentlab::app {

// The data the figures are measured on, in a model's normalised units, with the ranks
// trustworthiness needs computed once.
struct MetricsProbe {
    Index begin = 0, end = 0;          // the probe's rows of the dataset
    Matrix x;                          // features x n, normalised
    TrustRanks ranks;                  // of x's points (n x n); empty below 22 samples
    std::vector<int> classes;          // the probe's class labels (class data with a test part)
    Matrix reference;                  // k-NN's reference samples, normalised
    std::vector<int> referenceClasses;
    std::vector<double> continuousLabels; // for R^2 (continuous labels)
    std::shared_ptr<const data::Dataset> dataset; // for the ELBO's data view
};

// Limits of the probe.
constexpr Index kProbeSamples = 1000;
constexpr Index kProbeReferenceSamples = 2000;

// The probe of `dataset` in `normalizer`'s units (a session's: it does not change while a
// model trains).
std::shared_ptr<const MetricsProbe> makeMetricsProbe(std::shared_ptr<const data::Dataset> dataset,
                                                     const Normalizer& normalizer);

struct EpochMetrics {
    double epoch = 0;     // epochs the model measured had trained: 3 after the third, 3.25 a
                          // quarter into the fourth (the window measures models as they come)
    long long steps = 0;  // its optimiser steps
    double msePerFeature = 0;
    std::optional<double> elbo;             // VAE: -(reconstruction + KL) per sample
    std::optional<double> knnAccuracy;      // k = 5
    std::optional<double> trustworthiness;  // k = 10
    std::optional<double> labelR2;
    std::optional<int> activeUnits;         // VAE: latent units whose mean code varies (variance > 0.01)
    int latentDim = 0;
};

// Variance above which a VAE's latent unit counts as active (Burda, Grosse and Salakhutdinov,
// "Importance weighted autoencoders", 2016): the variance over the data of its posterior mean.
constexpr double kActiveUnitVariance = 0.01;

// The units (rows of latentDim x n posterior means) whose variance over the samples (n - 1
// in the denominator) exceeds kActiveUnitVariance.
int countActiveUnits(const Matrix& means);

EpochMetrics measureEpoch(const Model& model, const MetricsProbe& probe, double epoch, long long steps);

// metrics.csv: a header naming the columns, one row per measured model; an absent figure
// is an empty field.
QByteArray metricsCsv(const std::vector<EpochMetrics>& rows);
// Reads what metricsCsv writes, by column name. ConfigFileError naming `source` and the
// line on a malformed file.
std::vector<EpochMetrics> parseMetricsCsv(const QByteArray& text, const QString& source);

} // namespace latentlab::app
