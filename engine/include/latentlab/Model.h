// A trainable autoencoder. All inputs and outputs are in normalised space, one sample per
// column; normalizer() converts to and from the data's own units.
//
// Extension points for the later kinds: a new architecture is a new Model subclass (or new
// layers inside these); input corruption (denoising) is the trainer's, applied before
// trainStep; penalties on the code (sparse, later contractive) live in trainStep and are
// reported in LossTerms::penalty. The trainer only sees this interface.
#pragma once

#include "latentlab/ModelConfig.h"
#include "latentlab/Normalizer.h"
#include "latentlab/Random.h"
#include "latentlab/Sequential.h"
#include "latentlab/Types.h"

#include <memory>
#include <vector>

namespace latentlab {

// Loss terms, each averaged over the samples of a batch (or a whole set).
struct LossTerms {
    double total = 0;          // reconstruction + beta * kl + penalty
    double reconstruction = 0;
    double kl = 0;             // VAE only
    double penalty = 0;        // sparsity, geometry (training batches only) and later regularisers
    bool finite() const;
    LossTerms& addWeighted(const LossTerms& other, double weight);
};

class Model {
public:
    explicit Model(const ModelConfig& config);
    virtual ~Model() = default;

    const ModelConfig& config() const { return m_config; }
    ModelKind kind() const { return m_config.kind; }
    Index inputDim() const { return m_config.inputDim; }
    Index latentDim() const { return m_config.latentDim; }
    void setBeta(double beta) { m_config.beta = beta; }

    Normalizer& normalizer() { return m_normalizer; }
    const Normalizer& normalizer() const { return m_normalizer; }

    virtual void initialize(Rng& rng) = 0;
    // Forward and backward pass: the loss of reconstructing `target` from `input` (equal
    // unless the input was corrupted); every parameter's gradient is overwritten.
    // The VAE draws its noise from rng. With config().geometry > 0, codeDistances holds the
    // batch's geodesic distances (Geometry.h) and the geometry penalty joins the loss.
    virtual LossTerms trainStep(const Matrix& input, const Matrix& target, Rng& rng,
                                const Matrix* codeDistances = nullptr) = 0;
    // Whether every parameter gradient the last trainStep wrote is finite.
    virtual bool gradientsFinite() = 0;
    // The same loss without gradients; safe to call concurrently.
    virtual LossTerms evaluate(const Matrix& input, const Matrix& target, Rng& rng) const = 0;

    // Latent codes (the VAE's posterior mean).
    virtual void encode(const Matrix& x, Matrix& z) const = 0;
    // The decoder's raw output: logits for a BCE model.
    virtual void decodeRaw(const Matrix& z, Matrix& out) const = 0;
    // The decoder's output as data (sigmoid applied for a BCE model).
    void decode(const Matrix& z, Matrix& xhat) const;
    void reconstruct(const Matrix& x, Matrix& xhat) const;
    // Per-sample reconstruction loss (summed over features) of the model's loss kind.
    RowVector reconstructionError(const Matrix& x) const;

    virtual std::vector<Parameter> parameters() = 0;
    virtual std::unique_ptr<Model> clone() const = 0;

    // The layers from the input to the code's head (a VAE's: mean and log-variance), and
    // from the code to the output: what views of the layers (filters, feature maps) read.
    virtual const Sequential& encoderNetwork() const = 0;
    virtual const Sequential& decoderNetwork() const = 0;

protected:
    ModelConfig m_config;
    Normalizer m_normalizer;
};

struct DataView;
// Codes of samples [begin, end) of data (normalised with the model's normaliser), as a
// latentDim x (end - begin) matrix; computed in chunks to bound memory.
Matrix encodeData(const Model& model, const DataView& data, Index begin, Index end);
// Per-sample reconstruction errors (Model::reconstructionError) of rows [begin, end).
RowVector reconstructionErrors(const Model& model, const DataView& data, Index begin, Index end);

// Builds an untrained model for the config (validated first).
std::unique_ptr<Model> makeModel(const ModelConfig& config);

} // namespace latentlab
