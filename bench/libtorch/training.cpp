// bench/libtorch/training.cpp: the fashion-vae model of libtorch_reference, its training step
// and one timed measurement (the protocol of `latentlab-cli bench` and pytorch_reference.py).

#include "data.h"
#include "reference.h"

#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

namespace ref {
namespace {

constexpr int64_t kLatent = 2;
const std::vector<int64_t> kEncoder{512, 256};
const std::vector<int64_t> kDecoder{256, 512};

// Dense n_in-widths...-n_out with ReLU between. As in pytorch_reference.py, all Linear layers
// of a stack are created first (each draws libtorch's default init from the global generator,
// as nn.Linear does), then re-initialised like Latent Lab's Dense::initialize: He-normal
// before a ReLU, Xavier-uniform before the linear output, zero biases.
torch::nn::Sequential stack(int64_t nIn, const std::vector<int64_t>& widths, int64_t nOut) {
    std::vector<torch::nn::Linear> linears;
    int64_t prev = nIn;
    for (const auto w : widths) {
        linears.emplace_back(prev, w);
        prev = w;
    }
    linears.emplace_back(prev, nOut);

    torch::nn::Sequential seq;
    torch::NoGradGuard noGrad; // re-initialising parameters is not part of any graph
    for (std::size_t i = 0; i < linears.size(); ++i) {
        auto& layer = linears[i];
        const bool beforeRelu = i + 1 < linears.size();
        const auto fanOut = layer->weight.size(0), fanIn = layer->weight.size(1);
        if (beforeRelu) {
            layer->weight.normal_(0.0, std::sqrt(2.0 / double(fanIn)));
        } else {
            const double limit = std::sqrt(6.0 / double(fanIn + fanOut));
            layer->weight.uniform_(-limit, limit);
        }
        layer->bias.zero_();
        seq->push_back(layer);
        if (beforeRelu) seq->push_back(torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true)));
    }
    return seq;
}

} // namespace

std::string measure(const Options& o) {
    if (o.threads > 0) at::set_num_threads(int(o.threads));
    torch::manual_seed(uint64_t(o.seed));

    const auto images = readIdxImages(o.data);
    const auto& data = images.pixels; // uint8; each gathered batch is converted to float / 255
    const int64_t n = data.size(0), inputs = data.size(1);

    auto encoder = stack(inputs, kEncoder, 2 * kLatent);
    auto decoder = stack(kLatent, kDecoder, inputs);
    auto params = encoder->parameters();
    for (const auto& p : decoder->parameters()) params.push_back(p);
    torch::optim::Adam opt(params, torch::optim::AdamOptions(1e-3)
                                       .betas(std::make_tuple(0.9, 0.999))
                                       .eps(1e-8));
    auto shuffle = at::make_generator<at::CPUGeneratorImpl>(uint64_t(o.seed + 1));
    const int64_t bs = o.batchSize, k = kLatent;

    // A fresh permutation per epoch, sliced into batches; the short last batch is kept.
    torch::Tensor order;
    int64_t next = n;
    auto nextBatch = [&]() {
        if (next >= n) {
            order = torch::randperm(n, shuffle);
            next = 0;
        }
        auto idx = order.slice(0, next, std::min(next + bs, n));
        next += bs;
        return idx;
    };

    auto step = [&](const torch::Tensor& idx) {
        auto xb = data.index_select(0, idx).to(torch::kFloat32).div_(255.0);
        const int64_t b = xb.size(0);
        auto head = encoder->forward(xb);
        auto mu = head.slice(1, 0, k), logvar = head.slice(1, k, 2 * k);
        auto sd = torch::exp(0.5 * logvar);
        auto z = mu + sd * torch::randn_like(sd);
        auto logits = decoder->forward(z);
        auto rec = torch::binary_cross_entropy_with_logits(logits, xb, {}, {},
                                                           at::Reduction::Sum);
        auto kl = -0.5 * torch::sum(1.0 + logvar - mu.pow(2) - logvar.exp());
        auto loss = (rec + kl) / double(b);
        for (auto& p : params) p.mutable_grad() = torch::Tensor(); // zero_grad(set_to_none)
        loss.backward();
        opt.step();
        return std::make_pair(double(loss.item<float>()), b);
    };

    for (long long i = 0; i < o.warmup; ++i) step(nextBatch());
    int64_t trained = 0;
    double lossSum = 0.0;
    const auto start = std::chrono::steady_clock::now();
    while (trained < o.samples) {
        const auto [loss, b] = step(nextBatch());
        trained += b;
        lossSum += loss * double(b);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto blas = openblasInfo();
    const auto envThreads = environment("OPENBLAS_NUM_THREADS");
    JsonObject r;
    r.add("framework", quote("libtorch"))
        .add("preset", quote("fashion-vae"))
        .add("dataset", quote("fashion-mnist"))
        .add("threads", std::to_string(at::get_num_threads()))
        .add("openblas_threads", blas.threads ? std::to_string(*blas.threads)
                                              : optionalString(envThreads))
        .add("openblas_num_threads_env", optionalString(envThreads))
        .add("batch_size", std::to_string(bs))
        .add("warmup_batches", std::to_string(o.warmup))
        .add("samples", std::to_string(trained))
        .add("seconds", number(seconds, "%.4f"))
        .add("samples_per_second", number(double(trained) / seconds, "%.1f"))
        .add("mean_loss", number(lossSum / double(trained), "%.6g"))
        .add("torch_version", quote(TORCH_VERSION))
        .add("openblas_config", optionalString(blas.config))
        .add("openblas_core", optionalString(blas.core))
        .add("openblas_coretype_env", optionalString(environment("OPENBLAS_CORETYPE")))
        .add("allocator", quote(allocatorInUse()))
        .add("malloc_settings", optionalString(mallocSettings()))
        .add("ld_preload", optionalString(environment("LD_PRELOAD")))
        .add("data_format", quote("uint8"))
        .add("adam_foreach", quote("off")) // torch::optim::Adam updates one tensor at a time
        .add("source", quote(images.path))
        .add("train_images", std::to_string(n))
        .add("peak_rss_mb", number(double(usage.ru_maxrss) / 1024.0, "%.1f"));
    return r.text();
}

} // namespace ref
