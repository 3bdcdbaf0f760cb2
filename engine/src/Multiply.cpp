#include "latentlab/Multiply.h"

#include "latentlab/Types.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <mutex>

#if defined(LATENTLAB_USE_OPENBLAS) && !defined(LATENTLAB_SCALAR_DOUBLE)
#define LATENTLAB_MULTIPLY_OPENBLAS 1
extern "C" {
char* openblas_get_corename(void);
char* openblas_get_config(void);
}
#endif
#if defined(LATENTLAB_USE_ONEDNN) && !defined(LATENTLAB_SCALAR_DOUBLE)
#define LATENTLAB_MULTIPLY_ONEDNN 1
#include <oneapi/dnnl/dnnl.h>
#endif

namespace latentlab {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

VectorLevel cpuLevel() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    // The AVX-512 kernels and Eigen's AVX-512 code use the F, BW, DQ and VL subsets.
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return VectorLevel::Avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return VectorLevel::Avx2;
    if (__builtin_cpu_supports("avx")) return VectorLevel::Avx;
    if (__builtin_cpu_supports("sse2")) return VectorLevel::Sse;
#endif
    return VectorLevel::Unknown;
}

constexpr VectorLevel eigenLevel() {
#if defined(EIGEN_VECTORIZE_AVX512)
    return VectorLevel::Avx512;
#elif defined(EIGEN_VECTORIZE_AVX2) && defined(EIGEN_VECTORIZE_FMA)
    return VectorLevel::Avx2;
#elif defined(EIGEN_VECTORIZE_AVX)
    return VectorLevel::Avx;
#elif defined(EIGEN_VECTORIZE_SSE2)
    return VectorLevel::Sse;
#else
    return VectorLevel::Unknown;
#endif
}

MultiplyChoice choice(MultiplyBackend backend, std::string label, std::string reason, bool requested) {
    return {backend, multiplyBackendName(backend), std::move(label), std::move(reason), requested};
}

MultiplyChoice eigenChoice(const MultiplyFacts& facts, std::string reason, bool requested) {
    return choice(MultiplyBackend::Eigen, "Eigen, " + vectorLevelName(facts.eigen), std::move(reason), requested);
}

MultiplyChoice openBlasChoice(const MultiplyFacts& facts, std::string reason, bool requested) {
    return choice(MultiplyBackend::OpenBlas, "OpenBLAS sgemm, " + facts.openBlasKernel + " kernel", std::move(reason),
                  requested);
}

MultiplyChoice oneDnnChoice(const MultiplyFacts& facts, std::string reason, bool requested) {
    return choice(MultiplyBackend::OneDnn, "oneDNN sgemm, " + facts.oneDnnIsa, std::move(reason), requested);
}

#ifdef LATENTLAB_MULTIPLY_ONEDNN
std::string oneDnnIsaName(dnnl_cpu_isa_t isa) {
    switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: break;
    }
    return "isa " + std::to_string(int(isa));
}
#endif

std::string kernelPhrase(const MultiplyFacts& facts) {
    const std::string version = facts.openBlasVersion.empty() ? "OpenBLAS" : facts.openBlasVersion;
    return version + " runs its " + facts.openBlasKernel + " kernel (" +
           vectorLevelName(openBlasKernelLevel(facts.openBlasKernel)) + ")";
}

} // namespace

std::string multiplyBackendName(MultiplyBackend backend) {
    switch (backend) {
    case MultiplyBackend::OpenBlas: return "openblas";
    case MultiplyBackend::OneDnn: return "onednn";
    case MultiplyBackend::Eigen: break;
    }
    return "eigen";
}

std::string vectorLevelName(VectorLevel level) {
    switch (level) {
    case VectorLevel::Sse: return "SSE";
    case VectorLevel::Avx: return "AVX";
    case VectorLevel::Avx2: return "AVX2";
    case VectorLevel::Avx512: return "AVX-512";
    case VectorLevel::Unknown: break;
    }
    return "unknown";
}

VectorLevel oneDnnIsaLevel(const std::string& isa) {
    const std::string name = lower(isa);
    if (name.rfind("avx512", 0) == 0) return VectorLevel::Avx512; // every avx512_* ISA
    if (name == "avx2" || name == "avx2_vnni") return VectorLevel::Avx2;
    if (name == "avx") return VectorLevel::Avx;
    if (name == "sse41") return VectorLevel::Sse;
    return VectorLevel::Unknown;
}

