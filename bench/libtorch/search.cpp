// bench/libtorch/search.cpp: --best, the set-up search of libtorch_reference. Each set-up is
// a child run (this program again) with its own environment, since OpenBLAS reads its thread
// count and kernel set, and the dynamic loader its LD_PRELOAD, before main() runs:
//
//   allocator  glibc (as is), glibc-tuned (MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_
//              at 4 GiB), jemalloc and tcmalloc (LD_PRELOAD, when installed)
//   threads    at::set_num_threads (--torch-threads) x OPENBLAS_NUM_THREADS (--openblas-threads)
//   kernel     OPENBLAS_CORETYPE: unset ("detected"), the caller's, the CPU flags' choice
//
// The staged search (the default) runs every allocator x thread set-up with the detected
// kernel, then the other kernels with the winner's allocator and threads; --full-grid runs
// every combination. The fastest run wins either way.

#include "reference.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace ref {
namespace {

// ---- kernel candidates ----------------------------------------------------------------------

struct Kernel {
    std::string name; // an OPENBLAS_CORETYPE value, or kDetected
    std::string why;
};

// The OpenBLAS kernel sets that suit the CPU's instruction set, best first.
std::vector<std::string> featureKernels(const std::set<std::string>& flags) {
    auto has = [&](std::initializer_list<const char*> names) {
        return std::all_of(names.begin(), names.end(),
                           [&](const char* f) { return flags.count(f) > 0; });
    };
    if (has({"avx512f", "avx512bw", "avx512vl", "avx512dq"})) {
        std::vector<std::string> k{"SkylakeX"};
        if (has({"avx512_bf16"})) k.push_back("Cooperlake");
        return k;
    }
    if (has({"avx2", "fma"})) return {"Haswell"};
    return {};
}

// The kernel set OpenBLAS picks by itself here (a child without OPENBLAS_CORETYPE).
std::optional<std::string> detectedCore() {
    const auto child =
        runSelf({"--print-openblas-core"}, environmentWithout({"OPENBLAS_CORETYPE"}));
    const auto line = lastLine(child.out);
    if (child.status != 0 || line.empty()) return std::nullopt;
    return line;
}

// OpenBLAS's detection, the caller's OPENBLAS_CORETYPE, the kernels that suit the CPU flags;
// a name is dropped when an earlier candidate already runs it.
std::vector<Kernel> autoKernels() {
    const auto detected = detectedCore();
    std::vector<Kernel> found{
        {kDetected, "OpenBLAS's detection" + (detected ? ": " + *detected : std::string())}};
    if (const auto caller = environment("OPENBLAS_CORETYPE")) {
        found.push_back({*caller, "OPENBLAS_CORETYPE of the environment"});
    }
    for (const auto& k : featureKernels(cpuFlags())) found.push_back({k, "suits the CPU flags"});
    std::vector<Kernel> kernels;
    std::set<std::string> seen{lower(detected.value_or(kDetected))};
    for (const auto& k : found) {
        if (k.name == kDetected || seen.insert(lower(k.name)).second) kernels.push_back(k);
    }
    return kernels;
}

std::vector<Kernel> chooseKernels(const Options& o) {
    if (o.kernels.empty()) return autoKernels();
    std::vector<Kernel> kernels; // the order given, without repeats
    for (const auto& k : o.kernels) {
        const bool repeated = std::any_of(kernels.begin(), kernels.end(), [&](const Kernel& seen) {
            return lower(seen.name) == lower(k);
        });
        if (!repeated) kernels.push_back({k, "--kernels"});
    }
    return kernels;
}

// ---- allocator candidates -------------------------------------------------------------------

struct Allocator {
    std::string name;
    std::string library; // the file to LD_PRELOAD; empty for glibc's malloc
    std::string package; // Debian's package of the library
    std::string preload; // the path found, if any
};

const char* const kTunedVariables[] = {"MALLOC_MMAP_THRESHOLD_=4294967296",
                                       "MALLOC_TRIM_THRESHOLD_=4294967296"};

std::vector<Allocator> knownAllocators() {
    return {{"glibc", "", "", ""},
            {"glibc-tuned", "", "", ""},
            {"jemalloc", "libjemalloc.so.2", "libjemalloc2", ""},
            {"tcmalloc", "libtcmalloc_minimal.so.4", "libtcmalloc-minimal4", ""}};
}

std::optional<std::string> findLibrary(const std::string& file) {
#if defined(__x86_64__)
    const std::string multiarch = "/usr/lib/x86_64-linux-gnu/";
#elif defined(__aarch64__)
    const std::string multiarch = "/usr/lib/aarch64-linux-gnu/";
#else
    const std::string multiarch = "/usr/lib/";
#endif
    for (const auto& dir : {multiarch, std::string("/usr/lib64/"), std::string("/usr/lib/"),
                            std::string("/usr/local/lib/")}) {
        if (access((dir + file).c_str(), R_OK) == 0) return dir + file;
    }
    return std::nullopt;
}

std::string allocatorHow(const Allocator& a) {
    if (!a.preload.empty()) return "LD_PRELOAD=" + a.preload;
    if (a.name == "glibc-tuned") return std::string(kTunedVariables[0]) + " " + kTunedVariables[1];
    return "glibc's malloc, default thresholds";
}

// --allocators, or every known one that is installed (the others go to missing).
std::vector<Allocator> chooseAllocators(const Options& o, std::vector<Allocator>& missing) {
    const auto known = knownAllocators();
    std::vector<std::string> wanted = o.allocators;
    if (wanted.empty()) {
        for (const auto& a : known) wanted.push_back(a.name);
    }
    std::vector<Allocator> chosen;
    for (const auto& name : wanted) {
        const auto it = std::find_if(known.begin(), known.end(),
                                     [&](const Allocator& a) { return a.name == name; });
        if (it == known.end()) {
            fail("--allocators expects names among glibc, glibc-tuned, jemalloc, tcmalloc; "
                 "got '" + name + "'");
        }
        if (std::any_of(chosen.begin(), chosen.end(),
                        [&](const Allocator& a) { return a.name == name; })) {
            continue;
        }
        Allocator a = *it;
        if (!a.library.empty()) {
            const auto path = findLibrary(a.library);
            if (!path && !o.allocators.empty()) {
                fail(a.name + " needs " + a.library + ": sudo apt-get install " + a.package);
            }
            if (!path) {
                missing.push_back(a);
                continue;
            }
            a.preload = *path;
        }
        chosen.push_back(a);
    }
    return chosen;
}

// ---- the runs -------------------------------------------------------------------------------

bool isAllocatorLibrary(const std::string& path) {
    const auto base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    return base.find("jemalloc") != std::string::npos || base.find("tcmalloc") != std::string::npos;
}

// The caller's environment with the set-up's OpenBLAS and allocator variables; the caller's
// other LD_PRELOAD entries are kept, an allocator it preloads is replaced.
std::vector<std::string> childEnvironment(const Allocator& a, const Kernel& kernel, long long b) {
    auto env = environmentWithout({"OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "LD_PRELOAD",
                                   "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"});
    env.push_back("OPENBLAS_NUM_THREADS=" + std::to_string(b));
    if (kernel.name != kDetected) env.push_back("OPENBLAS_CORETYPE=" + kernel.name);
    std::string preload = a.preload;
    std::stringstream callers(environment("LD_PRELOAD").value_or(""));
    for (std::string entry; callers >> entry;) {
        std::stringstream parts(entry); // entries are separated by spaces or colons
        for (std::string p; std::getline(parts, p, ':');) {
            if (!p.empty() && !isAllocatorLibrary(p)) preload += (preload.empty() ? "" : " ") + p;
        }
    }
    if (!preload.empty()) env.push_back("LD_PRELOAD=" + preload);
    if (a.name == "glibc-tuned") {
        env.insert(env.end(), std::begin(kTunedVariables), std::end(kTunedVariables));
    }
    return env;
}

struct Run {
    int stage; // 1 or 2; 0 in the full grid
    std::string candidate, allocator, kernel; // allocator: the one the run reports
    long long torchThreads, openblasThreads;
    std::string line;
    double rate;
};

std::string describeSetup(const std::string& line) {
    const auto core = stringField(line, "openblas_core");
    const auto coretype = stringField(line, "openblas_coretype_env");
    return "torch " + rawField(line, "threads") + " x OpenBLAS " +
           rawField(line, "openblas_threads") + ", " + core.value_or(coretype.value_or("unknown")) +
           " kernel" + (coretype ? "" : " (detected)") + ", " +
           stringField(line, "allocator").value_or("unknown allocator");
}

class Search {
public:
    explicit Search(const Options& o) : o_(o) {}

