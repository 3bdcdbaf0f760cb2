#include "Evaluation.h"

#include <QJsonArray>

#include "Experiment.h"

#include "latentlab/Metrics.h"
#include "latentlab/Trainer.h"
#include "latentlab/Vae.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace latentlab::app {

namespace {
// Trustworthiness with k = 10 needs 2k + 2 points; with fewer there is no figure to give.
constexpr int kTrustNeighbours = 10;
constexpr Index kMinTrustSamples = 2 * kTrustNeighbours + 2;

// -[t log p + (1 - t) log(1 - p)] summed over features, averaged over samples.
double bcePerSample(const Matrix& p, const Matrix& t) {
    const double eps = 1e-7;
    double s = 0;
    for (Index i = 0; i < p.size(); ++i) {
        const double q = std::clamp(double(p.data()[i]), eps, 1.0 - eps);
        const double y = t.data()[i];
        s -= y * std::log(q) + (1.0 - y) * std::log(1.0 - q);
    }
    return s / double(p.cols());
}

std::vector<int> classLabels(const data::Dataset& d, Index begin, Index end) {
    std::vector<int> out;
    for (Index i = begin; i < end; ++i) out.push_back(int(std::lround(d.labels[size_t(i)])));
    return out;
}

std::vector<Index> sampleIndices(Index n, Index limit, uint64_t seed) {
    std::vector<Index> idx(static_cast<size_t>(n));
    std::iota(idx.begin(), idx.end(), 0);
    if (n <= limit) return idx;
    Rng rng(seed);
    for (Index i = 0; i < limit; ++i) std::swap(idx[size_t(i)], idx[size_t(i + Index(rng.below(uint64_t(n - i))))]);
    idx.resize(size_t(limit));
    std::sort(idx.begin(), idx.end());
    return idx;
}

QualityFigures figures(const Matrix& x, const Matrix& xhat, bool unitRange,
                       const Matrix& trainCodes, const Matrix& testCodes, const data::Dataset& d,
                       const TrustRanks& trustRanks, const Matrix& trustZ, const std::vector<double>& trustLabels) {
    QualityFigures f;
    f.msePerFeature = (xhat - x).squaredNorm() / double(x.size());
    if (unitRange) f.bcePerSample = bcePerSample(xhat, x);
    if (d.labelKind == data::LabelKind::Class && trainCodes.cols() > 0 && testCodes.cols() > 0)
        f.knnAccuracy = knnAccuracy(trainCodes, classLabels(d, 0, d.trainRows), testCodes,
                                    classLabels(d, d.trainRows, d.rows), 5);
    if (trustZ.cols() >= kMinTrustSamples)
        f.trustworthiness = trustworthiness(trustRanks, trustZ, kTrustNeighbours);
    if (!trustLabels.empty()) {
        try {
            f.labelR2 = linearFitR2(trustZ, trustLabels);
        } catch (const ConfigError&) {
            // a constant label: no figure
        }
    }
    return f;
}
} // namespace

QJsonObject QualityFigures::toJson() const {
    QJsonObject o{{"reconstruction_mse_per_feature", msePerFeature}};
    o["trustworthiness_k10"] = trustworthiness ? QJsonValue(*trustworthiness) : QJsonValue();
    o["bce_per_sample"] = bcePerSample ? QJsonValue(*bcePerSample) : QJsonValue();
    o["elbo_per_sample"] = elbo ? QJsonValue(*elbo) : QJsonValue();
    o["knn5_accuracy"] = knnAccuracy ? QJsonValue(*knnAccuracy) : QJsonValue();
    o["label_r2"] = labelR2 ? QJsonValue(*labelR2) : QJsonValue();
    return o;
}

QJsonObject EvaluationResult::toJson() const {
    return QJsonObject{{"model", model.toJson()},
                       {"pca", pca.toJson()},
                       {"split", split},
                       {"evaluated_samples", double(evaluatedSamples)},
                       {"trustworthiness_samples", double(trustSamples)},
                       {"knn_reference_samples", knnReferenceSamples > 0 ? QJsonValue(double(knnReferenceSamples)) : QJsonValue()},
                       {"samples_explained", samplesExplained},
                       {"notes", QJsonArray::fromStringList(notes)}};
}