VectorLevel openBlasKernelLevel(const std::string& kernel) {
    // OpenBLAS 0.3.21's x86-64 kernels (DYNAMIC_ARCH), by the widest vectors they use.
    static const struct {
        const char* name;
        VectorLevel level;
    } kernels[] = {
        {"skylakex", VectorLevel::Avx512},   {"cooperlake", VectorLevel::Avx512},
        {"sapphirerapids", VectorLevel::Avx512},
        {"haswell", VectorLevel::Avx2},      {"zen", VectorLevel::Avx2},
        {"sandybridge", VectorLevel::Avx},   {"bulldozer", VectorLevel::Avx},
        {"piledriver", VectorLevel::Avx},    {"steamroller", VectorLevel::Avx},
        {"excavator", VectorLevel::Avx},
        {"katmai", VectorLevel::Sse},        {"coppermine", VectorLevel::Sse},
        {"northwood", VectorLevel::Sse},     {"prescott", VectorLevel::Sse},
        {"banias", VectorLevel::Sse},        {"atom", VectorLevel::Sse},
        {"core2", VectorLevel::Sse},         {"penryn", VectorLevel::Sse},
        {"dunnington", VectorLevel::Sse},    {"nehalem", VectorLevel::Sse},
        {"athlon", VectorLevel::Sse},        {"opteron", VectorLevel::Sse},
        {"opteron_sse3", VectorLevel::Sse},  {"barcelona", VectorLevel::Sse},
        {"nano", VectorLevel::Sse},          {"bobcat", VectorLevel::Sse},
    };
    const std::string name = lower(kernel);
    for (const auto& k : kernels)
        if (name == k.name) return k.level;
    return VectorLevel::Unknown;
}

MultiplyFacts detectMultiplyFacts() {
    MultiplyFacts facts;
    facts.cpu = cpuLevel();
    facts.eigen = eigenLevel();
#ifdef LATENTLAB_MULTIPLY_OPENBLAS
    facts.openBlasLinked = true;
    if (const char* core = openblas_get_corename()) facts.openBlasKernel = core;
    if (const char* config = openblas_get_config()) {
        // "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ...": the first two words.
        const std::string text = config;
        const size_t space = text.find(' ');
        facts.openBlasVersion = text.substr(0, space == std::string::npos ? space : text.find(' ', space + 1));
    }
#endif
#ifdef LATENTLAB_MULTIPLY_ONEDNN
    facts.oneDnnLinked = true;
    facts.oneDnnIsa = oneDnnIsaName(dnnl_get_effective_cpu_isa());
    if (const dnnl_version_t* v = dnnl_version())
        facts.oneDnnVersion = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                              std::to_string(v->patch);
#endif
    return facts;
}

namespace {

// The rule's second and third steps: OpenBLAS if its kernel is known, as wide as Eigen's
// code and within the CPU, else Eigen.
MultiplyChoice openBlasOrEigen(const MultiplyFacts& facts) {
    if (!facts.openBlasLinked)
        return eigenChoice(facts, facts.oneDnnLinked ? "no OpenBLAS in this build"
                                                     : "this build has neither oneDNN nor OpenBLAS",
                           false);
    const VectorLevel kernel = openBlasKernelLevel(facts.openBlasKernel);
    if (kernel == VectorLevel::Unknown)
        return eigenChoice(facts,
                           "OpenBLAS runs a kernel this rule does not know ('" + facts.openBlasKernel +
                               "'), so Eigen's " + vectorLevelName(facts.eigen) + " code is used",
                           false);
    if (facts.cpu != VectorLevel::Unknown && kernel > facts.cpu)
        return eigenChoice(facts, kernelPhrase(facts) + ", which this CPU (" + vectorLevelName(facts.cpu) + ") lacks",
                           false);
    if (kernel < facts.eigen)
        return eigenChoice(facts,
                           kernelPhrase(facts) + " on a CPU with " + vectorLevelName(facts.cpu) + "; Eigen's " +
                               vectorLevelName(facts.eigen) + " code is faster",
                           false);
    return openBlasChoice(facts, kernelPhrase(facts) + ", as wide as Eigen's " + vectorLevelName(facts.eigen) + " code",
                          false);
}

} // namespace