    Run run(int stage, const Allocator& a, const Kernel& kernel, long long t, long long b) {
        const std::vector<std::string> args{
            "--json", "--batch-size", std::to_string(o_.batchSize), "--warmup",
            std::to_string(o_.warmup), "--samples", std::to_string(o_.samples), "--seed",
            std::to_string(o_.seed), "--data", o_.data, "--threads", std::to_string(t)};
        const auto child = runSelf(args, childEnvironment(a, kernel, b));
        const auto line = lastLine(child.out);
        const double rate = numberField(line, "samples_per_second");
        const std::string what = "allocator " + a.name + ", kernel " + kernel.name +
                                 ", torch threads " + std::to_string(t) +
                                 ", OpenBLAS threads " + std::to_string(b);
        if (child.status != 0 || line.empty() || line.front() != '{' || !(rate > 0)) {
            fail("the run with " + what + " failed" +
                 (child.status > 0 ? " (exit status " + std::to_string(child.status) + ")" : ""));
        }
        const auto ran = stringField(line, "allocator").value_or("?");
        if (ran != a.name) {
            std::cerr << kProgram << ": warning: the run with " << what << " ran with " << ran
                      << " (recorded as such)" << std::endl;
        }
        if (!o_.json) {
            std::printf("  %s, kernel %s (%s), torch threads %lld, OpenBLAS threads %lld: %.0f "
                        "samples/s (mean loss %.6g)\n",
                        ran.c_str(), kernel.name.c_str(),
                        stringField(line, "openblas_core").value_or("?").c_str(), t, b, rate,
                        numberField(line, "mean_loss"));
            std::fflush(stdout);
        }
        runs_.push_back({stage, a.name, ran, kernel.name, t, b, line, rate});
        return runs_.back();
    }

