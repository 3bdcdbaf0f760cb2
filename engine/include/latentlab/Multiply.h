// Which library multiplies the float engine's matrices, and why.
//
// The engine's products go either to Eigen (compiled for this machine's vector
// instructions) or to OpenBLAS's sgemm when OpenBLAS was found at build time. OpenBLAS
// picks its kernel from the CPU model at load time, and an older OpenBLAS on a newer CPU
// falls back to a generic one: Debian 12's 0.3.21 runs its SSE3 "Prescott" kernel on an
// AVX-512 Intel Xeon (family 6, model 207), 3-4x slower than Eigen there. So the choice is
// a rule on facts that do not change while a machine stays the same:
//
//   OpenBLAS  if its kernel is known, uses vectors at least as wide as the Eigen build's,
//             and needs nothing this CPU lacks;
//   Eigen     otherwise.
//
// Measured (engine/README.md): with a kernel of the Eigen build's width OpenBLAS was the
// faster (AVX-512 on AMD Zen 4 and Zen 5: 15-35 % per tile), with a narrower one it was the
// slower (AVX2 "Haswell" on Zen 5: -28 %; "Prescott" on the Xeon: 3-4x). No timing is part
// of the rule, so the same machine always makes the same choice and histories stay
// bit-identical from run to run.
//
// LATENTLAB_MULTIPLY=eigen|openblas|auto (or setMultiplyRequest() before the first product,
// as the CLI's --multiply does) overrides the rule.
#pragma once

#include <string>

namespace latentlab {

// The width of vector arithmetic a CPU offers or a piece of code uses, narrowest first.
enum class VectorLevel { Unknown, Sse, Avx, Avx2, Avx512 };
std::string vectorLevelName(VectorLevel level); // "SSE", "AVX", "AVX2", "AVX-512", "unknown"

// The level an OpenBLAS kernel (openblas_get_corename(): "Prescott", "Haswell",
// "SkylakeX", "Cooperlake", "Zen", ...) computes with; Unknown for a name not listed.
VectorLevel openBlasKernelLevel(const std::string& kernel);

enum class MultiplyBackend { Eigen, OpenBlas };

// What the rule looks at. detectMultiplyFacts() reads them off this process and machine.
struct MultiplyFacts {
    bool openBlasLinked = false; // the build found OpenBLAS
    std::string openBlasKernel;  // the kernel OpenBLAS runs, "" when not linked
    std::string openBlasVersion; // e.g. "OpenBLAS 0.3.21", "" when not linked
    VectorLevel cpu = VectorLevel::Unknown;   // what this CPU supports
    VectorLevel eigen = VectorLevel::Unknown; // what the Eigen code was compiled for
};
MultiplyFacts detectMultiplyFacts();

struct MultiplyChoice {
    MultiplyBackend backend = MultiplyBackend::Eigen;
    std::string name;   // "eigen" or "openblas": what LATENTLAB_MULTIPLY takes
    std::string label;  // e.g. "OpenBLAS sgemm, Cooperlake kernel" or "Eigen, AVX-512"
    std::string reason; // one sentence: why this one
    bool requested = false; // chosen by an override rather than the rule
};

// The rule, for any facts; `request` is "auto" (or empty), "eigen" or "openblas".
// Throws ConfigError for another request, or "openblas" in a build without it.
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
