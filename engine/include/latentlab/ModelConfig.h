// Architecture of an autoencoder, independent of its weights.
#pragma once

#include "latentlab/Activation.h"
#include "latentlab/Loss.h"

#include <cstdint>
#include <string>
#include <vector>

namespace latentlab {

enum class ModelKind { Autoencoder, Vae };

struct ModelConfig {
    ModelKind kind = ModelKind::Autoencoder;
    int inputDim = 0;                 // set from the data
    std::vector<int> encoderWidths{64, 32};
    int latentDim = 2;
    std::vector<int> decoderWidths;   // empty: the encoder's widths reversed
    Activation activation = Activation::ReLU;
    ReconstructionLoss loss = ReconstructionLoss::Mse;
    double beta = 1.0;                // VAE: weight of the KL term (beta-VAE)
    double sparsity = 0.0;            // L1 weight on the latent code (sparse autoencoder)

    std::vector<int> resolvedDecoderWidths() const;
    // Layer sizes from input to output: the encoder's (input, widths, the latent code or,
    // for a VAE, its mean and log-variance) and the decoder's (latent, widths, input).
    // 64-bit, so that a corrupted dimension read from a file cannot overflow.
    std::vector<int64_t> encoderSizes() const;
    std::vector<int64_t> decoderSizes() const;
    // Throws ConfigError naming the field and the accepted range.
    void validate() const;
};

std::string modelKindName(ModelKind kind);
ModelKind parseModelKind(const std::string& name); // "ae"/"autoencoder" | "vae"

} // namespace latentlab
