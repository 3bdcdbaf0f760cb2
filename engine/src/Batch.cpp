#include "latentlab/Batch.h"

#include <numeric>
#include <vector>

namespace latentlab {

void gatherBatch(const DataView& data, const Normalizer& norm, const Index* rows, Index n,
                 Matrix& out) {
    const Index d = data.cols;
    out.resize(d, n);
    const bool scaled = norm.kind() != Normalizer::Kind::None;
    const Scalar* shift = scaled ? norm.shift().data() : nullptr;
    const Scalar* scale = scaled ? norm.scale().data() : nullptr;
    // Each column is independent; a static schedule keeps the result independent of timing.
#pragma omp parallel for schedule(static) if (n * d > 65536)
    for (Index j = 0; j < n; ++j) {
        Scalar* dst = out.data() + j * d;
        const Index r = rows[j];
        if (data.bytes) {
            const uint8_t* src = data.bytes + r * d;
            for (Index i = 0; i < d; ++i) dst[i] = Scalar(src[i]);
        } else {
            const float* src = data.values + r * d;
            for (Index i = 0; i < d; ++i) dst[i] = Scalar(src[i]);
        }
        if (scaled)
            for (Index i = 0; i < d; ++i) dst[i] = (dst[i] - shift[i]) * scale[i];
    }
}

void gatherRange(const DataView& data, const Normalizer& norm, Index begin, Index end, Matrix& out) {
    std::vector<Index> rows(static_cast<size_t>(end - begin));
    std::iota(rows.begin(), rows.end(), begin);
    gatherBatch(data, norm, rows.data(), end - begin, out);
}

Matrix toMatrix(const DataView& data, const Normalizer& norm, Index begin, Index end) {
    Matrix out;
    gatherRange(data, norm, begin, end, out);
    return out;
}

} // namespace latentlab
