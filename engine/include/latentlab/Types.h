// Basic numeric types of the engine.
//
// Convention: a mini-batch is one Eigen matrix of features x batch, one column per sample.
// Eigen is column-major, so every sample is contiguous in memory and a sample-major data
// table can be viewed as such a matrix without copying.
//
// Scalar is float for training. Building with LATENTLAB_SCALAR_DOUBLE gives a double
// engine; the gradient checks use it because finite differences need the precision.
#pragma once

#include <Eigen/Core>

#include <stdexcept>
#include <string>
#include <vector>

namespace latentlab {

#ifdef LATENTLAB_SCALAR_DOUBLE
using Scalar = double;
#else
using Scalar = float;
#endif

using Index = Eigen::Index;
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
using RowVector = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;

// Whether every coefficient is finite, as one vectorised sum: x - x is 0 for a finite
// value and NaN for an infinite or NaN one, so the sum is exactly 0 only if all are finite
// (and cannot overflow). Eigen's allFinite() tests coefficient by coefficient, which cost
// about a millisecond per training step on the reference model's 1M parameters.
template <typename Derived> bool allFinite(const Eigen::DenseBase<Derived>& x) {
    return (x.derived().array() - x.derived().array()).sum() == typename Derived::Scalar(0);
}

// A hyperparameter or architecture that makes no sense; what() names the field.
class ConfigError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// A model file that cannot be read; what() names the file and the problem.
class FileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A trainable tensor seen by optimisers and the model file: `value` and `grad` point to
// `size` contiguous scalars owned by a layer, row-major in `shape` (the last dimension
// varies fastest). A convolution's weight is out channels × in channels × kernel × kernel
// and a transposed convolution's in × out × kernel × kernel, as PyTorch stores them; a
// dense weight is inputs × outputs (Eigen's column-major outputs × inputs matrix),
// PyTorch's transposed. Gradients are overwritten by a backward
// pass unless it is asked to add to them (GradientMode, Layer.h).
struct Parameter {
    std::string name;
    Scalar* value = nullptr;
    Scalar* grad = nullptr;
    Index size = 0;
    std::vector<Index> shape; // empty means {size}
};

// "64×784"; a parameter without a shape is its size.
std::string shapeText(const std::vector<Index>& shape);

} // namespace latentlab