    // Every allocator x thread set-up for the given kernels, in this order.
    void grid(int stage, const std::vector<Allocator>& allocators,
              const std::vector<Kernel>& kernels) {
        for (const auto& kernel : kernels) {
            for (const auto& a : allocators) {
                for (const auto t : o_.torchThreads) {
                    for (const auto b : o_.openblasThreads) run(stage, a, kernel, t, b);
                }
            }
        }
    }

    const Run& fastest(int stage = -1) const {
        const Run* found = nullptr;
        for (const auto& r : runs_) {
            const bool counted = stage < 0 || r.stage == stage;
            if (counted && (found == nullptr || r.rate > found->rate)) found = &r;
        }
        return *found;
    }

    const std::vector<Run>& runs() const { return runs_; }

private:
    const Options& o_;
    std::vector<Run> runs_;
};

void say(const Options& o, const std::string& text) {
    if (!o.json) std::cout << text << std::endl;
}

} // namespace

std::string best(const Options& o) {
    const auto kernels = chooseKernels(o);
    std::vector<Allocator> missing;
    const auto allocators = chooseAllocators(o, missing);
    const std::size_t threadSetups = o.torchThreads.size() * o.openblasThreads.size();
    std::string text = "kernels: ";
    for (std::size_t i = 0; i < kernels.size(); ++i) {
        text += (i ? "; " : "") + kernels[i].name + " (" + kernels[i].why + ")";
    }
    text += "\nallocators: ";
    for (std::size_t i = 0; i < allocators.size(); ++i) {
        text += (i ? "; " : "") + allocators[i].name + " (" + allocatorHow(allocators[i]) + ")";
    }
    for (const auto& a : missing) {
        text += "; " + a.name + " not installed (" + a.library + ", Debian: " + a.package + ")";
    }
    say(o, text);

    Search search(o);
    // The staged search's first kernel: the detection, unless --kernels leaves it out.
    const auto base = std::find_if(kernels.begin(), kernels.end(),
                                   [](const Kernel& k) { return k.name == kDetected; });
    const Kernel first = base != kernels.end() ? *base : kernels.front();
    std::vector<Kernel> others;
    for (const auto& k : kernels) {
        if (k.name != first.name) others.push_back(k);
    }
    if (o.fullGrid) {
        const auto count = kernels.size() * allocators.size() * threadSetups;
        say(o, "search: the full grid, " + std::to_string(count) + " runs");
        search.grid(0, allocators, kernels);
    } else {
        say(o, "stage 1: every allocator x thread set-up with kernel " + first.name + " (" +
                   std::to_string(allocators.size() * threadSetups) + " runs)");
        search.grid(1, allocators, {first});
        const Run lead = search.fastest(1);
        const auto a = std::find_if(allocators.begin(), allocators.end(),
                                    [&](const Allocator& x) { return x.name == lead.candidate; });
        if (!others.empty()) {
            say(o, "stage 2: the other kernels with " + lead.candidate + ", torch threads " +
                       std::to_string(lead.torchThreads) + ", OpenBLAS threads " +
                       std::to_string(lead.openblasThreads) + " (" +
                       std::to_string(others.size()) + " runs)");
            for (const auto& k : others) {
                search.run(2, *a, k, lead.torchThreads, lead.openblasThreads);
            }
        }
    }

    const Run& winner = search.fastest();
    std::string kernelsTried, allocatorsTried, candidates;
    for (const auto& k : kernels) {
        kernelsTried += (kernelsTried.empty() ? "" : ", ") +
                        JsonObject().add("kernel", quote(k.name)).add("why", quote(k.why)).text();
    }
    for (const auto& a : allocators) {
        const auto entry =
            JsonObject().add("allocator", quote(a.name)).add("how", quote(allocatorHow(a)));
        allocatorsTried += (allocatorsTried.empty() ? "" : ", ") + entry.text();
    }
    for (const auto& r : search.runs()) {
        candidates += (candidates.empty() ? "" : ", ") +
                      JsonObject()
                          .add("stage", r.stage ? std::to_string(r.stage) : "null")
                          .add("allocator", quote(r.allocator))
                          .add("kernel", quote(r.kernel))
                          .add("openblas_core", rawField(r.line, "openblas_core"))
                          .add("threads", rawField(r.line, "threads"))
                          .add("openblas_threads", rawField(r.line, "openblas_threads"))
                          .add("samples_per_second", rawField(r.line, "samples_per_second"))
                          .add("peak_rss_mb", rawField(r.line, "peak_rss_mb"))
                          .text();
    }
    std::string out = winner.line.substr(0, winner.line.rfind('}'));
    out += ", " + quote("kernel") + ": " + quote(winner.kernel);
    out += ", " + quote("search") + ": " + quote(o.fullGrid ? "full grid" : "staged");
    out += ", " + quote("thread_setup") + ": " + quote(describeSetup(winner.line));
    out += ", " + quote("kernels_tried") + ": [" + kernelsTried + "]";
    out += ", " + quote("allocators_tried") + ": [" + allocatorsTried + "]";
    out += ", " + quote("candidates") + ": [" + candidates + "]}";
    return out;
}

} // namespace ref
