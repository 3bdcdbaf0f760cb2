// latentlab-cli bench: the training throughput of a preset (by default the reference
// workload of the performance issue, fashion-vae) measured over one epoch's worth of
// samples after a warm-up, beside the matrix-multiply rates this machine reaches: Eigen's
// (the yardstick) and that of the multiply the engine itself uses.
#include "Args.h"
#include "Commands.h"

#include "Experiment.h"

#include "latentlab/Benchmark.h"
#include "latentlab/Multiply.h"
#include "latentlab/Trainer.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace latentlab::cli {

namespace {

// Sums what the timed batches did, so the figure counts samples actually trained.
class CountingObserver final : public TrainingObserver {
public:
    bool onBatch(const BatchReport& b) override {
        samples += b.samples;
        lossSum += b.loss.total * double(b.samples);
        return true;
    }
    long long samples = 0;
    double lossSum = 0;
};

// The OpenMP waiting set-up this process runs with (see startup/OpenMpWaiting.cpp).
std::string openMpWaiting() {
    if (const char* policy = std::getenv("OMP_WAIT_POLICY")) return std::string("OMP_WAIT_POLICY=") + policy;
    if (const char* spins = std::getenv("GOMP_SPINCOUNT")) return std::string("GOMP_SPINCOUNT=") + spins;
    return "libgomp default";
}

std::string describe(const app::RunConfig& c) {
    return modelKindName(c.model.kind) + " " + app::architecture(c.model, c.model.inputDim).toStdString() +
           " (" + activationName(c.model.activation) + ", " +
           lossName(c.model.loss) + "), " + optimizerName(c.training.optimizer.kind) + " lr " +
           QString::number(c.training.learningRate).toStdString() + ", batch " +
           std::to_string(c.training.batchSize) + ", float32";
}

// A string as the inside of a JSON string literal.
std::string jsonEscaped(const std::string& s) {
    std::string out;
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue; // no control characters in these texts
        out += c;
    }
    return out;
}

} // namespace

// `bench --tiles`: each multiply of the build on the dense layers' tiles, one thread.
int printTileRates() {
    const MultiplyFacts f = detectMultiplyFacts();
    std::printf("CPU vectors: %s; Eigen compiled for %s", vectorLevelName(f.cpu).c_str(), vectorLevelName(f.eigen).c_str());
    if (f.openBlasLinked) std::printf("; %s, %s kernel", f.openBlasVersion.c_str(), f.openBlasKernel.c_str());
    if (f.oneDnnLinked) std::printf("; %s, %s", f.oneDnnVersion.c_str(), f.oneDnnIsa.c_str());
    std::printf("\nmultiply in use: %s (%s)\n\n", multiplyChoice().label.c_str(), multiplyChoice().reason.c_str());
    const std::vector<TileRate> rates = measureTiles(0.3);
    std::vector<std::string> backends;
    for (const TileRate& r : rates)
        if (std::find(backends.begin(), backends.end(), r.backend) == backends.end()) backends.push_back(r.backend);
    std::printf("%-36s", "GFLOP/s, 1 thread");
    for (const std::string& b : backends) std::printf(" %10s", b.c_str());
    std::printf("\n");
    for (size_t i = 0; i < rates.size(); i += backends.size()) {
        std::printf("%-36s", rates[i].tile.c_str());
        for (size_t j = 0; j < backends.size() && i + j < rates.size(); ++j) std::printf(" %10.1f", rates[i + j].gflops);
        std::printf("\n");
    }
    return 0;
}

