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
// Tiles of about kTargetTileRows (big enough to amortise packing the other factor), an
// even number of them (two threads share them evenly), each a multiple of 8 rows high but
// the last, and as equal as that allows, the taller ones first: 512 rows give 4 tiles of
// 128, 256 rows 2 of 128, 784 rows 8 tiles, 2 of 104 and 6 of 96 (392 rows a thread).
struct Tiles {
    static constexpr Index kTargetTileRows = 128;
    static constexpr Index kRowMultiple = 8;
    explicit Tiles(Index totalRows) : rows(totalRows) {
        if (rows <= 0) return;
        Index wanted = (rows + kTargetTileRows - 1) / kTargetTileRows;
        if (wanted > 1 && wanted % 2 == 1) ++wanted;
        const Index units = (rows + kRowMultiple - 1) / kRowMultiple;
        count = std::min(wanted, units);
        unitsPerTile = units / count;
        tallerTiles = units % count;
    }
    Index begin(Index t) const {
        return std::min(rows, kRowMultiple * (t * unitsPerTile + std::min(t, tallerTiles)));
    }
    Index size(Index t) const { return begin(t + 1) - begin(t); }
    Index rows = 0, count = 0;

private:
    Index unitsPerTile = 0, tallerTiles = 0; // in units of kRowMultiple rows
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
