// Layers that resize an image without weights: max and average pooling over square windows
// (no padding, as PyTorch's defaults), and nearest-neighbour upsampling. Each works on every
// channel alone; samples are independent, so the batch is shared among OpenMP threads and
// the results do not depend on their number.
#pragma once

#include "latentlab/Layer.h"

#include <vector>

namespace latentlab {

// The common part: an image in, an image out, no parameters.
class ImageResizeLayer : public Layer {
public:
    Shape inputShape() const override { return m_in; }
    Shape outputShape() const override { return m_out; }
    void initialize(Rng&) override {}
    std::vector<Parameter> parameters() override { return {}; }
    bool gradientsFinite() override { return true; }

protected:
    ImageResizeLayer(const Shape& in, const Shape& out) : m_in(in), m_out(out) {}
    // The input gradient, zeroed for a batch of `batch` columns; empty (and nullptr) when
    // this layer computes none.
    Matrix* zeroedGradInput(Index batch);
    Shape m_in, m_out;
    Matrix m_output, m_gradInput;
};

class MaxPool2D final : public ImageResizeLayer {
public:
    MaxPool2D(const Shape& input, Index window, Index stride);
    LayerSpec spec() const override { return LayerSpec::pool("maxpool", m_window, m_stride == m_window ? 0 : m_stride); }
    void predict(const Matrix& input, Matrix& output) const override;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<MaxPool2D>(*this); }

protected:
    const Matrix& forwardPass(const Matrix& input, const Pass&) override;
    const Matrix& backwardPass(const Matrix& gradOutput, GradientMode) override;

private:
    void pool(const Matrix& input, Matrix& output, std::vector<int32_t>* argmax) const;
    Index m_window, m_stride;
    std::vector<int32_t> m_argmax; // per output value: the input row it came from
};

class AvgPool2D final : public ImageResizeLayer {
public:
    AvgPool2D(const Shape& input, Index window, Index stride);
    LayerSpec spec() const override { return LayerSpec::pool("avgpool", m_window, m_stride == m_window ? 0 : m_stride); }
    void predict(const Matrix& input, Matrix& output) const override;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<AvgPool2D>(*this); }

protected:
    const Matrix& forwardPass(const Matrix& input, const Pass&) override;
    const Matrix& backwardPass(const Matrix& gradOutput, GradientMode) override;

private:
    Index m_window, m_stride;
    Index m_batch = 0;
};

class Upsample final : public ImageResizeLayer {
public:
    Upsample(const Shape& input, Index scale);
    LayerSpec spec() const override { return LayerSpec::upsample(m_scale); }
    void predict(const Matrix& input, Matrix& output) const override;
    std::unique_ptr<Layer> clone() const override { return std::make_unique<Upsample>(*this); }

protected:
    const Matrix& forwardPass(const Matrix& input, const Pass&) override;
    const Matrix& backwardPass(const Matrix& gradOutput, GradientMode) override;

private:
    Index m_scale;
};

} // namespace latentlab