EvaluationResult evaluate(const Model& model, const data::Dataset& d, uint64_t seed, EvaluationCache* cache,
                          Index maxTrustSamples, const std::function<void()>& checkpoint) {
    const auto step = [&] {
        if (checkpoint) checkpoint();
    };
    if (maxTrustSamples < 1) throw ConfigError("evaluate: at most " + std::to_string(maxTrustSamples) + " samples for trustworthiness");
    checkModelFitsData(model, d, "the model");
    const DataView view = viewOf(d);
    const Normalizer& norm = model.normalizer();
    const Index trainRows = d.trainRows > 0 && d.trainRows < d.rows ? d.trainRows : d.rows;
    const bool hasTest = trainRows < d.rows;
    const Index evalBegin = hasTest ? trainRows : 0;

    EvaluationResult r;
    r.split = hasTest ? "test" : "all";
    r.evaluatedSamples = d.rows - evalBegin;
    const Matrix x = toMatrix(view, norm, evalBegin, d.rows);
    const bool unitRange = x.size() > 0 && x.minCoeff() >= -1e-6 && x.maxCoeff() <= 1 + 1e-6;

    // The autoencoder.
    Matrix xhat;
    model.reconstruct(x, xhat);
    step();
    const Matrix trainCodes = hasTest ? encodeData(model, view, 0, trainRows) : Matrix();
    step();
    const Matrix testCodes = hasTest ? encodeData(model, view, trainRows, d.rows) : Matrix();
    step();
    // Trustworthiness needs no labels, so it looks at the whole data set (training and test
    // codes alike), a random subset when there are many: it costs n^2.
    const std::vector<Index> trustIdx = sampleIndices(d.rows, maxTrustSamples, seed);
    r.trustSamples = Index(trustIdx.size());
    std::vector<double> trustLabels;
    if (d.labelKind == data::LabelKind::Continuous)
        for (Index i : trustIdx) trustLabels.push_back(double(d.labels[size_t(i)]));
    if (r.trustSamples < kMinTrustSamples)
        r.notes << QString("trustworthiness_k10 is null: it needs at least %1 samples, the data has %2")
                       .arg(kMinTrustSamples)
                       .arg(r.trustSamples);
    const bool knn = hasTest && d.labelKind == data::LabelKind::Class;
    r.knnReferenceSamples = knn ? trainRows : 0;
    const QString split = hasTest ? QString("the %1 samples of the test split").arg(r.evaluatedSamples)
                                  : QString("all %1 samples (the data has no test split)").arg(r.evaluatedSamples);
    r.samplesExplained =
        QString("reconstruction%1 figures: %2; trustworthiness%5: %3; %4")
            .arg(model.kind() == ModelKind::Vae ? " and ELBO" : "", split,
                 r.trustSamples == d.rows
                     ? QString("all %1 samples%2").arg(d.rows).arg(hasTest ? " (training and test)" : "")
                     : QString("%1 of all %2 samples (training and test), drawn at random (seed %3)")
                           .arg(r.trustSamples)
                           .arg(d.rows)
                           .arg(seed),
                 knn ? QString("k-NN: each test code classified by its 5 nearest among the %1 training codes")
                           .arg(trainRows)
                     : QString("k-NN: none (it needs class labels and a test split)"),
                 trustLabels.empty() ? QString()
                                     : QString(" and label_r2 (a linear fit of the %1 from the codes)")
                                           .arg(QString::fromStdString(d.labelName.empty() ? "label" : d.labelName)));
    EvaluationCache local;
    EvaluationCache& c = cache ? *cache : local;
    if (c.dataset != &d || c.seed != seed) {
        c = EvaluationCache();
        c.dataset = &d;
        c.seed = seed;
    }
    if (c.trustX.cols() != Index(trustIdx.size())) {
        gatherBatch(view, norm, trustIdx.data(), Index(trustIdx.size()), c.trustX);
        // The original points' ranks serve the model's figures and PCA's alike (n^2 of them).
        c.trustRanks = c.trustX.cols() >= kMinTrustSamples ? TrustRanks(squaredDistances(c.trustX)) : TrustRanks();
    }
    step();
    const Matrix& trustX = c.trustX;
    const TrustRanks& trustRanks = c.trustRanks;
    Matrix trustZ;
    model.encode(trustX, trustZ);
    r.model = figures(x, xhat, unitRange, trainCodes, testCodes, d, trustRanks, trustZ, trustLabels);
    step();
    if (model.kind() == ModelKind::Vae) {
        // ELBO with beta = 1 whatever the training beta, so models compare.
        std::unique_ptr<Model> copy = model.clone();
        copy->setBeta(1.0);
        const LossTerms t = Trainer::evaluateRange(*copy, view, evalBegin, d.rows, seed);
        r.model.elbo = -(t.reconstruction + t.kl);
    }

    // PCA with as many components as the latent space, fitted on the training part.
    const Index k = std::min<Index>(model.latentDim(), d.cols);
    if (c.pca && c.pcaComponents == k) {
        r.pca = *c.pca;
        return r;
    }
    step();
    const Matrix trainX = toMatrix(view, norm, 0, trainRows);
    const Pca pca = fitPca(trainX, k);
    step();
    const Matrix pcaHat = pca.inverseTransform(pca.transform(x));
    const Matrix pcaTrain = hasTest ? pca.transform(trainX) : Matrix();
    const Matrix pcaTest = hasTest ? pca.transform(toMatrix(view, norm, trainRows, d.rows)) : Matrix();
    r.pca = figures(x, pcaHat, unitRange, pcaTrain, pcaTest, d, trustRanks, pca.transform(trustX), trustLabels);
    c.pca = r.pca;
    c.pcaComponents = k;
    return r;
}

Matrix pcaPlane(const Model& model, const data::Dataset& d) {
    const DataView view = viewOf(d);
    const Index trainRows = d.trainRows > 0 && d.trainRows < d.rows ? d.trainRows : d.rows;
    const Pca pca = fitPca(toMatrix(view, model.normalizer(), 0, trainRows), std::min<Index>(2, d.cols));
    return pca.transform(toMatrix(view, model.normalizer(), 0, d.rows));
}

} // namespace latentlab::app
