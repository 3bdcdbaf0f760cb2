// bench/libtorch/data.h: the training images of the benchmark, for training.cpp.
#pragma once

#include <ATen/core/Tensor.h>

#include <string>

namespace ref {

struct Images {
    at::Tensor pixels; // (count, rows * cols) uint8
    std::string path;
};

// The training images of folder (train-images-idx3-ubyte[.gz]), read straight into one
// tensor with the IDX header checked.
Images readIdxImages(const std::string& folder);

} // namespace ref