MultiplyChoice chooseMultiply(const MultiplyFacts& facts, const std::string& request) {
    const std::string r = lower(request);
    if (r == "eigen") return eigenChoice(facts, "asked for (multiply=eigen)", true);
    if (r == "openblas") {
        if (!facts.openBlasLinked)
            throw ConfigError("multiply: openblas was requested, but this build has no OpenBLAS "
                              "(install libopenblas-dev and rebuild)");
        return openBlasChoice(facts, "asked for (multiply=openblas)", true);
    }
    if (r == "onednn") {
        if (!facts.oneDnnLinked)
            throw ConfigError("multiply: onednn was requested, but this build has no oneDNN "
                              "(install libdnnl-dev and rebuild)");
        return oneDnnChoice(facts, "asked for (multiply=onednn)", true);
    }
    if (!r.empty() && r != "auto")
        throw ConfigError("multiply: '" + request + "' is not one of auto, eigen, openblas, onednn");

    std::string oneDnnLost; // why oneDNN was not taken, when it was there
    if (facts.oneDnnLinked) {
        const VectorLevel level = oneDnnIsaLevel(facts.oneDnnIsa);
        const std::string version = facts.oneDnnVersion.empty() ? "oneDNN" : facts.oneDnnVersion;
        if (level != VectorLevel::Unknown && level >= facts.eigen)
            return oneDnnChoice(facts,
                                version + " runs " + facts.oneDnnIsa + " code (" + vectorLevelName(level) +
                                    "), as wide as Eigen's " + vectorLevelName(facts.eigen) +
                                    " code and the fastest in training",
                                false);
        oneDnnLost = version + " runs " + facts.oneDnnIsa + " code (" + vectorLevelName(level) + "); ";
    }
    MultiplyChoice next = openBlasOrEigen(facts);
    next.reason = oneDnnLost + next.reason;
    return next;
}

namespace {

// The one choice of this process: decided under the mutex on first use, then read through
// an atomic flag without locking (gemm() asks for it on every product).
struct ProcessChoice {
    std::mutex mutex;
    std::atomic<bool> decided{false};
    std::string request; // from setMultiplyRequest()
    std::string error;   // an unusable LATENTLAB_MULTIPLY
    MultiplyChoice choice;
};

ProcessChoice& processChoice() {
    static ProcessChoice p;
    return p;
}

} // namespace

void setMultiplyRequest(const std::string& request) {
    const MultiplyChoice wanted = chooseMultiply(detectMultiplyFacts(), request); // throws if unusable
    ProcessChoice& p = processChoice();
    std::lock_guard<std::mutex> lock(p.mutex);
    if (p.decided.load(std::memory_order_relaxed)) {
        if (p.choice.backend != wanted.backend)
            throw ConfigError("multiply: the engine already multiplies with " + p.choice.name +
                              "; ask for another backend before the first product");
        return;
    }
    p.request = request;
}

const MultiplyChoice& multiplyChoice() {
    ProcessChoice& p = processChoice();
    if (p.decided.load(std::memory_order_acquire)) return p.choice;
    std::lock_guard<std::mutex> lock(p.mutex);
    if (!p.decided.load(std::memory_order_relaxed)) {
        const MultiplyFacts facts = detectMultiplyFacts();
        const char* env = std::getenv("LATENTLAB_MULTIPLY");
        if (!p.request.empty()) {
            p.choice = chooseMultiply(facts, p.request);
        } else if (env && *env) {
            try {
                p.choice = chooseMultiply(facts, env);
                if (p.choice.requested) p.choice.reason = std::string("LATENTLAB_MULTIPLY=") + env;
            } catch (const ConfigError& e) {
                std::string why = e.what();
                if (why.rfind("multiply: ", 0) == 0) why.erase(0, 10);
                p.error = "LATENTLAB_MULTIPLY: " + why;
                p.choice = chooseMultiply(facts, "auto");
                p.choice.reason += " (LATENTLAB_MULTIPLY='" + std::string(env) + "' ignored: not usable here)";
            }
        } else {
            p.choice = chooseMultiply(facts, "auto");
        }
        p.decided.store(true, std::memory_order_release);
    }
    return p.choice;
}

std::string multiplyRequestError() {
    multiplyChoice();
    ProcessChoice& p = processChoice();
    std::lock_guard<std::mutex> lock(p.mutex);
    return p.error;
}

} // namespace latentlab
