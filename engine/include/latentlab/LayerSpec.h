// A layer as data: its kind and hyperparameters, without weights or input shape. One spec
// list is an architecture: presets and JSON configs write it as text, the model file stores
// it, the window shows it, and exports read it.
//
// Text form, one layer (tokens separated by spaces; an activation name may end a dense,
// conv or convt layer):
//   dense 64 relu                  fully connected, 64 outputs
//   conv 16 k3 s2 p1 relu          2-D convolution: 16 output channels, 3×3 kernel,
//                                  stride 2, zero padding 1 (stride 1, padding 0 if omitted)
//   convt 16 k3 s2 p1 op1 relu     transposed convolution; op = output padding
//   maxpool 2 | avgpool k3 s2      pooling window 2×2 (stride = window unless given)
//   upsample 2                     nearest-neighbour, each pixel repeated 2×2
//   flatten                        an image or sequence as flat features
//   reshape 32x7x7 | reshape 784   flat features laid out as channels×height×width
#pragma once

#include "latentlab/Activation.h"
#include "latentlab/Shape.h"
#include "latentlab/Types.h"

#include <string>
#include <vector>

namespace latentlab {

struct LayerSpec {
    std::string kind;       // dense | conv | convt | maxpool | avgpool | upsample | flatten | reshape
    Index units = 0;        // dense: outputs; conv, convt: output channels
    Index kernel = 0;       // conv, convt, pools: square window
    Index stride = 0;       // conv, convt, pools; 0 means the default (1, or the window for pools)
    Index padding = 0;      // conv, convt: zeros around the image
    Index outputPadding = 0; // convt: extra rows and columns at the bottom and right
    Index scale = 0;        // upsample: repeat factor
    Shape shape;            // reshape: the target
    Activation activation = Activation::Identity;

    static LayerSpec dense(Index units, Activation activation);
    static LayerSpec conv(Index channels, Index kernel, Index stride, Index padding, Activation activation);
    static LayerSpec convTranspose(Index channels, Index kernel, Index stride, Index padding, Index outputPadding,
                                   Activation activation);
    static LayerSpec pool(const std::string& kind, Index kernel, Index stride = 0);
    static LayerSpec upsample(Index scale);
    static LayerSpec flatten();
    static LayerSpec reshape(const Shape& shape);

    // The stride in effect (the defaults resolved).
    Index effectiveStride() const;
    // The text form above, in one canonical spelling: parse(text()) == *this.
    std::string text() const;
    // ConfigError quoting `text` and saying what is wrong with it.
    static LayerSpec parse(const std::string& text);
    // For people: "conv 16@3×3/2 relu", "dense 64 relu", "maxpool 2×2".
    std::string label() const;

    // What a layer of this spec gives for samples of shape `input`, and how many parameters
    // it has, without building it (a damaged model file must not make us allocate first).
    // ConfigError when the spec does not fit the input.
    Shape outputShape(const Shape& input) const;
    int64_t parameterCount(const Shape& input) const;

    bool operator==(const LayerSpec& other) const;
    bool operator!=(const LayerSpec& other) const { return !(*this == other); }
};

// The texts of a list, joined by "; ", and back; parseSpecs names the layer that fails.
std::string specsText(const std::vector<LayerSpec>& specs);
std::vector<LayerSpec> parseSpecs(const std::string& text);

// The shape of every layer boundary from `input` through the list (size specs + 1).
std::vector<Shape> chainShapes(const std::vector<LayerSpec>& specs, const Shape& input);

} // namespace latentlab
