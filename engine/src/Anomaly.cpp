#include "latentlab/Anomaly.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace latentlab {

double Confusion::precision() const {
    const int64_t flagged = truePositives + falsePositives;
    return flagged == 0 ? 1.0 : double(truePositives) / double(flagged);
}

double Confusion::recall() const {
    const int64_t anomalies = truePositives + falseNegatives;
    return anomalies == 0 ? 0.0 : double(truePositives) / double(anomalies);
}

double Confusion::falsePositiveRate() const {
    const int64_t normal = falsePositives + trueNegatives;
    return normal == 0 ? 0.0 : double(falsePositives) / double(normal);
}

namespace {

void checkSizes(const std::vector<double>& scores, const std::vector<bool>& anomalous, const char* what) {
    if (scores.size() != anomalous.size())
        throw ConfigError(std::string(what) + ": " + std::to_string(scores.size()) + " scores for " +
                          std::to_string(anomalous.size()) + " answers");
}

} // namespace

Confusion confusionAt(const std::vector<double>& scores, const std::vector<bool>& anomalous, double threshold) {
    checkSizes(scores, anomalous, "confusionAt");
    Confusion c;
    for (size_t i = 0; i < scores.size(); ++i) {
        const bool flagged = scores[i] > threshold;
        if (anomalous[i])
            ++(flagged ? c.truePositives : c.falseNegatives);
        else
            ++(flagged ? c.falsePositives : c.trueNegatives);
    }
    return c;
}

RocCurve rocCurve(const std::vector<double>& scores, const std::vector<bool>& anomalous) {
    checkSizes(scores, anomalous, "rocCurve");
    const int64_t positives = std::count(anomalous.begin(), anomalous.end(), true);
    const int64_t negatives = int64_t(anomalous.size()) - positives;
    if (positives == 0 || negatives == 0)
        throw ConfigError("rocCurve: needs both anomalies and normal samples (" + std::to_string(positives) +
                          " anomalies, " + std::to_string(negatives) + " normal)");
    for (size_t i = 0; i < scores.size(); ++i)
        if (!std::isfinite(scores[i]))
            throw ConfigError("rocCurve: score " + std::to_string(i) + " is not a finite number");
    // Highest score first: lowering the threshold past each distinct score flags the
    // samples holding it.
    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    RocCurve roc;
    roc.points.push_back({0.0, 0.0, scores[order.front()]});
    int64_t tp = 0, fp = 0;
    double area = 0;
    for (size_t s = 0; s < order.size();) {
        const double value = scores[order[s]];
        const int64_t tp0 = tp, fp0 = fp;
        for (; s < order.size() && scores[order[s]] == value; ++s) ++(anomalous[order[s]] ? tp : fp);
        // The trapezoid under this step (a tie of normal and anomalous gives a diagonal).
        area += double(fp - fp0) * double(tp + tp0) / 2.0;
        const double next = s < order.size() ? scores[order[s]] : -INFINITY;
        roc.points.push_back({double(fp) / double(negatives), double(tp) / double(positives), next});
    }
    roc.auc = area / (double(positives) * double(negatives));
    return roc;
}

double quantile(std::vector<double> values, double q) {
    if (values.empty()) throw ConfigError("quantile: no values");
    if (!(q >= 0.0 && q <= 1.0)) throw ConfigError("quantile: q must lie in [0, 1], got " + std::to_string(q));
    const double pos = q * double(values.size() - 1);
    const size_t lo = size_t(std::floor(pos)), hi = std::min(lo + 1, values.size() - 1);
    std::nth_element(values.begin(), values.begin() + long(lo), values.end());
    const double a = values[lo];
    if (hi == lo) return a;
    const double b = *std::min_element(values.begin() + long(lo) + 1, values.end());
    return a + (b - a) * (pos - double(lo));
}

} // namespace latentlab
