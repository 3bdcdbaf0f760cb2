// Element-wise activations. Every derivative here is written in terms of the activation's
// output a = f(z), so a layer only keeps its output for the backward pass.
#pragma once

#include "latentlab/Types.h"

#include <string>
#include <vector>

namespace latentlab {

enum class Activation { Identity, ReLU, LeakyReLU, ELU, Tanh, Sigmoid };

constexpr Scalar kLeakySlope = Scalar(0.01); // LeakyReLU: f(z) = z for z > 0, 0.01 z else
constexpr Scalar kEluAlpha = Scalar(1);      // ELU: f(z) = z for z > 0, alpha (e^z - 1) else

// a = f(z), in place.
void applyActivation(Activation f, Eigen::Ref<Matrix> z);
// g <- g * f'(z), given a = f(z): the chain rule through the activation, in place.
void multiplyByDerivative(Activation f, const Eigen::Ref<const Matrix>& a, Eigen::Ref<Matrix> g);

// Numerically stable logistic function 1 / (1 + e^-z).
Scalar sigmoid(Scalar z);

std::string activationName(Activation f);
// Accepts the names above case-insensitively ("relu", "leaky_relu"/"leakyrelu", ...).
// Throws ConfigError listing the valid names.
Activation parseActivation(const std::string& name);
std::vector<std::string> activationNames();

} // namespace latentlab
