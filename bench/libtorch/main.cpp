// bench/libtorch/main.cpp: libtorch_reference, the throughput peer of `latentlab-cli bench` in
// libtorch, the C++ API of PyTorch: the workload and the protocol of bench/pytorch_reference.py,
// with no Python interpreter between the training loop and the kernels.
//
//   bench/build-libtorch-reference.sh                 # -> build/bench/libtorch_reference
//   OPENBLAS_NUM_THREADS=1 build/bench/libtorch_reference --threads 1 --json
//   build/bench/libtorch_reference --best [--json] [--full-grid] [--kernels detected,SkylakeX]
//
// Workload (issue 4, "Speed"): a VAE with encoder 784-512-256 and a 2K = 4 output head
// (mu = first K columns, logvar = last K), latent K = 2, decoder 2-256-512-784, ReLU hidden
// layers, linear last layers; z = mu + exp(logvar / 2) * eps, eps ~ N(0, 1); loss = BCE from
// logits summed over the 784 pixels + KL summed over the latent dimensions, per sample,
// averaged over the batch; Adam lr 1e-3 (0.9, 0.999, 1e-8); batch 128; float32; the 60,000
// Fashion-MNIST training images kept as bytes, each gathered batch converted to float / 255;
// reshuffled every epoch, the short last batch kept. Initial weights as Latent Lab's:
// He-normal before a ReLU, Xavier-uniform before a linear output, zero biases. The layers are
// created and re-initialised in the order pytorch_reference.py uses, from the same seeded
// generators, so both peers start from the same weights and see the same batches.
//
// Protocol: W warm-up batches (default 20), then batches are timed until at least S samples
// (default 60000) were trained; mean_loss is the sample-weighted mean training loss of the
// timed batches; peak_rss_mb is the process's peak resident memory (getrusage).
//
// OpenBLAS (which libtorch calls for the matrix products) sizes its thread pool from
// OPENBLAS_NUM_THREADS and picks its kernel set from OPENBLAS_CORETYPE (or its own CPU
// detection) when it is loaded, before main() runs, and the malloc in use is fixed by then as
// well (LD_PRELOAD); so all three come from the environment and are reported. --best runs
// this program again (/proc/self/exe) for each set-up it tries (search.cpp).

#include "reference.h"

#include <torch/version.h>

#include <c10/util/Exception.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>

namespace ref {

void fail(const std::string& message) { throw Failure(message); }

std::string errnoText() { return std::strerror(errno); }

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

namespace {

void usage(std::ostream& out) {
    out << "usage: " << kProgram << R"( [options]

Train the fashion-vae benchmark workload with libtorch (C++) and time it like
`latentlab-cli bench`.

  --threads N           at::set_num_threads (intra-op threads; default: libtorch's)
  --batch-size N        (128)
  --warmup N            untimed warm-up batches (20)
  --samples N           time batches until this many samples were trained (60000)
  --seed N              (1)
  --data DIR            folder holding )" << kImages << R"([.gz]
                        (default )" << kDefaultData << R"()
  --json                print one JSON line
  --best                search the set-ups below, each run in a new process, and report
                        the fastest. Staged: (1) every allocator x torch threads x OpenBLAS
                        threads with the detected kernel, (2) the other kernels with the
                        winner's allocator and threads
  --full-grid           --best runs every combination of allocator x kernel x threads
  --allocators LIST     malloc implementations --best tries: glibc (as is), glibc-tuned
                        (MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ = 4 GiB),
                        jemalloc (LD_PRELOAD libjemalloc.so.2), tcmalloc (LD_PRELOAD
                        libtcmalloc_minimal.so.4). Default: all of them that are installed
  --torch-threads LIST  thread counts --best tries (1,2)
  --openblas-threads LIST
                        OPENBLAS_NUM_THREADS values --best tries (1,2)
  --kernels LIST        OpenBLAS kernels --best tries, as OPENBLAS_CORETYPE values, e.g.
                        detected,SkylakeX ('detected': OPENBLAS_CORETYPE unset, OpenBLAS's
                        own CPU detection). Default: detected, the environment's
                        OPENBLAS_CORETYPE if set, and SkylakeX (+ Cooperlake with
                        avx512_bf16) on AVX-512 CPUs or Haswell on AVX2 ones, without repeats
  --print-openblas-core print the kernel set OpenBLAS runs here and exit (used by --best)
  --version             print libtorch's version and exit

OPENBLAS_NUM_THREADS, OPENBLAS_CORETYPE and the allocator (LD_PRELOAD, MALLOC_*) come from
the environment (set them before the run); --best sets them for each run itself.
)";
}

long long parseInteger(const std::string& option, const std::string& text, long long minimum) {
    std::size_t used = 0;
    long long value = 0;
    try {
        value = std::stoll(text, &used, 10);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size() || value < minimum) {
        fail(option + " expects a whole number >= " + std::to_string(minimum) + ", got '" +
             text + "'");
    }
    return value;
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> items;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        const auto first = item.find_first_not_of(" \t");
        const auto last = item.find_last_not_of(" \t");
        if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
    }
    return items;
}

std::vector<long long> parseCounts(const std::string& option, const std::string& text) {
    std::vector<long long> values;
    for (const auto& item : splitList(text)) values.push_back(parseInteger(option, item, 1));
    if (values.empty()) fail(option + " expects a comma-separated list such as 1,2");
    return values;
}

std::vector<std::string> parseKernels(const std::string& text) {
    std::vector<std::string> kernels;
    for (auto item : splitList(text)) {
        const bool plain = std::all_of(item.begin(), item.end(), [](unsigned char c) {
            return std::isalnum(c) || c == '_';
        });
        if (!plain) {
            fail("--kernels expects OpenBLAS core names such as detected,Haswell,SkylakeX; "
                 "got '" + item + "'");
        }
        if (lower(item) == kDetected) item = kDetected;
        kernels.push_back(item);
    }
    if (kernels.empty()) fail("--kernels expects a comma-separated list such as detected,Haswell");
    return kernels;
}

// Names only; search.cpp checks them against the candidates it knows.
std::vector<std::string> parseAllocators(const std::string& text) {
    std::vector<std::string> names;
    for (const auto& item : splitList(text)) names.push_back(lower(item));
    if (names.empty()) fail("--allocators expects a comma-separated list such as glibc,jemalloc");
    return names;
}

Options parseOptions(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::optional<std::string> inlineValue;
        if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            inlineValue = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        auto value = [&]() -> std::string {
            if (inlineValue) return *inlineValue;
            if (i + 1 >= argc) fail(arg + " needs a value (see --help)");
            return argv[++i];
        };
        if (arg == "--threads") o.threads = parseInteger(arg, value(), 0);
        else if (arg == "--batch-size") o.batchSize = parseInteger(arg, value(), 1);
        else if (arg == "--warmup") o.warmup = parseInteger(arg, value(), 0);
        else if (arg == "--samples") o.samples = parseInteger(arg, value(), 1);
        else if (arg == "--seed") o.seed = parseInteger(arg, value(), 0);
        else if (arg == "--data") o.data = value();
        else if (arg == "--torch-threads") o.torchThreads = parseCounts(arg, value());
        else if (arg == "--openblas-threads") o.openblasThreads = parseCounts(arg, value());
        else if (arg == "--kernels") o.kernels = parseKernels(value());
        else if (arg == "--allocators") o.allocators = parseAllocators(value());
        else if (arg == "--full-grid" && !inlineValue) o.fullGrid = true;
        else if (arg == "--json" && !inlineValue) o.json = true;
        else if (arg == "--best" && !inlineValue) o.best = true;
        else if (arg == "--print-openblas-core" && !inlineValue) o.printCore = true;
        else if (arg == "--version" && !inlineValue) {
            std::cout << "libtorch " << TORCH_VERSION << "\n";
            std::exit(0);
        }
        else if ((arg == "--help" || arg == "-h") && !inlineValue) {
            usage(std::cout);
            std::exit(0);
        } else {
            fail("unknown argument '" + std::string(argv[i]) + "' (see --help)");
        }
    }
    return o;
}

