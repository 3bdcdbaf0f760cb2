#include "latentlab/Benchmark.h"

#include "Gemm.h"

#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>

namespace latentlab {

double trainingFlopsPerSample(const ModelConfig& config) {
    double flops = 0;
    // Multiply-adds of one sample's forward pass through a layer; the weight gradient costs
    // as many, and so does the input gradient, which the encoder's first layer with
    // weights skips.
    auto add = [&flops](const std::vector<LayerSpec>& specs, const Shape& input, bool firstNeedsInputGradient) {
        const std::vector<Shape> shapes = chainShapes(specs, input);
        bool needsInput = firstNeedsInputGradient;
        for (size_t i = 0; i < specs.size(); ++i) {
            const Shape &in = shapes[i], &out = shapes[i + 1];
            const double window = double(specs[i].kernel) * double(specs[i].kernel);
            double macs = 0;
            if (specs[i].kind == "dense") macs = double(in.size()) * double(out.size());
            if (specs[i].kind == "conv") macs = double(out.size()) * double(in.channels) * window;
            if (specs[i].kind == "convt") macs = double(in.size()) * double(out.channels) * window;
            if (macs == 0) continue;
            flops += 2 * macs + 2 * macs + (needsInput ? 2 * macs : 0);
            needsInput = true;
        }
    };
    add(config.encoderSpecs(), config.modelInputShape(), false);
    add(config.decoderSpecs(), Shape::flat(config.latentDim), true);
    return flops;
}

namespace {
using FMatrix = Eigen::MatrixXf;

// The best rate, in GFLOP/s, of run() (`flops` operations each) over at least `minReps`
// timed calls and about `seconds`, after `warmups` untimed calls (page in, spin up the
// threads, generate JIT code).
template <class Run> double bestRate(double flops, double seconds, int warmups, int minReps, Run run) {
    using Clock = std::chrono::steady_clock;
    for (int i = 0; i < warmups; ++i) run();
    double best = 0;
    const auto start = Clock::now();
    int reps = 0;
    while (reps < minReps || std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
        const auto t0 = Clock::now();
        run();
        const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
        if (dt > 0) best = std::max(best, flops / dt);
        ++reps;
    }
    return best / 1e9;
}

// The best rate of multiply(a, b, c) on size x size matrices.
template <class Multiply> double bestGflops(Index size, double seconds, Multiply multiply) {
    FMatrix a = FMatrix::Random(size, size), b = FMatrix::Random(size, size), c(size, size);
    const double flops = 2.0 * double(size) * double(size) * double(size);
    const double gflops = bestRate(flops, seconds, 1, 3, [&] { multiply(a, b, c); });
    // Keep the result observable so the products cannot be optimised away.
    volatile float sink = c(0, 0);
    (void)sink;
    return gflops;
}
} // namespace

GemmRate measureGemm(Index size, int threads, double seconds) {
    const int saved = Eigen::nbThreads();
    omp_set_num_threads(threads);
    Eigen::setNbThreads(threads);
    const double gflops =
        bestGflops(size, seconds, [](const FMatrix& a, const FMatrix& b, FMatrix& c) { c.noalias() = a * b; });
    Eigen::setNbThreads(saved);
    return {gflops, "Eigen"};
}

GemmRate measureEngineGemm(Index size, int threads, double seconds) {
#ifdef LATENTLAB_SCALAR_DOUBLE
    (void)size, (void)threads, (void)seconds;
    return {}; // the double engine is for gradient checks, not for speed
#else
    omp_set_num_threads(threads);
    const double gflops = bestGflops(size, seconds, [](const FMatrix& a, const FMatrix& b, FMatrix& c) {
        const detail::Tiles tiles(a.rows());
#pragma omp parallel for schedule(dynamic, 1)
        for (Index t = 0; t < tiles.count; ++t) {
            const Index begin = tiles.begin(t);
            detail::gemm(false, false, tiles.size(t), b.cols(), a.cols(), a.data() + begin, a.rows(), b.data(),
                         b.rows(), false, c.data() + begin, c.rows());
        }
    });
    return {gflops, detail::gemmBackend()};
#endif
}

std::vector<TileRate> measureTiles(double seconds) {
#ifdef LATENTLAB_SCALAR_DOUBLE
    (void)seconds;
    return {};
#else
    struct TileShape {
        const char* name;
        bool transA, transB;
        Index m, n, k;
    };
    // Forward W x (a 128-row tile of 784 -> 512), the weight gradient delta x^T (a 128-row
    // tile of 784 -> 512's), the input gradient W^T delta (a 128-row tile of 256 -> 512's),
    // and a forward tile at batch 32.
    const TileShape shapes[] = {{"forward 128x128, k 784", false, false, 128, 128, 784},
                            {"weight gradient 128x784, k 128", false, true, 128, 784, 128},
                            {"input gradient 128x128, k 512", true, false, 128, 128, 512},
                            {"forward at batch 32, 128x32, k 784", false, false, 128, 32, 784}};
    const MultiplyBackend backends[] = {MultiplyBackend::Eigen, MultiplyBackend::OpenBlas, MultiplyBackend::OneDnn};
    std::vector<TileRate> rates;
    for (const TileShape& s : shapes) {
        const FMatrix a = FMatrix::Random(s.transA ? s.k : s.m, s.transA ? s.m : s.k);
        const FMatrix b = FMatrix::Random(s.transB ? s.n : s.k, s.transB ? s.k : s.n);
        FMatrix c(s.m, s.n);
        const double flops = 2.0 * double(s.m) * double(s.n) * double(s.k);
        for (const MultiplyBackend backend : backends) {
            if (!detail::hasGemm(backend)) continue;
            const double gflops = bestRate(flops, seconds, 3, 5, [&] {
                detail::gemmWith(backend, s.transA, s.transB, s.m, s.n, s.k, a.data(), a.rows(), b.data(), b.rows(),
                                 false, c.data(), c.rows());
            });
            volatile float sink = c(0, 0);
            (void)sink;
            rates.push_back({s.name, multiplyBackendName(backend), gflops});
        }
    }
    return rates;
#endif
}

long long peakResidentBytes() {
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
    return (long long)usage.ru_maxrss * 1024; // Linux reports kilobytes
}

} // namespace latentlab
