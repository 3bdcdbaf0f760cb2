#include "training/LossBuffer.h"

#include <algorithm>

namespace latentlab::gui {

void LossBuffer::add(double position, const LossTerms& loss) { m_points.push_back({position, loss}); }

std::vector<BatchPoint> LossBuffer::take() {
    std::vector<BatchPoint> in;
    in.swap(m_points);
    const size_t n = in.size();
    const size_t groups = std::min<size_t>(n, size_t(std::max(1, m_maxPoints)));
    if (groups == n) return in;
    // Group g holds batches [g n / G, (g + 1) n / G): sizes differ by at most one. Each
    // merged point sits at its group's last batch and carries the group's mean loss.
    std::vector<BatchPoint> out;
    out.reserve(groups);
    for (size_t g = 0; g < groups; ++g) {
        const size_t begin = g * n / groups, end = (g + 1) * n / groups;
        LossTerms sum;
        for (size_t i = begin; i < end; ++i) sum.addWeighted(in[i].loss, 1.0);
        out.push_back({in[end - 1].position, LossTerms{}.addWeighted(sum, 1.0 / double(end - begin))});
    }
    return out;
}

} // namespace latentlab::gui
