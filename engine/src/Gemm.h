// C = op(A) op(B) (+ C when accumulating): column-major raw blocks with leading dimensions.
// The float engine hands this to OpenBLAS when it was found at build time (single-threaded
// inside each of the engine's tiles: on this project's Zen 4 machine its sgemm ran the
// dense layers' tile shapes 15-65 % faster than Eigen's); otherwise Eigen computes it.
#pragma once

#include "latentlab/Types.h"

namespace latentlab::detail {

void gemm(bool transA, bool transB, Index m, Index n, Index k, const Scalar* a, Index lda, const Scalar* b,
          Index ldb, bool accumulate, Scalar* c, Index ldc);

// What multiplies in gemm(): "OpenBLAS sgemm" or "Eigen".
const char* gemmBackend();

} // namespace latentlab::detail
