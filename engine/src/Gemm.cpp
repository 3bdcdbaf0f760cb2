#include "Gemm.h"

#include "latentlab/Multiply.h"

#include <omp.h>

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
#if defined(LATENTLAB_USE_ONEDNN) && !defined(LATENTLAB_SCALAR_DOUBLE)
#define LATENTLAB_GEMM_ONEDNN 1
#include <oneapi/dnnl/dnnl.h>
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

// Each backend computes C = op(A) op(B) (+ C) for column-major blocks.

void eigenGemm(bool transA, bool transB, Index m, Index n, Index k, const Scalar* a, Index lda, const Scalar* b,
               Index ldb, bool accumulate, Scalar* c, Index ldc) {
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

#ifdef LATENTLAB_GEMM_OPENBLAS
void openBlasGemm(bool transA, bool transB, Index m, Index n, Index k, const Scalar* a, Index lda, const Scalar* b,
                  Index ldb, bool accumulate, Scalar* c, Index ldc) {
    // The engine's threads share out the tiles; OpenBLAS's own pool would only compete.
    static std::once_flag single;
    std::call_once(single, [] { openblas_set_num_threads(1); });
    const int M = int(m), N = int(n), K = int(k), LDA = int(lda), LDB = int(ldb), LDC = int(ldc);
    const float one = 1, beta = accumulate ? 1.0f : 0.0f;
    sgemm_(transA ? "T" : "N", transB ? "T" : "N", &M, &N, &K, &one, a, &LDA, b, &LDB, &beta, c, &LDC);
}
#endif

#ifdef LATENTLAB_GEMM_ONEDNN
void oneDnnGemm(bool transA, bool transB, Index m, Index n, Index k, const Scalar* a, Index lda, const Scalar* b,
                Index ldb, bool accumulate, Scalar* c, Index ldc) {
    // oneDNN is row-major. A column-major X with leading dimension ld is the row-major X^T,
    // so C = op(A) op(B) is computed as the row-major C^T = op(B)^T op(A)^T.
    const float beta = accumulate ? 1.0f : 0.0f;
    auto multiply = [&] {
        dnnl_sgemm(transB ? 'T' : 'N', transA ? 'T' : 'N', n, m, k, 1.0f, b, ldb, a, lda, beta, c, ldc);
    };
    if (omp_in_parallel()) { // inside the engine's tiles oneDNN runs single-threaded
        multiply();
        return;
    }
    // Outside them it would start omp_get_max_threads() threads of its own; one thread
    // keeps each product the same whatever the thread count.
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    multiply();
    omp_set_num_threads(threads);
}
#endif

} // namespace

const std::string& gemmBackend() { return multiplyChoice().label; }

bool hasGemm(MultiplyBackend backend) {
    switch (backend) {
    case MultiplyBackend::Eigen: return true;
#ifdef LATENTLAB_GEMM_OPENBLAS
    case MultiplyBackend::OpenBlas: return true;
#endif
#ifdef LATENTLAB_GEMM_ONEDNN
    case MultiplyBackend::OneDnn: return true;
#endif
    default: return false;
    }
}

void gemmWith(MultiplyBackend backend, bool transA, bool transB, Index m, Index n, Index k, const Scalar* a,
              Index lda, const Scalar* b, Index ldb, bool accumulate, Scalar* c, Index ldc) {
    if (m <= 0 || n <= 0) return;
    switch (backend) {
#ifdef LATENTLAB_GEMM_ONEDNN
    case MultiplyBackend::OneDnn: return oneDnnGemm(transA, transB, m, n, k, a, lda, b, ldb, accumulate, c, ldc);
#endif
#ifdef LATENTLAB_GEMM_OPENBLAS
    case MultiplyBackend::OpenBlas: return openBlasGemm(transA, transB, m, n, k, a, lda, b, ldb, accumulate, c, ldc);
#endif
    default: return eigenGemm(transA, transB, m, n, k, a, lda, b, ldb, accumulate, c, ldc);
    }
}

void gemm(bool transA, bool transB, Index m, Index n, Index k, const Scalar* a, Index lda, const Scalar* b,
          Index ldb, bool accumulate, Scalar* c, Index ldc) {
    gemmWith(multiplyChoice().backend, transA, transB, m, n, k, a, lda, b, ldb, accumulate, c, ldc);
}

} // namespace latentlab::detail
