// Measurements behind `latentlab-cli bench`: the arithmetic a training step needs and the
// matrix-multiply rate this machine reaches, so a throughput can be read as a fraction of
// what the hardware allows.
#pragma once

#include "latentlab/ModelConfig.h"
#include "latentlab/Types.h"

#include <string>
#include <vector>

namespace latentlab {

// Floating-point operations (multiply and add counted separately) of one training step
// per sample in the dense layers: the forward product, the weight gradient, and the input
// gradient of every layer but the first. Element-wise work is not counted.
double trainingFlopsPerSample(const ModelConfig& config);

// C (size x size) = A (size x size) B (size x size), float, as timed by the functions below.
struct GemmRate {
    double gflops = 0;   // best of the repetitions
    std::string backend; // what multiplied
};

// Times Eigen's single-precision matrix product with `threads` threads for about
// `seconds` and returns the best rate seen.
GemmRate measureGemm(Index size, int threads, double seconds);

// The same product the way the dense layers compute theirs: rows split into the same
// tiles (detail::Tiles), which `threads` OpenMP threads take in turn, each tile one
// single-threaded call of the engine's own multiply (OpenBLAS when it was found at build time). Where that multiply
// is faster than Eigen's, this is the tighter bound for the training throughput.
GemmRate measureEngineGemm(Index size, int threads, double seconds);

// One single-threaded multiply on one of the dense layers' tile shapes.
struct TileRate {
    std::string tile;    // e.g. "forward 128x128, k 512"
    std::string backend; // "eigen", "openblas", "onednn"
    double gflops = 0;   // best of the repetitions
};

// Every multiply this build has, timed single-threaded on the reference model's tiles at
// batch 128 (and one forward tile at batch 32), each for about `seconds`: the
// measurements behind the rule in latentlab/Multiply.h (`latentlab-cli bench --tiles`).
std::vector<TileRate> measureTiles(double seconds);

// The largest resident set size of this process so far, in bytes (0 if unknown).
long long peakResidentBytes();

} // namespace latentlab
