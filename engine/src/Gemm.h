// C = op(A) op(B) (+ C when accumulating): column-major raw blocks with leading dimensions.
// The float engine hands this to OpenBLAS (single-threaded inside each of the engine's
// tiles) or to Eigen, as multiplyChoice() decided for this process (latentlab/Multiply.h).
#pragma once

#include "latentlab/Multiply.h"
#include "latentlab/Types.h"

#include <algorithm>
#include <string>

namespace latentlab::detail {

// Products are split into tiles of output rows that the OpenMP threads take one at a time
// (each tile is one single-threaded gemm() call, with its bias, activation or checks
// applied while it is still in cache). A thread that the system descheduled holds back at
// most one tile, where a product split once per thread would wait for it entirely. The
// tiles do not depend on the thread count, so neither do the results.
//
// Equal tiles of about kTargetTileRows (big enough to amortise packing the other factor),
// an even number of them (two threads share them evenly) and a multiple of 8 rows high:
// 512 rows give 4 tiles of 128, 784 rows 8 tiles of 104 (the last 56), 256 rows 2 of 128.
struct Tiles {
    static constexpr Index kTargetTileRows = 128;
    explicit Tiles(Index totalRows) : rows(totalRows) {
        if (rows <= 0) return;
        Index wanted = (rows + kTargetTileRows - 1) / kTargetTileRows;
        if (wanted > 1 && wanted % 2 == 1) ++wanted;
        height = ((rows + wanted - 1) / wanted + 7) / 8 * 8;
        count = (rows + height - 1) / height;
    }
    Index begin(Index t) const { return t * height; }
    Index size(Index t) const { return std::min(height, rows - t * height); }
    Index rows = 0, height = 0, count = 0;
};

// With this process's multiply (multiplyChoice()).
void gemm(bool transA, bool transB, Index m, Index n, Index k, const Scalar* a, Index lda, const Scalar* b,
          Index ldb, bool accumulate, Scalar* c, Index ldc);

// With a given one, for the benchmarks; a backend the build lacks falls back to Eigen.
void gemmWith(MultiplyBackend backend, bool transA, bool transB, Index m, Index n, Index k, const Scalar* a,
              Index lda, const Scalar* b, Index ldb, bool accumulate, Scalar* c, Index ldc);
bool hasGemm(MultiplyBackend backend);

// What multiplies in gemm(), e.g. "OpenBLAS sgemm, Cooperlake kernel" or "Eigen, AVX-512".
const std::string& gemmBackend();

} // namespace latentlab::detail
