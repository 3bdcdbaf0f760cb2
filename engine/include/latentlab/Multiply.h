// Which library multiplies the float engine's matrices, and why.
//
// The engine's products go to oneDNN's JIT sgemm or OpenBLAS's sgemm when the build found
// them, else to Eigen (compiled for this machine's vector instructions). Each library
// decides for itself which code to run on this CPU, and an older library on a newer CPU
// can decide badly: Debian 12's OpenBLAS 0.3.21 picks its kernel by CPU model and falls
// back to its SSE3 "Prescott" kernel on an AVX-512 Intel Xeon (family 6, model 207), 3-4x
// slower than Eigen there. oneDNN picks by the CPU's feature flags. So the choice is a rule
// on facts that do not change while a machine stays the same:
//
//   oneDNN    if the vectors its code uses here are at least as wide as the Eigen build's;
//   OpenBLAS  else, if its kernel is known, as wide as the Eigen build's, and needs nothing
//             this CPU lacks;
//   Eigen     otherwise.
//
// Measured on an AVX-512 Zen 5 (engine/README.md, `latentlab-cli bench --tiles` and whole
// training steps): oneDNN the fastest, then OpenBLAS with its own AVX-512 kernel, then
// Eigen; OpenBLAS with a narrower kernel loses to Eigen (Haswell by 40-53 % on the batch-128
// tiles, Prescott by 77-83 %). No timing is part of the rule, so the same machine always
// makes the same choice and histories stay bit-identical from run to run.
//
// LATENTLAB_MULTIPLY=auto|eigen|openblas|onednn (or setMultiplyRequest() before the first
// product, as the CLI's --multiply does) overrides the rule.
#pragma once

#include <string>

namespace latentlab {

// The width of vector arithmetic a CPU offers or a piece of code uses, narrowest first.
enum class VectorLevel { Unknown, Sse, Avx, Avx2, Avx512 };
std::string vectorLevelName(VectorLevel level); // "SSE", "AVX", "AVX2", "AVX-512", "unknown"

// The level an OpenBLAS kernel (openblas_get_corename(): "Prescott", "Haswell",
// "SkylakeX", "Cooperlake", "Zen", ...) computes with; Unknown for a name not listed.
VectorLevel openBlasKernelLevel(const std::string& kernel);

// The level of oneDNN's code for its effective ISA ("sse41", "avx2", "avx512_core",
// "avx512_core_bf16", "avx512_core_amx", ...); Unknown for a name not listed.
VectorLevel oneDnnIsaLevel(const std::string& isa);

enum class MultiplyBackend { Eigen, OpenBlas, OneDnn };
// "eigen", "openblas", "onednn": what LATENTLAB_MULTIPLY and --multiply take.
std::string multiplyBackendName(MultiplyBackend backend);

// What the rule looks at. detectMultiplyFacts() reads them off this process and machine.
struct MultiplyFacts {
    bool openBlasLinked = false; // the build found OpenBLAS
    std::string openBlasKernel;  // the kernel OpenBLAS runs, "" when not linked
    std::string openBlasVersion; // e.g. "OpenBLAS 0.3.21", "" when not linked
    bool oneDnnLinked = false;   // the build found oneDNN
    std::string oneDnnIsa;       // the ISA oneDNN's code uses here, e.g. "avx512_core_bf16"
    std::string oneDnnVersion;   // e.g. "oneDNN 2.6.3", "" when not linked
    VectorLevel cpu = VectorLevel::Unknown;   // what this CPU supports
    VectorLevel eigen = VectorLevel::Unknown; // what the Eigen code was compiled for
};
MultiplyFacts detectMultiplyFacts();

struct MultiplyChoice {
    MultiplyBackend backend = MultiplyBackend::Eigen;
    std::string name;   // "eigen", "openblas" or "onednn": what LATENTLAB_MULTIPLY takes
    std::string label;  // e.g. "oneDNN sgemm, avx512_core_bf16", "OpenBLAS sgemm, Cooperlake
                        // kernel" or "Eigen, AVX-512"
    std::string reason; // one sentence: why this one
    bool requested = false; // chosen by an override rather than the rule
};

// The rule, for any facts; `request` is "auto" (or empty), "eigen", "openblas" or "onednn".
// Throws ConfigError for another request, or a library the build does not have.
MultiplyChoice chooseMultiply(const MultiplyFacts& facts, const std::string& request = "auto");

// Asks for a backend before the first product (the CLI's --multiply); wins over
// LATENTLAB_MULTIPLY. Throws ConfigError for a request chooseMultiply() refuses, or when
// the process already multiplies with another backend.
void setMultiplyRequest(const std::string& request);

// This process's choice, made once on first use from detectMultiplyFacts(), then the
// request set above, else LATENTLAB_MULTIPLY, else the rule. An unusable LATENTLAB_MULTIPLY
// leaves the rule in charge and says so in `reason`; multiplyRequestError() returns that
// message so front-ends can refuse to start.
const MultiplyChoice& multiplyChoice();
std::string multiplyRequestError();

} // namespace latentlab
