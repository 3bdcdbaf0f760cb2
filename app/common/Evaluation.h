// The figures `latentlab-cli eval` prints: how well a model reconstructs and how good its
// latent space is, with PCA of the same dimension as the baseline.
#pragma once

#include <functional>

#include "latentlab/Batch.h"
#include "latentlab/Dataset.h"
#include "latentlab/Metrics.h"
#include "latentlab/Model.h"

#include <QJsonObject>
#include <QStringList>
#include <optional>

namespace latentlab::app {

struct QualityFigures {
    double msePerFeature = 0;            // mean squared error per feature, normalised units
    std::optional<double> bcePerSample;  // when the data lies in [0, 1]
    std::optional<double> elbo;          // VAE only: -(reconstruction + KL), per sample
    std::optional<double> knnAccuracy;   // k = 5, train codes vote for test codes
    std::optional<double> trustworthiness; // k = 10; needs at least 22 samples
    std::optional<double> labelR2;       // continuous labels: R^2 of a linear fit from the codes
    QJsonObject toJson() const;
};

struct EvaluationResult {
    QualityFigures model, pca;
    Index evaluatedSamples = 0;  // reconstruction figures: the test part, or all
    Index trustSamples = 0;      // of all samples (train and test), at most kMaxTrustSamples
    Index knnReferenceSamples = 0; // training codes k-NN votes with; 0 without k-NN
    QString samplesExplained;    // what each count counts, in words
    QString split;               // "test" or "all"
    QStringList notes;           // why a figure is null, when it is
    QJsonObject toJson() const;
};

// What evaluate() computes from the data alone, in a model's normalised units (which stay
// for a session): the trustworthiness samples, their ranks and PCA's figures. A caller
// that evaluates many models of one session (the PCA tab) keeps one and passes it each time;
// evaluate() fills it the first time. One thread at a time; one session's models (the same
// data and normaliser): another dataset or seed starts it afresh.
struct EvaluationCache {
    const data::Dataset* dataset = nullptr; // what it was filled for
    uint64_t seed = 0;
    Matrix trustX;
    TrustRanks trustRanks; // of trustX's points, in the original space
    std::optional<QualityFigures> pca;
    Index pcaComponents = 0;
};

// Trustworthiness looks at a random subset of at most maxTrustSamples (training and test
// alike): it costs that number squared.
constexpr Index kMaxTrustSamples = 5000;
// `checkpoint`, if given, is called between the steps (a few tenths of a second to a few
// seconds apart on 70,000 images); it may throw to abandon the evaluation, and the cache
// then keeps what was complete.
EvaluationResult evaluate(const Model& model, const data::Dataset& dataset, uint64_t seed = 1,
                          EvaluationCache* cache = nullptr, Index maxTrustSamples = kMaxTrustSamples,
                          const std::function<void()>& checkpoint = {});

// Every sample on the data's first two principal components (one for 1-D data), fitted on
// the training part in the model's normalised units: the plane PCA gives, 2 x rows.
Matrix pcaPlane(const Model& model, const data::Dataset& dataset);

} // namespace latentlab::app
