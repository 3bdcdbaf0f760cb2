// 2-D convolution and transposed convolution with a fused activation, on images laid out
// channel-major (Shape.h), one column per sample.
//
// Both work by im2col: every sample's patches become rows of one matrix (row b·P + p holds
// the kernel-sized patch under output position p of sample b), so that a batch is one
// product with the engine's multiply. The weights are stored as PyTorch stores them:
// Conv2D out × in × k × k, ConvTranspose2D in × out × k × k.
//
// Parallel work is cut into pieces that do not depend on the number of threads and summed
// in a fixed order, so the results are bit-identical for any thread count.
#pragma once

#include "latentlab/Activation.h"
#include "latentlab/Layer.h"

namespace latentlab {

namespace detail {
// Where an image's patches lie: an image of channels × height × width, a k×k window moved
// with `stride` over it padded by `padding`, at outHeight × outWidth positions.
struct PatchGeometry {
    Index channels, height, width, kernel, stride, padding, outHeight, outWidth;
    Index positions() const { return outHeight * outWidth; }
    Index patchSize() const { return channels * kernel * kernel; }
};
// cols (batch·positions × patchSize) = the patches of every column of images.
void im2col(const PatchGeometry& g, const Matrix& images, Matrix& cols);
// images (channels·height·width × batch) += each patch value added back where it came from.
void col2im(const PatchGeometry& g, const Matrix& cols, Matrix& images);
} // namespace detail

// The part both kinds share: weights, bias, activation, caches.
class ConvolutionBase : public Layer {
public:
    Shape inputShape() const override { return m_in; }
    Shape outputShape() const override { return m_out; }
    Activation activation() const { return m_spec.activation; }
    LayerSpec spec() const override { return m_spec; }
    void initialize(Rng& rng) override;
    std::vector<Parameter> parameters() override;
    // The weight as stored (see above) and the bias, one per output channel.
    Matrix& weight() { return m_weight; }
    Vector& bias() { return m_bias; }
    const Matrix& weight() const { return m_weight; }
    const Vector& bias() const { return m_bias; }

protected:
    ConvolutionBase(const Shape& input, const LayerSpec& spec, Index weightRows, Index weightCols,
                    std::vector<Index> weightShape);
    // Output channel-major from positions × channels rows (row b·P + p): adds the bias and
    // applies the activation.
    void finishOutput(const Matrix& byPosition, Matrix& output) const;
    // delta = gradOutput · f'(output), as batch·P × channels rows; the bias gradient.
    void deltaByPosition(const Matrix& gradOutput, GradientMode mode);

    Shape m_in, m_out;
    LayerSpec m_spec;
    Matrix m_weight, m_weightGrad;
    Vector m_bias, m_biasGrad;
    std::vector<Index> m_weightShape;
    const Matrix* m_input = nullptr;
    Matrix m_output, m_delta, m_gradInput;
    Matrix m_cols, m_scratch; // patches of the forward pass; a second buffer
};

class Conv2D final : public ConvolutionBase {
public:
    Conv2D(const Shape& input, const LayerSpec& spec);
    void predict(const Matrix& input, Matrix& output) const override;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<Conv2D>(*this); }

protected:
    const Matrix& forwardPass(const Matrix& input, const Pass& pass) override;
    const Matrix& backwardPass(const Matrix& gradOutput, GradientMode mode) override;

private:
    void convolve(const Matrix& input, Matrix& cols, Matrix& byPosition, Matrix& output) const;
    detail::PatchGeometry m_geometry; // over the input
};

class ConvTranspose2D final : public ConvolutionBase {
public:
    ConvTranspose2D(const Shape& input, const LayerSpec& spec);
    void predict(const Matrix& input, Matrix& output) const override;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<ConvTranspose2D>(*this); }

protected:
    const Matrix& forwardPass(const Matrix& input, const Pass& pass) override;
    const Matrix& backwardPass(const Matrix& gradOutput, GradientMode mode) override;

private:
    void convolve(const Matrix& input, Matrix& byPosition, Matrix& cols, Matrix& output) const;
    // The transposed convolution's output is the input of the convolution it transposes:
    // patches of the output image under each input position.
    detail::PatchGeometry m_geometry;
    Matrix m_inputByPosition; // the input as batch·positions × channels rows
};

} // namespace latentlab
