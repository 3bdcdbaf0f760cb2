// bench/libtorch/reference.h: the parts of libtorch_reference, the libtorch (C++) peer of
// `latentlab-cli bench`, and what they share. Built by bench/build-libtorch-reference.sh.
//
//   main.cpp      options, --help, the readable output, main()
//   json.cpp      writing and reading the flat JSON lines the runs print
//   data.cpp      the Fashion-MNIST training images (IDX, gzipped or plain)   -> data.h
//   training.cpp  the model, the training step and one timed measurement
//   process.cpp   this process (OpenBLAS, allocator, environment) and its child runs
//   search.cpp    --best: the set-up search (allocator x threads x OpenBLAS kernel)
//
// Only data.cpp and training.cpp include libtorch's headers; the rest compiles in seconds.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace ref {

inline const char* const kProgram = "libtorch_reference";
inline const char* const kDefaultData = "/usr/share/datasets/fashion-mnist";
inline const std::string kImages = "train-images-idx3-ubyte";
inline const std::string kDetected = "detected"; // kernel candidate: OPENBLAS_CORETYPE unset

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& message);
std::string errnoText();
std::string lower(std::string text);

struct Options {
    long long threads = 0; // 0: libtorch's default
    long long batchSize = 128;
    long long warmup = 20;
    long long samples = 60000;
    long long seed = 1;
    std::string data = kDefaultData;
    bool json = false;
    bool best = false;
    bool fullGrid = false;  // --best: every combination instead of the staged search
    bool printCore = false; // internal: print the OpenBLAS kernel set and exit
    std::vector<long long> torchThreads{1, 2};
    std::vector<long long> openblasThreads{1, 2};
    std::vector<std::string> kernels;    // empty: chosen by the search (autoKernels)
    std::vector<std::string> allocators; // empty: every installed one
};

// ---- json.cpp: flat JSON lines in the layout of Python's json.dumps --------------------------

std::string quote(const std::string& s);
std::string number(double v, const char* format); // "null" unless finite
std::string optionalString(const std::optional<std::string>& s);

class JsonObject {
public:
    JsonObject& add(const std::string& key, const std::string& jsonValue);
    std::string text() const { return "{" + body_ + "}"; }

private:
    std::string body_;
};

// Reading back a flat line this program wrote: the raw value (a number, null or a quoted
// string; empty if absent), a string value, a number (NaN if absent or null).
std::string rawField(const std::string& line, const std::string& key);
std::optional<std::string> stringField(const std::string& line, const std::string& key);
double numberField(const std::string& line, const std::string& key);

// ---- process.cpp: this process and the runs it starts ----------------------------------------

std::optional<std::string> environment(const char* name); // unset or empty: nullopt

struct BlasInfo {
    std::optional<int> threads; // the count OpenBLAS actually runs with
    std::optional<std::string> config, core;
};
BlasInfo openblasInfo();

// The malloc this process runs with: "jemalloc" or "tcmalloc" (found by their symbols, i.e.
// preloaded), else "glibc-tuned" when MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_ is
// set, else "glibc".
std::string allocatorInUse();
// The glibc malloc variables (MALLOC_*_, GLIBC_TUNABLES) of the environment, "NAME=value ...".
std::optional<std::string> mallocSettings();

std::set<std::string> cpuFlags(); // of the first CPU in /proc/cpuinfo

extern std::string gArgv0; // argv[0], passed on to the runs

// The environment minus the variables names (each "NAME").
std::vector<std::string> environmentWithout(const std::vector<std::string>& names);

struct ChildOutput {
    int status = -1; // the exit status; -1 if killed by a signal
    std::string out;
};
// Runs this program again with args and env; stdout is captured, stderr passed through.
ChildOutput runSelf(const std::vector<std::string>& args, const std::vector<std::string>& env);
std::string lastLine(const std::string& text); // the last non-blank line

// ---- training.cpp ---------------------------------------------------------------------------

// One timed run with o in this process; the JSON line of its result.
std::string measure(const Options& o);

// ---- search.cpp -----------------------------------------------------------------------------

// The --best search in child processes; the winner's JSON line with the search's record.
std::string best(const Options& o);

} // namespace ref