int runBench(const QStringList& args) {
    const Args a(args, {"preset", "dataset", "threads", "batch-size", "warmup", "samples", "gemm-size", "seed"},
                 {"json", "no-gemm", "tiles"});
    if (a.has("tiles")) return printTileRates();
    const std::string presetName = a.value("preset", "fashion-vae").toStdString();
    app::RunConfig c = app::loadPreset(QString::fromStdString(presetName));
    if (a.has("dataset")) c.dataset.name = a.value("dataset");
    const int threads = a.integer("threads", 1, 1024, omp_get_num_procs());
    c.training.threads = threads;
    c.training.batchSize = a.integer("batch-size", 1, 1 << 20, c.training.batchSize);
    if (a.has("seed")) c.training.seed = uint64_t(a.integer("seed", 0, 2147483647, 1));
    c.training.validationFraction = 0; // every training sample is trained on, as in the PyTorch script
    c.training.epochs = 1000000;       // the trainer never stops on its own here
    const int warmup = a.integer("warmup", 0, 100000, 20);
    const int gemmSize = a.integer("gemm-size", 64, 8192, 1024);

    app::Experiment e = app::Experiment::prepare(c, data::Catalogue());
    const data::Dataset& d = e.dataset();
    Trainer trainer(e.model(), e.view(), d.trainingRows(), e.config().training);
    const Index trainRows = trainer.trainingSamples();
    const long long samples = a.integer("samples", 1, 1 << 30, int(trainRows));

    for (int i = 0; i < warmup; ++i)
        if (!trainer.stepBatch()) throw std::runtime_error("training stopped during the warm-up: " +
                                                           trainer.lastResult().message);
    CountingObserver counted;
    trainer.resetStepTimes();
    const auto start = std::chrono::steady_clock::now();
    while (counted.samples < samples)
        if (!trainer.stepBatch(&counted))
            throw std::runtime_error("training stopped: " + trainer.lastResult().message);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = double(counted.samples) / seconds;
    const double meanLoss = counted.lossSum / double(counted.samples);
    // Where a step's time goes, in milliseconds; "rest" is the trainer's own bookkeeping
    // and the observer (the measured time less the three parts).
    const StepTimes& parts = trainer.stepTimes();
    const double perStep = parts.steps > 0 ? 1e3 / double(parts.steps) : 0.0;
    const double batchMs = parts.batch * perStep, modelMs = parts.model * perStep,
                 optimizerMs = parts.optimizer * perStep, stepMs = seconds * perStep;
    const double flops = trainingFlopsPerSample(e.model().config());
    const bool timesGemm = !a.has("no-gemm");
    const GemmRate gemm = timesGemm ? measureGemm(gemmSize, threads, 1.0) : GemmRate{};
    const GemmRate engineGemm = timesGemm ? measureEngineGemm(gemmSize, threads, 1.0) : GemmRate{};
    const double bound = gemm.gflops > 0 ? gemm.gflops * 1e9 / flops : 0.0;
    const double engineBound = engineGemm.gflops > 0 ? engineGemm.gflops * 1e9 / flops : 0.0;
    const double peakMb = double(peakResidentBytes()) / (1024.0 * 1024.0);
    const MultiplyChoice& multiply = multiplyChoice();

    if (a.has("json")) {
        std::printf("{\"preset\": \"%s\", \"dataset\": \"%s\", \"threads\": %d, \"batch_size\": %d, "
                    "\"warmup_batches\": %d, \"samples\": %lld, \"seconds\": %.4f, \"samples_per_second\": %.1f, "
                    "\"mean_loss\": %.6g, \"mflop_per_sample\": %.6g, \"gemm_size\": %d, \"gemm_gflops\": %.6g, "
                    "\"bound_samples_per_second\": %.1f, \"fraction_of_bound\": %.6g, \"engine_gemm\": \"%s\", "
                    "\"engine_gemm_gflops\": %.6g, \"engine_bound_samples_per_second\": %.1f, "
                    "\"fraction_of_engine_bound\": %.6g, \"step_ms\": %.6g, \"batch_ms\": %.6g, \"model_ms\": %.6g, "
                    "\"optimizer_ms\": %.6g, \"peak_rss_mb\": %.1f, \"openmp_wait\": \"%s\", "
                    "\"multiply\": \"%s\", \"multiply_label\": \"%s\", \"multiply_reason\": \"%s\"}\n",
                    presetName.c_str(), d.name.c_str(), threads, c.training.batchSize, warmup, counted.samples,
                    seconds, rate, meanLoss, flops / 1e6, gemm.gflops > 0 ? gemmSize : 0, gemm.gflops, bound,
                    bound > 0 ? rate / bound : 0.0, engineGemm.backend.c_str(), engineGemm.gflops, engineBound,
                    engineBound > 0 ? rate / engineBound : 0.0, stepMs, batchMs, modelMs, optimizerMs, peakMb, openMpWaiting().c_str(), multiply.name.c_str(),
                    jsonEscaped(multiply.label).c_str(), jsonEscaped(multiply.reason).c_str());
        return 0;
    }
    std::printf("workload:   %s: %s\n", presetName.c_str(), describe(e.config()).c_str());
    std::printf("data:       %s, %lld training samples; %d threads (%s); %d warm-up batches\n", d.name.c_str(),
                (long long)trainRows, threads, openMpWaiting().c_str(), warmup);
    std::printf("multiply:   %s (%s)\n", multiply.label.c_str(), multiply.reason.c_str());
    std::printf("training:   %.0f samples/s (%lld samples in %.3f s, mean loss %.6g)\n", rate, counted.samples,
                seconds, meanLoss);
    std::printf("per step:   %.3f ms = batch %.3f + forward, loss and backward %.3f + optimiser %.3f + rest %.3f\n",
                stepMs, batchMs, modelMs, optimizerMs, stepMs - batchMs - modelMs - optimizerMs);
    std::printf("arithmetic: %.3f MFLOP per sample in the dense and convolution layers = %.1f GFLOP/s\n", flops / 1e6,
                rate * flops / 1e9);
    if (gemm.gflops > 0)
        std::printf("Eigen GEMM: %.1f GFLOP/s (%d x %d float, %d threads) -> bound %.0f samples/s; "
                    "training reaches %.0f %% of it\n",
                    gemm.gflops, gemmSize, gemmSize, threads, bound, 100.0 * rate / bound);
    if (engineGemm.gflops > 0)
        std::printf("engine GEMM: %.1f GFLOP/s (%s in the dense layers' row tiles, %d threads) -> bound %.0f samples/s; "
                    "training reaches %.0f %% of it\n",
                    engineGemm.gflops, engineGemm.backend.c_str(), threads, engineBound, 100.0 * rate / engineBound);
    std::printf("peak memory: %.0f MB resident\n", peakMb);
    return 0;
}

} // namespace latentlab::cli
