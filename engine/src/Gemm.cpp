#include "Gemm.h"

#include "latentlab/Multiply.h"

#include <mutex>

#if defined(LATENTLAB_USE_OPENBLAS) && !defined(LATENTLAB_SCALAR_DOUBLE)
#define LATENTLAB_GEMM_OPENBLAS 1
extern "C" {
void sgemm_(const char* transA, const char* transB, const int* m, const int* n, const int* k, const float* alpha,
            const float* a, const int* lda, const float* b, const int* ldb, const float* beta, float* c,
            const int* ldc);
void openblas_set_num_threads(int threads);
}
#endif

namespace latentlab::detail {

namespace {
using Stride = Eigen::OuterStride<>;
using ConstBlock = Eigen::Map<const Matrix, 0, Stride>;
using Block = Eigen::Map<Matrix, 0, Stride>;

template <class L, class R> void assign(Block& c, const L& l, const R& r, bool accumulate) {
    if (accumulate)
        c.noalias() += l * r;
    else
        c.noalias() = l * r;
}
} // namespace

const std::string& gemmBackend() { return multiplyChoice().label; }

void gemm(bool transA, bool transB, Index m, Index n, Index k, const Scalar* a, Index lda, const Scalar* b,
          Index ldb, bool accumulate, Scalar* c, Index ldc) {
    if (m <= 0 || n <= 0) return;
#ifdef LATENTLAB_GEMM_OPENBLAS
    if (multiplyChoice().backend == MultiplyBackend::OpenBlas) {
        // The engine's threads share out the tiles; OpenBLAS's own pool would only compete.
        static std::once_flag single;
        std::call_once(single, [] { openblas_set_num_threads(1); });
        const int M = int(m), N = int(n), K = int(k), LDA = int(lda), LDB = int(ldb), LDC = int(ldc);
        const float one = 1, beta = accumulate ? 1.0f : 0.0f;
        sgemm_(transA ? "T" : "N", transB ? "T" : "N", &M, &N, &K, &one, a, &LDA, b, &LDB, &beta, c, &LDC);
        return;
    }
#endif
    {
    const ConstBlock A(a, transA ? k : m, transA ? m : k, Stride(lda));
    const ConstBlock B(b, transB ? n : k, transB ? k : n, Stride(ldb));
    Block C(c, m, n, Stride(ldc));
    if (transA && transB)
        assign(C, A.transpose(), B.transpose(), accumulate);
    else if (transA)
        assign(C, A.transpose(), B, accumulate);
    else if (transB)
        assign(C, A, B.transpose(), accumulate);
    else
        assign(C, A, B, accumulate);
    }
}

} // namespace latentlab::detail