void printHuman(const std::string& line, bool wasBest) {
    if (wasBest) std::cout << "best: " << stringField(line, "thread_setup").value_or("?") << "\n";
    const auto coretype = stringField(line, "openblas_coretype_env");
    std::printf("libtorch %s: %s intra-op threads, OpenBLAS threads %s (OPENBLAS_NUM_THREADS=%s), "
                "kernel %s (OPENBLAS_CORETYPE=%s), allocator %s; batch %s, %s warm-up batches\n",
                stringField(line, "torch_version").value_or("?").c_str(),
                rawField(line, "threads").c_str(), rawField(line, "openblas_threads").c_str(),
                stringField(line, "openblas_num_threads_env").value_or("unset").c_str(),
                stringField(line, "openblas_core").value_or("?").c_str(),
                coretype.value_or("unset: detected").c_str(),
                stringField(line, "allocator").value_or("?").c_str(),
                rawField(line, "batch_size").c_str(),
                rawField(line, "warmup_batches").c_str());
    std::printf("training: %.0f samples/s (%s samples in %.3f s, mean loss %.6g); peak memory "
                "%.0f MB resident\n",
                numberField(line, "samples_per_second"), rawField(line, "samples").c_str(),
                numberField(line, "seconds"), numberField(line, "mean_loss"),
                numberField(line, "peak_rss_mb"));
}

} // namespace
} // namespace ref

int main(int argc, char** argv) {
    using namespace ref;
    if (argc > 0 && argv[0] != nullptr) gArgv0 = argv[0];
    try {
        const Options o = parseOptions(argc, argv);
        if (!o.kernels.empty() && !o.best) {
            fail("--kernels is for --best; for a single run set OPENBLAS_CORETYPE (unset: "
                 "OpenBLAS's detection)");
        }
        if ((!o.allocators.empty() || o.fullGrid) && !o.best) {
            fail("--allocators and --full-grid are for --best; for a single run set LD_PRELOAD "
                 "or MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_");
        }
        if (o.printCore) {
            const auto core = openblasInfo().core;
            if (!core) fail("the BLAS libtorch loaded is not OpenBLAS (no openblas_get_corename)");
            std::cout << *core << std::endl;
            return 0;
        }
        const std::string line = o.best ? best(o) : measure(o);
        if (o.json) {
            std::cout << line << std::endl;
        } else {
            printHuman(line, o.best);
        }
        return 0;
    } catch (const Failure& e) {
        std::cerr << kProgram << ": " << e.what() << std::endl;
    } catch (const c10::Error& e) {
        std::cerr << kProgram << ": libtorch: " << e.what_without_backtrace() << std::endl;
    } catch (const std::exception& e) {
        std::cerr << kProgram << ": " << e.what() << std::endl;
    }
    return 1;
}
