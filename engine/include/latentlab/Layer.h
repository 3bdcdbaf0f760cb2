// The interface every layer implements (dense, convolution, pooling, reshaping; LSTM later).
//
//   forward(x, pass)   training pass: computes and keeps the output, remembers x (the
//                      caller keeps x alive until backward) and whatever backward needs.
//                      `pass` says whether it trains and lends the trainer's generator.
//   backward(g, mode)  g = dL/d(output). Writes the parameter gradients (or adds to them, so
//                      that a penalty's backward pass contributes to the same parameters) and
//                      returns dL/d(input) (empty when input gradients are switched off).
//   predict(x, y)      inference: no caches touched, safe to call concurrently on a const
//                      layer, never random.
//
// Each layer describes itself as a LayerSpec (kind, hyperparameters) and its parameters by
// name and shape: the model file, the window, clone() and exports all read that one
// description.
#pragma once

#include "latentlab/LayerSpec.h"
#include "latentlab/Random.h"
#include "latentlab/Shape.h"
#include "latentlab/Types.h"

#include <memory>
#include <string>
#include <vector>

namespace latentlab {

// Whether every gradient of the parameters is finite (a full scan, spread over the OpenMP
// threads; defined with the optimisers, which walk parameters the same way).
bool gradientsFinite(const std::vector<Parameter>& params);

// What a forward pass is for. Dropout and noise layers act only when training, and draw
// from the trainer's generator (never from one of their own, so that a run is reproducible
// from its seed).
struct Pass {
    bool training = true;
    Rng* rng = nullptr;
};

// Whether backward overwrites the parameter gradients or adds to them.
enum class GradientMode { Overwrite, Accumulate };

class Layer {
public:
    virtual ~Layer() = default;

    // The layer as data: enough, with its input shape, to build it again (makeLayer()).
    virtual LayerSpec spec() const = 0;
    std::string kind() const { return spec().kind; }
    // The shape of one sample in and out (a batch is one column per sample either way).
    virtual Shape inputShape() const = 0;
    virtual Shape outputShape() const = 0;
    Index inputSize() const { return inputShape().size(); }
    Index outputSize() const { return outputShape().size(); }
    // For messages: "dense 64 → 32", "conv 16@3×3/2 relu 1×28×28 → 16×14×14".
    std::string describe() const;

    const Matrix& forward(const Matrix& input, const Pass& pass = {}) { return forwardPass(input, pass); }
    const Matrix& backward(const Matrix& gradOutput, GradientMode mode = GradientMode::Overwrite) {
        return backwardPass(gradOutput, mode);
    }
    virtual void predict(const Matrix& input, Matrix& output) const = 0;

    virtual void initialize(Rng& rng) = 0;
    // Named "weight", "bias", ... with their shapes (Parameter::shape).
    virtual std::vector<Parameter> parameters() = 0;
    virtual std::unique_ptr<Layer> clone() const = 0;

    // The first layer of a network never needs dL/d(input); skipping it saves a GEMM.
    void setComputesInputGradient(bool on) { m_computesInputGradient = on; }
    bool computesInputGradient() const { return m_computesInputGradient; }
    // Whether the last backward pass left every parameter gradient finite. By default a
    // full scan of the gradients; a layer that checks them in its backward pass, while they
    // are still in cache (Dense), answers from that instead.
    virtual bool gradientsFinite() { return latentlab::gradientsFinite(parameters()); }

protected:
    virtual const Matrix& forwardPass(const Matrix& input, const Pass& pass) = 0;
    virtual const Matrix& backwardPass(const Matrix& gradOutput, GradientMode mode) = 0;

    bool m_computesInputGradient = true;
};

// Builds the layer a spec describes for samples of shape `input`; ConfigError naming the
// spec when the two do not fit (a 5×5 kernel on a 3×3 image, a dense layer on an image).
std::unique_ptr<Layer> makeLayer(const LayerSpec& spec, const Shape& input);

} // namespace latentlab
