// Anomaly detection by reconstruction error: a model trained on "normal" data reconstructs
// what it has not seen worse, so the error is a score, higher for the more anomalous.
// These functions judge such scores against known answers (which samples are anomalies).
#pragma once

#include "latentlab/Types.h"

#include <cstdint>
#include <vector>

namespace latentlab {

// Counts of one threshold: a sample is flagged when its score is above the threshold.
struct Confusion {
    int64_t truePositives = 0, falsePositives = 0, trueNegatives = 0, falseNegatives = 0;
    // Of the flagged, the share that are anomalies (1 when nothing is flagged).
    double precision() const;
    // Of the anomalies, the share flagged (0 when there are none).
    double recall() const;
    // Of the normal samples, the share flagged (0 when there are none): the ROC's x.
    double falsePositiveRate() const;
};

Confusion confusionAt(const std::vector<double>& scores, const std::vector<bool>& anomalous, double threshold);

struct RocPoint {
    double falsePositiveRate = 0, truePositiveRate = 0;
    double threshold = 0; // the points flagged are those scored above it
};

// The ROC curve from (0, 0) to (1, 1), one point per distinct score (tied scores move
// together, so the curve goes diagonally across a tie), and the area under it: the chance
// that a random anomaly scores above a random normal sample, ties counting one half.
// ConfigError when there is no anomaly or no normal sample, when the sizes differ, or when
// a score is not finite.
struct RocCurve {
    std::vector<RocPoint> points;
    double auc = 0;
};
RocCurve rocCurve(const std::vector<double>& scores, const std::vector<bool>& anomalous);

// The q-quantile of the values (0 <= q <= 1), interpolated linearly between order
// statistics as numpy's default does. ConfigError when values is empty or q is outside.
double quantile(std::vector<double> values, double q);

} // namespace latentlab
