// Collects the per-batch losses between two snapshots and hands them over as at most
// `maxPoints` points (means of consecutive batches). The Swiss roll trains ~7,000 batches
// a second; the plot needs a few hundred points a second, not every batch.
#pragma once

#include "training/Snapshot.h"

#include <vector>

namespace latentlab::gui {

class LossBuffer {
public:
    explicit LossBuffer(int maxPoints = 16) : m_maxPoints(maxPoints) {}

    void add(double position, const LossTerms& loss);
    bool empty() const { return m_points.empty(); }
    // The collected points, merged down to at most maxPoints; the buffer is emptied.
    std::vector<BatchPoint> take();

private:
    int m_maxPoints;
    std::vector<BatchPoint> m_points;
};

} // namespace latentlab::gui
