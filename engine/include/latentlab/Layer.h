// The interface every layer implements (dense now; convolution and LSTM later).
//
//   forward(x)   training pass: computes and keeps the output, remembers x (the caller
//                keeps x alive until backward) and whatever backward needs.
//   backward(g)  g = dL/d(output). Overwrites the parameter gradients and returns
//                dL/d(input) (or an empty matrix when input gradients are switched off).
//   predict(x,y) inference: no caches touched, safe to call concurrently on a const layer.
#pragma once

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

class Layer {
public:
    virtual ~Layer() = default;

    virtual std::string kind() const = 0;
    // The shape of one sample in and out (a batch is one column per sample either way).
    virtual Shape inputShape() const = 0;
    virtual Shape outputShape() const = 0;
    Index inputSize() const { return inputShape().size(); }
    Index outputSize() const { return outputShape().size(); }
    // For messages: "dense 64 → 32".
    std::string describe() const;

    virtual const Matrix& forward(const Matrix& input) = 0;
    virtual const Matrix& backward(const Matrix& gradOutput) = 0;
    virtual void predict(const Matrix& input, Matrix& output) const = 0;

    virtual void initialize(Rng& rng) = 0;
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
    bool m_computesInputGradient = true;
};

} // namespace latentlab
