// Architecture of an autoencoder, independent of its weights.
#pragma once

#include "latentlab/Activation.h"
#include "latentlab/LayerSpec.h"
#include "latentlab/Loss.h"
#include "latentlab/Shape.h"

#include <cstdint>
#include <string>
#include <vector>

namespace latentlab {

enum class ModelKind { Autoencoder, Vae };

// Two ways to give the layers:
//  - widths (the first version's form, still accepted): dense layers of encoderWidths with
//    `activation`, then the latent head; the decoder mirrors them (or decoderWidths) and
//    ends in a dense output layer. Such a model sees a sample as flat features whatever
//    the data's shape, as it always did.
//  - layer specs (LayerSpec.h): encoderLayers are the encoder's hidden layers on the data's
//    own sample shape; the model adds a flatten if they end in an image and the dense head
//    (latentDim values, twice that for a VAE's mean and log-variance). decoderLayers lead
//    from the code to the sample: a list ending in flat features of another size gets a
//    dense output layer, one ending in the sample's number of values a reshape to its shape.
struct ModelConfig {
    ModelKind kind = ModelKind::Autoencoder;
    int inputDim = 0;                 // set from the data
    Shape inputShape;                 // set from the data; a size other than inputDim means flat
    std::vector<int> encoderWidths{64, 32};
    int latentDim = 2;
    std::vector<int> decoderWidths;   // empty: the encoder's widths reversed
    std::vector<LayerSpec> encoderLayers; // if given, instead of encoderWidths
    std::vector<LayerSpec> decoderLayers; // if given, instead of decoderWidths
    Activation activation = Activation::ReLU;
    ReconstructionLoss loss = ReconstructionLoss::Mse;
    double beta = 1.0;                // VAE: weight of the KL term (beta-VAE)
    double sparsity = 0.0;            // L1 weight on the latent code (sparse autoencoder)
    double geometry = 0.0;            // weight of the geodesic-distance penalty (Geometry.h)
    int geometryNeighbours = 10;      // k of its nearest-neighbour graph

    std::vector<int> resolvedDecoderWidths() const;
    // Whether the layers are given as specs (else as widths).
    bool layered() const { return !encoderLayers.empty() || !decoderLayers.empty(); }
    // The shape the model takes: the data's for a layered model, flat for widths.
    Shape modelInputShape() const;
    // Every layer, resolved as described above, from the input to the code's head and from
    // the code to the output.
    std::vector<LayerSpec> encoderSpecs() const;
    std::vector<LayerSpec> decoderSpecs() const;
    // Counted from the specs without building anything (ConfigError if they do not fit):
    // the parameters, and the values of one sample at every layer boundary.
    int64_t parameterCount() const;
    int64_t activationValues() const;
    // Layer sizes of a widths model from input to output, for the dense benchmark bound.
    std::vector<int64_t> encoderSizes() const;
    std::vector<int64_t> decoderSizes() const;
    // "1×28×28 → conv 16@3×3/2 relu → 16×14×14 → … → 2": every layer with the shape it gives.
    std::string architectureText() const;
    // Throws ConfigError naming the field (or the layer) and the accepted range.
    void validate() const;
};

std::string modelKindName(ModelKind kind);
ModelKind parseModelKind(const std::string& name); // "ae"/"autoencoder" | "vae"

} // namespace latentlab
