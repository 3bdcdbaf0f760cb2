// Views of a data table and the copy of chosen samples into a normalised mini-batch.
#pragma once

#include "latentlab/Normalizer.h"
#include "latentlab/Types.h"

#include <cstdint>

namespace latentlab {

// A sample-major table (sample i's features contiguous) owned by someone else: either
// floats or bytes (images keep 0..255 bytes to save memory). The engine never copies the
// whole table; it gathers mini-batches from it.
struct DataView {
    const float* values = nullptr;
    const uint8_t* bytes = nullptr;
    Index rows = 0; // samples
    Index cols = 0; // features

    float at(Index row, Index col) const {
        const Index k = row * cols + col;
        return bytes ? float(bytes[k]) : values[k];
    }
    bool valid() const { return (values || bytes) && rows > 0 && cols > 0; }
};

// out (features x n) <- normalised copies of the given samples, one per column.
void gatherBatch(const DataView& data, const Normalizer& norm, const Index* rows, Index n,
                 Matrix& out);
// out <- samples [begin, end), normalised, one per column.
void gatherRange(const DataView& data, const Normalizer& norm, Index begin, Index end, Matrix& out);
// Samples [begin, end) as a normalised features x (end - begin) matrix.
Matrix toMatrix(const DataView& data, const Normalizer& norm, Index begin, Index end);

} // namespace latentlab
