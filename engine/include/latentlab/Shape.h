// The shape of one sample as a layer sees it. A mini-batch stays one column per sample
// (Types.h); the shape says how a column's values are laid out:
//
//   flat      n features                       (dense layers)
//   image     channels x height x width        (convolutions), channel-major then rows:
//             value (c, y, x) is at c * height * width + y * width + x
//   sequence  steps x features                 (recurrent layers), step-major
//
// Neighbouring layers must agree on the shape, not only on the number of values: a
// Flatten or Reshape layer says where an image becomes a vector.
#pragma once

#include "latentlab/Types.h"

#include <string>

namespace latentlab {

struct Shape {
    enum class Kind { Flat, Image, Sequence };
    Kind kind = Kind::Flat;
    Index channels = 0, height = 0, width = 0; // image
    Index steps = 0, features = 0;             // sequence; a flat shape uses features only

    static Shape flat(Index features);
    static Shape image(Index channels, Index height, Index width);
    static Shape sequence(Index steps, Index features);

    // How many values one sample has (the rows of a batch).
    Index size() const;
    // "784", "1×28×28", "20 steps × 3"
    std::string text() const;
    // ConfigError naming `what` unless every dimension is at least 1.
    void validate(const std::string& what) const;

    bool operator==(const Shape& other) const;
    bool operator!=(const Shape& other) const { return !(*this == other); }
};

} // namespace latentlab
